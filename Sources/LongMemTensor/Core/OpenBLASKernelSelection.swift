import Foundation

/// Makes OpenBLAS use its AVX-512 ("SkylakeX") kernels on CPUs that have AVX-512 but that OpenBLAS
/// 0.3.21 does not recognise (on recent AMD EPYC it falls back to its AVX2 "Haswell"/"Zen" kernels,
/// and some machines pin `OPENBLAS_CORETYPE=Haswell` for the same reason).
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, in a constructor that runs when the library is loaded,
/// i.e. before `main`. So the only way for a program to choose the kernels itself is to set the
/// variable and re-execute itself. This does so once, when the CPU has the AVX-512 subsets the
/// SkylakeX kernels use and the loaded kernels are not already AVX-512 ones.
/// `LONGMEM_EVAL_OPENBLAS_AUTO=0` keeps whatever OpenBLAS chose.
public enum OpenBLASKernelSelection {
    /// Cores OpenBLAS names when it already uses AVX-512 kernels.
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// The AVX-512 subsets the SkylakeX kernels execute.
    static let requiredFlags: Set<String> = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    /// Set in the re-executed process, so that it never re-executes again.
    static let marker = "LONGMEM_EVAL_OPENBLAS_RELAUNCHED"

    /// Whether this CPU (per /proc/cpuinfo) can run OpenBLAS's SkylakeX kernels.
    public static func cpuSupportsAVX512(
        cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    ) -> Bool {
        guard let cpuinfo,
            let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let flags = Set(flagsLine.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }).map(String.init))
        return requiredFlags.isSubset(of: flags)
    }

    /// Whether a process with `environment`, whose OpenBLAS loaded `core`, should re-execute itself.
    public static func shouldRelaunch(environment: [String: String], core: String, cpuHasAVX512: Bool) -> Bool {
        environment["LONGMEM_EVAL_OPENBLAS_AUTO"] != "0" && environment[marker] == nil
            && !avx512Cores.contains(core.lowercased()) && cpuHasAVX512
    }

    /// Re-executes the current process with `OPENBLAS_CORETYPE=SkylakeX` when that is a gain.
    /// Returns only when no re-execution was needed or possible.
    public static func relaunchWithAVX512KernelsIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard shouldRelaunch(environment: environment, core: BLAS.coreName, cpuHasAVX512: cpuSupportsAVX512()) else {
            return
        }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        setenv(marker, environment["OPENBLAS_CORETYPE"] ?? "unset", 1)
        var arguments = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
        // execv returned: keep running with the kernels already loaded.
        unsetenv(marker)
    }
}
