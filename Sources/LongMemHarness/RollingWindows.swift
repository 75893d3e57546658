/// lm-eval's rolling windows (`get_rolling_token_windows` with context length 1, then
/// `make_disjoint_window`): every token of a document is predicted exactly once; the first window is
/// conditioned on a prefix token, each later one on the tokens before it, at most `maxLength` inputs.
public enum RollingWindows {
    public static func make(tokens: [Int], prefixToken: Int, maxLength: Int) -> [TokenPair] {
        guard !tokens.isEmpty else { return [] }
        var pairs: [TokenPair] = []
        let firstLength = min(maxLength, tokens.count)
        pairs.append(TokenPair(context: [prefixToken], continuation: Array(tokens[..<firstLength])))
        var predicted = firstLength
        while predicted < tokens.count {
            let windowLength = min(tokens.count - predicted, maxLength)
            let end = predicted + windowLength
            // Inputs are the maxLength tokens before `end`; the part before the predicted span is context.
            let inputStart = max(end - maxLength - 1, 0)
            pairs.append(
                TokenPair(context: Array(tokens[inputStart..<predicted]), continuation: Array(tokens[predicted..<end])))
            predicted = end
        }
        return pairs
    }
}
