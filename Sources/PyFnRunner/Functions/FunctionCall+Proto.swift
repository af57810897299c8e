import PyFnProto

extension PythonFunction.Kind {
    /// The descriptor's kind.
    var proto: PyFnUserDefinedFunction.Kind {
        switch self {
        // The descriptor lists no async or arrow kind: the operator's URN tells the worker how to call them.
        case .scalar, .asyncScalar, .arrowScalar: return .scalar
        case .pandasScalar: return .pandasScalar
        case .table: return .table
        // A table aggregate goes as AGGREGATE: its operator's URN tells the worker to call emit_value.
        case .aggregate, .tableAggregate: return .aggregate
        case .pandasAggregate: return .pandasAggregate
        }
    }
}

extension FunctionCall {
    /// The `pyfn.v1.UserDefinedFunction` message for this call and, recursively, its nested calls.
    public var proto: PyFnUserDefinedFunction {
        var message = PyFnUserDefinedFunction()
        message.name = function.name
        message.kind = function.kind.proto
        switch function.body {
        case .reference(let module, let name):
            var reference = PyFnFunctionReference()
            reference.module = module
            reference.qualifiedName = name
            message.reference = reference
        case .cloudpickle(let payload):
            message.cloudpickle = payload
        }
        message.inputs = arguments.map(\.proto)
        message.resultType = function.resultType.proto
        message.deterministic = function.deterministic
        message.distinct = distinct
        return message
    }
}

extension FunctionArgument {
    /// The `pyfn.v1.Input` message for this argument.
    var proto: PyFnInput {
        var input = PyFnInput()
        switch self {
        case .column(let index): input.column = Int32(index)
        case .call(let call): input.call = call.proto
        case .constant(let literal): input.constant = literal.proto
        }
        return input
    }
}

extension SQLLiteral {
    /// The `pyfn.v1.Constant` message for this literal.
    var proto: PyFnConstant {
        var constant = PyFnConstant()
        constant.type = type.proto
        switch value {
        case .null: break
        case .bool(let v): constant.boolValue = v
        case .int(let v): constant.intValue = v
        case .double(let v): constant.doubleValue = v
        case .string(let v): constant.stringValue = v
        case .bytes(let v): constant.bytesValue = v
        }
        return constant
    }
}
