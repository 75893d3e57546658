/// The 32-bit Mersenne Twister (MT19937, Matsumoto & Nishimura 1998) with the two seeding procedures of the
/// reference implementation, as CPython's `_randommodule.c` uses them.
///
/// This is the generator behind Python's `random` module. LongMem's ICL evaluation draws its demonstrations and
/// its memory set with `random.seed(s); random.sample(train, k)`, so reproducing those sets needs the exact same
/// 32-bit output stream: one differing word changes every later pick. Everything here follows the reference
/// algorithm word for word (`init_genrand`, `init_by_array`, `genrand_uint32` in CPython's `_randommodule.c`);
/// the output is checked against CPython in the tests.
///
/// A value type: copying a generator forks its stream.
public struct MersenneTwister: Sendable {
    /// Words of state (N in the reference code).
    public static let stateSize = 624
    /// The middle offset of the recurrence (M in the reference code).
    static let middle = 397
    static let matrixA: UInt32 = 0x9908_B0DF
    static let upperMask: UInt32 = 0x8000_0000
    static let lowerMask: UInt32 = 0x7FFF_FFFF

    private var state: [UInt32]
    /// The next word of `state` to temper; `stateSize` means the block is used up and must be regenerated.
    private var index: Int

    /// Seeds from one 32-bit word, as the reference `init_genrand`: a linear-congruential fill of the state.
    ///
    /// Python's `random.seed` does not use this directly for integer seeds (see `init(key:)`); it is the first
    /// step of `init_by_array` and the seeding of C++'s `std::mt19937`.
    public init(seed: UInt32) {
        var words = [UInt32](repeating: 0, count: Self.stateSize)
        words[0] = seed
        for position in 1..<Self.stateSize {
            let previous = words[position - 1]
            words[position] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(truncatingIfNeeded: position)
        }
        state = words
        index = Self.stateSize
    }

    /// Seeds from a key of 32-bit words, as the reference `init_by_array` (what CPython's `random.seed(int)`
    /// calls with the 32-bit words of the integer, least significant first).
    ///
    /// The reference code is never given an empty key (CPython passes `[0]` for the seed 0); an empty key is
    /// treated as `[0]` here.
    public init(key: [UInt32]) {
        let key = key.isEmpty ? [0] : key
        self.init(seed: 19_650_218)
        let count = Self.stateSize
        state.withUnsafeMutableBufferPointer { words in
            var position = 1
            var keyPosition = 0
            // First pass: mix every key word (cycling through the key) into the state.
            for _ in 0..<max(count, key.count) {
                let previous = words[position - 1]
                words[position] =
                    (words[position] ^ ((previous ^ (previous >> 30)) &* 1_664_525))
                    &+ key[keyPosition] &+ UInt32(truncatingIfNeeded: keyPosition)
                position += 1
                keyPosition += 1
                if position >= count {
                    words[0] = words[count - 1]
                    position = 1
                }
                if keyPosition >= key.count { keyPosition = 0 }
            }
            // Second pass: one more round over the state without the key.
            for _ in 0..<(count - 1) {
                let previous = words[position - 1]
                words[position] =
                    (words[position] ^ ((previous ^ (previous >> 30)) &* 1_566_083_941))
                    &- UInt32(truncatingIfNeeded: position)
                position += 1
                if position >= count {
                    words[0] = words[count - 1]
                    position = 1
                }
            }
            // The most significant bit is set so that the state is never all zero.
            words[0] = 0x8000_0000
        }
        index = count
    }

    /// Seeds exactly as CPython 3.11's `random.seed(n)` for a non-negative integer `n`: `init_by_array` with the
    /// 32-bit words of `n`, least significant first, and as many words as `n` needs (one for `n < 2^32`,
    /// including `n = 0`, else two).
    public init(pythonSeed seed: UInt64) {
        let low = UInt32(truncatingIfNeeded: seed)
        let high = UInt32(truncatingIfNeeded: seed >> 32)
        self.init(key: high == 0 ? [low] : [low, high])
    }

    /// The next 32-bit output (the reference `genrand_uint32`): regenerates the 624-word block when it is used
    /// up, then tempers the next word.
    public mutating func genrandUInt32() -> UInt32 {
        if index >= Self.stateSize { regenerate() }
        var word = state[index]
        index += 1
        word ^= word >> 11
        word ^= (word << 7) & 0x9D2C_5680
        word ^= (word << 15) & 0xEFC6_0000
        word ^= word >> 18
        return word
    }

    /// The twist: replaces the whole state by the next 624 words of the recurrence, in place and in order (so
    /// that the late positions read the words already replaced, as in the reference code).
    private mutating func regenerate() {
        let count = Self.stateSize
        state.withUnsafeMutableBufferPointer { words in
            for position in 0..<count {
                let next = position + 1 == count ? 0 : position + 1
                let far = position + Self.middle < count ? position + Self.middle : position + Self.middle - count
                let joined = (words[position] & Self.upperMask) | (words[next] & Self.lowerMask)
                words[position] = words[far] ^ (joined >> 1) ^ (joined & 1 == 0 ? 0 : Self.matrixA)
            }
        }
        index = 0
    }
}
