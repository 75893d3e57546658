import LongMemTensor

extension HarnessError {
    /// `RegularFile.check` told as this layer's error: run-folder files and hashed files must be regular files
    /// this process may read (a FIFO would block the reader; a directory or device is not a log).
    static func requireRegularFile(_ path: String) throws(HarnessError) {
        do { try RegularFile.check(path) } catch {
            if case .fileNotFound = error { throw HarnessError.fileNotFound(path: path) }
            throw HarnessError.unreadable(path: path, reason: error.problem)
        }
    }
}
