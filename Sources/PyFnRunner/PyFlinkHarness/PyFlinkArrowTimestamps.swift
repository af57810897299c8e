// TIMESTAMP_LTZ columns in the Arrow batches PyFlink's Pandas coder reads and writes: PyFlink's `arrow_to_pandas`
// localizes naive UTC wall-clock times to the session zone itself (an aware column makes it fail: "Already
// tz-aware"), and its `pandas_to_arrow` writes a naive timestamp in the unit of the type's precision (ms for p ≤ 3).
import PyFnArrow

enum PyFlinkArrowTimestamps {
    /// `batch`, whose columns are those of `schema`, with each zoned timestamp column as a naive one (the same
    /// values: UTC wall-clock times), under `schema` made naive the same way.
    static func naive(_ batch: RecordBatch, schema: ArrowSchema) throws -> RecordBatch {
        let fields = schema.fields.map { field -> ArrowField in
            var field = field
            if case .timestamp(let unit, .some) = field.type { field.type = .timestamp(unit, timezone: nil) }
            return field
        }
        let columns = zip(batch.columns, fields).map { column, field in column.type == field.type ? column : column.retyped(field.type) }
        return try RecordBatch(schema: ArrowSchema(fields), columns: columns, length: batch.length)
    }

    /// A naive timestamp `column` PyFlink returned for a result of Arrow type `expected` (a zoned timestamp) as
    /// `expected`: the same instants, in `expected`'s unit; nil when `column` is not a naive timestamp.
    static func zoned(_ column: ArrowArray, as expected: ArrowType) -> ArrowArray? {
        guard case .timestamp(let unit, nil) = column.type, case .timestamp(let targetUnit, let zone?) = expected else { return nil }
        let from = FlinkTime.nanos(per: unit), to = FlinkTime.nanos(per: targetUnit)
        let values: [Int64] = column.withValues(as: Int64.self) { raw in
            (0..<column.length).map { row in from >= to ? raw[row] &* (from / to) : FlinkTime.floorDivide(raw[row], to / from) }
        }
        let validity = column.nullCount > 0 ? (0..<column.length).map { !column.isNull($0) } : nil
        return .timestamp(values, unit: targetUnit, timezone: zone, validity: validity)
    }
}
