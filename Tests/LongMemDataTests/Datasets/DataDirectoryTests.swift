import Foundation
import LongMemData
import Testing

@Suite("Data directory resolution")
struct DataDirectoryTests {
    let home = "/home/reader"

    @Test("an explicit --data-dir wins over the environment and the default")
    func explicitFirst() {
        let directory = DataDirectory.resolve(
            explicit: "/data/explicit", environment: ["LONGMEM_EVAL_DATA": "/data/env"], homeDirectory: home)
        #expect(directory == DataDirectory(path: "/data/explicit", rule: .explicit))
        #expect(directory.description == "/data/explicit (from --data-dir)")
    }

    @Test("LONGMEM_EVAL_DATA is used when no --data-dir is given")
    func environmentSecond() {
        let directory = DataDirectory.resolve(
            explicit: nil, environment: ["LONGMEM_EVAL_DATA": "/data/env"], homeDirectory: home)
        #expect(directory == DataDirectory(path: "/data/env", rule: .environment))
        #expect(directory.description.contains("from LONGMEM_EVAL_DATA"))
    }

    @Test("the default is ~/.cache/longmem-eval/datasets")
    func defaultLast() {
        let directory = DataDirectory.resolve(explicit: nil, environment: [:], homeDirectory: home)
        #expect(directory == DataDirectory(path: "/home/reader/.cache/longmem-eval/datasets", rule: .defaultLocation))
    }

    @Test("empty values count as unset")
    func emptyIsUnset() {
        let directory = DataDirectory.resolve(explicit: "", environment: ["LONGMEM_EVAL_DATA": ""], homeDirectory: home)
        #expect(directory.rule == .defaultLocation)
    }

    @Test("a leading ~ is expanded, and manifest paths are joined with one slash")
    func tildeAndJoin() {
        let directory = DataDirectory.resolve(explicit: "~/data/", environment: [:], homeDirectory: home)
        #expect(directory.path == "/home/reader/data/")
        #expect(directory.path(of: "icl/mr/test.csv") == "/home/reader/data/icl/mr/test.csv")
    }
}
