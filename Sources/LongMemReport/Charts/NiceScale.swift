import Foundation

/// An axis range rounded outwards to "nice" steps (1, 2, 2.5 or 5 times a power of ten), with its ticks.
struct NiceScale: Equatable {
    var lower: Double
    var upper: Double
    var step: Double

    /// - Parameters: values to cover; `target` is the wanted number of intervals (about 5 reads well).
    init(covering values: [Double], includeZero: Bool, target: Double = 5) {
        // Loaders refuse non-finite and huge figures; this keeps a scale (and its tick count) finite anyway.
        let values = values.filter { $0.isFinite && abs($0) <= 1e300 }
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if includeZero { low = min(low, 0) }
        if high - low < 1e-12 {
            let pad = max(abs(high) * 0.1, 1)
            (low, high) = (includeZero && low >= 0 ? low : low - pad, high + pad)
        }
        let raw = (high - low) / target
        let magnitude = pow(10, floor(log10(raw)))
        let residual = raw / magnitude
        let factor: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10
        step = factor * magnitude
        lower = floor(low / step + 1e-9) * step
        upper = ceil(high / step - 1e-9) * step
        if upper <= lower { upper = lower + step }
    }

    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// Enough decimals to tell the ticks apart (2.5 needs one, 20 needs none).
    var digits: Int {
        for digits in 0...6 {
            let scaled = step * pow(10, Double(digits))
            if abs(scaled - scaled.rounded()) < 1e-6 { return digits }
        }
        return 6
    }

    func label(_ value: Double) -> String { ReportNumber.fixed(value, digits: digits) }
}
