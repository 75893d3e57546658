import Foundation
import LongMemCluster
import LongMemTestSupport
import Testing

@Suite("Shell words: every argument reaches the program unchanged")
struct ShellWordTests {
    static let words = [
        "plain", "two words", "it's", #"say "hi""#, "$HOME", "$(rm -rf /)", "`date`", "*", "~", "a\nb", "", "'",
        "''", #"\"#, "tab\there", "-n", "--flag=x y", "é ü 日本", "!event", "{a,b}", "semi;colon", "a|b&c>d<e",
    ]

    @Test("quoted words read back by bash (the job scripts' shell) as they were")
    func roundTrip() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "printf '%s\\0' " + ShellWord.line(Self.words)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let read = data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
        #expect(read == Self.words)
    }

    @Test("plain words stay bare, others are single-quoted")
    func readable() {
        #expect(ShellWord.quoted("--model") == "--model" && ShellWord.quoted("/a/b.c,d:e@f") == "/a/b.c,d:e@f")
        #expect(ShellWord.quoted("it's") == #"'it'\''s'"# && ShellWord.quoted("") == "''")
    }
}
