import Foundation

/// Writes Float32 tensors as a `.safetensors` file (used by tests, the tiny-model generator and the
/// benchmark). The file is written to a temporary name and renamed, so readers never see half of it.
public enum SafeTensorsWriter {
    public static func write(
        _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String
    )
        throws
    {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let bytes = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces so the payload is 8-byte aligned
        var output = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(json)
        for (_, tensor) in tensors {
            output.append(Data(bytes: tensor.data, count: tensor.count * 4))
        }
        try AtomicFile.write(output, to: path)
    }
}
