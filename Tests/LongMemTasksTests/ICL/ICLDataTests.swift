import Foundation
import LongMemData
import LongMemHarness
import LongMemTasks
import LongMemTestSupport
import LongMemTokenizer
import Testing

@Suite("ICL data, demonstrations and encoding as the official script")
struct ICLDataTests {
    static let data = FixturePaths.datasets

    @Test(
        "train pools and evaluation splits have the official sizes",
        arguments: [
            (ICLTask.sst2, 6_920, 872), (.sst5, 8_544, 1_101), (.mr, 8_662, 2_000), (.subj, 8_000, 2_000),
            (.mpqa, 8_606, 2_000),
        ])
    func sizes(task: ICLTask, train: Int, evaluation: Int) throws {
        let dataset = try ICLDataset(task: task, dataDirectory: Self.data)
        #expect(dataset.train.count == train)
        #expect(dataset.evaluation.count == evaluation)
    }

    @Test("MR and MPQA keep their CSV quotes, Subj strips them, SST-2 skips its header")
    func quirks() throws {
        let mr = try ICLDataset(task: .mr, dataDirectory: Self.data)
        #expect(mr.train.contains { $0.text.hasPrefix("\"") && $0.text.hasSuffix("\"") })
        let subj = try ICLDataset(task: .subj, dataDirectory: Self.data)
        #expect(!subj.train.contains { $0.text.hasPrefix("\"") || $0.text.hasSuffix("\"") })
        let sst2 = try ICLDataset(task: .sst2, dataDirectory: Self.data)
        #expect(!sst2.train.contains { $0.text == "sentence" })
        #expect(ICLTask.sst5.labelWords == ["terrible", "bad", "okay", "good", "great"])
        #expect(ICLTask.subj.demonstration(text: "a", label: 1) == "Input: a Type: objective. ")
        #expect(ICLTask.sst2.query(text: "good film") == "Review: good film Sentiment:")
    }

    /// The python-random fixture (Scripts/reference/make_python_random_fixture.py) recorded CPython's draws
    /// on each task's train pool: shots, then 2,000 memory demonstrations from the same stream.
    struct Draws: Decodable {
        struct Draw: Decodable {
            var task: String, seed: Int, populationCount: Int, k: Int, shots: [Int], memoryCount: Int, memory: String
        }
        var demonstrations: [Draw]
    }

    @Test("the demonstrations drawn for seeds 1-6 on every task are CPython's random.sample")
    func officialDraws() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("python-random/samples.json")))
        let draws = try JSONDecoder().decode(Draws.self, from: data).demonstrations
        let folders = ["SST-2": ICLTask.sst2, "sst-5": .sst5, "mr": .mr, "subj": .subj, "mpqa": .mpqa]
        #expect(Set(draws.map(\.seed)) == Set(1...6) && Set(draws.compactMap { folders[$0.task] }).count == 5)
        for draw in draws {
            let task = try #require(folders[draw.task])
            let pool = try ICLDataset(task: task, dataDirectory: Self.data).train.count
            #expect(pool == draw.populationCount, "\(task) pool")
            let drawn = try ICLEvaluator.drawDemonstrations(
                seed: draw.seed, poolSize: pool, shots: draw.k, memory: draw.memoryCount)
            #expect(drawn.shots == draw.shots, "\(task) seed \(draw.seed) k \(draw.k)")
            #expect(
                drawn.memory.map(String.init).joined(separator: ",") == draw.memory, "\(task) seed \(draw.seed) memory")
        }
    }

    @Test("--subsample draws CPython's random.Random(seed).sample(range(n), k), in dataset order; --limit the first n")
    func subsample() throws {
        // python3 -c "import random; print(sorted(random.Random(0).sample(range(2000), 10)))"
        let drawn = try ICLEvaluator.queryIndices(
            count: 2000, ICLConfiguration(tasks: [.mr], shots: 4, seeds: [1], subsample: 10))
        #expect(drawn == [82, 530, 788, 861, 995, 1047, 1552, 1729, 1823, 1977])
        let reseeded = try ICLEvaluator.queryIndices(
            count: 872, ICLConfiguration(tasks: [.sst2], shots: 4, seeds: [1], subsample: 5, subsampleSeed: 3))
        #expect(reseeded == [133, 243, 378, 557, 606])
        let first = try ICLEvaluator.queryIndices(
            count: 872, ICLConfiguration(tasks: [.sst2], shots: 4, seeds: [1], limit: 3))
        #expect(first == [0, 1, 2])
    }

    @Test("with the fairseq dictionary each line is <s> tokens </s>")
    func fairseqBoundaries() throws {
        let tokenizer = try FairseqTokenizer.load(
            bpeDirectory: FixturePaths.dataset("gpt2_bpe"), dictionaryFile: FixturePaths.dataset("gpt2_bpe/dict.txt"))
        let boundaries = try SequenceBoundaries.forTokenizer(tokenizer)
        let line = ICLTask.sst2.demonstration(text: "fine", label: 1)
        #expect(boundaries.encode(line, with: tokenizer) == [0] + tokenizer.encode(line) + [2])
        let plain = try BytePairTokenizer.load(directory: FixturePaths.dataset("gpt2_bpe"))
        #expect(try SequenceBoundaries.forTokenizer(plain).start == 50256)
    }

    @Test("a malformed row names the file and line")
    func malformedRow() throws {
        let directory = FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/icl/mr", withIntermediateDirectories: true)
        try "1,fine\n0,bad\n7,label out of range\n".write(
            toFile: directory + "/icl/mr/train.csv", atomically: true, encoding: .utf8)
        try "1,ok\n".write(toFile: directory + "/icl/mr/test.csv", atomically: true, encoding: .utf8)
        #expect(
            throws: TasksError.malformedRow(
                path: directory + "/icl/mr/train.csv", line: 3, detail: "label '7' is not one of 0...1")
        ) {
            try ICLDataset(task: .mr, dataDirectory: directory)
        }
        #expect(throws: TasksError.missingData(path: directory + "/icl/subj/train.csv")) {
            try ICLDataset(task: .subj, dataDirectory: directory)
        }
    }
}
