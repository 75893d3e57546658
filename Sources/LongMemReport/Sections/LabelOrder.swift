/// Orders label values the way the paper lays out its columns, independent of the order metrics were written.
enum LabelOrder {
    /// Numbers ascending (4096 before 8192, not as text), then anything else alphabetically.
    static func numeric(_ values: some Sequence<String>) -> [String] {
        Set(values).sorted { a, b in
            switch (Double(a), Double(b)) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }

    /// Values of `canonical` in its order, then the others alphabetically.
    static func canonical(_ values: some Sequence<String>, order: [String]) -> [String] {
        Set(values).sorted { a, b in
            let rankA = order.firstIndex(of: a) ?? order.count
            let rankB = order.firstIndex(of: b) ?? order.count
            return rankA != rankB ? rankA < rankB : a < b
        }
    }
}
