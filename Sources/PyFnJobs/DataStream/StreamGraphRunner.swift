import Foundation
import PyFnArrow
import PyFnRunner

/// Runs a ``StreamGraph``: every node's subtasks at once, joined by bounded channels; sources produce, Python
/// nodes run their chain in a ``DataStreamOperator`` each (their own worker), sinks consume. The first failure
/// ends every channel, so nothing waits for a subtask that stopped, and is thrown.
struct StreamGraphRunner {
    let graph: StreamGraph
    let baseDirectory: String
    let environment: any WorkerEnvironment
    let bundle: BundleOptions
    let python: PythonOptions
    let outputs: StreamOutputs
    let progress: JobProgress

    func run() async throws {
        let nodes = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0) })
        var schemas: [Int: ArrowSchema] = [:]
        var sources: [Int: any StreamSource] = [:]
        var sinks: [Int: any StreamSink] = [:]
        for node in graph.nodes {
            for edge in node.inputs where schemas[edge.node] == nil {
                throw DataStreamError("node '\(node.name)' reads node \(edge.node), which does not come before it", node)
            }
            switch node.kind {
            case .source:
                let source = try makeStreamSource(node, baseDirectory: baseDirectory)
                sources[node.id] = source
                schemas[node.id] = source.schema
            case .python:
                schemas[node.id] = ArrowSchema([try Self.valueField(node)])
            case .sink:
                guard let first = node.inputs.first else { throw DataStreamError("sink '\(node.name)' reads nothing", node) }
                sinks[node.id] = try makeStreamSink(node, inputSchema: schemas[first.node]!, outputs: outputs, baseDirectory: baseDirectory)
                schemas[node.id] = schemas[first.node]
            }
            if node.kind != .source && node.inputs.isEmpty { throw DataStreamError("node '\(node.name)' reads nothing", node) }
        }
        // One channel per reading subtask, written by every subtask of every node it reads.
        var channels: [Int: [BatchChannel]] = [:]
        for node in graph.nodes where node.kind != .source {
            let writers = node.inputs.reduce(0) { $0 + nodes[$1.node]!.parallelism }
            channels[node.id] = (0..<node.parallelism).map { _ in BatchChannel(writers: writers) }
        }
        var downstream: [Int: [(StreamEdge, StreamNode)]] = [:]
        for node in graph.nodes { for edge in node.inputs { downstream[edge.node, default: []].append((edge, node)) } }
        let allChannels = channels.values.flatMap { $0 }
        let plan = (nodes: nodes, schemas: schemas, sources: sources, sinks: sinks, channels: channels, downstream: downstream)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in graph.nodes {
                    for subtask in 0..<node.parallelism {
                        group.addTask {
                            do {
                                try await runSubtask(node, subtask, plan.schemas, plan.sources, plan.sinks, plan.channels,
                                                     plan.downstream[node.id] ?? [], plan.nodes)
                            } catch {
                                for channel in allChannels { await channel.fail() }
                                throw error
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            for sink in sinks.values { try await sink.close() }
        } catch {
            for sink in sinks.values { try? await sink.close() }
            throw error
        }
    }

    /// The `value` field of a node's records: its SQL output type, or binary for pickled records.
    static func valueField(_ node: StreamNode) throws -> ArrowField {
        guard let text = node.outputType else { return ArrowField(DataStreamOperator.valueColumn, .binary) }
        do {
            return try SQLParser.parseType(text).arrowField(named: DataStreamOperator.valueColumn)
        } catch {
            throw DataStreamError("node '\(node.name)' has output type '\(text)', which is not a type PyFn knows: \(error)", node)
        }
    }

    private func runSubtask(_ node: StreamNode, _ subtask: Int, _ schemas: [Int: ArrowSchema], _ sources: [Int: any StreamSource],
                            _ sinks: [Int: any StreamSink], _ channels: [Int: [BatchChannel]],
                            _ readers: [(StreamEdge, StreamNode)], _ nodes: [Int: StreamNode]) async throws {
        var partitioners = readers.map { StreamPartitioner(partitioning: $0.0.partitioning, targets: $0.1.parallelism, source: subtask) }
        let targets = readers.map { channels[$0.1.id]! }
        func emit(_ batch: RecordBatch) async throws {
            for index in partitioners.indices {
                let parts = try partitioners[index].split(batch)
                for (target, part) in parts { await targets[index][target].send(part) }
                // A subtask with timers that got none of these records still learns how far event time has come.
                guard readers[index].1.timers || readers[index].1.eventTime, parts.count < targets[index].count,
                      let mark = StreamEventTimeColumns.watermarkOnly(batch) else { continue }
                let reached = Set(parts.map(\.0))
                for target in targets[index].indices where !reached.contains(target) { await targets[index][target].send(mark) }
            }
        }
        do {
            try await runNode(node, subtask, schemas, sources, sinks, channels, emit: emit)
        } catch {
            for channel in targets.flatMap({ $0 }) { await channel.close() }
            throw error
        }
        for channel in targets.flatMap({ $0 }) { await channel.close() }
    }

    private func runNode(_ node: StreamNode, _ subtask: Int, _ schemas: [Int: ArrowSchema], _ sources: [Int: any StreamSource],
                         _ sinks: [Int: any StreamSink], _ channels: [Int: [BatchChannel]],
                         emit: (RecordBatch) async throws -> Void) async throws {
        switch node.kind {
        case .source:
            try await sources[node.id]!.produce(subtask: subtask, parallelism: node.parallelism) { batch in
                progress.update { $0.rowsIn += batch.length }
                try await emit(batch)
            }
        case .sink:
            let input = channels[node.id]![subtask]
            let sink = sinks[node.id]!
            while let received = await input.receive() {
                if StreamEventTimeColumns.isWatermarkOnly(received) { continue }
                let batch = try StreamEventTimeColumns.stripped(received)
                try await sink.write(batch, subtask: subtask, parallelism: node.parallelism)
                progress.update { $0.rowsOut += batch.length }
            }
        case .python where node.timers:
            try await runTimers(node, subtask, inputSchema: schemas[node.inputs[0].node]!, outputSchema: schemas[node.id]!,
                                input: channels[node.id]![subtask], emit: emit)
        case .python:
            try await runPython(node, subtask, inputSchema: schemas[node.inputs[0].node]!, outputSchema: schemas[node.id]!,
                                input: channels[node.id]![subtask], emit: emit)
        }
    }

    /// A node whose chain starts with a KeyedProcessFunction: its subtask keeps timers (``KeyedTimerLoop``).
    private func runTimers(_ node: StreamNode, _ subtask: Int, inputSchema: ArrowSchema, outputSchema: ArrowSchema,
                           input: BatchChannel, emit: (RecordBatch) async throws -> Void) async throws {
        guard let encoded = node.chain, let chain = Data(base64Encoded: encoded) else {
            throw DataStreamError("Python node '\(node.name)' carries no chain of functions (base64)", node)
        }
        guard let value = inputSchema.fields.first(where: { $0.name == DataStreamOperator.valueColumn }) else {
            throw DataStreamError("node '\(node.name)' reads no '\(DataStreamOperator.valueColumn)' column", node)
        }
        let op = try DataStreamOperator(name: node.name, chain: chain, inputSchema: KeyedTimerLoop.inputSchema(value: value),
                                        outputSchema: KeyedTimerLoop.outputSchema(value: outputSchema.fields[0]),
                                        keyed: true, subtask: subtask, parallelism: node.parallelism,
                                        environment: environment, bundle: bundle, python: python)
        var loop = KeyedTimerLoop(op: op, name: node.name, valueField: value, isBatch: graph.isBatch,
                                  keyedOutput: node.keyedOutput, writers: writerCount(node),
                                  handingOn: node.eventTime ? ForwardedWatermark.writerID(node: node.id, subtask: subtask) : nil)
        do {
            try await op.open()
            try await loop.run(input: input, emit: emit)
            await op.close()
        } catch {
            await op.close()
            throw error
        }
    }

    /// How many subtasks write to each subtask of `node`.
    private func writerCount(_ node: StreamNode) -> Int {
        node.inputs.reduce(0) { total, edge in total + (graph.nodes.first { $0.id == edge.node }?.parallelism ?? 1) }
    }

    private func runPython(_ node: StreamNode, _ subtask: Int, inputSchema: ArrowSchema, outputSchema: ArrowSchema,
                           input: BatchChannel, emit: (RecordBatch) async throws -> Void) async throws {
        guard let encoded = node.chain, let chain = Data(base64Encoded: encoded) else {
            throw DataStreamError("Python node '\(node.name)' carries no chain of functions (base64)", node)
        }
        let value = outputSchema.fields[0]
        let keyed = node.keyedOutput
        let stamps = node.watermarks != nil || node.eventTime ? [ArrowField(StreamEventTimeColumns.timestamp, .int64)] : []
        let operatorSchema = ArrowSchema((keyed ? [ArrowField(DataStreamOperator.keyColumn, .binary, nullable: false)] : [])
                                         + stamps + [value])
        let op = try DataStreamOperator(name: node.name, chain: chain, inputSchema: inputSchema, outputSchema: operatorSchema,
                                        keyed: node.keyedInput, subtask: subtask, parallelism: node.parallelism,
                                        environment: environment, bundle: bundle, python: python)
        var latest = node.finalPerKey ? LatestPerKey() : nil
        var watermark = node.watermarks.map { SubtaskWatermark(outOfOrderness: $0.outOfOrdernessMs, node: node.id, subtask: subtask) }
        var forwarded = node.eventTime && node.watermarks == nil
            ? ForwardedWatermark(writers: writerCount(node), node: node.id, subtask: subtask) : nil
        func deliver(_ batches: [RecordBatch]) async throws {
            for batch in batches {
                if latest != nil {
                    try latest!.add(batch)
                } else if watermark != nil {
                    try await emit(try watermark!.stamp(batch))
                } else if let forwarded {
                    try await emit(try forwarded.stamp(batch))
                } else {
                    try await emit(batch)
                }
            }
        }
        do {
            try await op.open()
            while let batch = await input.receive() {
                forwarded?.observe(batch)
                if !StreamEventTimeColumns.isWatermarkOnly(batch) {
                    try await deliver(try await op.process(try StreamEventTimeColumns.stripped(batch, keepingTimestamps: node.eventTime)))
                }
                if forwarded?.isPending == true {
                    // The records that came before the watermark leave first (the bundles in flight are awaited).
                    try await deliver(try await op.finish())
                    if let mark = forwarded?.handOn() { try await emit(mark) }
                }
            }
            try await deliver(try await op.finish())
            if var final = latest {
                for batch in try final.finish(valueSchema: outputSchema) { try await emit(batch) }
            }
            await op.close()
        } catch {
            await op.close()
            throw error
        }
    }
}
