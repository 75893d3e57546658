import Dispatch
import Foundation

/// The one place longmem-eval runs work on several cores.
///
/// BLAS runs single-threaded and longmem-eval splits each matrix product by rows (or output columns)
/// and attention by heads across `Parallel.threads` workers. OpenBLAS's own threads busy-wait between
/// calls and, on small machines, steal the cores the element-wise work needs; splitting ourselves
/// avoids that, and every output element is computed by the same single-threaded kernel whatever the
/// thread count, so results do not depend on it.
public enum Parallel {
    nonisolated(unsafe) private static var configuredThreads = ProcessInfo.processInfo.activeProcessorCount

    /// Workers used by `forEach`.
    public static var threads: Int {
        get { configuredThreads }
        set { configuredThreads = max(1, newValue) }
    }

    /// Runs body(0 ..< count) on up to `threads` workers; returns when all are done.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, configuredThreads > 1 else {
            for index in 0..<count { body(index) }
            return
        }
        // Workers only touch disjoint parts of the caller's buffers and all finish before we return.
        withoutActuallyEscaping(body) { escapable in
            let work = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: count) { work.value($0) }
        }
    }

    /// Splits 0 ..< total into at most `threads` contiguous ranges of at least `minimum` elements and
    /// runs body on each in parallel.
    public static func forRanges(_ total: Int, minimum: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(configuredThreads, total / max(minimum, 1)))
        guard parts > 1 else {
            if total > 0 { body(0..<total) }
            return
        }
        forEach(parts) { part in
            let start = total * part / parts, end = total * (part + 1) / parts
            body(start..<end)
        }
    }
}

/// Hands a non-Sendable value to workers whose access the caller keeps disjoint.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
