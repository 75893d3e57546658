import LongMemTensor

/// Parameters stored as consecutive rows of one matrix (q | k | v, gate | up), so that one product
/// computes them all and one product gives their gradients; each part stays its own `Parameter` (its name,
/// file entry and optimizer state) as a view of its rows.
struct FusedRows {
    let value: Tensor
    let gradient: Tensor
    let parts: [Parameter]

    /// `matrix` split after `rows[0]`, `rows[0] + rows[1]`, ... rows, named `names`.
    init(copying matrix: Tensor, names: [String], rows: [Int]) {
        value = matrix.copy()
        gradient = Tensor(zeros: matrix.shape)
        var start = 0
        var parts: [Parameter] = []
        for (name, count) in zip(names, rows) {
            let range = start..<(start + count)
            parts.append(Parameter(name, value: value.rows(range), gradient: gradient.rows(range)))
            start += count
        }
        self.parts = parts
    }

    /// Column blocks of `fused` (T, sum of widths) as contiguous tensors.
    static func split(_ fused: Tensor, widths: [Int]) -> [Tensor] {
        var start = 0
        return widths.map { width in
            let part = Tensor(uninitialized: [fused.rows, width])
            for t in 0..<fused.rows { part.row(t).update(from: fused.row(t) + start, count: width) }
            start += width
            return part
        }
    }

    /// Contiguous tensors side by side: (T, sum of widths).
    static func join(_ parts: [Tensor]) -> Tensor {
        let width = parts.reduce(0) { $0 + $1.columns }, rows = parts[0].rows
        let fused = Tensor(uninitialized: [rows, width])
        var start = 0
        for part in parts {
            for t in 0..<rows { (fused.row(t) + start).update(from: part.row(t), count: part.columns) }
            start += part.columns
        }
        return fused
    }
}
