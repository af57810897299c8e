import Foundation
import PyFnArrow
import PyFnProto
import Synchronization

/// Runs Python scalar functions over a stream of batches: each output row is an input row's forwarded columns
/// followed by one column per call, in input order. Calls may nest (`f(g(x), 1)`); the worker evaluates a nest
/// in one pass, each function once per row.
///
/// Use it from one task: ``open()``, then ``process(_:)`` for each batch, ``finish()`` at the end of the input,
/// and ``close()``. Output comes back from `process` and `finish` as bundles complete.
public final class ScalarFunctionOperator {
    /// The calls, one output column each.
    public let calls: [FunctionCall]
    /// The schema of the batches fed in.
    public let inputSchema: ArrowSchema
    /// The input columns copied to the output, in order.
    public let forwardedColumns: [Int]
    /// The schema of the batches handed back.
    public let outputSchema: ArrowSchema
    private let supervisor: WorkerSupervisor
    private var pipeline: BundlePipeline
    private let descriptor: ProcessBundleDescriptor
    private static let counter = Counter()

    /// An operator that evaluates `calls` on batches of `inputSchema`, keeping `forwardedColumns` (all by default)
    /// and naming the result columns `resultNames` (`f0`, `f1`, … by default).
    public init(calls: [FunctionCall], inputSchema: ArrowSchema, forwardedColumns: [Int]? = nil, resultNames: [String]? = nil,
                environment: any WorkerEnvironment, bundle: BundleOptions = BundleOptions(), python: PythonOptions = PythonOptions()) throws {
        let forwarded = forwardedColumns ?? Array(inputSchema.fields.indices)
        let names = resultNames ?? calls.indices.map { "f\($0)" }
        guard !calls.isEmpty else { throw PyFnError.invalidDescriptor("a scalar operator needs at least one call") }
        guard names.count == calls.count else {
            throw PyFnError.invalidDescriptor("\(calls.count) calls but \(names.count) result names")
        }
        for call in calls {
            try Self.validate(call, inputSchema: inputSchema)
        }
        for index in forwarded where !inputSchema.fields.indices.contains(index) {
            throw PyFnError.invalidDescriptor("forwarded column \(index) is not in the input (\(inputSchema.fields.count) columns)")
        }
        self.calls = calls
        self.inputSchema = inputSchema
        self.forwardedColumns = forwarded
        self.outputSchema = ArrowSchema(
            forwarded.map { inputSchema.fields[$0] } + zip(names, calls).map { $1.function.resultType.arrowField(named: $0) })
        let descriptorID = "scalar-\(Self.counter.next())"
        self.descriptor = try BundleDescriptor.make(
            id: descriptorID, operation: .scalar,
            functions: FunctionSet(calls: calls, inputSchema: inputSchema, bundle: bundle, python: python).proto)
        self.supervisor = WorkerSupervisor(environment: environment)
        self.pipeline = BundlePipeline(supervisor: supervisor, descriptorID: descriptorID, options: bundle)
    }

    /// Starts the worker and registers the functions with it.
    public func open() async throws {
        try await supervisor.register(descriptor)
        try await supervisor.start()
    }

    /// Feeds a batch; returns the output of bundles that completed meanwhile.
    public func process(_ batch: RecordBatch) async throws -> [RecordBatch] {
        try join(try await pipeline.add(batch))
    }

    /// Sends buffered rows whose bundle time is up; returns the output of bundles that completed meanwhile.
    public func sendIfDue() async throws -> [RecordBatch] {
        try join(try await pipeline.sendIfDue())
    }

    /// Ends the input: sends what is buffered and returns all remaining output.
    public func finish() async throws -> [RecordBatch] {
        try join(try await pipeline.flush())
    }

    /// Stops the worker.
    public func close() async {
        pipeline.cancel()
        await supervisor.stop()
    }

    /// Rows fed in whose output has not been handed back yet.
    public var queuedRows: Int { pipeline.queuedRows }

    /// How many times the worker was lost and replaced.
    public var workerRestarts: Int { get async { await supervisor.restarts } }

    private func join(_ completed: [BundlePipeline.Completed]) throws -> [RecordBatch] {
        try completed.map { input, result in
            let results = try RecordBatch.concatenate(result.batches)
            guard results.columns.count == calls.count, results.length == input.length else {
                throw PyFnError.protocolViolation(
                    "the worker returned \(results.columns.count) columns × \(results.length) rows for \(calls.count) calls on \(input.length) rows")
            }
            for (column, field) in zip(results.columns, outputSchema.fields.suffix(calls.count)) where column.type != field.type {
                throw PyFnError.protocolViolation("the worker returned \(column.type) for '\(field.name)', declared \(field.type)")
            }
            return try RecordBatch(schema: outputSchema, columns: forwardedColumns.map { input.columns[$0] } + results.columns)
        }
    }

    private static func validate(_ call: FunctionCall, inputSchema: ArrowSchema) throws {
        guard call.function.kind == .scalar else {
            throw PyFnError.invalidDescriptor("'\(call.function.name)' is a \(call.function.kind) function; a scalar operator runs scalar functions")
        }
        for argument in call.arguments {
            switch argument {
            case .column(let index) where !inputSchema.fields.indices.contains(index):
                throw PyFnError.invalidDescriptor("'\(call.function.name)' reads column \(index), but the input has \(inputSchema.fields.count) columns")
            case .call(let nested): try validate(nested, inputSchema: inputSchema)
            default: break
            }
        }
    }
}

/// A source of unique ids within this process.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
}
