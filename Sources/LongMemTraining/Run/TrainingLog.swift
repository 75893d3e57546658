import Foundation
import LongMemTensor

/// train.jsonl: one line per update (loss, learning rate, gradient norm, tokens/s, validation loss at
/// checkpoints). A resumed run first drops the lines after its checkpoint, so the log always reads as one
/// uninterrupted run.
struct TrainingLog {
    let path: String

    func append(_ progress: TrainingProgress) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(progress)
        line.append(0x0A)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw TrainingError.incompatibleCheckpoint(path: path, detail: "cannot be opened for appending")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// Keeps the lines of updates 1...step (and creates the file when missing).
    func truncate(after step: Int) throws {
        let kept: [String]
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            kept = text.split(separator: "\n").map(String.init).filter { line in
                guard let data = line.data(using: .utf8),
                    let figures = try? JSONDecoder().decode(TrainingProgress.self, from: data)
                else { return false }
                return figures.step <= step
            }
        } else {
            kept = []
        }
        try AtomicFile.write(kept.map { $0 + "\n" }.joined(), to: path)
    }
}
