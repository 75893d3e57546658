import Foundation

/// The per-sample log of a run (`samples.jsonl`): one JSON line per scored sample, appended and synced
/// to disk as soon as the sample finishes, so an interrupted run (even `kill -9`) loses at most the
/// sample in flight. Reopening repairs a torn last line left by a crash mid-write.
public final class SampleLog {
    public let path: String
    private let handle: FileHandle
    private let encoder: JSONEncoder
    /// Records already in the file, by id.
    public private(set) var records: [String: SampleRecord] = [:]
    /// Ids in file order.
    public private(set) var order: [String] = []

    public init(path: String) throws {
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw HarnessError.unwritable(path: path, reason: "cannot create the file")
            }
        }
        let existing = try Data(contentsOf: URL(fileURLWithPath: path))
        let (records, order, validLength) = try Self.parse(existing, path: path)
        self.records = records
        self.order = order
        guard let handle = FileHandle(forUpdatingAtPath: path) else {
            throw HarnessError.unwritable(path: path, reason: "cannot open for appending")
        }
        self.handle = handle
        if validLength < existing.count { try handle.truncate(atOffset: UInt64(validLength)) }
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    public func contains(_ id: String) -> Bool { records[id] != nil }

    /// Appends one record and syncs it to disk.
    public func append(_ record: SampleRecord) throws {
        var line = try encoder.encode(record)
        line.append(0x0A)
        do {
            try handle.write(contentsOf: line)
            try handle.synchronize()
        } catch {
            throw HarnessError.unwritable(path: path, reason: error.localizedDescription)
        }
        if records[record.id] == nil { order.append(record.id) }
        records[record.id] = record
    }

    /// Records in file order.
    public var all: [SampleRecord] { order.compactMap { records[$0] } }

    /// Complete lines of `data` as records; a final line without its newline is a torn write and is
    /// dropped (its length is where the file is cut back to). A malformed complete line is an error.
    static func parse(_ data: Data, path: String) throws -> ([String: SampleRecord], [String], Int) {
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
