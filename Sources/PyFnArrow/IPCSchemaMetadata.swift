/// The Schema flatbuffer, both ways: `ArrowSchema` → table for the writer, table → `ArrowSchema`
/// (checked) for the reader.
enum IPCSchemaMetadata {
    // MARK: - Encoding

    static func encode(_ schema: ArrowSchema) -> FlatBufferTable {
        var table = FlatBufferTable()
        table.set(IPCFormat.SchemaSlot.endianness, .int16(0))
        table.set(IPCFormat.SchemaSlot.fields, .tables(schema.fields.map(encode)))
        if !schema.metadata.isEmpty { table.set(IPCFormat.SchemaSlot.metadata, encode(schema.metadata)) }
        return table
    }

    private static func encode(_ field: ArrowField) -> FlatBufferTable {
        let (tag, typeTable) = encode(field.type)
        var table = FlatBufferTable()
        table.set(IPCFormat.FieldSlot.name, .string(field.name))
        table.set(IPCFormat.FieldSlot.nullable, .bool(field.nullable))
        table.set(IPCFormat.FieldSlot.typeType, .uint8(tag.rawValue))
        table.set(IPCFormat.FieldSlot.type, .table(typeTable))
        table.set(IPCFormat.FieldSlot.children, .tables(field.type.children.map(encode)))
        if !field.metadata.isEmpty { table.set(IPCFormat.FieldSlot.metadata, encode(field.metadata)) }
        return table
    }

    private static func encode(_ type: ArrowType) -> (IPCFormat.TypeTag, FlatBufferTable) {
        var table = FlatBufferTable()
        func integer(_ bits: Int32) -> (IPCFormat.TypeTag, FlatBufferTable) {
            table.set(0, .int32(bits))
            table.set(1, .bool(true))
            return (.int, table)
        }
        func time(_ unit: ArrowTimeUnit, _ bits: Int32) -> (IPCFormat.TypeTag, FlatBufferTable) {
            table.set(0, .int16(unit.ipcValue))
            table.set(1, .int32(bits))
            return (.time, table)
        }
        switch type {
        case .null: return (.null, table)
        case .boolean: return (.bool, table)
        case .int8: return integer(8)
        case .int16: return integer(16)
        case .int32: return integer(32)
        case .int64: return integer(64)
        case .float32, .float64:
            table.set(0, .int16(type == .float32 ? 1 : 2))
            return (.floatingPoint, table)
        case .decimal128(let precision, let scale):
            table.set(0, .int32(Int32(precision)))
            table.set(1, .int32(Int32(scale)))
            table.set(2, .int32(128))
            return (.decimal, table)
        case .utf8: return (.utf8, table)
        case .binary: return (.binary, table)
        case .date32:
            table.set(0, .int16(0))
            return (.date, table)
        case .time32(let unit): return time(unit, 32)
        case .time64(let unit): return time(unit, 64)
        case .timestamp(let unit, let zone):
            table.set(0, .int16(unit.ipcValue))
            if let zone { table.set(1, .string(zone)) }
            return (.timestamp, table)
        case .list: return (.list, table)
        case .map(_, let keysSorted):
            table.set(0, .bool(keysSorted))
            return (.map, table)
        case .struct: return (.structType, table)
        }
    }

    private static func encode(_ metadata: [String: String]) -> FlatBufferValue {
        .tables(metadata.sorted { $0.key < $1.key }.map { key, value in
            var pair = FlatBufferTable()
            pair.set(0, .string(key))
            pair.set(1, .string(value))
            return pair
        })
    }

    // MARK: - Decoding

    static func decode(_ table: FlatTable) throws -> ArrowSchema {
        let endianness = try table.integer(IPCFormat.SchemaSlot.endianness, default: Int16(0))
        guard endianness == 0 else { throw ArrowIPCError("big-endian streams are not supported") }
        var budget = IPCFormat.maximumFieldCount
        let fields = try table.tables(IPCFormat.SchemaSlot.fields).map {
            try decodeField($0, path: "", depth: 0, budget: &budget)
        }
        return ArrowSchema(fields, metadata: try decodeMetadata(table, slot: IPCFormat.SchemaSlot.metadata))
    }

    private static func decodeField(_ table: FlatTable, path parent: String, depth: Int,
                                    budget: inout Int) throws -> ArrowField {
        budget -= 1
        guard budget >= 0 else { throw ArrowIPCError("schema has more than \(IPCFormat.maximumFieldCount) fields") }
        let name = try table.string(IPCFormat.FieldSlot.name) ?? ""
        let path = parent.isEmpty ? name : "\(parent).\(name)"
        do {
            guard depth < IPCFormat.maximumNestingDepth else {
                throw ArrowIPCError("nesting deeper than \(IPCFormat.maximumNestingDepth) levels")
            }
            guard try !table.has(IPCFormat.FieldSlot.dictionary) else {
                throw ArrowIPCError("dictionary-encoded fields are not supported")
            }
            let children = try table.tables(IPCFormat.FieldSlot.children).map {
                try decodeField($0, path: path, depth: depth + 1, budget: &budget)
            }
            let tag = try table.integer(IPCFormat.FieldSlot.typeType, default: UInt8(0))
            guard let typeTable = try table.table(IPCFormat.FieldSlot.type) else {
                throw ArrowIPCError("field has no type")
            }
            let type = try decodeType(tag: tag, typeTable, children: children)
            return ArrowField(name, type, nullable: try table.bool(IPCFormat.FieldSlot.nullable, default: false),
                              metadata: try decodeMetadata(table, slot: IPCFormat.FieldSlot.metadata))
        } catch let error as ArrowIPCError {
            throw error.locating(field: path)
        }
    }

    private static func decodeType(tag rawTag: UInt8, _ table: FlatTable, children: [ArrowField]) throws -> ArrowType {
        guard let tag = IPCFormat.TypeTag(rawValue: rawTag) else { throw ArrowIPCError("unknown type tag \(rawTag)") }
        func expectChildren(_ count: Int) throws {
            guard children.count == count else {
                throw ArrowIPCError("\(tag) type needs \(count) child field(s), found \(children.count)")
            }
        }
        func timeUnit(default defaultValue: Int16) throws -> ArrowTimeUnit {
            let raw = try table.integer(0, default: defaultValue)
            guard let unit = ArrowTimeUnit(ipcValue: raw) else { throw ArrowIPCError("unknown time unit \(raw)") }
            return unit
        }
        if tag != .list && tag != .map && tag != .structType { try expectChildren(0) }
        switch tag {
        case .null: return .null
        case .bool: return .boolean
        case .utf8: return .utf8
        case .binary: return .binary
        case .int:
            let bits = try table.integer(0, default: Int32(0))
            guard try table.bool(1, default: false) else { throw ArrowIPCError("unsigned integers are not supported") }
            switch bits {
            case 8: return .int8
            case 16: return .int16
            case 32: return .int32
            case 64: return .int64
            default: throw ArrowIPCError("integer bit width \(bits) is invalid")
            }
        case .floatingPoint:
            switch try table.integer(0, default: Int16(0)) {
            case 1: return .float32
            case 2: return .float64
            case 0: throw ArrowIPCError("half-precision floats are not supported")
            case let p: throw ArrowIPCError("unknown float precision \(p)")
            }
        case .decimal:
            let precision = try table.integer(0, default: Int32(0))
            let scale = try table.integer(1, default: Int32(0))
            let bits = try table.integer(2, default: Int32(128))
            guard bits == 128 else { throw ArrowIPCError("decimal\(bits) is not supported (only decimal128)") }
            guard (1...38).contains(precision) else { throw ArrowIPCError("decimal128 precision \(precision) is invalid") }
            return .decimal128(precision: Int(precision), scale: Int(scale))
        case .date:
            guard try table.integer(0, default: Int16(1)) == 0 else { throw ArrowIPCError("date64 is not supported") }
            return .date32
        case .time:
            let unit = try timeUnit(default: 1)
            let bits = try table.integer(1, default: Int32(32))
            switch (bits, unit) {
            case (32, .second), (32, .millisecond): return .time32(unit)
            case (64, .microsecond), (64, .nanosecond): return .time64(unit)
            default: throw ArrowIPCError("time\(bits) with unit \(unit.symbol) is invalid")
            }
        case .timestamp:
            return .timestamp(try timeUnit(default: 0), timezone: try table.string(1))
        case .list:
            try expectChildren(1)
            return .list(children[0])
        case .map:
            try expectChildren(1)
            guard case .struct(let pair) = children[0].type, pair.count == 2 else {
                throw ArrowIPCError("map entries must be a struct of key and value")
            }
            return .map(children[0], keysSorted: try table.bool(0, default: false))
        case .structType:
            return .struct(children)
        default:
            throw ArrowIPCError("\(tag) type is not supported")
        }
    }

    private static func decodeMetadata(_ table: FlatTable, slot: Int) throws -> [String: String] {
        var metadata: [String: String] = [:]
        for pair in try table.tables(slot) {
            metadata[try pair.string(0) ?? ""] = try pair.string(1) ?? ""
        }
        return metadata
    }
}
