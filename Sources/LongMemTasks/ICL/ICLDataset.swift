import Foundation
import LongMemData

/// One labelled example.
public struct ICLExample: Sendable, Equatable {
    public var text: String
    public var label: Int
}

/// Train pool and evaluation split of a task, read line by line as the official loaders do, quirks
/// included: SST-2 is `text<TAB>label` with a header; SST-5 is `L text`; MR, MPQA and Subj are
/// `L,text` CSV read as `line[0]` / `line[2:]`, so MR's and MPQA's CSV quotes stay in the text and only
/// Subj strips them.
public struct ICLDataset: Sendable {
    public let task: ICLTask
    public let train: [ICLExample]
    public let evaluation: [ICLExample]
    /// The files read, for provenance.
    public let files: [String]

    public init(task: ICLTask, dataDirectory: String) throws {
        self.task = task
        let folder = dataDirectory + "/icl/" + task.folder
        let trainPath = folder + "/" + task.trainFile, evaluationPath = folder + "/" + task.evaluationFile
        train = try Self.read(trainPath, task: task)
        evaluation = try Self.read(evaluationPath, task: task)
        files = [trainPath, evaluationPath]
    }

    static func read(_ path: String, task: ICLTask) throws -> [ICLExample] {
        try TasksError.requireData(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw TasksError.missingData(path: path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TasksError.malformedRow(path: path, line: 1, detail: "the file is not UTF-8")
        }
        // Python's readlines() in text mode: universal newlines.
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        var examples: [ICLExample] = []
        for (offset, line) in lines.enumerated() {
            if offset == lines.count - 1 && line.isEmpty { break }  // the file's final newline
            if let example = try parse(String(line), task: task, path: path, number: offset + 1) {
                examples.append(example)
            }
        }
        return examples
    }

    /// One line, or nil for SST-2's header.
    static func parse(_ line: String, task: ICLTask, path: String, number: Int) throws -> ICLExample? {
        func label(_ character: Substring) throws -> Int {
            guard let value = Int(character), task.labelWords.indices.contains(value) else {
                throw TasksError.malformedRow(
                    path: path, line: number,
                    detail: "label '\(character)' is not one of 0...\(task.labelWords.count - 1)")
            }
            return value
        }
        if task == .sst2 {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else {
                throw TasksError.malformedRow(path: path, line: number, detail: "expected text<TAB>label")
            }
            if fields[1] == "label" { return nil }
            return ICLExample(text: String(fields[0]), label: try label(fields[1]))
        }
        // Python indexes code points: line[0] is the label, line[2:] the text.
        let scalars = Array(line.unicodeScalars)
        guard scalars.count >= 2 else {
            throw TasksError.malformedRow(path: path, line: number, detail: "expected a label, a separator and text")
        }
        var text = String(String.UnicodeScalarView(scalars[2...]))
        if task == .subj { text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return ICLExample(text: text, label: try label(Substring(String(scalars[0]))))
    }
}
