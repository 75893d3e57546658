import CLongMemKernels

/// A training step allocates and frees the same few hundred megabytes of activations every update. glibc
/// serves blocks above 128 KiB with fresh mmap pages, so every update would fault and zero them again
/// (15% of a SmolLM2 step in perf); raising the mmap and trim thresholds keeps freed blocks for reuse.
public enum AllocatorTuning {
    public static func keepFreedMemory() { lm_keep_freed_memory() }
}
