import Foundation

/// The one gate every reader of models, texts, datasets and results passes before it opens a file: the
/// path must name a regular file (after symbolic links) that this process may read. `stat` and `access`
/// look without opening, so a FIFO cannot block the reader (opening one for reading waits for a writer),
/// and a directory, a device or a permission problem each get their own message instead of a read error.
public enum RegularFile {
    /// Throws `fileNotFound`, `notRegularFile`, `permissionDenied` or `unreadable` unless `path` is a
    /// readable regular file.
    public static func check(_ path: String) throws(TensorError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw .fileNotFound(path: path)
            case EACCES: throw .permissionDenied(path: path)
            default: throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .notRegularFile(path: path, kind: kind(of: status.st_mode))
        }
        guard access(path, R_OK) == 0 else { throw .permissionDenied(path: path) }
    }

    /// The whole file, read through `MappedFile` (which checks first).
    public static func read(_ path: String) throws(TensorError) -> Data {
        let file = try MappedFile(path: path)
        return Data(bytes: file.bytes, count: file.size)
    }

    /// What a non-regular file is, for messages ("a directory").
    public static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }
}
