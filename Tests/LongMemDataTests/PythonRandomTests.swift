import Foundation
import LongMemData
import Testing

/// `Tests/Fixtures/python-random/samples.json`, written by Scripts/reference/make_python_random_fixture.py
/// with CPython 3.11's `random`.
private struct PythonRandomFixture: Decodable, Sendable {
    struct TrainPool: Decodable, Sendable {
        let task: String
        let file: String
        let count: Int
    }

    struct Demonstration: Decodable, Sendable {
        let task: String
        let seed: UInt64
        let populationCount: Int
        let k: Int
        let branches: [String]
        let shots: [Int]
        let memoryCount: Int
        let memory: String
    }

    struct Sample: Decodable, Sendable {
        let label: String
        let seed: UInt64
        let populationCount: Int
        let k: Int
        let branch: String
        let indices: String
        let next32: UInt64
    }

    /// Either one width for all values (`k`) or one width per value (`widths`).
    struct Bits: Decodable, Sendable {
        let seed: UInt64
        let k: Int?
        let widths: [Int]?
        let values: [UInt64]
    }

    struct Below: Decodable, Sendable {
        let seed: UInt64
        let n: Int
        let values: [Int]
    }

    struct Uniform: Decodable, Sendable {
        let seed: UInt64
        let values: [Double]
        let bits: [String]
    }

    let python: String
    let trainPools: [TrainPool]
    let demonstrations: [Demonstration]
    let samples: [Sample]
    let getrandbits: [Bits]
    let randbelow: [Below]
    let random: [Uniform]

    /// The repository root, from this file's real location (`<root>/Tests/LongMemTasksTests/...`), with
    /// symlinks resolved so that a scratch package linking this directory in still finds the fixture.
    static let path = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/python-random/samples.json").path

    static let shared = Result { () throws -> PythonRandomFixture in
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(PythonRandomFixture.self, from: data)
    }

    func demonstration(task: String, seed: UInt64, k: Int) -> Demonstration? {
        demonstrations.first { $0.task == task && $0.seed == seed && $0.k == k }
    }
}

/// A fixture's comma-separated index list.
private func parseIndices(_ text: String) -> [Int] {
    text.isEmpty ? [] : text.split(separator: ",").map { Int($0)! }
}

/// `nil` when the index lists are equal, else where they first differ: keeps failures of 2000-item lists readable.
private func firstDifference(_ actual: [Int], _ expected: [Int]) -> String? {
    guard actual != expected else { return nil }
    let common = min(actual.count, expected.count)
    let position = (0..<common).first { actual[$0] != expected[$0] } ?? common
    let got = position < actual.count ? "\(actual[position])" : "nothing"
    let want = position < expected.count ? "\(expected[position])" : "nothing"
    return "first difference at position \(position) of \(expected.count): got \(got), expected \(want)"
}

@Suite("MersenneTwister")
struct MersenneTwisterTests {
    @Test("init_genrand(5489) gives the reference MT19937 outputs, 4123659995 as the 10000th")
    func genrandReference() {
        var generator = MersenneTwister(seed: 5489)
        var outputs: [UInt32] = []
        for _ in 0..<10_000 { outputs.append(generator.genrandUInt32()) }
        #expect(Array(outputs.prefix(3)) == [3_499_211_612, 581_869_302, 3_890_346_734])
        #expect(outputs.last == 4_123_659_995)
    }

    @Test("init_by_array([0x123, 0x234, 0x345, 0x456]) gives the reference mt19937ar outputs")
    func byArrayReference() {
        var generator = MersenneTwister(key: [0x123, 0x234, 0x345, 0x456])
        let outputs = (0..<5).map { _ in generator.genrandUInt32() }
        #expect(outputs == [1_067_595_299, 955_945_823, 477_289_528, 4_107_218_783, 4_228_976_476])
    }

    static let seedKeys: [(UInt64, [UInt32])] = [
        (0, [0]), (1, [1]), (0xFFFF_FFFF, [0xFFFF_FFFF]), (1 << 32, [0, 1]),
        (0x0123_4567_89AB_CDEF, [0x89AB_CDEF, 0x0123_4567]), (UInt64.max, [0xFFFF_FFFF, 0xFFFF_FFFF]),
    ]

    @Test("a Python seed is init_by_array over its 32-bit words, least significant first", arguments: seedKeys)
    func pythonSeedKey(seed: UInt64, key: [UInt32]) {
        var fromSeed = MersenneTwister(pythonSeed: seed)
        var fromKey = MersenneTwister(key: key)
        let a = (0..<700).map { _ in fromSeed.genrandUInt32() }
        let b = (0..<700).map { _ in fromKey.genrandUInt32() }
        #expect(a == b)
    }

    @Test("an empty key seeds like [0], and copies fork the stream")
    func emptyKeyAndCopies() {
        var empty = MersenneTwister(key: [])
        var zero = MersenneTwister(key: [0])
        #expect(empty.genrandUInt32() == zero.genrandUInt32())
        var copy = zero
        let fromOriginal = (0..<1000).map { _ in zero.genrandUInt32() }
        let fromCopy = (0..<1000).map { _ in copy.genrandUInt32() }
        #expect(fromOriginal == fromCopy)
    }
}

@Suite("PythonRandom against CPython 3.11")
struct PythonRandomTests {
    static let tasks = ["SST-2", "sst-5", "mr", "mpqa", "subj"]

    @Test("the fixture covers every ICL train pool with the loaders' sizes")
    func trainPools() throws {
        let fixture = try PythonRandomFixture.shared.get()
        #expect(fixture.python.hasPrefix("3.11."))
        let counts = Dictionary(uniqueKeysWithValues: fixture.trainPools.map { ($0.task, $0.count) })
        #expect(counts == ["SST-2": 6920, "sst-5": 8544, "mr": 8662, "mpqa": 8606, "subj": 8000])
        #expect(fixture.demonstrations.count == Self.tasks.count * 6 * 2)
    }

    @Test(
        "seed s: the k-shot demonstrations and then the 2000-item memory, bit for bit",
        arguments: tasks, 1...6)
    func demonstrations(task: String, seed: Int) throws {
        let fixture = try PythonRandomFixture.shared.get()
        for k in [4, 20] {
            let expected = try #require(fixture.demonstration(task: task, seed: UInt64(seed), k: k))
            var random = PythonRandom(seed: UInt64(seed))
            let shots = try random.sample(populationCount: expected.populationCount, k: k)
            let memory = try random.sample(populationCount: expected.populationCount, k: expected.memoryCount)
            #expect(shots == expected.shots, "\(task) seed \(seed) k \(k)")
            let difference = firstDifference(memory, parseIndices(expected.memory))
            #expect(difference == nil, "\(task) seed \(seed) k \(k) memory")
            #expect(expected.branches == ["set", "pool"])
        }
    }

    @Test("edge cases: k = n, k = 0, both sides of the pool/set threshold, large seeds")
    func edgeSamples() throws {
        let fixture = try PythonRandomFixture.shared.get()
        #expect(fixture.samples.count >= 15)
        #expect(Set(fixture.samples.map(\.branch)) == ["pool", "set"])
        for case_ in fixture.samples {
            var random = PythonRandom(seed: case_.seed)
            let indices = try random.sample(populationCount: case_.populationCount, k: case_.k)
            #expect(firstDifference(indices, parseIndices(case_.indices)) == nil, "\(case_.label)")
            #expect(Set(indices).count == case_.k, "\(case_.label): indices are distinct")
            // The same number of words was consumed: the stream continues identically.
            #expect(random.getrandbits(32) == case_.next32, "\(case_.label): stream position")
        }
    }

    @Test("getrandbits(1/7/32/33/64) and mixed widths from one stream")
    func getrandbits() throws {
        let fixture = try PythonRandomFixture.shared.get()
        #expect(Set(fixture.getrandbits.compactMap(\.k)) == [1, 7, 32, 33, 64])
        for case_ in fixture.getrandbits {
            var random = PythonRandom(seed: case_.seed)
            let widths = case_.widths ?? Array(repeating: case_.k ?? 0, count: case_.values.count)
            let values = widths.map { random.getrandbits($0) }
            #expect(values == case_.values, "seed \(case_.seed) widths \(widths)")
        }
    }

    @Test("getrandbits(0) consumes nothing")
    func zeroBits() {
        var random = PythonRandom(seed: 1)
        var reference = PythonRandom(seed: 1)
        #expect(random.getrandbits(0) == 0)
        #expect(random.getrandbits(32) == reference.getrandbits(32))
    }

    @Test("randbelow (CPython's _randbelow_with_getrandbits) for small, task-sized and 32/63-bit bounds")
    func randbelow() throws {
        let fixture = try PythonRandomFixture.shared.get()
        for case_ in fixture.randbelow {
            var random = PythonRandom(seed: case_.seed)
            let values = case_.values.map { _ in random.randbelow(case_.n) }
            #expect(values == case_.values, "seed \(case_.seed) n \(case_.n)")
        }
    }

    @Test("random() doubles, compared by bit pattern")
    func uniform() throws {
        let fixture = try PythonRandomFixture.shared.get()
        for case_ in fixture.random {
            var random = PythonRandom(seed: case_.seed)
            let values = case_.values.map { _ in random.random() }
            let bits = values.map { String($0.bitPattern, radix: 16).leftPadded(to: 16) }
            #expect(bits == case_.bits, "seed \(case_.seed)")
            #expect(values.allSatisfy { (0..<1).contains($0) })
            #expect(values == case_.values)
        }
    }

    @Test("k > n throws DataError naming both numbers, and consumes nothing")
    func sampleLargerThanPopulation() throws {
        var random = PythonRandom(seed: 3)
        var reference = PythonRandom(seed: 3)
        #expect(throws: DataError.sampleLargerThanPopulation(k: 21, populationCount: 20)) {
            try random.sample(populationCount: 20, k: 21)
        }
        do {
            _ = try random.sample(populationCount: 6920, k: 7000)
            Issue.record("expected a DataError")
        } catch {
            #expect(error == .sampleLargerThanPopulation(k: 7000, populationCount: 6920))
            let message = error.description
            #expect(message.contains("sample larger than population (k > n)"))
            #expect(message.contains("7000") && message.contains("6920"))
        }
        #expect(throws: DataError.sampleLargerThanPopulation(k: 1, populationCount: 0)) {
            try random.sample(["a"].dropFirst(), k: 1)
        }
        #expect(throws: DataError.negativeSampleSize(k: -1)) { try random.sample(populationCount: 5, k: -1) }
        #expect(DataError.negativeSampleSize(k: -1).description.contains("-1"))
        #expect(random.getrandbits(32) == reference.getrandbits(32))
    }

    @Test("sampling is deterministic per seed and differs between seeds")
    func determinism() throws {
        func draw(_ seed: UInt64) throws -> [Int] {
            var random = PythonRandom(seed: seed)
            return try random.sample(populationCount: 8000, k: 20) + random.sample(populationCount: 8000, k: 2000)
        }
        let first = try (1...6).map { try draw(UInt64($0)) }
        let second = try (1...6).map { try draw(UInt64($0)) }
        #expect(first == second)
        #expect(Set(first.map { $0.prefix(20) }).count == 6)
        for picks in first {
            #expect(Set(picks.prefix(20)).count == 20 && Set(picks.dropFirst(20)).count == 2000)
            #expect(picks.allSatisfy { (0..<8000).contains($0) })
        }
        var copy = PythonRandom(seed: 4)
        var fork = copy
        #expect(try copy.sample(populationCount: 100, k: 10) == fork.sample(populationCount: 100, k: 10))
    }

    @Test("sampling a collection returns the items at the sampled indices")
    func collectionSample() throws {
        let population = (0..<500).map { "item \($0)" }
        var byIndex = PythonRandom(seed: 2)
        var byItem = PythonRandom(seed: 2)
        let indices = try byIndex.sample(populationCount: population.count, k: 40)
        #expect(try byItem.sample(population, k: 40) == indices.map { population[$0] })
        let slice = population[100..<150]
        var fromSlice = PythonRandom(seed: 9)
        var reference = PythonRandom(seed: 9)
        #expect(
            try fromSlice.sample(slice, k: 50) == reference.sample(populationCount: 50, k: 50).map { slice[100 + $0] })
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
