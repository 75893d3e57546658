// safetensors: SafeTensorsFile(path:) on the input, then every tensor it lists converted to Float32.
import Foundation
import LongMemTensor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzInput.write(fuzzBytes(data, size), to: "model.safetensors")
    guard let file = try? SafeTensorsFile(path: path) else { return 0 }
    for name in file.names {
        _ = try? file.tensor(name)
    }
    return 0
}
