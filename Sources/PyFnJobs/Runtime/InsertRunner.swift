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

    func run() async throws {
        let windowReports = WindowLaneReporting()
        let physical = try Connectors.source(plan.source)
        let table: any TableSource = plan.source.processingTime == nil ? physical : ProcessingTimeSource(inner: physical)
        let source: any TableSource = plan.source.eventTime.map { eventTime in
            EventTimeSource(inner: table, eventTime: eventTime) { await windowReports.sourceBatch(firstWatermark: $0, watermarkAfter: $1) }
        } ?? table
        let sink = try self.sink ?? Connectors.sink(plan.sink)
        let aggregateAt = plan.steps.firstIndex(where: \.groups)
        let before = Array(plan.steps.prefix(aggregateAt ?? plan.steps.count))
        let after = aggregateAt.map { Array(plan.steps.suffix(from: $0 + 1)) } ?? []
        let feed = SourceFeed(capacity: 2 * parallelism)
        let idleAfter: Duration? = source.isBounded ? nil : bundle.bundleTime / 2

        try await sink.open(schema: ArrowSchema(plan.output.map { $0.type.arrowField(named: $0.name) }), upsertKey: plan.upsertKey)
        let writer = SinkWriter(sink: sink, progress: progress)
        let grouping: (any GroupingStage)? = try aggregateAt.map { index in
            let input = try StepChain(steps: before, inputSchema: source.schema, environment: environment, bundle: bundle, python: python).outputSchema
            switch plan.steps[index] {
            case .aggregate(let keys, let aggregates):
                return try HashGroupingStage(keys: keys, aggregates: aggregates, inputSchema: input, after: after, partitions: parallelism,
                                             streaming: !source.isBounded, writer: writer, progress: progress)
            case .pythonAggregate(let keyCount, let calls, let names):
                return try PythonGroupingStage(keyCount: keyCount, calls: calls, names: names, inputSchema: input, after: after,
                                               partitions: parallelism, streaming: !source.isBounded, idleAfter: idleAfter,
                                               environment: environment, bundle: bundle, python: python, metrics: metrics,
                                               writer: writer, progress: progress)
            case .window(let spec):
                let stage = try WindowGroupingStage(spec: spec, inputSchema: input, after: after, partitions: parallelism,
                                                    environment: environment, bundle: bundle, python: python, metrics: metrics,
                                                    writer: writer, progress: progress)
                windowReports.connect(stage)
                return stage
            case .over(let spec):
                let stage = try OverWindowStage(spec: spec, inputSchema: input, after: after, partitions: parallelism,
                                                environment: environment, bundle: bundle, python: python, metrics: metrics,
                                                writer: writer, progress: progress)
                windowReports.connect(stage)
                return stage
            default:
                preconditionFailure("\(plan.steps[index]) does not group")
            }
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await feed.pump(source.batches(batchSize: bundle.arrowBatchSize))
                }
                for _ in 0..<parallelism {
                    group.addTask {
                        do {
                            let chain = try StepChain(steps: before, inputSchema: source.schema, environment: environment, bundle: bundle,
                                                      python: python, metrics: metrics)
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
            if let grouping { try await grouping.finish() }
            progress.update { $0.rowsSkipped += source.skippedRows }
            try await sink.close()
        } catch {
            await grouping?.close()
            try? await sink.close()
            throw error
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
            case .batch(let batch):
                progress.update { $0.rowsIn += batch.length }
                windowReports.took(batch, lane: &taken)
                try await deliver(try await chain.process(batch))
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
}
