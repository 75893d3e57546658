/// A bounds-checked little-endian reader over a mapped GGUF file. Every read first checks that the
/// bytes it needs lie inside the file, and reports what was being read, where, and the file size.
struct GGUFCursor {
    let file: MappedFile
    private(set) var offset: Int

    init(file: MappedFile, offset: Int = 0) {
        self.file = file
        self.offset = offset
    }

    var remaining: Int { file.size - offset }

    /// Throws `truncated` unless `count` more bytes are in the file.
    func require(_ count: Int, for what: @autoclosure () -> String) throws {
        guard count >= 0, count <= remaining else {
            throw TensorError.truncated(
                path: file.path,
                detail: "\(what()) needs \(count) bytes at byte \(offset) but the file ends at byte \(file.size)")
        }
    }

    /// Like `require`, for a byte count given as a product that may overflow (counts read from the file).
    func require(_ count: UInt64, times size: Int, for what: @autoclosure () -> String) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: UInt64(size))
        guard !overflow, bytes <= UInt64(max(remaining, 0)) else {
            throw TensorError.truncated(
                path: file.path,
                detail: "\(what()) declares \(count) entries of at least \(size) bytes each, but only "
                    + "\(max(remaining, 0)) bytes follow byte \(offset) (the file ends at byte \(file.size))")
        }
    }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, for: what())
        let value = file.load(T.self, at: offset)
        offset += MemoryLayout<T>.size
        return value
    }

    /// A GGUF string: a u64 byte length, then that many bytes of UTF-8 (ill-formed sequences are
    /// replaced by U+FFFD).
    mutating func readString(_ what: @autoclosure () -> String) throws -> String {
        let length = try read(UInt64.self, "length of \(what())")
        guard length <= UInt64(max(remaining, 0)) else {
            throw TensorError.truncated(
                path: file.path,
                detail: "\(what()) has length \(length) but only \(max(remaining, 0)) bytes follow byte \(offset) "
                    + "(the file ends at byte \(file.size))")
        }
        let bytes = UnsafeRawBufferPointer(start: file.bytes + offset, count: Int(length))
        offset += Int(length)
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func skip(to newOffset: Int) { offset = newOffset }
}
