// config: a model folder's config.json through ConfigurationFile.decode of each configuration type the
// loaders decode (model_type probe, GPT-2/NewGPT, Llama), each validated as its loader does.
import Foundation
import LongMemModels

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzInput.write(fuzzBytes(data, size), to: "config.json")
    _ = try? ConfigurationFile.modelType(path: path)
    if let gpt2 = try? ConfigurationFile.decode(GPT2Configuration.self, path: path),
        (try? gpt2.validate(path: path)) != nil
    {
        _ = (gpt2.headDim, gpt2.contextLength)
    }
    if let llama = try? ConfigurationFile.decode(LlamaConfiguration.self, path: path),
        (try? llama.validate(path: path)) != nil
    {
        _ = (llama.headDim, llama.contextLength, llama.keyValueHeads, llama.theta, llama.epsilon)
    }
    return 0
}
