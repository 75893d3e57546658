// swift-tools-version: 6.1
// longmem-eval: an evaluation harness for memory-augmented language models (LongMem and its baselines).
// Layers (each target imports only from layers below): see docs/ARCHITECTURE.md, which a test keeps true.
import PackageDescription

/// Vector kernels are written with SIMD types; AVX2+FMA+F16C ("haswell") makes them one instruction per lane
/// group. Every x86-64 server CPU since 2015 has it; other architectures build without the flag.
#if arch(x86_64)
    let vectorISA: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
    let vectorC: [String] = ["-mavx2", "-mfma", "-mf16c"]
#else
    let vectorISA: [SwiftSetting] = []
    let vectorC: [String] = []
#endif

let package = Package(
    name: "longmem-eval",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "longmem-eval", targets: ["LongMemEvalCLI"]),
        .library(name: "LongMemModels", targets: ["LongMemModels"]),
        .library(name: "LongMemHarness", targets: ["LongMemHarness"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // Layer 0: the system BLAS, and the element-wise kernels written in C so that they vectorise
        // (optimised even in debug builds: the test suite runs real models).
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .target(
            name: "CLongMemKernels",
            cSettings: [.unsafeFlags(["-O3", "-ffp-contract=fast"] + vectorC)]
        ),

        // Layer 1: tensors, BLAS wrappers, kernels, safetensors.
        .target(
            name: "LongMemTensor",
            dependencies: ["COpenBLAS", "CLongMemKernels"],
            swiftSettings: vectorISA
        ),

        // Layer 2: tokenizer and models.
        .target(name: "LongMemTokenizer", dependencies: ["LongMemTensor"]),
        .target(
            name: "LongMemModels",
            dependencies: ["LongMemTensor", "LongMemTokenizer", "CLongMemKernels"],
            swiftSettings: vectorISA
        ),

        // Layer 3: requests, scoring, metrics.
        .target(
            name: "LongMemHarness",
            dependencies: ["LongMemTensor", .product(name: "Crypto", package: "swift-crypto")]
        ),

        .target(
            name: "LongMemRuntime",
            dependencies: ["LongMemModels", "LongMemTensor", "CLongMemKernels"],
            swiftSettings: vectorISA
        ),

        // Layer 4: data (datasets, manifests, fetching, Gutenberg texts, ChapterBreak files and builder,
        // CPython-compatible sampling, the model catalog), reports (results -> Markdown, HTML, JUnit),
        // cluster job files, and training (SideNet gradients, optimizer, checkpoints) beside the runtime it
        // extends.
        .target(
            name: "LongMemTraining",
            dependencies: ["LongMemRuntime", "LongMemModels", "LongMemTensor", "CLongMemKernels"],
            swiftSettings: vectorISA
        ),
        .target(
            name: "LongMemData",
            dependencies: ["LongMemHarness", "LongMemTensor", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "LongMemReport",
            dependencies: ["LongMemHarness", "LongMemTensor"]
        ),
        // Job files for cluster schedulers (Slurm job arrays, Kubernetes Indexed Jobs) and their submission.
        .target(name: "LongMemCluster"),

        // Layer 5: task adapters (ICL, ChapterBreak, perplexity) and their scoring.
        .target(
            name: "LongMemTasks",
            dependencies: [
                "LongMemData", "LongMemHarness", "LongMemRuntime", "LongMemModels", "LongMemTokenizer", "LongMemTensor",
            ]
        ),

        // Layer 6: the command line.
        .executableTarget(
            name: "LongMemEvalCLI",
            dependencies: [
                "LongMemTasks", "LongMemData", "LongMemReport", "LongMemCluster", "LongMemRuntime", "LongMemTraining",
                "LongMemHarness",
                "LongMemModels", "LongMemTokenizer", "LongMemTensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Test support: seeded tiny models, fixture paths, tolerance helpers.
        .target(
            name: "LongMemTestSupport",
            dependencies: ["LongMemTensor", "LongMemModels"],
            path: "Tests/LongMemTestSupport"
        ),
        .testTarget(
            name: "LongMemTensorTests",
            dependencies: ["LongMemTensor", "LongMemTestSupport"],
            swiftSettings: vectorISA
        ),
        .testTarget(
            name: "LongMemTokenizerTests",
            dependencies: ["LongMemTokenizer", "LongMemTestSupport"]
        ),
        .testTarget(
            name: "LongMemModelsTests",
            dependencies: ["LongMemModels", "LongMemTensor", "LongMemTokenizer", "LongMemTestSupport"]
        ),
        .testTarget(
            name: "LongMemHarnessTests",
            dependencies: ["LongMemHarness", "LongMemModels", "LongMemTestSupport"]
        ),
        .testTarget(
            name: "LongMemRuntimeTests",
            dependencies: ["LongMemRuntime", "LongMemModels", "LongMemTensor", "LongMemTestSupport", "CLongMemKernels"]
        ),
        .testTarget(
            name: "LongMemTrainingTests",
            dependencies: ["LongMemTraining", "LongMemRuntime", "LongMemModels", "LongMemTensor", "LongMemTestSupport"]
        ),
        .testTarget(
            name: "LongMemDataTests",
            dependencies: ["LongMemData", "LongMemHarness", "LongMemTestSupport"]
        ),
        .testTarget(
            name: "LongMemTasksTests",
            dependencies: [
                "LongMemTasks", "LongMemData", "LongMemHarness", "LongMemRuntime", "LongMemModels", "LongMemTokenizer",
                "LongMemTestSupport",
            ]
        ),
        .testTarget(
            name: "LongMemReportTests",
            dependencies: ["LongMemReport", "LongMemHarness", "LongMemTensor", "LongMemTestSupport"]
        ),
        .testTarget(
            name: "LongMemClusterTests",
            dependencies: ["LongMemCluster", "LongMemTestSupport"]
        ),
        .testTarget(
            name: "LongMemEvalCLITests",
            dependencies: ["LongMemEvalCLI", "LongMemHarness", "LongMemTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
