// gguf: GGUFFile(path:) on the input; then what the Llama loader reads from it before any weights:
// the configuration from its metadata, the tokenizer from its metadata (and a short text through it),
// and every tensor that the reader says it can dequantize.
import Foundation
import LongMemModels
import LongMemTensor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzInput.write(fuzzBytes(data, size), to: "model.gguf")
    guard let file = try? GGUFFile(path: path) else { return 0 }
    for name in file.names {
        _ = try? file.tensor(name)
        _ = try? file.withRawBytes(of: name) { $0.reduce(0) { $0 &+ $1 } }
    }
    if let configuration = try? LlamaConfiguration(gguf: file) {
        _ = try? configuration.validate(path: path)
    }
    if let tokenizer = try? GGUFTokenizer(file: file) {
        let ids = tokenizer.encode("Hello, world! <s> 123 \u{00E9}\u{4E2D}\n\t  x")
        _ = tokenizer.decode(ids)
        _ = tokenizer.decode([0, 1, 2, 3, tokenizer.vocabularySize - 1, tokenizer.vocabularySize, -1])
    }
    return 0
}
