import Foundation
import LongMemTensor

/// Reads tokenizer files, turning I/O failures into `TokenizerError`s that name the file.
enum TokenizerFileReader {
    static func exists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The whole file, after `RegularFile`'s check (a FIFO or directory is refused, never opened).
    static func data(at path: String) throws -> Data {
        do { return try RegularFile.read(path) } catch {
            if case .fileNotFound = error { throw TokenizerError.fileNotFound(path: path) }
            throw TokenizerError.unreadable(path: path, reason: error.problem)
        }
    }

    /// The file as UTF-8 text; a file that is not valid UTF-8 is reported, not repaired, because a
    /// repaired vocabulary would silently encode differently.
    static func text(at path: String) throws -> String {
        let data = try data(at: path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.unreadable(path: path, reason: "not valid UTF-8")
        }
        return text
    }

    /// Lines split on `\n` with one trailing `\r` removed (so CRLF files read like LF ones, as Rust's
    /// `BufRead::lines` does), and with no empty last line after a final newline.
    ///
    /// Splitting is done on UTF-8 bytes, not `Character`s: `"\r\n"` is one `Character`, and a space
    /// followed by a combining mark would be too, so a `Character` split would miss separators.
    static func lines(of text: String) -> [String] {
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { line in
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
            return String(Substring(trimmed))
        }
    }

    /// `text` split at every U+0020 byte (empty fields kept), like Rust's `str::split(' ')`.
    static func fields(of text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            .map { String(Substring($0)) }
    }
}
