import LongMemTensor
import Testing

@Suite("Choosing OpenBLAS's AVX-512 kernels")
struct OpenBLASKernelSelectionTests {
    static let avx512CPU = "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f avx512dq avx512cd avx512bw avx512vl fma\n"
    static let avx2CPU = "processor\t: 0\nflags\t\t: fpu sse avx2 fma\n"

    @Test("AVX-512 support is read from the cpuinfo flags line")
    func cpuFlags() {
        #expect(OpenBLASKernelSelection.cpuSupportsAVX512(cpuinfo: Self.avx512CPU))
        #expect(!OpenBLASKernelSelection.cpuSupportsAVX512(cpuinfo: Self.avx2CPU))
        #expect(!OpenBLASKernelSelection.cpuSupportsAVX512(cpuinfo: nil))
    }

    @Test("re-execution happens once, only when it gains AVX-512 kernels, and can be switched off")
    func decision() {
        let relaunch = OpenBLASKernelSelection.shouldRelaunch
        #expect(relaunch([:], "Haswell", true))
        #expect(relaunch(["OPENBLAS_CORETYPE": "Haswell"], "Haswell", true))
        #expect(!relaunch([:], "SkylakeX", true))
        #expect(!relaunch([:], "Haswell", false))
        #expect(!relaunch(["LONGMEM_EVAL_OPENBLAS_AUTO": "0"], "Haswell", true))
        #expect(!relaunch(["LONGMEM_EVAL_OPENBLAS_RELAUNCHED": "Haswell"], "Haswell", true))
    }
}
