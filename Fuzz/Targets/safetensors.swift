// safetensors: SafeTensorsFile(path:) on the input, then every tensor it lists converted to Float32.
// An input that starts with "{" is the header JSON, a NUL byte and the payload: the target writes the
// 8-byte header length in front, so that mutations of the JSON keep a consistent file (a raw file's length
// prefix goes stale as soon as the JSON changes size). Any other input is the file itself.
import Foundation
import LongMemTensor

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let path: String
    if bytes.first == UInt8(ascii: "{") {
        let (header, payload) = FuzzInput.split(bytes)
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(header)
        file.append(payload)
        path = FuzzInput.write(file, to: "model.safetensors")
    } else {
        path = FuzzInput.write(bytes, to: "model.safetensors")
    }
    guard let file = try? SafeTensorsFile(path: path) else { return 0 }
    for name in file.names {
        _ = try? file.tensor(name)
    }
    return 0
}
