/// Incremental reader of one IPC stream: feed bytes as they arrive (any chunking), pull decoded batches.
/// Each record batch body is copied once into aligned storage its columns share; nothing else is copied.
/// Malformed input throws an `ArrowIPCError` naming the message, byte offset and field.
public struct ArrowStreamReader: Sendable {
    /// The stream's schema, once its schema message has been read.
    public private(set) var schema: ArrowSchema?
    /// Whether the end-of-stream marker has been read.
    public private(set) var isFinished = false
    /// Bytes appended after the end-of-stream marker had been read (they are not kept).
    private var bytesAfterEnd = 0

    /// Received bytes not yet decoded start at `pending[cursor]`.
    private var pending: [UInt8] = []
    private var cursor = 0
    /// The stream offset of `pending[cursor]`.
    private var streamOffset = 0
    private var messageIndex = 0
    /// Bytes the next message needs, once known (so partial messages are not re-parsed on every call).
    private var awaitedBytes = 8

    /// Creates a reader waiting for the schema message.
    public init() {}

    /// Adds received bytes (no copy when nothing is pending).
    public mutating func append(_ bytes: [UInt8]) {
        guard !isFinished else { bytesAfterEnd += bytes.count; return }
        if cursor == pending.count {
            pending = bytes
            cursor = 0
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    /// Adds received bytes from any collection (e.g. Foundation `Data`).
    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard !isFinished else { bytesAfterEnd += bytes.count; return }
        if cursor == pending.count {
            pending = Array(bytes)
            cursor = 0
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    /// How many more bytes the message being read needs at least (0 when a message can be read now): a reader of a
    /// file reads that many at once rather than appending small chunks to a growing buffer.
    public var bytesAwaited: Int { max(0, awaitedBytes - (pending.count - cursor)) }

    /// The next record batch; nil when more bytes are needed or the stream has ended (`isFinished`).
    public mutating func nextBatch() throws -> RecordBatch? {
        while !isFinished && pending.count - cursor >= awaitedBytes {
            let step: MessageStep
            do {
                step = try pending.withUnsafeBytes { raw in
                    try Self.readMessage(UnsafeRawBufferPointer(rebasing: raw[cursor...]), schema: schema)
                }
            } catch let error as ArrowIPCError {
                throw error.locating(messageIndex: messageIndex, byteOffset: streamOffset)
            }
            switch step {
            case .needBytes(let count):
                awaitedBytes = count
                return nil
            case .schema(let decoded, let size):
                schema = decoded
                consume(size)
            case .batch(let batch, let size):
                consume(size)
                return batch
            case .end(let size):
                consume(size)
                isFinished = true
            }
        }
        return nil
    }

    /// The schema and every batch of a complete stream; throws if it is truncated, lacks the
    /// end-of-stream marker or has bytes after it.
    public static func decode(_ bytes: [UInt8]) throws -> (ArrowSchema, [RecordBatch]) {
        var reader = ArrowStreamReader()
        reader.append(bytes)
        var batches: [RecordBatch] = []
        while let batch = try reader.nextBatch() { batches.append(batch) }
        return (try reader.checkEnded(), batches)
    }

    /// Once every byte has been appended and every batch read: the schema of a stream that ended properly;
    /// throws if it is truncated, lacks the end-of-stream marker or has bytes after it.
    public func checkEnded() throws -> ArrowSchema {
        let remaining = pending.count - cursor
        guard isFinished else {
            let reason = remaining == 0
                ? "stream ended without the end-of-stream marker"
                : "stream is truncated: the message needs \(awaitedBytes) bytes, only \(remaining) remain"
            throw ArrowIPCError(reason, messageIndex: messageIndex, byteOffset: streamOffset)
        }
        guard remaining + bytesAfterEnd == 0 else {
            throw ArrowIPCError("\(remaining + bytesAfterEnd) bytes follow the end-of-stream marker",
                                messageIndex: messageIndex, byteOffset: streamOffset)
        }
        guard let schema else {
            throw ArrowIPCError("stream ended before its schema message", messageIndex: 0, byteOffset: 0)
        }
        return schema
    }

    /// Moves past a decoded message of `size` bytes, dropping consumed bytes now and then.
    private mutating func consume(_ size: Int) {
        cursor += size
        streamOffset += size
        messageIndex += 1
        awaitedBytes = 8
        if cursor == pending.count {
            pending = []
            cursor = 0
        } else if cursor >= 1 << 16 && cursor * 2 >= pending.count {
            pending = Array(pending[cursor...])  // copies only the remainder, even when `pending` is shared
            cursor = 0
        }
    }

    // MARK: - One message

    private enum MessageStep {
        case needBytes(Int)
        case schema(ArrowSchema, size: Int)
        case batch(RecordBatch, size: Int)
        case end(size: Int)
    }

    /// Reads the message at the start of `bytes`: continuation marker, metadata length, Message
    /// flatbuffer, body.
    private static func readMessage(_ bytes: UnsafeRawBufferPointer, schema: ArrowSchema?) throws -> MessageStep {
        let marker = UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))
        guard marker == IPCFormat.continuationMarker else {
            throw ArrowIPCError("expected the continuation marker 0xFFFFFFFF, found 0x"
                                + String(marker, radix: 16, uppercase: true))
        }
        let metadataLength = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self)))
        if metadataLength == 0 { return .end(size: 8) }
        guard metadataLength > 0 else { throw ArrowIPCError("negative metadata length \(metadataLength)") }
        guard bytes.count - 8 >= metadataLength else { return .needBytes(8 + metadataLength) }

        let reader = FlatBufferReader(bytes: UnsafeRawBufferPointer(rebasing: bytes[8 ..< 8 + metadataLength]))
        let message = try reader.root()
        let version = try message.integer(IPCFormat.MessageSlot.version, default: Int16(0))
        guard version == IPCFormat.metadataVersionV5 || version == IPCFormat.metadataVersionV4 else {
            throw ArrowIPCError("metadata version V\(Int(version) + 1) is not supported (V4 and V5 are)")
        }
        let bodyLength = try message.integer(IPCFormat.MessageSlot.bodyLength, default: Int64(0))
        guard bodyLength >= 0, bodyLength <= Int64(Int.max - 8 - metadataLength) else {
            throw ArrowIPCError("body length \(bodyLength) is out of range")
        }
        let size = 8 + metadataLength + Int(bodyLength)
        guard bytes.count >= size else { return .needBytes(size) }

        let tag = try message.integer(IPCFormat.MessageSlot.headerType, default: UInt8(0))
        guard let header = try message.table(IPCFormat.MessageSlot.header) else {
            throw ArrowIPCError("message has no header")
        }
        switch IPCFormat.MessageHeader(rawValue: tag) {
        case .schema:
            guard schema == nil else { throw ArrowIPCError("a second schema message") }
            return .schema(try IPCSchemaMetadata.decode(header), size: size)
        case .recordBatch:
            guard let schema else { throw ArrowIPCError("record batch before the schema message") }
            let body = ArrowBuffer.copying(UnsafeRawBufferPointer(rebasing: bytes[8 + metadataLength ..< size]))
            return .batch(try RecordBatchDecoder.decode(header, body: body, schema: schema), size: size)
        case .dictionaryBatch:
            throw ArrowIPCError("dictionary batches (dictionary-encoded columns) are not supported")
        case .tensor, .sparseTensor:
            throw ArrowIPCError("tensor messages are not supported in a record batch stream")
        case nil:
            throw ArrowIPCError("unknown message header type \(tag)")
        }
    }
}
