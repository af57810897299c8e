import PyFnArrow
import PyFnProto

/// Everything a worker needs to run one operator's functions: the calls, the schema of the input batches and
/// the job's switches; it becomes the `pyfn.v1.UserDefinedFunctions` payload of the operator's transform.
struct FunctionSet {
    let calls: [FunctionCall]
    let inputSchema: ArrowSchema
    let bundle: BundleOptions
    let python: PythonOptions
    /// Aggregate operators: the input columns that form the grouping key.
    var grouping: [Int] = []

    var proto: PyFnUserDefinedFunctions {
        var message = PyFnUserDefinedFunctions()
        message.udfs = calls.map(\.proto)
        message.inputSchema.fields = inputSchema.fields.map { field in
            var column = PyFnDataType.Field()
            column.name = field.name
            if let type = try? SQLType(arrow: field) { column.type = type.proto }
            return column
        }
        message.jobParameters = python.jobParameters
        message.metricEnabled = python.metricsEnabled
        message.profileEnabled = python.profileEnabled
        message.arrowBatchSize = Int32(bundle.arrowBatchSize)
        message.grouping = grouping.map { Int32($0) }
        message.localTimeZone = python.sessionTimeZone.identifier
        return message
    }
}
