import ArgumentParser
import Dispatch
import LongMemRuntime
import LongMemTensor

/// `longmem-eval bench retrieval`: the speed of chunk retrieval alone, on keys and queries from a file,
/// so that it can be compared with faiss on the very same vectors (Scripts/bench/bench_retrieval.py).
struct BenchRetrievalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Measure top-k chunk retrieval (exact or IVF) on keys and queries from a safetensors file.",
        discussion: """
            --vectors holds `keys`, the chunk-mean keys per key head, (heads, chunks, dim), and `queries`, \
            (rows, query heads * dim) with query heads a multiple of heads (query head h searches key head \
            h / (query heads / heads)). Float types are converted to float32. The index is filled in stream \
            order (oldest chunk first); an IVF index trains when it holds 39 x --lists chunks, on those chunks, \
            and the time of that step is reported apart from the rest of the build. Only the search is timed: \
            the median of --repetitions runs after one warm-up. --ids-out writes the positions of the last run \
            as a safetensors tensor `positions`, (rows, query heads, top), stored as F32 (exact for positions \
            below 2^24), -1 where missing.
            """
    )

    /// Which `ChunkIndex` to measure.
    enum IndexKind: String, ExpressibleByArgument, CaseIterable {
        case exact, ivf
    }

    @Option(
        name: .long, help: "Safetensors file with tensors `keys` (heads, chunks, dim) and `queries` (rows, heads*dim).")
    var vectors: String

    @Option(name: .long, help: "Chunks retrieved per query and head.")
    var top: Int = 16

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Index: exact (LongMem's IndexFlatIP) or ivf (inverted lists, approximate).")
    var index: IndexKind = .exact

    @Option(name: .long, help: "IVF: coarse centroids (lists) per head.")
    var lists: Int = 1024

    @Option(name: .long, help: "IVF: lists scanned per query and head.")
    var probes: Int = 32

    @Option(name: .long, help: "Timed searches after the warm-up.")
    var repetitions: Int = 3

    @Option(name: .long, help: "Write the retrieved positions to this safetensors file (tensor `positions`, F32).")
    var idsOut: String?

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1, got \(repetitions)") }
        if let threads, !(1...SizeLimits.threads).contains(threads) {
            throw ValidationError("--threads must be in 1...\(SizeLimits.threads), got \(threads)")
        }
        guard lists >= 1 else { throw ValidationError("--lists must be at least 1, got \(lists)") }
        guard probes >= 1, probes <= lists else {
            throw ValidationError("--probes must be between 1 and --lists (\(lists)), got \(probes)")
        }
    }

    func run() throws {
        if let threads { Parallel.threads = threads }
        let file = try SafeTensorsFile(path: vectors)
        let keys = try file.tensor("keys"), queries = try file.tensor("queries")
        guard keys.rank == 3, keys.shape.allSatisfy({ $0 >= 1 }) else {
            throw CommandLineNames.Message(
                "--vectors: \(vectors): `keys` must be (heads, chunks, dim), found \(keys.shape)")
        }
        let heads = keys.shape[0], chunks = keys.shape[1], dimension = keys.shape[2]
        guard queries.rank == 2, queries.shape[0] >= 1, queries.shape[1] % dimension == 0,
            queries.shape[1] / dimension >= heads, (queries.shape[1] / dimension) % heads == 0
        else {
            throw CommandLineNames.Message(
                "--vectors: \(vectors): `queries` must be (rows, query heads * \(dimension)) with query heads a multiple of \(heads), found \(queries.shape)"
            )
        }
        guard top <= chunks else {
            throw CommandLineNames.Message(
                "--top: \(top) is more than the \(chunks) chunks in \(vectors)")
        }
        // The index sizes its centroids and training sample from --lists: bounded by the file's chunks.
        guard index == .exact || lists <= chunks else {
            throw CommandLineNames.Message("--lists: \(lists) is more than the \(chunks) chunks in \(vectors)")
        }
        let rows = queries.shape[0], queryHeads = queries.shape[1] / dimension
        let chunkIndex: ChunkIndex
        switch index {
        case .exact: chunkIndex = ExactChunkIndex(heads: heads, dimension: dimension, capacity: chunks)
        case .ivf:
            chunkIndex = IVFChunkIndex(
                heads: heads, dimension: dimension, capacity: chunks, lists: lists, probes: probes)
        }
        let build = Self.fill(chunkIndex, keys: keys)

        let search = {
            chunkIndex.search(queries.data, stride: queries.columns, rows: rows, queryHeads: queryHeads, perQuery: top)
        }
        var matches = search()
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now()
            matches = search()
            times.append(Self.seconds(since: start))
        }
        let median = times.sorted()[times.count / 2]
        if let idsOut {
            let positions = Tensor(shape: [rows, queryHeads, top], values: matches.positions.map(Float.init))
            try SafeTensorsWriter.write([("positions", positions)], metadata: ["index": index.rawValue], to: idsOut)
        }
        let trained = (chunkIndex as? IVFChunkIndex)?.isTrained
        var result: [String: Any] = [
            "index": index.rawValue, "heads": heads, "query_heads": queryHeads, "chunks": chunks,
            "dimension": dimension,
            "rows": rows, "top": top, "threads": Parallel.threads, "blas_core": BLAS.coreName,
            "build_seconds": build.total, "search_seconds": median, "search_seconds_all": times,
            "queries_per_second": Double(rows) / median, "index_bytes": chunkIndex.residentBytes,
        ]
        if index == .ivf {
            result["lists"] = lists
            result["probes"] = probes
            result["trained"] = trained ?? false
            result["train_seconds"] = build.training ?? Double.nan
            result["add_seconds"] = build.total - (build.training ?? 0)
        }
        if json {
            print(JSONLine.encode(result))
            return
        }
        var description = "\(index.rawValue) index"
        if index == .ivf {
            description += ", \(lists) lists, \(probes) probes"
            description +=
                trained == true
                ? "" : " (untrained: fewer than \(IVFChunkIndex.pointsPerList * lists) chunks, exact search)"
        }
        print(
            "\(description); \(heads) key heads x \(chunks) chunks x \(dimension), \(rows) queries x \(queryHeads) heads, top \(top)"
        )
        print("\(Parallel.threads) threads, BLAS core \(BLAS.coreName)")
        if let training = build.training {
            print(
                String(
                    format: "train   %9.3f s   (k-means on %d chunks per head)", training,
                    IVFChunkIndex.pointsPerList * lists))
            print(String(format: "add     %9.3f s", build.total - training))
        } else {
            print(String(format: "build   %9.3f s", build.total))
        }
        print(
            String(
                format: "search  %9.3f s   %10.1f queries/s   (median of %d)", median, Double(rows) / median,
                repetitions))
    }

    /// Appends the keys oldest first, in batches, transposed to the index's (chunks, heads, dim) order.
    /// For an IVF index, the append that reaches the training threshold (and so trains) is timed alone.
    static func fill(_ index: ChunkIndex, keys: Tensor) -> (total: Double, training: Double?) {
        let heads = keys.shape[0], chunks = keys.shape[1], dimension = keys.shape[2]
        let batch = 4096
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: min(batch, chunks) * heads * dimension)
        defer { buffer.deallocate() }
        func append(_ range: Range<Int>) {
            var start = range.lowerBound
            while start < range.upperBound {
                let length = min(batch, range.upperBound - start)
                for chunk in 0..<length {
                    for head in 0..<heads {
                        (buffer + (chunk * heads + head) * dimension).update(
                            from: keys.data + (head * chunks + start + chunk) * dimension, count: dimension)
                    }
                }
                index.append(buffer, chunks: length)
                start += length
            }
        }
        let begin = DispatchTime.now()
        var training: Double?
        if let ivf = index as? IVFChunkIndex, ivf.trainingThreshold <= chunks {
            append(0..<(ivf.trainingThreshold - 1))
            let start = DispatchTime.now()
            append((ivf.trainingThreshold - 1)..<ivf.trainingThreshold)
            training = seconds(since: start)
            append(ivf.trainingThreshold..<chunks)
        } else {
            append(0..<chunks)
        }
        return (seconds(since: begin), training)
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
