import Foundation
import LongMemTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The per-sample log of a run (`samples.jsonl`): one JSON line per scored sample, written only by the
/// process holding the run's lock. Durability points:
/// - the file is opened with `O_APPEND`, so every line lands at its end;
/// - `append` returns only once the whole line is written and `fsync`ed: a sample counted as done is on
///   disk, and a crash (even `kill -9` or a power cut) loses at most the sample in flight;
/// - creating the file syncs it and its folder, so the first records cannot lose their directory entry;
/// - a write that fails part-way is cut back off, so the file holds whole lines only;
/// - opening cuts a torn last line (left by a crash mid-write) and syncs the cut; the run then resumes
///   from the records before it.
public final class SampleLog {
    public let path: String
    private let handle: FileHandle
    private let encoder: JSONEncoder
    /// Bytes of whole lines in the file: where a failed append is cut back to.
    private var length: UInt64
    /// Records already in the file, by id.
    public private(set) var records: [String: SampleRecord] = [:]
    /// Ids in file order.
    public private(set) var order: [String] = []

    public init(path: String) throws {
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let created = !FileManager.default.fileExists(atPath: path)
        if !created { try HarnessError.requireRegularFile(path) }
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw HarnessError.unwritable(path: path, reason: String(cString: strerror(errno)))
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let existing: Data
        do { existing = try handle.readToEnd() ?? Data() } catch {
            throw HarnessError.unreadable(path: path, reason: error.localizedDescription)
        }
        let log = try Self.parse(existing, path: path)
        records = log.records
        order = log.order
        length = UInt64(log.validLength)
        do {
            if log.validLength < existing.count { try handle.truncate(atOffset: length) }
            if created || log.validLength < existing.count { try handle.synchronize() }
        } catch {
            throw HarnessError.unwritable(path: path, reason: error.localizedDescription)
        }
        if created { AtomicFile.syncFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path) }
    }

    public func contains(_ id: String) -> Bool { records[id] != nil }

    /// Appends one record and syncs it to disk.
    public func append(_ record: SampleRecord) throws {
        var line = try encoder.encode(record)
        line.append(0x0A)
        do {
            try handle.write(contentsOf: line)
            try handle.synchronize()
        } catch {
            try? handle.truncate(atOffset: length)
            throw HarnessError.unwritable(path: path, reason: error.localizedDescription)
        }
        length += UInt64(line.count)
        if records[record.id] == nil { order.append(record.id) }
        records[record.id] = record
    }

    /// Records in file order.
    public var all: [SampleRecord] { order.compactMap { records[$0] } }

    /// The records of a log, read without changing the file (a merge must not write its shards), and
    /// whether it ends in a torn line.
    public static func read(_ path: String) throws -> (records: [SampleRecord], torn: Bool) {
        try HarnessError.requireRegularFile(path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HarnessError.fileNotFound(path: path)
        }
        let log = try parse(data, path: path)
        return (log.order.compactMap { log.records[$0] }, log.validLength < data.count)
    }

    /// Complete lines of `data` as records; a final line without its newline is a torn write and is
    /// dropped (`validLength` is where the file is cut back to). A malformed complete line is an error.
    static func parse(
        _ data: Data, path: String
    ) throws -> (
        records: [String: SampleRecord], order: [String], validLength: Int
    ) {
        var records: [String: SampleRecord] = [:], order: [String] = []
        let decoder = JSONDecoder()
        var start = data.startIndex, line = 1, validLength = 0
        while let end = data[start...].firstIndex(of: 0x0A) {
            let slice = data[start..<end]
            if !slice.isEmpty {
                guard let record = try? decoder.decode(SampleRecord.self, from: slice) else {
                    throw HarnessError.malformed(path: path, line: line)
                }
                if records[record.id] == nil { order.append(record.id) }
                records[record.id] = record
            }
            start = data.index(after: end)
            validLength = start - data.startIndex
            line += 1
        }
        return (records, order, validLength)
    }
}
