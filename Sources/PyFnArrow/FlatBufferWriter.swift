/// A FlatBuffers table to be written: field slots (their schema's declaration order) and values.
struct FlatBufferTable {
    fileprivate var fields: [(slot: Int, value: FlatBufferValue)] = []

    /// Sets field `slot`.
    mutating func set(_ slot: Int, _ value: FlatBufferValue) {
        fields.append((slot, value))
    }
}

/// A field value of a `FlatBufferTable`.
indirect enum FlatBufferValue {
    case bool(Bool)
    case uint8(UInt8)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case table(FlatBufferTable)
    case string(String)
    case tables([FlatBufferTable])
    /// A vector of inline structs: their little-endian bytes, element count and alignment.
    case structs(bytes: [UInt8], count: Int, alignment: Int)

    /// Bytes taken inside the table: the scalar itself, or a 4-byte offset.
    fileprivate var inlineSize: Int {
        switch self {
        case .bool, .uint8: return 1
        case .int16: return 2
        case .int32: return 4
        case .int64: return 8
        case .table, .string, .tables, .structs: return 4
        }
    }
}

/// Serializes a `FlatBufferTable` tree front to back: each table's vtable, then the table,
/// then the objects it points to (offsets always point forward, as FlatBuffers requires).
struct FlatBufferWriter {
    private var bytes: [UInt8] = []

    /// The buffer for `root`, padded to a multiple of 8 bytes.
    static func serialize(_ root: FlatBufferTable) -> [UInt8] {
        var writer = FlatBufferWriter()
        writer.bytes.reserveCapacity(256)
        writer.append(UInt32(0))
        let rootPosition = writer.write(root)
        writer.patchOffset(at: 0, to: rootPosition)
        writer.pad(to: 8)
        return writer.bytes
    }

    private mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func store<T: FixedWidthInteger>(_ value: T, at position: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { bytes[position + i] = byte }
        }
    }

    /// Points the uoffset at `position` to `target`.
    private mutating func patchOffset(at position: Int, to target: Int) {
        store(UInt32(target - position), at: position)
    }

    /// Writes a table (vtable first) and everything it references; returns the table's position.
    private mutating func write(_ table: FlatBufferTable) -> Int {
        // Inline layout: the soffset, then fields largest first so each is naturally aligned.
        let ordered = table.fields.sorted { $0.value.inlineSize > $1.value.inlineSize }
        var fieldOffsets: [Int: Int] = [:]
        var objectSize = 4
        for field in ordered {
            let size = field.value.inlineSize
            objectSize = (objectSize + size - 1) / size * size
            fieldOffsets[field.slot] = objectSize
            objectSize += size
        }
        let slotCount = (table.fields.map(\.slot).max() ?? -1) + 1

        pad(to: 2)
        let vtablePosition = bytes.count
        append(UInt16(4 + 2 * slotCount))
        append(UInt16(objectSize))
        for slot in 0 ..< slotCount { append(UInt16(fieldOffsets[slot] ?? 0)) }

        pad(to: ordered.contains { $0.value.inlineSize == 8 } ? 8 : 4)
        let tablePosition = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: objectSize))
        store(Int32(tablePosition - vtablePosition), at: tablePosition)

        for field in table.fields {
            let position = tablePosition + fieldOffsets[field.slot]!
            switch field.value {
            case .bool(let b): store(UInt8(b ? 1 : 0), at: position)
            case .uint8(let x): store(x, at: position)
            case .int16(let x): store(x, at: position)
            case .int32(let x): store(x, at: position)
            case .int64(let x): store(x, at: position)
            case .table(let child): patchOffset(at: position, to: write(child))
            case .string(let s): patchOffset(at: position, to: write(s))
            case .tables(let children): patchOffset(at: position, to: write(children))
            case .structs(let structBytes, let count, let alignment):
                patchOffset(at: position, to: writeStructs(structBytes, count: count, alignment: alignment))
            }
        }
        return tablePosition
    }

    private mutating func write(_ string: String) -> Int {
        pad(to: 4)
        let position = bytes.count
        let utf8 = Array(string.utf8)
        append(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
        bytes.append(0)
        return position
    }

    private mutating func write(_ tables: [FlatBufferTable]) -> Int {
        pad(to: 4)
        let position = bytes.count
        append(UInt32(tables.count))
        bytes.append(contentsOf: repeatElement(0, count: 4 * tables.count))
        for (i, table) in tables.enumerated() {
            patchOffset(at: position + 4 + 4 * i, to: write(table))
        }
        return position
    }

    private mutating func writeStructs(_ structBytes: [UInt8], count: Int, alignment: Int) -> Int {
        // The length prefix sits right before the first element, which must be aligned.
        let elementAlignment = max(alignment, 4)
        while (bytes.count + 4) % elementAlignment != 0 { bytes.append(0) }
        let position = bytes.count
        append(UInt32(count))
        bytes.append(contentsOf: structBytes)
        return position
    }
}
