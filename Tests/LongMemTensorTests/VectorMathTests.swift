import Foundation
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Vector kernels against Foundation")
struct VectorMathTests {
    func exp(_ values: [Float]) -> [Float] {
        var copy = values
        copy.withUnsafeMutableBufferPointer { VectorMath.exp($0.baseAddress!, count: $0.count) }
        return copy
    }

    @Test("exp is within 3e-7 relative error over Float32's range")
    func exponential() {
        let inputs = stride(from: -87.0, through: 88.0, by: 0.0173).map { Float($0) } + [0, -0.0, 1e-8, -1e-8]
        for (x, y) in zip(inputs, exp(inputs)) {
            let exact = Foundation.exp(Double(x))
            #expect(abs(Double(y) - exact) / exact < 3e-7, "exp(\(x)) = \(y), expected \(exact)")
        }
    }

    @Test("exp underflows to exactly 0, including -infinity")
    func exponentialUnderflow() {
        #expect(exp([-88, -100, -.infinity, -1e30]).allSatisfy { $0 == 0 })
    }

    @Test("sum and maximum match scalar loops on odd lengths", arguments: [0, 1, 15, 16, 17, 100, 1023, 5000])
    func reductions(count: Int) {
        var random = SplitMix64(seed: UInt64(count))
        let values = random.floats(count, scale: 5)
        let sum = values.withUnsafeBufferPointer { VectorMath.sum($0.baseAddress!, count: count) }
        let maximum = values.withUnsafeBufferPointer { VectorMath.maximum($0.baseAddress!, count: count) }
        #expect(abs(sum - values.reduce(0.0) { $0 + Double($1) }) < 1e-4)
        #expect(maximum == (values.max() ?? -.infinity))
    }
}
