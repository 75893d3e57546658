/// `--shard i/n`: this process runs the samples whose position in the task's deterministic sample order
/// is i modulo n; `longmem-eval merge` recombines the n runs.
public struct Shard: Sendable, Equatable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses "i/n".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
            (0..<count).contains(index)
        else { throw HarnessError.invalidShard(text) }
        self.init(index: index, count: count)
    }

    public func owns(_ position: Int) -> Bool { position % count == index }

    public var description: String { "\(index)/\(count)" }
}
