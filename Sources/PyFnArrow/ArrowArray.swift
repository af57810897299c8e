/// One column: immutable, cheap to copy (buffers are reference-counted storage;
/// slicing is O(1) apart from counting the nulls of the slice, and shares buffers).
///
/// Element `i` lives at position `offset + i` of the buffers; for a struct, also of the children.
/// List and map offsets index the child's logical positions.
public struct ArrowArray: Sendable {
    /// The logical type.
    public let type: ArrowType
    /// The number of elements.
    public private(set) var length: Int
    /// The number of null elements.
    public private(set) var nullCount: Int
    /// The position of element 0 in the buffers.
    public private(set) var offset: Int
    /// Validity bits, nil when no element is null (or, for the null type, when all are).
    let validity: ArrowBuffer?
    /// The layout's buffers: bits (boolean), values (fixed width), offsets + data (utf8, binary),
    /// offsets (list, map), none (null, struct).
    let buffers: [ArrowBuffer]
    /// The list item or map entries array, or one array per struct field.
    let children: [ArrowArray]

    /// Assembles an array from parts that are already consistent (callers check).
    init(type: ArrowType, length: Int, nullCount: Int, offset: Int = 0,
         validity: ArrowBuffer?, buffers: [ArrowBuffer], children: [ArrowArray] = []) {
        self.type = type
        self.length = length
        self.nullCount = nullCount
        self.offset = offset
        self.validity = nullCount > 0 ? validity : nil
        self.buffers = buffers
        self.children = children
    }

    /// Whether element `i` is null.
    @inline(__always)
    public func isNull(_ i: Int) -> Bool {
        guard nullCount > 0 else { return false }
        guard let validity else { return true }
        return !Bitmap.isSet(validity.start, offset + i)
    }

    /// Element `i` as a value of any type.
    public func value(at i: Int) -> ArrowValue {
        precondition(i >= 0 && i < length, "index \(i) out of range 0..<\(length)")
        if isNull(i) { return .null }
        let p = offset + i
        switch type {
        case .null: return .null
        case .boolean: return .bool(Bitmap.isSet(buffers[0].start, p))
        case .int8: return .int(Int64(buffers[0].load(p, as: Int8.self)))
        case .int16: return .int(Int64(buffers[0].load(p, as: Int16.self)))
        case .int32: return .int(Int64(buffers[0].load(p, as: Int32.self)))
        case .int64: return .int(buffers[0].load(p, as: Int64.self))
        case .float32: return .float(Double(buffers[0].load(p, as: Float.self)))
        case .float64: return .float(buffers[0].load(p, as: Double.self))
        case .decimal128(_, let scale): return .decimal(unscaled: buffers[0].load(p, as: Int128.self), scale: scale)
        case .utf8: return .string(String(decoding: rawBytes(p), as: UTF8.self))
        case .binary: return .binary(Array(rawBytes(p)))
        case .date32: return .date(days: buffers[0].load(p, as: Int32.self))
        case .time32(let unit): return .time(Int64(buffers[0].load(p, as: Int32.self)), unit)
        case .time64(let unit): return .time(buffers[0].load(p, as: Int64.self), unit)
        case .timestamp(let unit, _): return .timestamp(buffers[0].load(p, as: Int64.self), unit)
        case .list:
            return .list(childRange(p).map { children[0].value(at: $0) })
        case .map:
            let entries = children[0]
            return .map(childRange(p).map { j in
                ArrowMapEntry(key: entries.children[0].value(at: entries.offset + j),
                              value: entries.children[1].value(at: entries.offset + j))
            })
        case .struct:
            return .struct(children.map { $0.value(at: p) })
        }
    }

    /// Element `i` of a utf8 (or binary) array as a string; nil when null.
    public func string(at i: Int) -> String? {
        precondition(type.layout == .variableBinary, "string(at:) needs a utf8 or binary array, not \(type)")
        precondition(i >= 0 && i < length, "index \(i) out of range 0..<\(length)")
        return isNull(i) ? nil : String(decoding: rawBytes(offset + i), as: UTF8.self)
    }

    /// Element `i` of a binary (or utf8) array as bytes; nil when null.
    public func bytes(at i: Int) -> [UInt8]? {
        precondition(type.layout == .variableBinary, "bytes(at:) needs a utf8 or binary array, not \(type)")
        precondition(i >= 0 && i < length, "index \(i) out of range 0..<\(length)")
        return isNull(i) ? nil : Array(rawBytes(offset + i))
    }

    /// Calls `body` with the values of a fixed-width array (null slots hold unspecified values).
    /// `T` must have the type's byte width: Int8…Int64, Float, Double, Int32 for date32/time32,
    /// Int64 for time64/timestamp, Int128 for decimal128.
    public func withValues<T: BitwiseCopyable, R>(as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        guard let width = self.type.byteWidth, width == MemoryLayout<T>.stride else {
            preconditionFailure("withValues(as: \(T.self)) does not fit a \(self.type) array")
        }
        let bytes = buffers[0].slice(offset * width, length * width)
        if bytes.isAligned(for: T.self) {
            return try bytes.bytes.withMemoryRebound(to: T.self) { try body(UnsafeBufferPointer(rebasing: $0[...])) }
        }
        let aligned = (0..<length).map { bytes.load($0, as: T.self) }
        return try aligned.withUnsafeBufferPointer(body)
    }

    /// The array of struct field `index`, windowed to this array's rows (parent nulls are not applied).
    public func structField(_ index: Int) -> ArrowArray {
        guard case .struct = type else { preconditionFailure("structField(_:) needs a struct array, not \(type)") }
        return children[index].slice(offset ..< offset + length)
    }

    /// Elements `range` sharing this array's buffers.
    public func slice(_ range: Range<Int>) -> ArrowArray {
        precondition(range.lowerBound >= 0 && range.upperBound <= length, "slice \(range) out of range 0..<\(length)")
        var result = self
        result.offset = offset + range.lowerBound
        result.length = range.count
        if nullCount == 0 || range.isEmpty {
            result.nullCount = 0
        } else if nullCount == length || validity == nil {
            result.nullCount = range.count
        } else {
            result.nullCount = range.count - Bitmap.countSet(validity!.start, offset: result.offset, count: range.count)
        }
        return result
    }

    // MARK: - Layout access shared by the readers of this file and the encoders

    /// The Int32 offset at buffer position `p` (utf8, binary, list, map).
    @inline(__always)
    func offsetValue(_ p: Int) -> Int { Int(buffers[0].load(p, as: Int32.self)) }

    /// The child positions of the list or map element at buffer position `p`.
    @inline(__always)
    func childRange(_ p: Int) -> Range<Int> { offsetValue(p) ..< offsetValue(p + 1) }

    /// The bytes of the utf8 or binary element at buffer position `p`.
    @inline(__always)
    func rawBytes(_ p: Int) -> UnsafeRawBufferPointer {
        let range = childRange(p)
        return UnsafeRawBufferPointer(start: buffers[1].start + range.lowerBound, count: range.count)
    }
}

