import Foundation

/// A read-only memory map of a whole file. Weight payloads are read through it without a copy of
/// the file; only tensors that are asked for are converted to Float32.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let size: Int
    public let bytes: UnsafeRawPointer

    public init(path: String) throws(TensorError) {
        self.path = path
        try RegularFile.check(path)
        // O_NONBLOCK: should the path become a FIFO after the check, opening it still returns at once.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw TensorError.fileNotFound(path: path) }
            throw TensorError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw TensorError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw TensorError.notRegularFile(path: path, kind: RegularFile.kind(of: status.st_mode))
        }
        size = Int(status.st_size)
        if size == 0 {
            // mmap of length 0 fails; an empty file is represented by a dangling, never-read pointer.
            bytes = UnsafeRawPointer(bitPattern: 1)!
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw TensorError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        bytes = UnsafeRawPointer(mapped)
    }

    deinit {
        if size > 0 { munmap(UnsafeMutableRawPointer(mutating: bytes), size) }
    }

    /// Little-endian integer at `offset` (caller checks bounds).
    public func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
