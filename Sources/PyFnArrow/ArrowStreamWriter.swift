/// Writes one IPC stream: schema message, record batches, end-of-stream marker (0xFFFFFFFF 0x00000000).
/// Buffers are copied once, straight into the output; sliced arrays are written from their window
/// (bitmaps re-aligned to bit 0, offsets rebased to 0 when needed).
public struct ArrowStreamWriter: Sendable {
    /// The schema every batch must match.
    public let schema: ArrowSchema
    private var output: [UInt8] = []
    private var finished = false

    /// Starts a stream; the schema message is written at once.
    public init(schema: ArrowSchema) {
        self.schema = schema
        appendMessage(header: .schema, IPCSchemaMetadata.encode(schema), body: [], bodyLength: 0)
    }

    /// Appends a record batch message; throws if the batch's column types differ from the schema
    /// or the stream is finished.
    public mutating func write(_ batch: RecordBatch) throws {
        guard !finished else { throw ArrowError("the stream is finished; no more batches can be written") }
        guard batch.columns.map(\.type) == schema.fields.map(\.type) else {
            throw ArrowError("batch column types [\(batch.columns.map { "\($0.type)" }.joined(separator: ", "))] "
                             + "differ from the stream's schema")
        }
        var body = RecordBatchBody()
        for column in batch.columns { body.add(column) }
        var buffers: [UInt8] = []
        var nodes: [UInt8] = []
        var position = 0
        buffers.reserveCapacity(16 * body.buffers.count)
        for buffer in body.buffers {
            appendLittleEndian(Int64(position), to: &buffers)
            appendLittleEndian(Int64(buffer.count), to: &buffers)
            position += Self.padded(buffer.count)
        }
        for node in body.nodes {
            appendLittleEndian(Int64(node.length), to: &nodes)
            appendLittleEndian(Int64(node.nullCount), to: &nodes)
        }
        var header = FlatBufferTable()
        header.set(IPCFormat.RecordBatchSlot.length, .int64(Int64(batch.length)))
        header.set(IPCFormat.RecordBatchSlot.nodes, .structs(bytes: nodes, count: body.nodes.count, alignment: 8))
        header.set(IPCFormat.RecordBatchSlot.buffers, .structs(bytes: buffers, count: body.buffers.count, alignment: 8))
        appendMessage(header: .recordBatch, header, body: body.buffers, bodyLength: position)
    }

    /// Ends the stream and returns everything not yet drained.
    public mutating func finish() -> [UInt8] {
        if !finished {
            finished = true
            appendLittleEndian(IPCFormat.continuationMarker, to: &output)
            appendLittleEndian(UInt32(0), to: &output)
        }
        return drain()
    }

    /// Takes what has been written so far without ending the stream (for sending it in pieces).
    public mutating func drain() -> [UInt8] {
        defer { output = [] }
        return output
    }

    /// One complete stream holding `batches`.
    public static func encode(_ batches: [RecordBatch], schema: ArrowSchema) throws -> [UInt8] {
        var writer = ArrowStreamWriter(schema: schema)
        for batch in batches { try writer.write(batch) }
        return writer.finish()
    }

    // MARK: - Framing

    private static func padded(_ count: Int) -> Int {
        (count + IPCFormat.bufferAlignment - 1) / IPCFormat.bufferAlignment * IPCFormat.bufferAlignment
    }

    /// Continuation marker, metadata length, Message flatbuffer (padded to 8), body buffers (each padded to 8).
    private mutating func appendMessage(header type: IPCFormat.MessageHeader, _ header: FlatBufferTable,
                                        body: [ArrowBuffer], bodyLength: Int) {
        var message = FlatBufferTable()
        message.set(IPCFormat.MessageSlot.version, .int16(IPCFormat.metadataVersionV5))
        message.set(IPCFormat.MessageSlot.headerType, .uint8(type.rawValue))
        message.set(IPCFormat.MessageSlot.header, .table(header))
        message.set(IPCFormat.MessageSlot.bodyLength, .int64(Int64(bodyLength)))
        let metadata = FlatBufferWriter.serialize(message)  // a multiple of 8 bytes

        // Room for the end-of-stream marker too, so finishing does not reallocate a large output.
        output.reserveCapacity(output.count + 8 + metadata.count + bodyLength + 8)
        appendLittleEndian(IPCFormat.continuationMarker, to: &output)
        appendLittleEndian(UInt32(metadata.count), to: &output)
        output.append(contentsOf: metadata)
        for buffer in body {
            if buffer.count > 0 {
                output.append(contentsOf: UnsafeBufferPointer(start: buffer.start.assumingMemoryBound(to: UInt8.self),
                                                              count: buffer.count))
            }
            output.append(contentsOf: repeatElement(0, count: Self.padded(buffer.count) - buffer.count))
        }
    }
}

private func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
}

/// The field nodes and body buffers of a record batch, in the IPC pre-order (a node, its buffers,
/// then its children). Every array is written from offset 0.
struct RecordBatchBody {
    private(set) var nodes: [(length: Int, nullCount: Int)] = []
    private(set) var buffers: [ArrowBuffer] = []

    mutating func add(_ array: ArrowArray) {
        nodes.append((array.length, array.nullCount))
        if case .null = array.type { return }
        if let validity = array.validity {
            buffers.append(Bitmap.realigned(validity, offset: array.offset, count: array.length))
        } else {
            buffers.append(.empty)
        }
        switch array.type.layout {
        case .null:
            break
        case .bitmap:
            buffers.append(Bitmap.realigned(array.buffers[0], offset: array.offset, count: array.length))
        case .fixedWidth(let width):
            buffers.append(array.buffers[0].slice(array.offset * width, array.length * width))
        case .variableBinary:
            let range = addOffsets(array)
            buffers.append(array.buffers[1].slice(range.lowerBound, range.count))
        case .list:
            add(array.children[0].slice(addOffsets(array)))
        case .struct:
            for k in array.children.indices { add(array.structField(k)) }
        }
    }

    /// Adds the window's offsets (rebased to start at 0 unless they already do); returns the child range.
    private mutating func addOffsets(_ array: ArrowArray) -> Range<Int> {
        let first = array.offsetValue(array.offset)
        let last = array.offsetValue(array.offset + array.length)
        if first == 0 {
            buffers.append(array.buffers[0].slice(array.offset * 4, (array.length + 1) * 4))
        } else {
            buffers.append(ArrowBuffer.allocate(byteCount: (array.length + 1) * 4) { out in
                for i in 0 ... array.length {
                    out.storeBytes(of: Int32(array.offsetValue(array.offset + i) - first), toByteOffset: 4 * i, as: Int32.self)
                }
            })
        }
        return first ..< last
    }
}
