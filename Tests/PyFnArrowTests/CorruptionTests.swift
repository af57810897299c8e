import Testing
@testable import PyFnArrow

/// Hand-framed streams whose metadata lies in one specific way.
private enum Forge {
    static func message(_ type: IPCFormat.MessageHeader, _ header: FlatBufferTable, body: [UInt8] = [],
                        bodyLength: Int? = nil, version: Int16 = IPCFormat.metadataVersionV5) -> [UInt8] {
        var message = FlatBufferTable()
        message.set(IPCFormat.MessageSlot.version, .int16(version))
        message.set(IPCFormat.MessageSlot.headerType, .uint8(type.rawValue))
        message.set(IPCFormat.MessageSlot.header, .table(header))
        message.set(IPCFormat.MessageSlot.bodyLength, .int64(Int64(bodyLength ?? body.count)))
        let metadata = FlatBufferWriter.serialize(message)
        return le(UInt32.max) + le(UInt32(metadata.count)) + metadata + body
    }

    static func le<T: FixedWidthInteger>(_ x: T) -> [UInt8] { withUnsafeBytes(of: x.littleEndian) { Array($0) } }

    static func schema(_ fields: [ArrowField]) -> [UInt8] {
        message(.schema, IPCSchemaMetadata.encode(ArrowSchema(fields)))
    }

    /// A record batch message with the given nodes (length, nulls) and buffers (offset, length) over `body`.
    static func batch(length: Int, nodes: [(Int64, Int64)], buffers: [(Int64, Int64)], body: [UInt8],
                      extra: (inout FlatBufferTable) -> Void = { _ in }) -> [UInt8] {
        var header = FlatBufferTable()
        header.set(IPCFormat.RecordBatchSlot.length, .int64(Int64(length)))
        header.set(IPCFormat.RecordBatchSlot.nodes, .structs(bytes: nodes.flatMap { le($0.0) + le($0.1) }, count: nodes.count, alignment: 8))
        header.set(IPCFormat.RecordBatchSlot.buffers, .structs(bytes: buffers.flatMap { le($0.0) + le($0.1) }, count: buffers.count, alignment: 8))
        extra(&header)
        return message(.recordBatch, header, body: body)
    }

    static let end: [UInt8] = le(UInt32.max) + le(UInt32(0))

    static func utf8Body(offsets: [Int32], data: [UInt8]) -> (body: [UInt8], buffers: [(Int64, Int64)]) {
        let offsetBytes = offsets.flatMap { le($0) }
        let padded = offsetBytes + [UInt8](repeating: 0, count: (8 - offsetBytes.count % 8) % 8)
        return (padded + data, [(0, 0), (0, Int64(offsetBytes.count)), (Int64(padded.count), Int64(data.count))])
    }
}

@Suite("corrupt streams throw meaningful errors")
struct CorruptionTests {
    private func expectError(_ bytes: [UInt8], _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ArrowStreamReader.decode(bytes)
            Issue.record("decoded a corrupt stream", sourceLocation: sourceLocation)
        } catch let error as ArrowIPCError {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    private let valid: [UInt8] = {
        let schema = ArrowSchema([ArrowField("id", .int64), ArrowField("name", .utf8)])
        let batch = try! RecordBatch(schema: schema, columns: [.int64([1, 2, 3]), .utf8(["a", nil, "ccc"])])
        return try! ArrowStreamWriter.encode([batch, batch], schema: schema)
    }()

    @Test func validStreamDecodes() throws {
        let (_, batches) = try ArrowStreamReader.decode(valid)
        #expect(batches.count == 2)
        #expect(batches[1].columns[1].string(at: 2) == "ccc")
    }

    @Test func truncatedStreams() {
        expectError(Array(valid.prefix(valid.count - 8)), "without the end-of-stream marker", "message 3")
        expectError(Array(valid.prefix(valid.count - 20)), "truncated", "message 2")
        expectError(Array(valid.prefix(12)), "truncated", "message 0", "byte offset 0")
        expectError([], "without the end-of-stream marker")
    }

    @Test func wrongContinuationMarker() {
        var bytes = valid
        bytes[0] = 0xFE
        expectError(bytes, "continuation marker 0xFFFFFFFF, found 0xFFFFFFFE", "message 0")
        expectError(valid + [1, 2, 3], "follow the end-of-stream marker")
    }

    @Test func lyingMetadataLength() {
        var bytes = valid
        bytes.replaceSubrange(4 ..< 8, with: Forge.le(UInt32(1_000_000)))
        expectError(bytes, "truncated", "needs 1000008 bytes")
        bytes.replaceSubrange(4 ..< 8, with: Forge.le(Int32(-16)))
        expectError(bytes, "negative metadata length")
    }

    @Test func lyingLengthsAndOffsets() {
        let fields = [ArrowField("id", .int64)]
        // 5 rows need 40 bytes; the buffer has 16.
        expectError(Forge.schema(fields) + Forge.batch(length: 5, nodes: [(5, 0)], buffers: [(0, 0), (0, 16)],
                                                       body: [UInt8](repeating: 7, count: 16)) + Forge.end,
                    "int64 values buffer has 16 bytes, needs at least 40", "field 'id'", "message 1")
        // The buffer claims bytes past the body.
        expectError(Forge.schema(fields) + Forge.batch(length: 1, nodes: [(1, 0)], buffers: [(0, 0), (8, 64)],
                                                       body: [UInt8](repeating: 0, count: 16)) + Forge.end,
                    "lies outside the 16-byte body")
        // Missing nodes.
        expectError(Forge.schema(fields) + Forge.batch(length: 1, nodes: [], buffers: [], body: []) + Forge.end,
                    "field nodes")
        // Batch length disagrees with its column.
        expectError(Forge.schema(fields) + Forge.batch(length: 2, nodes: [(1, 0)], buffers: [(0, 0), (0, 8)],
                                                       body: [UInt8](repeating: 0, count: 8)) + Forge.end,
                    "record batch says 2")
        // Null count beyond the length.
        expectError(Forge.schema(fields) + Forge.batch(length: 1, nodes: [(1, 2)], buffers: [(0, 0), (0, 8)],
                                                       body: [UInt8](repeating: 0, count: 8)) + Forge.end,
                    "null count 2 is out of range")
    }

    @Test func utf8OffsetsOutOfRangeOrNotMonotonic() {
        let fields = [ArrowField("s", .utf8)]
        let past = Forge.utf8Body(offsets: [0, 2, 9], data: [65, 66, 67, 68])
        expectError(Forge.schema(fields) + Forge.batch(length: 2, nodes: [(2, 0)], buffers: past.buffers, body: past.body) + Forge.end,
                    "last offset 9 is past its 4 data bytes", "field 's'")
        let backwards = Forge.utf8Body(offsets: [0, 3, 1], data: [65, 66, 67, 68])
        expectError(Forge.schema(fields) + Forge.batch(length: 2, nodes: [(2, 0)], buffers: backwards.buffers, body: backwards.body) + Forge.end,
                    "offsets are not monotonic: offset 2 is 1")
        let negative = Forge.utf8Body(offsets: [-4, 1, 2], data: [65, 66, 67, 68])
        expectError(Forge.schema(fields) + Forge.batch(length: 2, nodes: [(2, 0)], buffers: negative.buffers, body: negative.body) + Forge.end,
                    "first offset -4 is negative")
        let listFields = [ArrowField("l", .list(ArrowField("item", .int8)))]
        let body: [UInt8] = [Int32(0), 1, 6, 0].flatMap { Forge.le($0) } + [1, 2, 3, 0, 0, 0, 0, 0]
        expectError(Forge.schema(listFields) + Forge.batch(length: 2, nodes: [(2, 0), (3, 0)],
                                                           buffers: [(0, 0), (0, 12), (0, 0), (16, 3)], body: body) + Forge.end,
                    "last offset 6 is past its 3 child rows", "field 'l'")
    }

    @Test func shortOrLyingBitmap() {
        let fields = [ArrowField("id", .int32)]
        var body = [UInt8](repeating: 0xFF, count: 8) + [UInt8](repeating: 1, count: 80)
        expectError(Forge.schema(fields) + Forge.batch(length: 20, nodes: [(20, 3)], buffers: [(0, 1), (8, 80)], body: body) + Forge.end,
                    "validity bitmap has 1 bytes, 20 rows need 3", "field 'id'")
        body[0] = 0b1111_1110
        expectError(Forge.schema(fields) + Forge.batch(length: 20, nodes: [(20, 3)], buffers: [(0, 3), (8, 80)], body: body) + Forge.end,
                    "null count 3 disagrees with the validity bitmap (1 nulls)")
    }

    @Test func unsupportedFeatures() {
        let fields = [ArrowField("id", .int64)]
        let compressed = Forge.batch(length: 1, nodes: [(1, 0)], buffers: [(0, 0), (0, 8)], body: [UInt8](repeating: 0, count: 8)) {
            var codec = FlatBufferTable()
            codec.set(0, .uint8(0))
            $0.set(IPCFormat.RecordBatchSlot.compression, .table(codec))
        }
        expectError(Forge.schema(fields) + compressed + Forge.end, "compressed record batch bodies")
        expectError(Forge.schema(fields) + Forge.message(.dictionaryBatch, FlatBufferTable()) + Forge.end,
                    "dictionary batches", "not supported", "message 1")
        expectError(Forge.message(.schema, IPCSchemaMetadata.encode(ArrowSchema(fields)), version: 2) + Forge.end,
                    "metadata version V3 is not supported")
        expectError(Forge.batch(length: 0, nodes: [], buffers: [], body: []) + Forge.end, "record batch before the schema")
    }

    @Test func badFlatbufferOffsets() {
        var bytes = valid
        // The root offset of the first message's metadata points far outside it.
        bytes.replaceSubrange(8 ..< 12, with: Forge.le(UInt32(0x7FFF_0000)))
        expectError(bytes, "metadata flatbuffer", "message 0")
    }
}
