import Foundation
import LongMemTensor

/// Tests/Fixtures/longmem-tiny: a random LongMem configuration converted from a synthetic official
/// checkpoint, with the PyTorch reference's logits (Scripts/reference/make_longmem_fixture.py).
public struct LongMemFixture: Sendable {
    public struct Stream: Decodable, Sendable {
        public var tokens: [Int]
        public var segment_lengths: [Int]  // swiftlint:disable:this identifier_name
        public var logit_rows: [[Int]]  // swiftlint:disable:this identifier_name
    }

    public struct Counters: Decodable, Equatable, Sendable {
        public var written: Int
        public var resident: Int
        public var evicted: Int
    }

    struct Reference: Decodable {
        var streams: [String: Stream]
        var counters: [String: [String: [Counters]]]
        var near_ties: [String: [String: [[Int]]]]  // swiftlint:disable:this identifier_name
    }

    public static let directory = FixturePaths.fixture("longmem-tiny")
    public static let backboneDirectory = FixturePaths.fixture("newgpt-tiny")

    public let streams: [String: Stream]
    public let counters: [String: [String: [Counters]]]
    /// Query positions per stream, method and segment where a retrieval is a near tie.
    public let nearTies: [String: [String: [[Int]]]]
    public let tensors: SafeTensorsFile

    public init() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/reference.json"))
        let reference = try JSONDecoder().decode(Reference.self, from: data)
        streams = reference.streams
        counters = reference.counters
        nearTies = reference.near_ties
        tensors = try SafeTensorsFile(path: Self.directory + "/reference.safetensors")
    }

    /// `stream.method.segmentN.kind` from reference.safetensors.
    public func tensor(_ stream: String, _ method: String, segment: Int, _ kind: String) throws -> Tensor {
        try tensors.tensor("\(stream).\(method).segment\(segment).\(kind)")
    }
}
