/// One allocation holding column bytes: either ours (64-byte aligned, freed on deinit) or
/// imported through the C Data Interface (kept alive by `owner`, which releases it).
final class ArrowBufferStorage: @unchecked Sendable {
    let base: UnsafeRawPointer
    let byteCount: Int
    private let owner: AnyObject?

    /// Allocates `byteCount` bytes and lets `initialize` fill them before anyone else sees them.
    init(byteCount: Int, zeroed: Bool, initialize: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        if zeroed { memory.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount) }
        do {
            try initialize(UnsafeMutableRawBufferPointer(start: memory, count: byteCount))
        } catch {
            memory.deallocate()
            throw error
        }
        self.base = UnsafeRawPointer(memory)
        self.byteCount = byteCount
        self.owner = nil
    }

    /// Wraps foreign memory; `owner` keeps it valid for as long as this storage lives.
    init(foreign base: UnsafeRawPointer, byteCount: Int, owner: AnyObject) {
        self.base = base
        self.byteCount = byteCount
        self.owner = owner
    }

    deinit {
        if owner == nil { UnsafeMutableRawPointer(mutating: base).deallocate() }
    }
}

/// An immutable byte range inside an `ArrowBufferStorage`; copying and slicing share the storage.
struct ArrowBuffer: @unchecked Sendable {
    let storage: ArrowBufferStorage
    let start: UnsafeRawPointer
    let count: Int

    init(storage: ArrowBufferStorage) {
        self.storage = storage
        self.start = storage.base
        self.count = storage.byteCount
    }

    private init(storage: ArrowBufferStorage, start: UnsafeRawPointer, count: Int) {
        self.storage = storage
        self.start = start
        self.count = count
    }

    /// A zero-length buffer.
    static let empty = ArrowBuffer.allocate(byteCount: 0) { _ in }

    /// A fresh buffer of `byteCount` bytes filled by `initialize` (zeroed first when asked).
    static func allocate(byteCount: Int, zeroed: Bool = false,
                         _ initialize: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows -> ArrowBuffer {
        ArrowBuffer(storage: try ArrowBufferStorage(byteCount: byteCount, zeroed: zeroed, initialize: initialize))
    }

    /// A fresh buffer holding a copy of `bytes` (one memcpy).
    static func copying(_ bytes: UnsafeRawBufferPointer) -> ArrowBuffer {
        allocate(byteCount: bytes.count) { destination in
            if let source = bytes.baseAddress, bytes.count > 0 {
                destination.baseAddress!.copyMemory(from: source, byteCount: bytes.count)
            }
        }
    }

    /// A fresh buffer holding the bytes of `values` (one memcpy).
    static func copying<T: BitwiseCopyable>(_ values: [T]) -> ArrowBuffer {
        values.withUnsafeBytes { copying($0) }
    }

    /// The bytes `offset ..< offset + count`, sharing the storage.
    func slice(_ offset: Int, _ count: Int) -> ArrowBuffer {
        precondition(offset >= 0 && count >= 0 && offset + count <= self.count, "buffer slice out of range")
        return ArrowBuffer(storage: storage, start: start + offset, count: count)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }

    /// Element `index` of a buffer of `T`s (alignment-safe).
    @inline(__always)
    func load<T: BitwiseCopyable>(_ index: Int, as type: T.Type) -> T {
        start.loadUnaligned(fromByteOffset: index &* MemoryLayout<T>.stride, as: T.self)
    }

    /// Whether the first byte is aligned for `T`.
    func isAligned<T>(for type: T.Type) -> Bool {
        Int(bitPattern: start) % MemoryLayout<T>.alignment == 0
    }
}
