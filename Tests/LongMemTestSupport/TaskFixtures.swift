import Foundation

/// Tests/Fixtures/tasks: a small ChapterBreak file and what the PyTorch reference computes for ChapterBreak and
/// ICL runs of Tests/Fixtures/longmem-text-tiny, per method, with each run's command-line arguments
/// (written by Scripts/reference/make_task_fixtures.py).
public enum TaskFixtures {
    public static let directory = FixturePaths.fixture("tasks")
    /// ChapterBreak examples in the official layout (split pg19).
    public static let chapterBreakFile = directory + "/chapterbreak.json"

    /// An accuracy (or its mean / std over seeds) as results.json should report it.
    public struct Metric: Decodable, Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
        public var count: Int
    }

    public struct ChapterBreak: Decodable, Sendable {
        public struct Sample: Decodable, Sendable {
            public var id: String
            public var prefix_tokens: Int  // swiftlint:disable:this identifier_name
            public var memory_tokens: Int  // swiftlint:disable:this identifier_name
            public var context_tokens: Int  // swiftlint:disable:this identifier_name
            public var candidate_tokens: [Int]  // swiftlint:disable:this identifier_name
            /// Per candidate, gold first: summed and per-token mean log-likelihood.
            public var sum: [Double]
            public var mean: [Double]
            /// "sum" / "mean" -> correct under ChapterBreak's rule (ties count for the gold).
            public var correct: [String: Bool]
            /// The same under the strict rule (gold must be strictly higher), for the record.
            public var correct_if_ties_lose: [String: Bool]  // swiftlint:disable:this identifier_name
            /// Index of the first candidate with the highest summed score.
            public var prediction: String
        }

        public struct Run: Decodable, Sendable {
            /// `longmem-eval` arguments without --model, --tokenizer, --file and --output.
            public var arguments: [String]
            public var samples: [Sample]
            public var metrics: [Metric]
        }

        /// method -> run
        public var runs: [String: Run]
    }

    public struct ICL: Decodable, Sendable {
        /// A seed's setup record: the demonstrations drawn and (memory methods) what was written to memory.
        public struct Setup: Decodable, Sendable {
            public var id: String
            public var shot_indices: [Int]  // swiftlint:disable:this identifier_name
            public var memory_demo_indices: [Int]?  // swiftlint:disable:this identifier_name
            public var memory_demo_tokens: Int?  // swiftlint:disable:this identifier_name
            public var memory_demo_tokens_fed: Int?  // swiftlint:disable:this identifier_name
            public var segments: Int?
        }

        public struct Sample: Decodable, Sendable {
            public var id: String
            public var label: String
            public var prompt_tokens: Int  // swiftlint:disable:this identifier_name
            public var truncated: Bool
            public var predicted_token: Int  // swiftlint:disable:this identifier_name
            /// The greedy token decoded and stripped.
            public var prediction: String
            /// Label word -> log-likelihood after the prompt.
            public var scores: [String: Double]
            public var label_rank_prediction: String  // swiftlint:disable:this identifier_name
            /// "greedy_prefix" / "label_rank" -> correct
            public var correct: [String: Bool]
        }

        public struct Run: Decodable, Sendable {
            /// `longmem-eval` arguments without --model, --tokenizer and --output.
            public var arguments: [String]
            public var setup: [Setup]
            public var samples: [Sample]
            public var metrics: [Metric]
        }

        /// method -> run
        public var runs: [String: Run]
    }

    public static func chapterBreak() throws -> ChapterBreak {
        try JSONDecoder().decode(
            ChapterBreak.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/chapterbreak-expected.json")))
    }

    public static func icl() throws -> ICL {
        try JSONDecoder().decode(
            ICL.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/icl-expected.json")))
    }
}
