import CArrowData
import Synchronization

/// The C Data Interface `struct ArrowSchema`.
public typealias CArrowSchema = CArrowData.ArrowSchema
/// The C Data Interface `struct ArrowArray`.
public typealias CArrowArray = CArrowData.ArrowArray

/// Hands arrays to and takes arrays from other Arrow implementations (e.g. pyarrow's
/// `_import_from_c` / `_export_to_c`) through the Arrow C Data Interface, without copying buffers.
public enum ArrowCData {
    /// Exports that have not been released yet (for leak checks).
    static let liveExports = Atomic<Int>(0)

    // MARK: - Export

    /// Fills the consumer-provided structs with `array` described as `field`. The buffers stay alive
    /// until the consumer calls the array's `release`; the schema has its own `release`.
    public static func export(_ array: ArrowArray, field: ArrowField,
                              schema: UnsafeMutablePointer<CArrowSchema>, array out: UnsafeMutablePointer<CArrowArray>) {
        precondition(array.type == field.type, "exporting a \(array.type) array as a \(field.type) field")
        exportSchema(field, into: schema)
        exportArray(array, into: out)
    }

    /// Exports `array` into newly allocated structs. After calling (or having the consumer call) both
    /// `release` callbacks, free the structs themselves with `deallocate()`.
    public static func exportArray(_ array: ArrowArray, field: ArrowField)
        -> (schema: UnsafeMutablePointer<CArrowSchema>, array: UnsafeMutablePointer<CArrowArray>) {
        let schema = UnsafeMutablePointer<CArrowSchema>.allocate(capacity: 1)
        let out = UnsafeMutablePointer<CArrowArray>.allocate(capacity: 1)
        export(array, field: field, schema: schema, array: out)
        return (schema, out)
    }

    /// Exports a record batch as a struct array (what pyarrow's `RecordBatch._import_from_c` expects).
    public static func exportBatch(_ batch: RecordBatch)
        -> (schema: UnsafeMutablePointer<CArrowSchema>, array: UnsafeMutablePointer<CArrowArray>) {
        let type = ArrowType.struct(batch.schema.fields)
        let array = ArrowArray(type: type, length: batch.length, nullCount: 0, validity: nil, buffers: [],
                               children: batch.columns)
        return exportArray(array, field: ArrowField("", type, nullable: false, metadata: batch.schema.metadata))
    }

    private static func exportSchema(_ field: ArrowField, into schema: UnsafeMutablePointer<CArrowSchema>) {
        let owner = ExportedSchema(field)
        var flags: Int64 = 0
        if field.nullable { flags |= Int64(ARROW_FLAG_NULLABLE) }
        if case .map(_, true) = field.type { flags |= Int64(ARROW_FLAG_MAP_KEYS_SORTED) }
        schema.initialize(to: CArrowSchema(
            format: UnsafePointer(owner.format), name: UnsafePointer(owner.name),
            metadata: owner.metadata.map { UnsafePointer($0) }, flags: flags,
            n_children: Int64(owner.childCount), children: owner.children, dictionary: nil,
            release: { schema in ArrowCData.releaseSchema(schema) },
            private_data: Unmanaged.passRetained(owner).toOpaque()))
    }

    private static func exportArray(_ array: ArrowArray, into out: UnsafeMutablePointer<CArrowArray>) {
        let owner = ExportedArray(array)
        out.initialize(to: CArrowArray(
            length: Int64(array.length), null_count: Int64(array.nullCount), offset: Int64(array.offset),
            n_buffers: Int64(owner.bufferCount), n_children: Int64(owner.childCount),
            buffers: owner.buffers, children: owner.children, dictionary: nil,
            release: { array in ArrowCData.releaseArray(array) },
            private_data: Unmanaged.passRetained(owner).toOpaque()))
    }

    private static func releaseSchema(_ schema: UnsafeMutablePointer<CArrowSchema>?) {
        guard let schema, let owner = schema.pointee.private_data else { return }
        Unmanaged<ExportedSchema>.fromOpaque(owner).release()
        schema.pointee.release = nil
        schema.pointee.private_data = nil
    }

    private static func releaseArray(_ array: UnsafeMutablePointer<CArrowArray>?) {
        guard let array, let owner = array.pointee.private_data else { return }
        Unmanaged<ExportedArray>.fromOpaque(owner).release()
        array.pointee.release = nil
        array.pointee.private_data = nil
    }

    /// The strings and child structs of one exported schema; freed (children released first) on deinit.
    private final class ExportedSchema {
        let format: UnsafeMutablePointer<CChar>
        let name: UnsafeMutablePointer<CChar>
        let metadata: UnsafeMutablePointer<CChar>?
        let childCount: Int
        let children: UnsafeMutablePointer<UnsafeMutablePointer<CArrowSchema>?>?

        init(_ field: ArrowField) {
            format = duplicate(Array(ArrowCDataFormat.format(of: field.type).utf8) + [0])
            name = duplicate(Array(field.name.utf8) + [0])
            metadata = field.metadata.isEmpty ? nil : duplicate(ArrowCDataFormat.encode(field.metadata))
            let fields = field.type.children
            childCount = fields.count
            children = fields.isEmpty ? nil : .allocate(capacity: fields.count)
            for (i, child) in fields.enumerated() {
                let schema = UnsafeMutablePointer<CArrowSchema>.allocate(capacity: 1)
                ArrowCData.exportSchema(child, into: schema)
                children![i] = schema
            }
        }

        deinit {
            ArrowCData.freeChildren(children, count: childCount) { $0.pointee.release?($0) }
            format.deallocate()
            name.deallocate()
            metadata?.deallocate()
        }
    }

    /// Releases and frees the `count` child structs of an export's pointer table, then the table.
    fileprivate static func freeChildren<Child>(_ children: UnsafeMutablePointer<UnsafeMutablePointer<Child>?>?, count: Int,
                                                release: (UnsafeMutablePointer<Child>) -> Void) {
        for i in 0 ..< count {
            let child = children![i]!
            release(child)
            child.deallocate()
        }
        children?.deallocate()
    }

    /// Keeps an exported array's buffers alive and owns its pointer tables and child structs.
    private final class ExportedArray {
        let array: ArrowArray
        let bufferCount: Int
        let buffers: UnsafeMutablePointer<UnsafeRawPointer?>
        let childCount: Int
        let children: UnsafeMutablePointer<UnsafeMutablePointer<CArrowArray>?>?

        init(_ array: ArrowArray) {
            self.array = array
            var pointers: [UnsafeRawPointer?] = []
            if array.type != .null { pointers.append(array.validity?.start) }
            pointers += array.buffers.map { $0.start }
            bufferCount = pointers.count
            buffers = .allocate(capacity: max(pointers.count, 1))
            buffers.initialize(from: pointers, count: pointers.count)
            childCount = array.children.count
            children = array.children.isEmpty ? nil : .allocate(capacity: array.children.count)
            for (i, child) in array.children.enumerated() {
                let out = UnsafeMutablePointer<CArrowArray>.allocate(capacity: 1)
                ArrowCData.exportArray(child, into: out)
                children![i] = out
            }
            ArrowCData.liveExports.add(1, ordering: .relaxed)
        }

        deinit {
            ArrowCData.freeChildren(children, count: childCount) { $0.pointee.release?($0) }
            buffers.deallocate()
            ArrowCData.liveExports.subtract(1, ordering: .relaxed)
        }
    }
}

/// A heap copy of `bytes` as a C string.
private func duplicate(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
    bytes.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(pointer).copyMemory(from: raw.baseAddress!, byteCount: bytes.count)
    }
    return pointer
}
