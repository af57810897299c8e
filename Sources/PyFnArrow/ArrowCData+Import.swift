import CArrowData

extension ArrowCData {
    /// Imports an array produced elsewhere. The schema is read and released; the array is moved
    /// (the caller's struct is marked released) and its buffers are used in place until the last
    /// Swift array sharing them goes away, when the producer's `release` runs.
    public static func importArray(schema: UnsafeMutablePointer<CArrowSchema>,
                                   array: UnsafeMutablePointer<CArrowArray>) throws -> (ArrowField, ArrowArray) {
        defer { schema.pointee.release?(schema) }
        guard array.pointee.release != nil else { throw ArrowIPCError("C Data Interface array is already released") }
        let owner = ImportedArrayOwner(moving: array)
        guard schema.pointee.release != nil else { throw ArrowIPCError("C Data Interface schema is already released") }
        let field = try importField(schema, path: "", depth: 0)
        return (field, try importArray(owner.array, as: field.type, owner: owner, path: field.name, depth: 0))
    }

    /// Imports a struct array (as pyarrow's `RecordBatch._export_to_c` produces) as a record batch.
    public static func importBatch(schema: UnsafeMutablePointer<CArrowSchema>,
                                   array: UnsafeMutablePointer<CArrowArray>) throws -> RecordBatch {
        let (field, array) = try importArray(schema: schema, array: array)
        guard case .struct(let fields) = field.type, array.nullCount == 0 else {
            throw ArrowIPCError("a record batch must be imported from a struct array without nulls, not \(field.type)")
        }
        return RecordBatch(unchecked: ArrowSchema(fields, metadata: field.metadata),
                           columns: fields.indices.map { array.structField($0) }, length: array.length)
    }

    private static func importField(_ schema: UnsafeMutablePointer<CArrowSchema>, path: String, depth: Int) throws -> ArrowField {
        let c = schema.pointee
        guard let formatPointer = c.format else { throw ArrowIPCError("C Data Interface schema has no format", field: path) }
        let name = c.name.map { String(cString: $0) } ?? ""
        let here = path.isEmpty ? name : "\(path).\(name)"
        guard depth < IPCFormat.maximumNestingDepth else {
            throw ArrowIPCError("nesting deeper than \(IPCFormat.maximumNestingDepth) levels", field: here)
        }
        guard c.dictionary == nil else {
            throw ArrowIPCError("dictionary-encoded arrays are not supported", field: here)
        }
        guard c.n_children >= 0, c.n_children == 0 || c.children != nil else {
            throw ArrowIPCError("C Data Interface schema has a bad child count \(c.n_children)", field: here)
        }
        let children = try (0 ..< Int(c.n_children)).map { i in
            guard let child = c.children[i] else { throw ArrowIPCError("C Data Interface schema child \(i) is null", field: here) }
            return try importField(child, path: here, depth: depth + 1)
        }
        do {
            let type = try ArrowCDataFormat.type(of: String(cString: formatPointer), children: children,
                                                 keysSorted: c.flags & Int64(ARROW_FLAG_MAP_KEYS_SORTED) != 0)
            return ArrowField(name, type, nullable: c.flags & Int64(ARROW_FLAG_NULLABLE) != 0,
                              metadata: try c.metadata.map(ArrowCDataFormat.decode) ?? [:])
        } catch let error as ArrowIPCError {
            throw error.locating(field: here)
        }
    }

    private static func importArray(_ c: CArrowArray, as type: ArrowType, owner: ImportedArrayOwner,
                                     path: String, depth: Int) throws -> ArrowArray {
        guard c.length >= 0, c.length <= Int64(Int32.max), c.offset >= 0, c.offset <= Int64(Int32.max) - c.length,
              c.null_count >= -1, c.null_count <= c.length else {
            throw ArrowIPCError("C Data Interface array has length \(c.length), offset \(c.offset), "
                                + "null count \(c.null_count)", field: path)
        }
        let length = Int(c.length), offset = Int(c.offset), end = length + offset
        if case .null = type { return .nulls(length) }
        let layoutBuffers: Int
        switch type.layout {
        case .null: layoutBuffers = 0
        case .bitmap, .fixedWidth, .list: layoutBuffers = 1
        case .variableBinary: layoutBuffers = 2
        case .struct: layoutBuffers = 0
        }
        guard c.n_buffers == Int64(layoutBuffers + 1), c.buffers != nil else {
            throw ArrowIPCError("C Data Interface \(type) array has \(c.n_buffers) buffers, expected \(layoutBuffers + 1)",
                                field: path)
        }
        guard c.n_children == Int64(type.children.count), c.n_children == 0 || c.children != nil else {
            throw ArrowIPCError("C Data Interface \(type) array has \(c.n_children) children", field: path)
        }
        func buffer(_ i: Int, bytes: Int) throws -> ArrowBuffer {
            guard let pointer = c.buffers[i] else {
                guard bytes == 0 else { throw ArrowIPCError("C Data Interface buffer \(i) is null", field: path) }
                return .empty
            }
            return ArrowBuffer(storage: ArrowBufferStorage(foreign: pointer, byteCount: bytes, owner: owner))
        }
        let validity = c.buffers[0] == nil ? nil : try buffer(0, bytes: Bitmap.byteCount(bits: end))
        var nullCount = Int(c.null_count)
        if nullCount == -1 {
            nullCount = validity.map { length - Bitmap.countSet($0.start, offset: offset, count: length) } ?? 0
        }
        guard nullCount == 0 || validity != nil else {
            throw ArrowIPCError("C Data Interface array has \(nullCount) nulls but no validity buffer", field: path)
        }
        func child(_ i: Int) throws -> ArrowArray {
            guard let pointer = c.children[i] else { throw ArrowIPCError("C Data Interface child \(i) is null", field: path) }
            let field = type.children[i]
            return try importArray(pointer.pointee, as: field.type, owner: owner, path: "\(path).\(field.name)", depth: depth + 1)
        }
        func offsets() throws -> ArrowBuffer {
            let offsets = length == 0 && c.buffers[1] == nil ? ArrowBuffer.copying([Int32(0)]) : try buffer(1, bytes: (end + 1) * 4)
            try Offsets.check(offsets, first: length == 0 && c.buffers[1] == nil ? 0 : offset, count: length + 1)
            return offsets
        }
        func assemble(_ buffers: [ArrowBuffer], _ children: [ArrowArray] = [], offset: Int = offset) -> ArrowArray {
            ArrowArray(type: type, length: length, nullCount: nullCount, offset: offset, validity: validity,
                       buffers: buffers, children: children)
        }
        switch type.layout {
        case .null:
            return .nulls(length)
        case .bitmap:
            return assemble([try buffer(1, bytes: Bitmap.byteCount(bits: end))])
        case .fixedWidth(let width):
            return assemble([try buffer(1, bytes: end * width)])
        case .variableBinary:
            let offsets = try offsets()
            let dataEnd = length == 0 ? 0 : Int(offsets.load(end, as: Int32.self))
            return assemble([offsets, try buffer(2, bytes: dataEnd)])
        case .list:
            let offsets = try offsets()
            let items = try child(0)
            let last = length == 0 ? 0 : Int(offsets.load(end, as: Int32.self))
            guard last <= items.length else {
                throw ArrowIPCError("last offset \(last) is past the \(items.length) child rows", field: path)
            }
            return assemble([offsets], [items])
        case .struct:
            let children = try type.children.indices.map(child)
            for array in children where array.length < end {
                throw ArrowIPCError("struct child has \(array.length) rows, fewer than offset + length \(end)", field: path)
            }
            return assemble([], children)
        }
    }

    /// Owns a moved C array; runs the producer's `release` when the last buffer using it goes away.
    private final class ImportedArrayOwner: @unchecked Sendable {
        private let moved: UnsafeMutablePointer<CArrowArray>

        init(moving source: UnsafeMutablePointer<CArrowArray>) {
            moved = .allocate(capacity: 1)
            moved.initialize(to: source.pointee)
            source.pointee.release = nil
        }

        var array: CArrowArray { moved.pointee }

        deinit {
            moved.pointee.release?(moved)
            moved.deallocate()
        }
    }
}
