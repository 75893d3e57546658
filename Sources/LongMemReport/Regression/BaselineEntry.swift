/// The expected value of one metric, with optional tolerances that override the file's defaults.
public struct BaselineEntry: Codable, Sendable, Equatable {
    public var expected: Double
    public var absolute: Double?
    public var relative: Double?
    /// Copied from the results so the gate can say whether a move is an improvement or a regression.
    public var higherIsBetter: Bool?

    enum CodingKeys: String, CodingKey {
        case expected, absolute, relative, higherIsBetter = "higher_is_better"
    }

    public init(expected: Double, absolute: Double? = nil, relative: Double? = nil, higherIsBetter: Bool? = nil) {
        self.expected = expected
        self.absolute = absolute
        self.relative = relative
        self.higherIsBetter = higherIsBetter
    }

    public func tolerance(defaults: Tolerance) -> Tolerance {
        Tolerance(absolute: absolute ?? defaults.absolute, relative: relative ?? defaults.relative)
    }
}
