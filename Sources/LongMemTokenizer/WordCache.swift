import Synchronization

/// A thread-safe map from a pre-tokenized word (its UTF-8 bytes) to its BPE ids.
///
/// Why: natural text repeats a small set of words, so most pieces skip the merge loop. The cache is
/// bounded like HF's (it stops inserting when full rather than evicting), so encoding an endless stream
/// of distinct words cannot grow memory without limit; with the default capacity a whole book fits.
/// A `Mutex` rather than an actor keeps `encode` synchronous; the lock is held only for one dictionary
/// operation.
final class WordCache: Sendable {
    private let storage: Mutex<[[UInt8]: [Int]]>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        storage = Mutex([:])
    }

    /// - Complexity: O(k) expected, for a word of k bytes (hashing).
    func ids(for word: [UInt8]) -> [Int]? {
        storage.withLock { $0[word] }
    }

    /// Stores `ids` unless the cache is full.
    /// - Complexity: O(k) expected, for a word of k bytes.
    func insert(_ ids: [Int], for word: [UInt8]) {
        storage.withLock { entries in
            if entries.count < capacity { entries[word] = ids }
        }
    }

    var count: Int { storage.withLock { $0.count } }
}
