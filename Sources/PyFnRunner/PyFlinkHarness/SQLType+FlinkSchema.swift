// SQL types as flink-fn-execution's `Schema.FieldType`: how PyFlink's worker is told the columns its coders read
// and write (python.harness = pyflink).
import PyFnArrow
import PyFnProto

extension SQLType {
    /// This type as Flink's `Schema.FieldType` (STRING is VARCHAR(2147483647), BYTES VARBINARY(2147483647), as in
    /// Flink's planner).
    var flinkFieldType: FlinkSchema.FieldType {
        var type = FlinkSchema.FieldType()
        type.nullable = nullable
        switch kind {
        case .boolean: type.typeName = .boolean
        case .tinyint: type.typeName = .tinyint
        case .smallint: type.typeName = .smallint
        case .int: type.typeName = .int
        case .bigint: type.typeName = .bigint
        case .float: type.typeName = .float
        case .double: type.typeName = .double
        case .decimal(let precision, let scale):
            type.typeName = .decimal
            type.decimalInfo.precision = Int32(precision)
            type.decimalInfo.scale = Int32(scale)
        case .string:
            type.typeName = .varchar
            type.varCharInfo.length = Int32.max
        case .bytes:
            type.typeName = .varbinary
            type.varBinaryInfo.length = Int32.max
        case .date: type.typeName = .date
        case .time(let precision):
            type.typeName = .time
            type.timeInfo.precision = Int32(precision)
        case .timestamp(let precision):
            type.typeName = .timestamp
            type.timestampInfo.precision = Int32(precision)
        case .timestampLTZ(let precision):
            type.typeName = .localZonedTimestamp
            type.localZonedTimestampInfo.precision = Int32(precision)
        case .array(let element):
            type.typeName = .basicArray
            type.collectionElementType = element.flinkFieldType
        case .map(let key, let value):
            type.typeName = .map
            type.mapInfo.keyType = key.flinkFieldType
            type.mapInfo.valueType = value.flinkFieldType
        case .row(let fields):
            type.typeName = .row
            type.rowSchema = FlinkSchema(fields: fields)
        }
        return type
    }
}

extension FlinkSchema {
    /// A schema of these named fields.
    init(fields: [SQLField]) {
        self.init()
        self.fields = fields.map { field in
            var flinkField = FlinkSchema.Field()
            flinkField.name = field.name
            flinkField.type = field.type.flinkFieldType
            return flinkField
        }
    }
}
