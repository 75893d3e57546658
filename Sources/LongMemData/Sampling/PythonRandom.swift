import Foundation

/// A bit-exact re-implementation of the parts of CPython 3.11's `random.Random` that LongMem's evaluation uses.
///
/// LongMem's official ICL script (`eval_scripts/eval_longmem_icl.py`) picks, for each seed s in 1...6,
/// `random.seed(s); shots = random.sample(train, k)` and then, from the same stream,
/// `memory = random.sample(train, 2000)`. The accuracies it reports depend on exactly which demonstrations
/// and memory items were drawn, so a comparison with the paper is only like for like when the Swift harness
/// draws the very same sets. That needs the same generator (`MersenneTwister`, CPython's `_randommodule.c`),
/// the same seeding (`random_seed`), the same bit extraction (`_random_Random_getrandbits_impl`), the same
/// rejection sampling (`Random._randbelow_with_getrandbits`) and the same sampling algorithm, including its
/// choice between two branches (`Random.sample`). Any difference in the number of 32-bit words consumed
/// shifts every later pick, so each step below mirrors CPython's exactly rather than being merely "uniform".
///
/// ```swift
/// var random = PythonRandom(seed: 1)
/// let shots = try random.sample(populationCount: train.count, k: 20)   // indices into train
/// let memory = try random.sample(populationCount: train.count, k: 2000)
/// ```
///
/// A value type: copying it forks the stream.
public struct PythonRandom: Sendable {
    /// The underlying MT19937 stream.
    public private(set) var generator: MersenneTwister

    /// Seeds as CPython 3.11's `random.seed(seed)` (and `random.Random(seed)`) does for an `int` seed.
    ///
    /// Only non-negative integer seeds below 2^64 are supported. CPython 3.11 seeds an int `n` with `abs(n)`, so
    /// `random.seed(-5)` gives the same stream as `random.seed(5)`: pass the magnitude for a negative seed.
    /// Seeds of other types (`None`, floats, and strings or bytes, which CPython hashes with SHA-512) and ints
    /// of 2^64 or more are not supported.
    public init(seed: UInt64) {
        generator = MersenneTwister(pythonSeed: seed)
    }

    /// Continues from an existing generator state.
    public init(generator: MersenneTwister) {
        self.generator = generator
    }

    /// `random.getrandbits(k)` for `k` in 0...64: a uniform integer of `k` bits.
    ///
    /// As `_random_Random_getrandbits_impl`: `k = 0` consumes nothing and gives 0; `k <= 32` takes the top `k`
    /// bits of one 32-bit output; larger `k` fills 32-bit words least significant first, the last one keeping
    /// only its top `k - 32` bits. So every call starts on a fresh word, and 33 bits cost two words.
    /// `k` outside 0...64 is a programming error.
    public mutating func getrandbits(_ k: Int) -> UInt64 {
        precondition((0...64).contains(k), "getrandbits supports 0...64 bits, got \(k)")
        if k == 0 { return 0 }
        if k <= 32 { return UInt64(generator.genrandUInt32() >> UInt32(32 - k)) }
        let low = UInt64(generator.genrandUInt32())
        let high = UInt64(generator.genrandUInt32() >> UInt32(64 - k))
        return low | (high << 32)
    }

    /// A uniform integer in `0..<n` by rejection, as `Random._randbelow_with_getrandbits` (the `_randbelow` of
    /// `random.Random`): draw `n.bit_length()` bits until the value is below `n`. `n` must be positive.
    public mutating func randbelow(_ n: Int) -> Int {
        precondition(n > 0, "randbelow needs a positive bound, got \(n)")
        let bits = Int.bitWidth - n.leadingZeroBitCount
        let bound = UInt64(n)
        var value = getrandbits(bits)
        while value >= bound { value = getrandbits(bits) }
        return Int(value)
    }

    /// `random.random()`: a double in [0, 1) with 53 random bits, built from two 32-bit outputs as CPython's
    /// `_random_Random_random_impl` (the top 27 bits of the first, the top 26 of the second).
    public mutating func random() -> Double {
        let high = Double(generator.genrandUInt32() >> 5)
        let low = Double(generator.genrandUInt32() >> 6)
        return (high * 67_108_864.0 + low) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.sample(population, k)` for a population of `n` items, returned as the INDICES of the picked items
    /// (in selection order). CPython's `Random.sample` only uses the population's length and indexes into it, so
    /// `population[i]` for these indices is exactly what `random.sample(population, k)` returns.
    ///
    /// Follows CPython 3.11's `Random.sample`, including when it switches between its two branches (which draw
    /// differently): with `setsize = 21`, plus `4 ** ceil(log(3k, 4))` when `k > 5`, a population of at most
    /// `setsize` items is sampled from a shrinking pool (draw `j` below `n - i`, take `pool[j]`, move the last
    /// unpicked item into its place); a larger one by drawing `j` below `n` until it was not picked before.
    ///
    /// - Throws: `DataError` when `k` is negative or larger than `n` (where CPython raises `ValueError`).
    public mutating func sample(populationCount n: Int, k: Int) throws(DataError) -> [Int] {
        guard k >= 0 else { throw .negativeSampleSize(k: k) }
        guard k <= n else { throw .sampleLargerThanPopulation(k: k, populationCount: n) }
        var result = [Int]()
        result.reserveCapacity(k)
        if n <= Self.setSize(forSampleSize: k) {
            var pool = Array(0..<n)
            for picked in 0..<k {
                let j = randbelow(n - picked)
                result.append(pool[j])
                pool[j] = pool[n - picked - 1]
            }
        } else {
            var selected = Set<Int>(minimumCapacity: k)
            for _ in 0..<k {
                var j = randbelow(n)
                while selected.contains(j) { j = randbelow(n) }
                selected.insert(j)
                result.append(j)
            }
        }
        return result
    }

    /// `random.sample(population, k)` on a collection: the items at the indices `sample(populationCount:k:)` picks.
    public mutating func sample<Population: RandomAccessCollection>(
        _ population: Population, k: Int
    ) throws(DataError) -> [Population.Element] {
        let indices = try sample(populationCount: population.count, k: k)
        return indices.map { population[population.index(population.startIndex, offsetBy: $0)] }
    }

    /// CPython's `setsize`: the largest population that `Random.sample` draws from a pool rather than with a
    /// set of picked indices. The logarithm is computed in doubles as Python's `math.log(k * 3, 4)` is
    /// (`log(x) / log(4)` with the C library's `log`); sizes beyond `Int` saturate (the pool branch either way).
    static func setSize(forSampleSize k: Int) -> Int {
        let base = 21
        guard k > 5 else { return base }
        let (triple, overflow) = k.multipliedReportingOverflow(by: 3)
        let exponent = overflow ? Int.max : Int((log(Double(triple)) / log(4.0)).rounded(.up))
        guard exponent < 32 else { return Int.max }
        return base + 1 << (2 * exponent)
    }
}
