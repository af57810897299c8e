import Foundation
import PyFnArrow
import PyFnRunner

/// Runs one INSERT: reads the source in `parallelism` lanes, each with its own Python workers, optionally groups
/// the rows (partitioned by key), and writes the result to the sink — appending, or upserting by the grouping key.
struct InsertRunner {
    let plan: InsertPlan
    let environment: any WorkerEnvironment
    let bundle: BundleOptions
    let python: PythonOptions
    let parallelism: Int
    let progress: JobProgress
    let metrics: RunnerMetrics?
    /// The sink to write instead of the one the plan's table declares (a collect query's result stream).
    var sink: (any TableSink)? = nil
    /// When a streaming job commits its sink (`execution.checkpointing.interval`).
    var commit = SinkCommitOptions()
    /// A plain GROUP BY (built-in or Python aggregates) hands on its changed group after every row (a changelog
    /// collect with `table.exec.mini-batch.enabled = false`: the `-U`/`+U` pairs Flink's unbatched aggregation gives).
    var perRecordChanges = false

    func run() async throws {
        let windowReports = WindowLaneReporting()
        let physical = try Connectors.source(plan.source)
        let table: any TableSource = plan.source.processingTime == nil ? physical : ProcessingTimeSource(inner: physical)
        let source: any TableSource = plan.source.eventTime.map { eventTime in
            EventTimeSource(inner: table, eventTime: eventTime) { await windowReports.sourceBatch(firstWatermark: $0, watermarkAfter: $1) }
        } ?? table
        let sink = try self.sink ?? Connectors.sink(plan.sink)
        let committing = sink as? any CommittingSink
        await committing?.identify(SinkJobIdentity(plan: plan, boundedInput: source.isBounded))
        let aggregateAt = plan.steps.firstIndex(where: \.groups)
        let before = Array(plan.steps.prefix(aggregateAt ?? plan.steps.count))
        let after = aggregateAt.map { Array(plan.steps.suffix(from: $0 + 1)) } ?? []
        let feed = SourceFeed(capacity: Self.batchesAhead(bundle) * parallelism)
        let idleAfter: Duration? = source.isBounded ? nil : bundle.bundleTime / 2

        try await sink.open(schema: ArrowSchema(plan.output.map { $0.type.arrowField(named: $0.name) }), upsertKey: plan.upsertKey)
        if let earlier = await committing?.committedEarlier() {
            progress.update { $0.notes.append("INSERT INTO \(plan.sink.name) skipped: \(earlier)") }
            try await sink.close()
            return
        }
        let writer = SinkWriter(sink: sink, progress: progress)
        let grouping: (any GroupingStage)? = try aggregateAt.map { index in
            let input = try StepChain(steps: before, inputSchema: source.schema, environment: environment, bundle: bundle, python: python).outputSchema
            return try groupingStage(plan.steps[index], inputSchema: input, after: after, streaming: !source.isBounded,
                                     idleAfter: idleAfter, writer: writer, progress: progress, windowReports: windowReports)
        }
        let committer = source.isBounded ? nil : PeriodicCommit(writer: writer, every: commit.interval, onFailure: { await feed.fail($0) })
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await feed.pump(source.batches(batchSize: bundle.arrowBatchSize))
                }
                for _ in 0..<parallelism {
                    group.addTask {
                        do {
                            let chain = try StepChain(steps: before, inputSchema: source.schema, environment: environment, bundle: bundle,
                                                      python: python, metrics: metrics, inputName: "table '\(plan.source.name)'")
                            do {
                                try await chain.open()
                                try await runLane(chain, feed: feed, idleAfter: idleAfter, grouping: grouping, writer: writer,
                                                  windowReports: windowReports)
                                await chain.close()
                            } catch {
                                await chain.close()
                                throw error
                            }
                        } catch {
                            // Neither the source's reader nor the other lanes may wait for this lane any more.
                            await feed.fail(error)
                            throw error
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await committer?.stop()
            if let grouping { try await grouping.finish() }
            progress.update { $0.rowsSkipped += source.skippedRows }
            metrics?.sourceRowsSkipped(source.skippedRows)
            try await writer.close()
        } catch {
            _ = try? await committer?.stop()
            await grouping?.close()
            await writer.abort()
            throw error
        }
    }

    /// How many source batches the reader may hold per lane: a lane's first bundle, so that while the lanes'
    /// workers start the source is read and the first bundle goes out as soon as a worker is ready (with room for
    /// two only, the reader stopped 20,000 rows in while the workers started, and the first bundle of 100,000 rows
    /// waited for the rest to be parsed).
    /// At most 16 batches, so a large bundle size does not hold much of the source in memory.
    static func batchesAhead(_ bundle: BundleOptions) -> Int {
        min(16, max(2, bundle.bundleSize / max(1, bundle.arrowBatchSize)))
    }

    /// The stage that runs grouping `step` over rows of `inputSchema`, then the steps `after` it; a second grouping
    /// among them makes a ``ChainedGroupingStage``.
    private func groupingStage(_ step: PlanStep, inputSchema: ArrowSchema, after: [PlanStep], streaming: Bool, idleAfter: Duration?,
                               writer: SinkWriter, progress: JobProgress, windowReports: WindowLaneReporting) throws -> any GroupingStage {
        if let next = after.firstIndex(where: \.groups) {
            if case .tableAggregate = step {
                throw SQLError("a GROUP BY over the rows of flat_aggregate is not supported yet", at: plan.location)
            }
            guard case .pythonAggregate(let keyCount, let calls, let names) = after[next] else {
                preconditionFailure("a GROUP BY over grouped rows is planned with Python aggregates")
            }
            guard !after[(next + 1)...].contains(where: \.groups) else {
                throw SQLError("more than two nested GROUP BYs are not supported yet", at: plan.location)
            }
            let raw = Self.groupedSchema(step, inputSchema: inputSchema)
            let between = Array(after[..<next])
            let betweenSchema = try StepChain(steps: between, inputSchema: raw, environment: environment, bundle: bundle, python: python).outputSchema
            let secondInput = ArrowSchema(betweenSchema.fields + [ArrowField(ChainedGroupingStage.retractColumn, .boolean, nullable: false)])
            let second = try PythonGroupingStage(keyCount: keyCount, calls: calls, names: names, inputSchema: secondInput,
                                                 after: Array(after[(next + 1)...]), partitions: parallelism, streaming: streaming,
                                                 idleAfter: idleAfter, environment: environment, bundle: bundle, python: python,
                                                 metrics: metrics, writer: writer, progress: progress)
            let feed = ChangelogFeed(keyCount: Self.keyCount(of: step), schema: raw, between: between, next: second, nextKeyCount: keyCount)
            // The first grouping streams its changes into the feed (its own progress: the job counts the second's).
            let first = try groupingStage(step, inputSchema: inputSchema, after: [], streaming: true, idleAfter: idleAfter,
                                          writer: SinkWriter(sink: feed, progress: JobProgress()), progress: JobProgress(),
                                          windowReports: windowReports)
            return ChainedGroupingStage(first: first, feed: feed, second: second)
        }
        switch step {
        case .aggregate(let keys, let aggregates):
            return try HashGroupingStage(keys: keys, aggregates: aggregates, inputSchema: inputSchema, after: after, partitions: parallelism,
                                         streaming: streaming, perRecord: perRecordChanges, writer: writer, progress: progress)
        case .pythonAggregate(let keyCount, let calls, let names):
            return try PythonGroupingStage(keyCount: keyCount, calls: calls, names: names, inputSchema: inputSchema, after: after,
                                           partitions: parallelism, streaming: streaming, perRecord: perRecordChanges, idleAfter: idleAfter,
                                           environment: environment, bundle: bundle, python: python, metrics: metrics,
                                           writer: writer, progress: progress)
        case .window(let spec):
            if spec.kind == .wholeInput && streaming {
                throw SQLError("a Pandas aggregate in a GROUP BY without a window needs a bounded input (as in PyFlink's batch mode; streaming PyFlink refuses it too): '\(plan.source.name)' is unbounded. Group by a window (TUMBLE/HOP/SESSION) or read the input without 'source.monitor-interval'",
                               at: plan.location)
            }
            let stage = try WindowGroupingStage(spec: spec, inputSchema: inputSchema, after: after, partitions: parallelism,
                                                environment: environment, bundle: bundle, python: python, metrics: metrics,
                                                writer: writer, progress: progress)
            windowReports.connect(stage)
            return stage
        case .tableAggregate(let keyCount, let call, let names):
            return try TableAggregateStage(keyCount: keyCount, call: call, names: names, inputSchema: inputSchema, after: after,
                                           partitions: parallelism, streaming: streaming, environment: environment, bundle: bundle,
                                           python: python, metrics: metrics, writer: writer, progress: progress, location: plan.location)
        case .over(let spec):
            let stage = try OverWindowStage(spec: spec, inputSchema: inputSchema, after: after, partitions: parallelism,
                                            environment: environment, bundle: bundle, python: python, metrics: metrics,
                                            writer: writer, progress: progress)
            windowReports.connect(stage)
            return stage
        default:
            preconditionFailure("\(step) does not group")
        }
    }

    /// The rows a grouping step hands on before the steps after it: its keys, then its aggregates.
    private static func groupedSchema(_ step: PlanStep, inputSchema: ArrowSchema) -> ArrowSchema {
        switch step {
        case .aggregate(let keys, let aggregates):
            return ArrowSchema(keys.map { inputSchema.fields[$0] } + aggregates.map { $0.type.arrowField(named: $0.text) })
        case .pythonAggregate(let keyCount, let calls, let names):
            return AggregateFunctionOperator.outputSchema(calls: calls, grouping: Array(0..<keyCount), inputSchema: inputSchema, resultNames: names)
        default:
            preconditionFailure("\(step) does not group")
        }
    }

    private static func keyCount(of step: PlanStep) -> Int {
        switch step {
        case .aggregate(let keys, _): return keys.count
        case .pythonAggregate(let keyCount, _, _): return keyCount
        default: return 0
        }
    }

    private func runLane(_ chain: StepChain, feed: SourceFeed, idleAfter: Duration?, grouping: (any GroupingStage)?, writer: SinkWriter,
                         windowReports: WindowLaneReporting) async throws {
        var taken = WindowLaneReporting.Lane()
        func deliver(_ batches: [RecordBatch]) async throws {
            for batch in batches where batch.length > 0 {
                if let grouping { try await grouping.add(batch) } else { try await writer.write(batch) }
            }
        }
        while true {
            switch try await feed.next(idleAfter: idleAfter) {
            case .batch(let batch, let firstRow):
                progress.update { $0.rowsIn += batch.length }
                windowReports.took(batch, lane: &taken)
                try await deliver(try await chain.process(batch, firstRow: firstRow))
                try await windowReports.handedOn(lane: &taken, chainHolds: chain.queuedRows)
            case .idle:
                try await deliver(try await chain.sendIfDue())
                try await windowReports.handedOn(lane: &taken, chainHolds: chain.queuedRows)
                try await grouping?.emitChanges()
            case .end:
                try await deliver(try await chain.finish())
                try await windowReports.handedOn(lane: &taken, chainHolds: 0)
                return
            }
        }
    }
}

/// Writes to a sink from any lane, one batch at a time, counting rows.
actor SinkWriter {
    private let sink: any TableSink
    private let progress: JobProgress

    init(sink: any TableSink, progress: JobProgress) {
        self.sink = sink
        self.progress = progress
    }

    func write(_ batch: RecordBatch) async throws {
        try await sink.write(batch)
        progress.update { $0.rowsOut += batch.length }
    }

    /// Deletes the groups of `batch`'s rows (a GROUP BY over a changelog table that took back all of a group's
    /// rows): only a sink that takes deletions (a changelog collect) can.
    func delete(_ batch: RecordBatch) async throws {
        guard let deleting = sink as? any DeletingSink else {
            throw ConnectorError("the sink cannot take the deletion of a group (a GROUP BY over a changelog table whose "
                                 + "rows were all taken back); PyFn deletes groups in a changelog collect only")
        }
        try await deleting.delete(batch)
    }

    /// Commits what was written so far, when the sink commits (a streaming job's interval).
    func commit() async throws {
        try await (sink as? any CommittingSink)?.commit()
    }

    /// Commits and releases the sink: the job is done.
    func close() async throws {
        try await sink.close()
    }

    /// Discards what was written since the last commit (a committing sink) or just releases the sink.
    func abort() async {
        if let committing = sink as? any CommittingSink { await committing.abort() } else { try? await sink.close() }
    }
}
