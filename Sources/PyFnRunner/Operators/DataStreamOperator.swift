import Foundation
import PyFnArrow

/// Runs a chain of Python DataStream functions (map, flat_map, filter, key selector, reduce, process, keyed
/// process — PyFlink's DataStream API) over a stream of records, in one worker call per bundle.
///
/// Records are batches with a `value` column — typed (an Arrow column of the stream's type) or pickled (binary) —
/// after a `__key` column (binary: each record's pickled key) when the input is keyed. The chain itself is
/// opaque here: a `cloudpickle` of the program's chain description, run by the worker's DataStream operation.
/// The output is whatever the worker returns, checked against ``outputSchema``: `value`, after `__key` when the
/// chain ends with a key selector (or a reduce in batch mode). A keyed chain keeps its state in the runner's
/// ``StateStore`` (one bundle at a time, committed when the bundle succeeds), like aggregate functions.
public final class DataStreamOperator: PythonFunctionOperator {
    /// The name of the column of records.
    public static let valueColumn = "value"
    /// The name of the column of pickled keys.
    public static let keyColumn = "__key"

    /// An operator running `chain` (a cloudpickled chain description named `name`) on batches of `inputSchema`,
    /// handing on batches of `outputSchema`. `keyed`: the chain keeps keyed state (its bundles run one at a
    /// time). `subtask`/`parallelism` reach the functions' RuntimeContext.
    public init(name: String, chain: Data, inputSchema: ArrowSchema, outputSchema: ArrowSchema, keyed: Bool,
                subtask: Int = 0, parallelism: Int = 1, environment: any WorkerEnvironment,
                bundle: BundleOptions = BundleOptions(), python: PythonOptions = PythonOptions(),
                metrics: RunnerMetrics? = nil, operatorName: String? = nil) throws {
        guard inputSchema.fields.contains(where: { $0.name == Self.valueColumn }),
              outputSchema.fields.last?.name == Self.valueColumn else {
            throw PyFnError.invalidDescriptor("a DataStream operator reads and writes a '\(Self.valueColumn)' column")
        }
        var options = bundle
        if keyed { options.maxBundlesInFlight = 1 }
        var parameters = python
        parameters.jobParameters["pyfn.subtask.index"] = String(subtask)
        parameters.jobParameters["pyfn.subtask.parallelism"] = String(parallelism)
        let function = PythonFunction(name: name, body: .cloudpickle(chain), kind: .scalar,
                                      resultType: try SQLType(arrow: outputSchema.fields.last!))
        try super.init(operation: keyed ? .keyedDataStream : .dataStream,
                       functions: FunctionSet(calls: [FunctionCall(function, [])], inputSchema: inputSchema,
                                              bundle: options, python: parameters),
                       output: DataStreamBundleOutput(schema: outputSchema),
                       environment: environment, bundle: options, metrics: metrics, operatorName: operatorName ?? name)
    }
}

extension BundleDescriptor.Operation {
    /// A chain of DataStream functions without keyed state.
    static let dataStream = Self(urn: "pyfn:transform:datastream:v1", name: "datastream")
    /// A chain of DataStream functions on a keyed stream, its state in the runner.
    static let keyedDataStream = Self(urn: "pyfn:transform:keyed_datastream:v1", name: "keyed-datastream")
}

/// A DataStream bundle's output: the worker's batches as they are, checked against the declared columns.
struct DataStreamBundleOutput: BundleOutput {
    let schema: ArrowSchema

    func combine(input: RecordBatch, results: [RecordBatch]) throws -> [RecordBatch] {
        try passedThrough(results, expected: "the columns \(schema.fields.map(\.name))")
    }
}
