/// Turns a RecordBatch message (its flatbuffer header and copied body) into checked arrays.
/// Every node and buffer is validated against the schema before an array can see it: lengths,
/// null counts against the validity bits, buffer sizes, and offsets (non-negative, non-decreasing,
/// within the data or child).
struct RecordBatchDecoder {
    private let reader: FlatBufferReader
    private let nodes: (start: Int, count: Int)
    private let bufferEntries: (start: Int, count: Int)
    private let body: ArrowBuffer
    private var nextNode = 0
    private var nextBuffer = 0

    /// Decodes `header` (a RecordBatch table) whose body bytes are `body`.
    static func decode(_ header: FlatTable, body: ArrowBuffer, schema: ArrowSchema) throws -> RecordBatch {
        guard try !header.has(IPCFormat.RecordBatchSlot.compression) else {
            throw ArrowIPCError("compressed record batch bodies (LZ4_FRAME, ZSTD) are not supported")
        }
        let length = try header.integer(IPCFormat.RecordBatchSlot.length, default: Int64(0))
        guard length >= 0, length <= Int64(Int32.max) else {
            throw ArrowIPCError("record batch length \(length) is out of range")
        }
        var decoder = RecordBatchDecoder(
            reader: header.reader,
            nodes: try header.structs(IPCFormat.RecordBatchSlot.nodes, elementSize: 16) ?? (0, 0),
            bufferEntries: try header.structs(IPCFormat.RecordBatchSlot.buffers, elementSize: 16) ?? (0, 0),
            body: body)
        let columns = try schema.fields.map { field in
            let column = try decoder.decodeArray(field, path: field.name, depth: 0)
            guard column.length == Int(length) else {
                throw ArrowIPCError("column has \(column.length) rows, the record batch says \(length)", field: field.name)
            }
            return column
        }
        return RecordBatch(unchecked: schema, columns: columns, length: Int(length))
    }

    private mutating func decodeArray(_ field: ArrowField, path: String, depth: Int) throws -> ArrowArray {
        guard depth < IPCFormat.maximumNestingDepth else {
            throw ArrowIPCError("nesting deeper than \(IPCFormat.maximumNestingDepth) levels", field: path)
        }
        do {
            return try decodeNode(field, path: path, depth: depth)
        } catch let error as ArrowIPCError {
            throw error.locating(field: path)
        }
    }

    private mutating func decodeNode(_ field: ArrowField, path: String, depth: Int) throws -> ArrowArray {
        let type = field.type
        let (length, nullCount) = try takeNode()
        if case .null = type { return .nulls(length) }
        let validity = try takeValidity(length: length, nullCount: nullCount)
        func assemble(_ buffers: [ArrowBuffer], _ children: [ArrowArray] = []) -> ArrowArray {
            ArrowArray(type: type, length: length, nullCount: nullCount, validity: validity,
                       buffers: buffers, children: children)
        }
        switch type.layout {
        case .null:
            return .nulls(length)
        case .bitmap:
            return assemble([try takeBuffer(atLeast: Bitmap.byteCount(bits: length), what: "boolean values")])
        case .fixedWidth(let width):
            return assemble([try takeBuffer(atLeast: length * width, what: "\(type) values")])
        case .variableBinary:
            let offsets = try takeOffsets(length: length)
            let data = try takeBuffer(atLeast: 0, what: "\(type) data")
            try Offsets.check(offsets, count: length + 1, limit: data.count, limitName: "its \(data.count) data bytes")
            return assemble([offsets, data])
        case .list:
            let offsets = try takeOffsets(length: length)
            let itemField = type.children[0]
            let items = try decodeArray(itemField, path: "\(path).\(itemField.name)", depth: depth + 1)
            try Offsets.check(offsets, count: length + 1, limit: items.length, limitName: "its \(items.length) child rows")
            return assemble([offsets], [items])
        case .struct:
            let children = try type.children.map { child in
                let array = try decodeArray(child, path: "\(path).\(child.name)", depth: depth + 1)
                guard array.length >= length else {
                    throw ArrowIPCError("struct child has \(array.length) rows, fewer than the struct's \(length)",
                                        field: "\(path).\(child.name)")
                }
                return array
            }
            return assemble([], children)
        }
    }

    // MARK: - Nodes and buffers

    private mutating func takeNode() throws -> (length: Int, nullCount: Int) {
        guard nextNode < nodes.count else {
            throw ArrowIPCError("record batch has \(nodes.count) field nodes, the schema needs more")
        }
        let position = nodes.start + 16 * nextNode
        nextNode += 1
        let length = try reader.read(position, as: Int64.self)
        let nullCount = try reader.read(position + 8, as: Int64.self)
        guard length >= 0, length <= Int64(Int32.max) else { throw ArrowIPCError("array length \(length) is out of range") }
        guard nullCount >= 0, nullCount <= length else {
            throw ArrowIPCError("null count \(nullCount) is out of range for length \(length)")
        }
        return (Int(length), Int(nullCount))
    }

    /// The next body buffer, checked to lie inside the body and to hold at least `minimum` bytes.
    private mutating func takeBuffer(atLeast minimum: Int, what: String) throws -> ArrowBuffer {
        guard nextBuffer < bufferEntries.count else {
            throw ArrowIPCError("record batch has \(bufferEntries.count) buffers, the schema needs more")
        }
        let position = bufferEntries.start + 16 * nextBuffer
        nextBuffer += 1
        let offset = try reader.read(position, as: Int64.self)
        let length = try reader.read(position + 8, as: Int64.self)
        guard offset >= 0, length >= 0, length <= Int64(body.count), offset <= Int64(body.count) - length else {
            throw ArrowIPCError("buffer \(nextBuffer - 1) (offset \(offset), length \(length)) lies outside "
                                + "the \(body.count)-byte body")
        }
        guard length >= Int64(minimum) else {
            throw ArrowIPCError("\(what) buffer has \(length) bytes, needs at least \(minimum)")
        }
        let bytes = body.slice(Int(offset), Int(length))
        // Buffers should start 8-aligned; copy the rare one that does not so typed access stays aligned.
        return Int(offset) % IPCFormat.bufferAlignment == 0 ? bytes : .copying(bytes.bytes)
    }

    private mutating func takeValidity(length: Int, nullCount: Int) throws -> ArrowBuffer? {
        let needed = Bitmap.byteCount(bits: length)
        let bitmap = try takeBuffer(atLeast: 0, what: "validity")
        guard nullCount > 0 else { return nil }
        guard bitmap.count >= needed else {
            throw ArrowIPCError("validity bitmap has \(bitmap.count) bytes, \(length) rows need \(needed) "
                                + "(null count \(nullCount))")
        }
        let nulls = length - Bitmap.countSet(bitmap.start, offset: 0, count: length)
        guard nulls == nullCount else {
            throw ArrowIPCError("null count \(nullCount) disagrees with the validity bitmap (\(nulls) nulls)")
        }
        return bitmap
    }

    /// An offsets buffer for `length` elements (an empty one stands for `[0]` when `length` is 0).
    private mutating func takeOffsets(length: Int) throws -> ArrowBuffer {
        let offsets = try takeBuffer(atLeast: 0, what: "offsets")
        if length == 0 && offsets.count < 4 { return .copying([Int32(0)]) }
        guard offsets.count >= (length + 1) * 4 else {
            throw ArrowIPCError("offsets buffer has \(offsets.count) bytes, \(length) rows need \((length + 1) * 4)")
        }
        return offsets
    }
}
