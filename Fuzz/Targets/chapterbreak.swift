// chapterbreak: ChapterBreakFile(data:source:) on the input (the in-memory entry point of
// ChapterBreakFile(contentsOfFile:)), then its examples per split and its re-encoding.
import Foundation
import LongMemData

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(fuzzBytes(data, size))
    guard let file = try? ChapterBreakFile(data: input, source: "fuzz.json") else { return 0 }
    for split in ChapterBreakFile.splits {
        _ = try? file.examples(in: split)
    }
    _ = file.exampleCount
    if let again = try? ChapterBreakFile(data: file.encoded(), source: "fuzz-reencoded.json"), again != file {
        fatalError("ChapterBreakFile: re-encoding changed the file")
    }
    return 0
}
