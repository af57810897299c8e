// How one operator's bundles are written for PyFlink's worker and its answers read back, in the shapes PyFn's
// operators expect from any worker (scalar: one column per call; table: `__row` then the function's columns).
import Foundation
import PyFnArrow

/// Encodes a bundle's input in Flink's coders and decodes PyFlink's output (docs/wire-contract.md, "PyFlink's
/// worker").
struct PyFlinkBundleCodec: Sendable {
    /// What the worker runs, which decides the coders.
    enum Shape: Sendable {
        /// General scalar functions: input rows as flatten rows; one flatten row of results per input row.
        case scalar
        /// A table function: input rows as flatten rows; per input row, its result rows then an end message.
        case table
        /// Pandas scalar functions: the input as one Arrow batch; one Arrow batch of results.
        case pandas
    }

    let shape: Shape
    /// The operator's input columns, as the worker is told them.
    let inputTypes: [SQLType]
    /// The Arrow schema of the input batches (Pandas functions get it as is).
    let inputSchema: ArrowSchema
    /// The result columns: one per call (scalar, pandas), or the table function's ROW fields.
    let resultFields: [SQLField]

    /// The largest piece of bundle input in one Data message; a piece always holds whole elements, because
    /// PyFlink's worker decodes each piece on its own.
    static let pieceSize = 1024 * 1024

    /// The input of one bundle as Data pieces.
    func encode(_ input: RecordBatch) throws -> [Data] {
        switch shape {
        case .pandas:
            var element = FlinkRowWriter()
            let naive = try PyFlinkArrowTimestamps.naive(input, schema: inputSchema)
            let stream = try ArrowStreamWriter.encode([naive], schema: naive.schema)
            element.writeVarint(stream.count)
            element.write(stream)
            return [Data(element.bytes)]
        case .scalar, .table:
            var pieces: [Data] = []
            var piece = FlinkRowWriter()
            var row = FlinkRowWriter()
            for index in 0..<input.length {
                row.removeAll()
                try row.writeRow(input.columns.map { $0.value(at: index) }, types: inputTypes, path: "input row \(index)")
                piece.writeVarint(row.bytes.count)
                piece.write(row.bytes)
                if piece.bytes.count >= Self.pieceSize {
                    pieces.append(Data(piece.bytes))
                    piece.removeAll()
                }
            }
            if !piece.bytes.isEmpty { pieces.append(Data(piece.bytes)) }
            return pieces
        }
    }

    /// The batches PyFn's operators expect, from the output bytes of a bundle of `inputRows` rows; `context` names
    /// the bundle in errors.
    func decode(_ output: [Data], inputRows: Int, context: String) throws -> [RecordBatch] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(output.reduce(0) { $0 + $1.count })
        for piece in output { bytes.append(contentsOf: piece) }
        switch shape {
        case .scalar: return [try decodeScalar(bytes, inputRows: inputRows, context: context)]
        case .table: return [try decodeTable(bytes, inputRows: inputRows, context: context)]
        case .pandas: return try decodePandas(bytes, inputRows: inputRows, context: context)
        }
    }

    private var resultSchema: ArrowSchema { ArrowSchema(resultFields.map(\.arrowField)) }

    private func decodeScalar(_ bytes: [UInt8], inputRows: Int, context: String) throws -> RecordBatch {
        var reader = FlinkRowReader(bytes, context: context)
        var builders = resultFields.map { ArrowArrayBuilder(type: $0.type.arrowType) }
        let types = resultFields.map(\.type)
        var rows = 0
        while !reader.atEnd {
            var element = try reader.element()
            let values = try element.readRow(types: types)
            try element.expectEnd()
            for (index, value) in values.enumerated() { try builders[index].append(value) }
            rows += 1
        }
        guard rows == inputRows else {
            throw PyFnError.protocolViolation("\(context): PyFlink's worker returned \(rows) result rows for \(inputRows) input rows")
        }
        return try RecordBatch(schema: resultSchema, columns: builders.map { var builder = $0; return builder.finish() }, length: rows)
    }

    private func decodeTable(_ bytes: [UInt8], inputRows: Int, context: String) throws -> RecordBatch {
        var reader = FlinkRowReader(bytes, context: context)
        var origins = ArrowArrayBuilder(type: .int32)
        var builders = resultFields.map { ArrowArrayBuilder(type: $0.type.arrowType) }
        let types = resultFields.map(\.type)
        var inputRow = 0
        while !reader.atEnd {
            var element = try reader.element()
            if element.isEndMessage {
                inputRow += 1
                continue
            }
            let values = try element.readRow(types: types)
            try element.expectEnd()
            try origins.append(.int(Int64(inputRow)))
            for (index, value) in values.enumerated() { try builders[index].append(value) }
        }
        guard inputRow == inputRows else {
            throw PyFnError.protocolViolation("\(context): PyFlink's worker ended the results of \(inputRow) input rows, not \(inputRows)")
        }
        let schema = ArrowSchema([ArrowField("__row", .int32, nullable: false)] + resultFields.map(\.arrowField))
        return try RecordBatch(schema: schema, columns: [origins.finish()] + builders.map { var builder = $0; return builder.finish() })
    }

    private func decodePandas(_ bytes: [UInt8], inputRows: Int, context: String) throws -> [RecordBatch] {
        var reader = FlinkRowReader(bytes, context: context)
        var batches: [RecordBatch] = []
        while !reader.atEnd {
            let length = try reader.readVarint()
            // Each element is an Arrow stream of its own: a schema and one batch (PyFlink writes no end marker).
            var stream = ArrowStreamReader()
            stream.append(try reader.read(length, what: "Arrow batch"))
            guard let batch = try stream.nextBatch() else {
                throw PyFnError.protocolViolation("\(context): PyFlink's worker sent an Arrow element without a record batch")
            }
            guard batch.columns.count == resultFields.count else {
                throw PyFnError.protocolViolation("\(context): PyFlink's worker returned \(batch.columns.count) columns for \(resultFields.count) calls")
            }
            var columns = batch.columns
            for (index, field) in resultFields.enumerated() where columns[index].type != field.type.arrowType {
                // A TIMESTAMP_LTZ result comes back naive, in the unit of its precision (see PyFlinkArrowTimestamps).
                guard let zoned = PyFlinkArrowTimestamps.zoned(columns[index], as: field.type.arrowType) else {
                    throw PyFnError.protocolViolation("\(context): PyFlink's worker returned \(columns[index].type) for '\(field.name)' (\(field.type)); PyFn carries \(field.type.arrowType)")
                }
                columns[index] = zoned
            }
            batches.append(try RecordBatch(schema: resultSchema, columns: columns, length: batch.length))
        }
        let rows = batches.reduce(0) { $0 + $1.length }
        guard rows == inputRows else {
            throw PyFnError.protocolViolation("\(context): PyFlink's worker returned \(rows) result rows for \(inputRows) input rows")
        }
        return batches
    }
}

extension FlinkRowReader {
    /// The next length-prefixed element, as a reader of its bytes only (this reader moves past it).
    mutating func element() throws -> FlinkRowReader {
        let length = try readVarint()
        let start = position
        _ = try read(length, what: "element of \(length) bytes")
        return FlinkRowReader(bytes: self, range: start..<(start + length))
    }

    /// Whether this element is the end message a table function's results end with (one byte, 0x00).
    var isEndMessage: Bool { end - position == 1 && peek == 0 }

    /// Throws unless the element has been read to its end.
    func expectEnd() throws {
        guard atEnd else {
            throw PyFnError.protocolViolation("\(context): \(end - position) unread bytes after a row from PyFlink's worker")
        }
    }
}
