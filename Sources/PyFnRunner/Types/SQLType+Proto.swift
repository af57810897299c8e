import PyFnProto

extension SQLType {
    /// The `pyfn.v1.DataType` the worker reads.
    public var proto: PyFnDataType {
        var message = PyFnDataType()
        message.nullable = nullable
        switch kind {
        case .boolean: message.typeName = .boolean
        case .tinyint: message.typeName = .tinyint
        case .smallint: message.typeName = .smallint
        case .int: message.typeName = .int
        case .bigint: message.typeName = .bigint
        case .float: message.typeName = .float
        case .double: message.typeName = .double
        case .decimal(let p, let s):
            message.typeName = .decimal
            message.precision = Int32(p)
            message.scale = Int32(s)
        case .string: message.typeName = .string
        case .bytes: message.typeName = .bytes
        case .date: message.typeName = .date
        case .time(let p):
            message.typeName = .time
            message.precision = Int32(p)
        case .timestamp(let p):
            message.typeName = .timestamp
            message.precision = Int32(p)
        case .timestampLTZ(let p):
            message.typeName = .timestampLtz
            message.precision = Int32(p)
        case .array(let element):
            message.typeName = .array
            message.elementType = element.proto
        case .map(let key, let value):
            message.typeName = .map
            message.keyType = key.proto
            message.valueType = value.proto
        case .row(let fields):
            message.typeName = .row
            message.fields = fields.map(\.proto)
        }
        return message
    }

    /// Reads a `pyfn.v1.DataType`; throws for an unset or unknown type name.
    public init(proto message: PyFnDataType) throws {
        let kind: Kind
        switch message.typeName {
        case .boolean: kind = .boolean
        case .tinyint: kind = .tinyint
        case .smallint: kind = .smallint
        case .int: kind = .int
        case .bigint: kind = .bigint
        case .float: kind = .float
        case .double: kind = .double
        case .decimal: kind = .decimal(precision: Int(message.precision), scale: Int(message.scale))
        case .string: kind = .string
        case .bytes: kind = .bytes
        case .date: kind = .date
        case .time: kind = .time(precision: Int(message.precision))
        case .timestamp: kind = .timestamp(precision: Int(message.precision))
        case .timestampLtz: kind = .timestampLTZ(precision: Int(message.precision))
        case .array: kind = .array(try SQLType(proto: message.elementType))
        case .map: kind = .map(key: try SQLType(proto: message.keyType), value: try SQLType(proto: message.valueType))
        case .row: kind = .row(try message.fields.map { SQLField($0.name, try SQLType(proto: $0.type)) })
        case .unspecified, .UNRECOGNIZED:
            throw PyFnError.invalidDescriptor("a DataType has no type name (\(message.typeName))")
        }
        self.init(kind, nullable: message.nullable)
    }
}

extension SQLField {
    /// The `pyfn.v1.DataType.Field` the worker reads.
    public var proto: PyFnDataType.Field {
        var field = PyFnDataType.Field()
        field.name = name
        field.type = type.proto
        return field
    }
}
