import PyFnArrow
import PyFnRunner

/// An OVER aggregation as the planner hands it to the runtime. Input rows: the forwarded columns
/// (`0..<forwardCount`), then the PARTITION BY keys, the event time, the arrival watermark (`$wm`) and the
/// aggregates' arguments. Output: the forwarded columns, then one column per built-in aggregate and per Python call.
struct OverAggregation: Sendable {
    /// The frame before the current row.
    enum Frame: Sendable, Hashable, CustomStringConvertible {
        /// `ROWS BETWEEN n PRECEDING AND CURRENT ROW`: the row and the n rows before it.
        case rows(Int)
        /// `RANGE BETWEEN INTERVAL … PRECEDING AND CURRENT ROW`: rows whose time is at most this far before the
        /// row's (in µs), the rows of the same time included.
        case range(Int64)
        /// `ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`: every row of the partition up to this one.
        case unboundedRows
        /// `RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW` (and an OVER without a frame): every row of the
        /// partition up to this one's time, the rows of the same time included.
        case unboundedRange

        /// True for the UNBOUNDED PRECEDING frames.
        var isUnbounded: Bool { self == .unboundedRows || self == .unboundedRange }

        /// The frame as SQL says it, for `pyfn explain`.
        var description: String {
            switch self {
            case .rows(let n): return "ROWS \(n) PRECEDING"
            case .range(let micros):
                return "RANGE \(micros % 1_000_000 == 0 ? "\(micros / 1_000_000) s" : "\(Double(micros) / 1000) ms") PRECEDING"
            case .unboundedRows: return "ROWS UNBOUNDED PRECEDING (running aggregates)"
            case .unboundedRange: return "RANGE UNBOUNDED PRECEDING (running aggregates)"
            }
        }

        /// True for the RANGE frames, where the rows of one time share a frame.
        var takesPeers: Bool {
            if case .range = self { return true }
            return self == .unboundedRange
        }
    }
    var frame: Frame
    var forwardCount: Int
    var keyCount: Int
    var builtIns: [AggregateSpec]
    var pythonCalls: [FunctionCall]
    var pythonNames: [String]

    /// The first PARTITION BY column.
    var firstKey: Int { forwardCount }
    /// The event-time column.
    var timeColumn: Int { forwardCount + keyCount }
    /// The arrival-watermark column.
    var watermarkColumn: Int { forwardCount + keyCount + 1 }

    /// Forwarded columns, then the aggregates.
    func outputSchema(input: ArrowSchema) -> ArrowSchema {
        ArrowSchema(Array(input.fields.prefix(forwardCount)) + builtIns.map { $0.type.arrowField(named: $0.text) }
            + zip(pythonCalls, pythonNames).map { $0.function.resultType.arrowField(named: $1) })
    }
}

/// OVER windows over event time, as Flink's row-time OVER aggregates: a row waits until the watermark reaches its
/// time, then it comes out with the aggregates over its frame — its partition's rows up to it in time order
/// (rows of equal time in arrival order; a RANGE frame takes all rows of its time). A row whose time the watermark
/// had reached when it was read is late: dropped and counted. Built-in aggregates are computed here, Python ones
/// (general and Pandas) by ``GroupAggregates``, each output row's frame one group. In an UNBOUNDED PRECEDING
/// frame the built-ins are running totals per partition (``AggregateState``, no rows kept) and general Python
/// aggregates running accumulators in the runner's state (``OverRunningAggregates``: each row sent once); Pandas
/// ones still get the whole frame (as Flink's batch mode; streaming Flink refuses them), so the partition's rows
/// are kept while a Pandas aggregate needs them, and a firing's frames go out in pieces of about a bundle's rows.
actor OverWindowStage: EventTimeStage {
    private struct RowRef {
        let batch: Int
        let row: Int32
        let time: Int64
        let sequence: Int
    }
    private struct Partition {
        var keyValues: [ArrowValue]
        var pending: [RowRef] = []
        var history: [RowRef] = []
        /// The partition's group in `running` (UNBOUNDED frames).
        var runningGroup: Int
    }

    private let spec: OverAggregation
    private let inputSchema: ArrowSchema
    private let outputSchema: ArrowSchema
    private let after: [PlanStep]
    private let writer: SinkWriter
    private let progress: JobProgress
    private let metrics: RunnerMetrics?
    private let aggregates: GroupAggregates
    /// General Python aggregates of an UNBOUNDED frame, kept as running accumulators.
    private let runningPython: OverRunningAggregates?
    /// For each of `spec.pythonCalls`, whether ``runningPython`` computes it (else ``aggregates``).
    private let callRuns: [Bool]
    /// Most frame rows materialized at once (`python.fn-execution.bundle.size`).
    private let frameRowsAtOnce: Int
    private var batches: [Int: RecordBatch] = [:]
    private var partitions: [AggregateKey: Partition] = [:]
    private var batchNumber = 0
    private var sequence = 0
    private var firing = FiringWatermark()
    private var firedUpTo = Int64.min
    /// The latest firing (``fire(upTo:)`` chains them).
    private var lastFiring: Task<Void, any Error>?
    /// The built-ins' running totals, one group per partition (UNBOUNDED frames only).
    private var running: [AggregateState]
    private var runningGroups = 0

    init(spec: OverAggregation, inputSchema: ArrowSchema, after: [PlanStep], partitions: Int, environment: any WorkerEnvironment,
         bundle: BundleOptions, python: PythonOptions, metrics: RunnerMetrics?, writer: SinkWriter, progress: JobProgress) throws {
        self.spec = spec
        self.inputSchema = inputSchema
        self.outputSchema = spec.outputSchema(input: inputSchema)
        self.after = after
        self.writer = writer
        self.progress = progress
        self.metrics = metrics
        metrics?.lateRecordsDropped(0, operatorName: "over")
        running = spec.frame.isUnbounded ? spec.builtIns.map(AggregateState.init) : []
        let runs = spec.pythonCalls.map { spec.frame.isUnbounded && $0.function.kind == .aggregate }
        callRuns = runs
        frameRowsAtOnce = max(1, bundle.bundleSize)
        let keys = spec.firstKey..<(spec.firstKey + spec.keyCount)
        aggregates = try GroupAggregates(builtIns: spec.frame.isUnbounded ? [] : spec.builtIns,
                                         pythonCalls: zip(spec.pythonCalls, runs).filter { !$1 }.map(\.0), inputSchema: inputSchema,
                                         describedBy: Array(keys), partitions: partitions,
                                         environment: environment, bundle: bundle, python: python, metrics: metrics)
        let runningCalls = zip(spec.pythonCalls, runs).filter { $1 }.map(\.0)
        runningPython = runningCalls.isEmpty ? nil
            : try OverRunningAggregates(calls: runningCalls, keys: keys, inputSchema: inputSchema, partitions: partitions,
                                        environment: environment, bundle: bundle, python: python, metrics: metrics)
    }

    // MARK: Watermarks (as WindowGroupingStage)

    func sourceBatch(firstWatermark: Int64, watermarkAfter: Int64) {
        firing.sourceBatch(firstWatermark: firstWatermark, watermarkAfter: watermarkAfter)
    }

    func passed(firstWatermark: Int64) async throws {
        try await fire(upTo: firing.passed(firstWatermark: firstWatermark))
    }

    // MARK: GroupingStage

    func add(_ batch: RecordBatch) async throws {
        batchNumber += 1
        let normalized = try RecordBatch(schema: inputSchema, columns: batch.columns, length: batch.length)
        batches[batchNumber] = normalized
        let times = batch.columns[spec.timeColumn]
        let marks = batch.columns[spec.watermarkColumn].withValues(as: Int64.self) { Array($0) }
        var late = 0
        for row in 0..<batch.length {
            guard case .timestamp(let value, let unit) = times.value(at: row) else {
                throw WindowError("a row has a NULL event time in column '\(inputSchema.fields[spec.timeColumn].name)'; OVER windows need an event time on every row (filter the NULLs out with WHERE)")
            }
            let time = EventTimeSource.microseconds(value, unit)
            guard time > marks[row] else {
                late += 1
                continue
            }
            let keyValues = (spec.firstKey..<(spec.firstKey + spec.keyCount)).map { batch.columns[$0].value(at: row) }
            sequence += 1
            let key = AggregateKey(keyValues)
            if partitions[key] == nil {
                partitions[key] = Partition(keyValues: keyValues, runningGroup: runningGroups)
                if spec.frame.isUnbounded {
                    runningGroups += 1
                    for index in running.indices { running[index].addGroup() }
                }
            }
            partitions[key]!.pending.append(RowRef(batch: batchNumber, row: Int32(row), time: time, sequence: sequence))
        }
        progress.update {
            $0.lateRows += late
            $0.groups = self.partitions.count
        }
        metrics?.lateRecordsDropped(late, operatorName: "over")
    }

    func emitChanges() async throws {}

    func finish() async throws {
        try await fire(upTo: .max)
        await aggregates.close()
        await runningPython?.close()
    }

    func close() async {
        await aggregates.close()
        await runningPython?.close()
    }

    // MARK: Firing

    /// Fires one at a time, in the order they were asked for: a firing awaits its Python aggregates, and the actor
    /// may start another meanwhile, whose rows a running accumulator must not take before this firing's.
    private func fire(upTo watermark: Int64) async throws {
        let previous = lastFiring
        let firing = Task {
            try await previous?.value
            try await self.fireInOrder(upTo: watermark)
        }
        lastFiring = firing
        try await firing.value
    }

    private func fireInOrder(upTo watermark: Int64) async throws {
        guard watermark > firedUpTo else { return }
        firedUpTo = watermark
        var current: [RowRef] = []
        var frames: [ArraySlice<RowRef>] = []
        var partitionOfRow: [Int] = []
        var runningValues: [[ArrowValue]] = []
        // The rows the running Python accumulators take (UNBOUNDED frames), which of them ask for the value after
        // them (the last of each set of peers), and for each current row the number of its value among those.
        var accumulated: [RowRef] = []
        var emits: [Bool] = []
        var accumulatedPartition: [Int] = []
        var valueOfRow: [Int] = []
        var emitted = 0
        let keepsRows = callRuns.contains(false)
        // Partitions fire in the order their first ready row arrived, not the dictionary's (seeded per process),
        // so a job's output and the rows an error names are the same on every run.
        let firingOrder = partitions.compactMap { key, partition in
            partition.pending.first { $0.time <= watermark }.map { (sequence: $0.sequence, key: key) }
        }.sorted { $0.sequence < $1.sequence }
        for (_, key) in firingOrder {
            var partition = partitions[key]!
            let ready = partition.pending.filter { $0.time <= watermark }.sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
            partition.pending.removeAll { $0.time <= watermark }
            var unboundedEnds: [Int] = []
            let hash = Int(UInt(bitPattern: key.hashValue) % UInt(Int.max))
            var index = 0
            while index < ready.count {
                // The rows that come out with the same frame: one row (ROWS), or the rows of one time (RANGE).
                var peers = [ready[index]]
                index += 1
                if spec.frame.takesPeers {
                    while index < ready.count && ready[index].time == peers[0].time {
                        peers.append(ready[index])
                        index += 1
                    }
                }
                switch spec.frame {
                case .rows(let preceding):
                    partition.history.append(peers[0])
                    if partition.history.count > preceding + 1 { partition.history.removeFirst(partition.history.count - preceding - 1) }
                case .range(let span):
                    partition.history.append(contentsOf: peers)
                    partition.history.removeAll { $0.time < peers[0].time - span }
                case .unboundedRows, .unboundedRange:
                    if keepsRows { partition.history.append(contentsOf: peers) }
                    for peer in peers { addToRunning(peer, group: partition.runningGroup) }
                    let values = running.indices.map { running[$0].result(partition.runningGroup, type: spec.builtIns[$0].type) }
                    runningValues += repeatElement(values, count: peers.count)
                    if runningPython != nil {
                        accumulated += peers
                        emits += peers.indices.map { $0 == peers.count - 1 }
                        accumulatedPartition += repeatElement(hash, count: peers.count)
                        valueOfRow += repeatElement(emitted, count: peers.count)
                        emitted += 1
                    }
                }
                for peer in peers {
                    current.append(peer)
                    partitionOfRow.append(hash)
                    if spec.frame.isUnbounded {
                        unboundedEnds.append(keepsRows ? partition.history.count : 0)
                    } else {
                        frames.append(partition.history[...])
                    }
                }
            }
            // An UNBOUNDED frame is the history up to its row: slices taken once the firing's rows are in, so they
            // share the history's storage (a slice held while the history grew would copy it at every row).
            frames += unboundedEnds.map { partition.history[0..<$0] }
            // A partition of an UNBOUNDED frame keeps its running totals while the job runs.
            partitions[key] = partition.pending.isEmpty && partition.history.isEmpty && !spec.frame.isUnbounded ? nil : partition
        }
        guard !current.isEmpty else { return }
        var runningPythonValues: [[ArrowValue]]?
        if let runningPython {
            let (all, offset) = try concatenated(Set(accumulated.map(\.batch)))
            let rows = all.take(accumulated.map { Int32(offset[$0.batch]! + Int($0.row)) })
            let afterEmits = try await runningPython.values(after: rows, emits: emits, partitionOf: accumulatedPartition)
            runningPythonValues = valueOfRow.map { afterEmits[$0] }
        }
        // The rows go out in pieces of about a bundle's frame rows (at least one row each), so the frames an
        // UNBOUNDED frame's Pandas aggregate reads are never all materialized at once.
        var first = 0
        while first < current.count {
            var end = first + 1
            var frameRows = frames[first].count
            while end < current.count && frameRows + frames[end].count <= frameRowsAtOnce {
                frameRows += frames[end].count
                end += 1
            }
            try await emit(current: current[first..<end], frames: frames[first..<end], partitionOfRow: partitionOfRow[first..<end],
                           runningValues: spec.frame.isUnbounded ? runningValues[first..<end] : nil,
                           runningPythonValues: runningPythonValues?[first..<end])
            first = end
        }
        let live = Set(partitions.values.flatMap { $0.pending.map(\.batch) + $0.history.map(\.batch) })
        batches = batches.filter { live.contains($0.key) }
    }

    /// Adds a row's built-in arguments to the running totals of a partition.
    private func addToRunning(_ ref: RowRef, group: Int) {
        let batch = batches[ref.batch]!
        for (index, builtIn) in spec.builtIns.enumerated() {
            // COUNT(*) counts every row: any non-NULL value stands for it.
            let value = builtIn.argument.map { batch.columns[$0].value(at: Int(ref.row)) } ?? .int(1)
            running[index].add(value, to: group)
        }
    }

    /// One batch of the kept batches numbered `numbers`, and where each of them starts in it.
    private func concatenated(_ numbers: Set<Int>) throws -> (RecordBatch, [Int: Int]) {
        var offset: [Int: Int] = [:]
        var total = 0
        let used = numbers.sorted()
        for number in used {
            offset[number] = total
            total += batches[number]!.length
        }
        return (try RecordBatch.concatenate(used.map { batches[$0]! }), offset)
    }

    /// Writes the fired rows with their aggregates: built-ins from `runningValues` when given (UNBOUNDED frames),
    /// else computed over the frames like the Python ones; the Python calls ``runningPython`` runs from
    /// `runningPythonValues`, the others over the frames.
    private func emit(current: ArraySlice<RowRef>, frames: ArraySlice<ArraySlice<RowRef>>, partitionOfRow: ArraySlice<Int>,
                      runningValues: ArraySlice<[ArrowValue]>?, runningPythonValues: ArraySlice<[ArrowValue]>?) async throws {
        // One batch of every batch the frames and current rows read, then each frame's rows picked from it.
        let (all, offset) = try concatenated(Set(frames.flatMap { $0.map(\.batch) } + current.map(\.batch)))
        var picks: [Int32] = []
        var groupOfRow: [Int64] = []
        var firstRow: [Int] = []
        for (group, frame) in frames.enumerated() {
            firstRow.append(picks.count)
            for ref in frame { picks.append(Int32(offset[ref.batch]! + Int(ref.row))) }
            groupOfRow += repeatElement(Int64(group), count: frame.count)
        }
        firstRow.append(picks.count)
        let rows = try aggregates.reading(all).take(picks)
        let grouped = try RecordBatch(schema: aggregates.groupSchema, columns: [.int64(groupOfRow)] + rows.columns, length: rows.length)
        let partitions = Array(partitionOfRow)
        var values = try await aggregates.values(of: grouped, groups: frames.count, firstRow: firstRow) { partitions[$0] }
        if let runningValues {
            values = zip(runningValues, values).map { $0 + $1 }
        }
        if let runningPythonValues {
            // Built-ins first, then the Python calls in their order, each from where it was computed.
            let builtInCount = spec.builtIns.count
            values = zip(values, runningPythonValues).map { framedRow, runningRow in
                var row = Array(framedRow.prefix(builtInCount))
                var framed = framedRow.dropFirst(builtInCount).makeIterator()
                var run = runningRow.makeIterator()
                for runs in callRuns { row.append((runs ? run.next() : framed.next()) ?? .null) }
                return row
            }
        }
        let forwarded = all.take(current.map { Int32(offset[$0.batch]! + Int($0.row)) })
        var builders = outputSchema.fields.dropFirst(spec.forwardCount).map { ArrowArrayBuilder(type: $0.type) }
        for row in values {
            for (index, value) in row.enumerated() {
                if value == .null { builders[index].appendNull() } else { try builders[index].append(value) }
            }
        }
        let output = try RecordBatch(schema: outputSchema,
                                     columns: Array(forwarded.columns.prefix(spec.forwardCount)) + builders.indices.map { builders[$0].finish() },
                                     length: current.count)
        try await writer.write(try StepChain.apply(after, to: output))
    }
}
