// Translates an operator's PyFn descriptor into the ProcessBundleDescriptor PyFlink's worker runs: Flink's
// transform URNs and UserDefinedFunctions payload, Flink's coders wrapped as Flink's Java runner wraps them,
// a global windowing strategy. The operator never knows which harness runs it.
import Foundation
import PyFnArrow
import PyFnProto
import SwiftProtobuf

/// Builds PyFlink descriptors and the codec that goes with each.
enum PyFlinkDescriptor {
    static let scalarFunctionURN = "flink:transform:scalar_function:v1"
    static let tableFunctionURN = "flink:transform:table_function:v1"
    static let flinkCoderURN = "flink:coder:v1"
    static let lengthPrefixCoderURN = "beam:coder:length_prefix:v1"
    static let paramWindowedValueCoderURN = "beam:coder:param_windowed_value:v1"
    static let globalWindowCoderURN = "beam:coder:global_window:v1"
    static let globalWindowsURN = "beam:window_fn:global_windows:v1"
    /// A value in the global window at the minimum timestamp, not yet fired: the fixed window, timestamp and pane
    /// of every element (`param_windowed_value`'s payload, as Beam's WindowedValueCoder(BytesCoder,
    /// GlobalWindowCoder) encodes `GlobalWindows.windowed_value(b'')`).
    static let globalWindowedValue = Data([0x7f, 0xdf, 0x3b, 0x64, 0x5a, 0x1c, 0xac, 0x09, 0x00, 0x00, 0x00, 0x01, 0x0f])
    /// The output tag PyFlink's function operations write to (pyflink.common.constants.DEFAULT_OUTPUT_TAG).
    static let outputTag = ""

    /// The PyFlink descriptor for `descriptor` (one made by ``BundleDescriptor``) and its codec; throws for
    /// functions PyFlink's worker cannot run this way.
    static func translate(_ descriptor: ProcessBundleDescriptor) throws -> (ProcessBundleDescriptor, PyFlinkBundleCodec) {
        guard let udf = descriptor.transforms[BundleDescriptor.functionTransform] else {
            throw PyFnError.invalidDescriptor("descriptor \(descriptor.id) has no function transform PyFlink's worker can run")
        }
        let functions = try PyFnUserDefinedFunctions(serializedBytes: udf.spec.payload)
        let inputFields = try functions.inputSchema.fields.map { SQLField($0.name, try SQLType(proto: $0.type)) }
        let shape: PyFlinkBundleCodec.Shape
        let resultFields: [SQLField]
        switch udf.spec.urn {
        case BundleDescriptor.Operation.scalar.urn, BundleDescriptor.Operation.pandasScalar.urn:
            shape = udf.spec.urn == BundleDescriptor.Operation.scalar.urn ? .scalar : .pandas
            resultFields = try functions.udfs.enumerated().map { SQLField("f\($0)", try SQLType(proto: $1.resultType)) }
        case BundleDescriptor.Operation.table.urn:
            shape = .table
            guard case .row(let fields) = try SQLType(proto: functions.udfs[0].resultType).kind else {
                throw PyFnError.invalidDescriptor("table function '\(functions.udfs[0].name)' must return a ROW")
            }
            resultFields = fields
        case BundleDescriptor.Operation.aggregate.urn:
            let names = functions.udfs.map { "'\($0.name)'" }.joined(separator: ", ")
            throw PyFnError.invalidDescriptor("aggregate function \(names) cannot run with python.harness = pyflink (PyFlink's worker keeps aggregate state by Flink's conventions); use python.harness = pyfn")
        default:
            throw PyFnError.invalidDescriptor("descriptor \(descriptor.id) runs '\(udf.spec.urn)', which PyFlink's worker cannot run this way (python.harness = pyflink runs scalar, Pandas scalar and table functions)")
        }
        let codec = PyFlinkBundleCodec(shape: shape, inputTypes: inputFields.map(\.type),
                                       inputSchema: ArrowSchema(columns: inputFields), resultFields: resultFields)

        var payload = FlinkUserDefinedFunctions()
        payload.udfs = try functions.udfs.map(flinkFunction)
        payload.metricEnabled = functions.metricEnabled
        payload.profileEnabled = functions.profileEnabled
        payload.jobParameters = functions.jobParameters.sorted(by: { $0.key < $1.key }).map { key, value in
            var parameter = FlinkJobParameter()
            parameter.key = key
            parameter.value = value
            return parameter
        }

        // Flink's Java operators: scalar input MULTIPLE / output SINGLE; table output MULTIPLE with an end
        // message per input row; Pandas: Arrow batches, input MULTIPLE / output SINGLE.
        let (inputCoder, outputCoder): (FlinkCoderInfoDescriptor, FlinkCoderInfoDescriptor)
        switch shape {
        case .scalar:
            inputCoder = coderInfo(flatten: inputFields, mode: .multiple)
            outputCoder = coderInfo(flatten: resultFields, mode: .single)
        case .table:
            inputCoder = coderInfo(flatten: inputFields, mode: .multiple)
            outputCoder = coderInfo(flatten: resultFields, mode: .multiple, separated: true)
        case .pandas:
            inputCoder = coderInfo(arrow: inputFields, mode: .multiple)
            outputCoder = coderInfo(arrow: resultFields, mode: .single)
        }

        var flink = ProcessBundleDescriptor()
        flink.id = descriptor.id
        flink.coders["global_window"] = coder(globalWindowCoderURN)
        for (name, info) in [("input", inputCoder), ("output", outputCoder)] {
            flink.coders["\(name)_flink"] = coder(flinkCoderURN, try info.serializedData())
            flink.coders["\(name)_length_prefixed"] = coder(lengthPrefixCoderURN, components: ["\(name)_flink"])
            flink.coders["\(name)_windowed"] = coder(paramWindowedValueCoderURN, globalWindowedValue,
                                                     components: ["\(name)_length_prefixed", "global_window"])
        }
        var windowing = WindowingStrategy()
        windowing.windowFn.urn = globalWindowsURN
        windowing.mergeStatus = .nonMerging
        windowing.windowCoderID = "global_window"
        flink.windowingStrategies["global"] = windowing
        for (name, coderID) in [("in", "input_windowed"), ("out", "output_windowed")] {
            var collection = PCollection()
            collection.uniqueName = name
            collection.coderID = coderID
            collection.isBounded = .bounded
            collection.windowingStrategyID = "global"
            flink.pcollections[name] = collection
        }
        let functionURN = shape == .table ? tableFunctionURN : scalarFunctionURN
        flink.transforms[BundleTransform.source] = try port(BundleDescriptor.sourceURN, coderID: "input_windowed", outputs: ["out": "in"])
        flink.transforms[BundleDescriptor.functionTransform] = transform(functionURN, try payload.serializedData(),
                                                                         inputs: ["in": "in"], outputs: [outputTag: "out"])
        flink.transforms[BundleTransform.sink] = try port(BundleDescriptor.sinkURN, coderID: "output_windowed", inputs: ["in": "out"])
        return (flink, codec)
    }

    /// One call as Flink's `UserDefinedFunction`: the PyFlink function object as the describe step pickled it.
    private static func flinkFunction(_ call: PyFnUserDefinedFunction) throws -> FlinkUserDefinedFunction {
        guard case .cloudpickle(let pickled) = call.body else {
            throw PyFnError.invalidDescriptor("function '\(call.name)' was not described by PyFlink (python.harness = pyflink needs the pickled PyFlink function, which the job planner makes)")
        }
        var function = FlinkUserDefinedFunction()
        function.payload = pickled
        function.isPandasUdf = call.kind == .pandasScalar
        function.inputs = try call.inputs.map { argument in
            var input = FlinkInput()
            switch argument.input {
            case .column(let index): input.inputOffset = index
            case .call(let nested): input.udf = try flinkFunction(nested)
            case .constant(let constant): input.inputConstant = try SQLLiteral(proto: constant).flinkConstant
            case nil: throw PyFnError.invalidDescriptor("function '\(call.name)' has an argument without a value")
            }
            return input
        }
        return function
    }

    private static func coderInfo(flatten fields: [SQLField], mode: FlinkCoderInfoDescriptor.Mode,
                                  separated: Bool = false) -> FlinkCoderInfoDescriptor {
        var info = FlinkCoderInfoDescriptor()
        info.flattenRowType.schema = FlinkSchema(fields: fields)
        info.mode = mode
        info.separatedWithEndMessage = separated
        return info
    }

    private static func coderInfo(arrow fields: [SQLField], mode: FlinkCoderInfoDescriptor.Mode) -> FlinkCoderInfoDescriptor {
        var info = FlinkCoderInfoDescriptor()
        info.arrowType.schema = FlinkSchema(fields: fields)
        info.mode = mode
        return info
    }

    private static func coder(_ urn: String, _ payload: Data = Data(), components: [String] = []) -> Coder {
        var coder = Coder()
        coder.spec.urn = urn
        coder.spec.payload = payload
        coder.componentCoderIds = components
        return coder
    }

    private static func port(_ urn: String, coderID: String, inputs: [String: String] = [:], outputs: [String: String] = [:]) throws -> PTransform {
        var port = RemoteGrpcPort()
        port.coderID = coderID
        return transform(urn, try port.serializedData(), inputs: inputs, outputs: outputs)
    }

    private static func transform(_ urn: String, _ payload: Data, inputs: [String: String], outputs: [String: String]) -> PTransform {
        var transform = PTransform()
        transform.uniqueName = urn
        transform.spec.urn = urn
        transform.spec.payload = payload
        transform.inputs = inputs
        transform.outputs = outputs
        return transform
    }
}

extension SQLLiteral {
    /// The literal a `pyfn.v1.Constant` holds.
    init(proto constant: PyFnConstant) throws {
        let type = try SQLType(proto: constant.type)
        switch constant.value {
        case nil: self.init(.null, type: type)
        case .boolValue(let b): self.init(.bool(b), type: type)
        case .intValue(let x): self.init(.int(x), type: type)
        case .doubleValue(let x): self.init(.double(x), type: type)
        case .stringValue(let s): self.init(.string(s), type: type)
        case .bytesValue(let b): self.init(.bytes(b), type: type)
        }
    }
}
