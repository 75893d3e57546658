// icl: the ICL dataset reader, ICLDataset(task:dataDirectory:). The first byte picks the task ('0' sst2 to
// '4' mpqa, mod 5), the rest is the file, read as both its train and its evaluation split (the evaluation
// file is a link to the train file).
import Foundation
import LongMemTasks

/// The files ICLDataset reads under <data>/icl/ (ICLTask's internal folder/trainFile/evaluationFile).
let layouts: [(ICLTask, folder: String, train: String, evaluation: String)] = [
    (.sst2, "SST-2", "train.tsv", "dev.tsv"), (.mr, "mr", "train.csv", "test.csv"),
    (.subj, "subj", "train.csv", "test.csv"), (.sst5, "sst-5", "stsa.fine.train", "stsa.fine.dev"),
    (.mpqa, "mpqa", "train.csv", "test.csv"),
]

let prepared: Void = {
    for layout in layouts {
        let folder = FuzzInput.folder + "/icl/" + layout.folder
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? FileManager.default.createSymbolicLink(
            atPath: folder + "/" + layout.evaluation, withDestinationPath: layout.train)
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    prepared
    let bytes = fuzzBytes(data, size)
    let layout = layouts[FuzzInput.selector(bytes[0], count: layouts.count)]
    FuzzInput.write(UnsafeRawBufferPointer(rebasing: bytes[1...]), to: "icl/\(layout.folder)/\(layout.train)")
    do {
        let dataset = try ICLDataset(task: layout.0, dataDirectory: FuzzInput.folder)
        _ = dataset.train.count + dataset.evaluation.count
    } catch let error as TasksError {
        if case .missingData = error { fatalError("fuzz harness out of date: \(error)") }
    } catch {}
    return 0
}
