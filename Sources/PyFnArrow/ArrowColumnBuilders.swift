/// Typed column builders and readers: append native values or raw bytes without going through ``ArrowValue``.
/// They produce the same arrays as ``ArrowArrayBuilder`` (nulls get a zeroed slot; a validity bitmap only when
/// some element is null). The caller guarantees values fit the type (e.g. an Int32 column gets Int32 values).

/// Validity bits that stay unallocated until the first null.
struct LazyValidity: Sendable {
    private var bytes: [UInt8] = []
    private var materialized = false
    private(set) var nullCount = 0

    /// Records that element `index` (the next one) is valid.
    @inline(__always)
    mutating func appendValid(at index: Int) {
        guard materialized else { return }
        if index & 7 == 0 { bytes.append(0) }
        bytes[index >> 3] |= 1 << UInt8(index & 7)
    }

    /// Records that element `index` (the next one) is null.
    mutating func appendNull(at index: Int) {
        if !materialized {
            materialized = true
            bytes = [UInt8](repeating: 0, count: Bitmap.byteCount(bits: index))
            for i in 0..<index { bytes[i >> 3] |= 1 << UInt8(i & 7) }
        }
        if index & 7 == 0 { bytes.append(0) }
        nullCount += 1
    }

    /// The bitmap (nil without nulls); starts over.
    mutating func finish() -> ArrowBuffer? {
        defer { self = LazyValidity() }
        return nullCount > 0 ? .copying(bytes) : nil
    }
}

/// Builds a fixed-width column (int8…int64, float32/64, date32, time, timestamp, decimal128) from values of `T`,
/// which must have the type's byte width.
public struct PrimitiveColumnBuilder<T: BitwiseCopyable & AdditiveArithmetic & Sendable>: Sendable {
    /// The type of the array being built.
    public let type: ArrowType
    private var values: [T] = []
    private var validity = LazyValidity()

    /// An empty builder for `type`.
    public init(type: ArrowType) {
        precondition(type.byteWidth == MemoryLayout<T>.stride, "PrimitiveColumnBuilder<\(T.self)> does not fit \(type)")
        self.type = type
    }

    /// The number of values appended so far.
    public var count: Int { values.count }

    /// Appends a value.
    @inline(__always)
    public mutating func append(_ value: T) {
        validity.appendValid(at: values.count)
        values.append(value)
    }

    /// Appends a null.
    public mutating func appendNull() {
        validity.appendNull(at: values.count)
        values.append(.zero)
    }

    /// The array of everything appended so far; the builder starts over empty (keeping its capacity).
    public mutating func finish() -> ArrowArray {
        let length = values.count
        let nullCount = validity.nullCount
        let bitmap = validity.finish()
        let array = ArrowArray(type: type, length: length, nullCount: nullCount, validity: bitmap, buffers: [.copying(values)])
        values.removeAll(keepingCapacity: true)
        return array
    }
}

/// Builds a utf8 or binary column from raw bytes or strings.
public struct VariableBinaryColumnBuilder: Sendable {
    /// The type of the array being built.
    public let type: ArrowType
    private var data: [UInt8] = []
    private var offsets: [Int32] = [0]
    private var validity = LazyValidity()

    /// An empty builder for `type` (utf8 or binary).
    public init(type: ArrowType) {
        precondition(type.layout == .variableBinary, "VariableBinaryColumnBuilder does not fit \(type)")
        self.type = type
    }

    /// The number of values appended so far.
    public var count: Int { offsets.count - 1 }

    /// Appends the bytes of one value (for utf8, valid UTF-8).
    @inline(__always)
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        validity.appendValid(at: offsets.count - 1)
        data.append(contentsOf: bytes)
        appendOffset()
    }

    /// Appends a string's UTF-8.
    public mutating func append(_ string: String) {
        validity.appendValid(at: offsets.count - 1)
        data.append(contentsOf: string.utf8)
        appendOffset()
    }

    /// Appends a null.
    public mutating func appendNull() {
        validity.appendNull(at: offsets.count - 1)
        appendOffset()
    }

    @inline(__always)
    private mutating func appendOffset() {
        precondition(data.count <= Int(Int32.max), "\(type) array exceeds 32-bit offsets")
        offsets.append(Int32(truncatingIfNeeded: data.count))
    }

    /// The array of everything appended so far; the builder starts over empty (keeping its capacity).
    public mutating func finish() -> ArrowArray {
        let length = offsets.count - 1
        let nullCount = validity.nullCount
        let bitmap = validity.finish()
        let array = ArrowArray(type: type, length: length, nullCount: nullCount, validity: bitmap,
                               buffers: [.copying(offsets), .copying(data)])
        data.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        return array
    }
}

/// Builds a boolean column.
public struct BooleanColumnBuilder: Sendable {
    private var bits = BitmapBuilder()
    private var validity = LazyValidity()

    /// An empty builder.
    public init() {}

    /// The number of values appended so far.
    public var count: Int { bits.count }

    /// Appends a value.
    public mutating func append(_ value: Bool) {
        validity.appendValid(at: bits.count)
        bits.append(value)
    }

    /// Appends a null.
    public mutating func appendNull() {
        validity.appendNull(at: bits.count)
        bits.append(false)
    }

    /// The array of everything appended so far; the builder starts over empty.
    public mutating func finish() -> ArrowArray {
        let length = bits.count
        let nullCount = validity.nullCount
        let bitmap = validity.finish()
        let array = ArrowArray(type: .boolean, length: length, nullCount: nullCount, validity: bitmap, buffers: [bits.finish()])
        bits = BitmapBuilder()
        return array
    }
}

/// The elements of a utf8 or binary array as raw byte ranges (valid while the array lives).
public struct VariableBinaryView {
    @usableFromInline let offsets: UnsafeRawPointer
    @usableFromInline let data: UnsafeRawPointer
    /// The number of elements.
    public let count: Int

    @usableFromInline init(offsets: UnsafeRawPointer, data: UnsafeRawPointer, count: Int) {
        self.offsets = offsets
        self.data = data
        self.count = count
    }

    /// The bytes of element `i` (empty for a null).
    @inlinable
    public subscript(i: Int) -> UnsafeRawBufferPointer {
        let start = Int(offsets.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))
        let end = Int(offsets.loadUnaligned(fromByteOffset: (i &+ 1) &* 4, as: Int32.self))
        return UnsafeRawBufferPointer(start: data + start, count: end &- start)
    }
}

extension ArrowArray {
    /// Calls `body` with the byte ranges of a utf8 or binary array's elements (check ``isNull(_:)`` for nulls).
    public func withVariableBinaryView<R>(_ body: (VariableBinaryView) throws -> R) rethrows -> R {
        precondition(type.layout == .variableBinary, "withVariableBinaryView needs a utf8 or binary array, not \(type)")
        return try withExtendedLifetime(self) {
            try body(VariableBinaryView(offsets: buffers[0].start + offset * 4, data: buffers[1].start, count: length))
        }
    }

    /// Whether each element is null (all false without nulls).
    public func nullFlags() -> [Bool] {
        guard nullCount > 0 else { return [Bool](repeating: false, count: length) }
        return (0..<length).map { isNull($0) }
    }
}
