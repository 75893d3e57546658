import ArgumentParser
import Foundation
import LongMemData
import LongMemTasks

/// `longmem-eval datasets`: what the data directory holds, checking it, filling it, and building the
/// rebuilt ChapterBreak set.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List, verify and fetch datasets; build ChapterBreak-PG (rebuilt) from Gutenberg books.",
        discussion: """
            The data directory is --data-dir, else $LONGMEM_EVAL_DATA, else ~/.cache/longmem-eval/datasets. \
            The files, their SHA-256 and their public URLs come from the manifest built into the binary \
            (Datasets/manifest.json in the repository). Dataset names are hierarchical: `icl` selects \
            icl/sst2, icl/mr and the others.
            """,
        subcommands: [
            DatasetsListCommand.self, DatasetsVerifyCommand.self, DatasetsFetchCommand.self,
            DatasetsBuildChapterBreakCommand.self,
        ]
    )
}

/// `--data-dir`, shared by the datasets subcommands.
struct DatasetsOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: "Data directory (default: $LONGMEM_EVAL_DATA, else ~/.cache/longmem-eval/datasets).")
    var dataDir: String?

    var directory: DataDirectory { DataDirectory.resolve(explicit: dataDir) }
}
