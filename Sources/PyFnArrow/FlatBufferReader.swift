/// Bounds-checked reading of a FlatBuffers buffer; every bad offset or length throws.
struct FlatBufferReader {
    let bytes: UnsafeRawBufferPointer

    /// The root table (the uoffset at byte 0).
    func root() throws -> FlatTable {
        try FlatTable(self, at: try offsetTarget(at: 0))
    }

    /// An integer at `position`, checked to lie inside the buffer.
    func read<T: FixedWidthInteger>(_ position: Int, as type: T.Type) throws -> T {
        guard position >= 0, position <= bytes.count - MemoryLayout<T>.size else {
            throw ArrowIPCError("metadata flatbuffer: reading \(MemoryLayout<T>.size) bytes at \(position) "
                                + "overruns its \(bytes.count) bytes")
        }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// Where the uoffset stored at `position` points.
    func offsetTarget(at position: Int) throws -> Int {
        let target = position + Int(try read(position, as: UInt32.self))
        guard target < bytes.count else {
            throw ArrowIPCError("metadata flatbuffer: offset at \(position) points to \(target), past its \(bytes.count) bytes")
        }
        return target
    }

    /// The start and element count of the vector at `position`, checked to fit with `elementSize`-byte elements.
    func vector(at position: Int, elementSize: Int) throws -> (start: Int, count: Int) {
        let count = Int(try read(position, as: UInt32.self))
        let start = position + 4
        guard count <= (bytes.count - start) / elementSize else {
            throw ArrowIPCError("metadata flatbuffer: vector at \(position) claims \(count) elements of "
                                + "\(elementSize) bytes, past its \(bytes.count) bytes")
        }
        return (start, count)
    }
}

/// A table inside a `FlatBufferReader`, its vtable already checked.
struct FlatTable {
    let reader: FlatBufferReader
    let position: Int
    private let vtable: Int
    private let vtableSize: Int
    private let objectSize: Int

    init(_ reader: FlatBufferReader, at position: Int) throws {
        self.reader = reader
        self.position = position
        vtable = position - Int(try reader.read(position, as: Int32.self))
        vtableSize = Int(try reader.read(vtable, as: UInt16.self))
        objectSize = Int(try reader.read(vtable + 2, as: UInt16.self))
        guard vtableSize >= 4, vtableSize % 2 == 0, vtable + vtableSize <= reader.bytes.count,
              objectSize >= 4, position + objectSize <= reader.bytes.count else {
            throw ArrowIPCError("metadata flatbuffer: table at \(position) has a bad vtable at \(vtable)")
        }
    }

    /// The position of field `slot` of `size` bytes, nil when absent.
    private func field(_ slot: Int, size: Int) throws -> Int? {
        let entry = 4 + 2 * slot
        guard entry + 2 <= vtableSize else { return nil }
        let offset = Int(try reader.read(vtable + entry, as: UInt16.self))
        guard offset != 0 else { return nil }
        guard offset + size <= objectSize else {
            throw ArrowIPCError("metadata flatbuffer: field \(slot) of the table at \(position) lies outside the table")
        }
        return position + offset
    }

    /// An integer field, `defaultValue` when absent.
    func integer<T: FixedWidthInteger>(_ slot: Int, default defaultValue: T) throws -> T {
        guard let at = try field(slot, size: MemoryLayout<T>.size) else { return defaultValue }
        return try reader.read(at, as: T.self)
    }

    /// A bool field, `defaultValue` when absent.
    func bool(_ slot: Int, default defaultValue: Bool) throws -> Bool {
        try integer(slot, default: UInt8(defaultValue ? 1 : 0)) != 0
    }

    /// Whether field `slot` is present.
    func has(_ slot: Int) throws -> Bool {
        try field(slot, size: 1) != nil
    }

    /// A table field, nil when absent.
    func table(_ slot: Int) throws -> FlatTable? {
        guard let at = try field(slot, size: 4) else { return nil }
        return try FlatTable(reader, at: try reader.offsetTarget(at: at))
    }

    /// A string field, nil when absent (invalid UTF-8 is repaired).
    func string(_ slot: Int) throws -> String? {
        guard let at = try field(slot, size: 4) else { return nil }
        let (start, count) = try reader.vector(at: try reader.offsetTarget(at: at), elementSize: 1)
        return String(decoding: UnsafeRawBufferPointer(rebasing: reader.bytes[start ..< start + count]), as: UTF8.self)
    }

    /// A vector-of-tables field, empty when absent.
    func tables(_ slot: Int) throws -> [FlatTable] {
        guard let at = try field(slot, size: 4) else { return [] }
        let (start, count) = try reader.vector(at: try reader.offsetTarget(at: at), elementSize: 4)
        return try (0 ..< count).map { i in try FlatTable(reader, at: try reader.offsetTarget(at: start + 4 * i)) }
    }

    /// A vector-of-structs field as (first element position, count), nil when absent.
    func structs(_ slot: Int, elementSize: Int) throws -> (start: Int, count: Int)? {
        guard let at = try field(slot, size: 4) else { return nil }
        return try reader.vector(at: try reader.offsetTarget(at: at), elementSize: elementSize)
    }
}
