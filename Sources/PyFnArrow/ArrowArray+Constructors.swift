extension ArrowArray {
    /// A fixed-width array holding a copy of `values` (one memcpy) and the given validity.
    static func fixedWidth<T: BitwiseCopyable>(_ type: ArrowType, _ values: [T], validity: [Bool]?) -> ArrowArray {
        let (bitmap, nullCount) = packValidity(validity, count: values.count)
        return ArrowArray(type: type, length: values.count, nullCount: nullCount,
                          validity: bitmap, buffers: [.copying(values)])
    }

    /// The validity bitmap and null count for `validity` (nil = all valid).
    static func packValidity(_ validity: [Bool]?, count: Int) -> (ArrowBuffer?, Int) {
        guard let validity else { return (nil, 0) }
        precondition(validity.count == count, "validity has \(validity.count) flags for \(count) values")
        let nullCount = validity.lazy.filter { !$0 }.count
        return nullCount == 0 ? (nil, 0) : (Bitmap.packing(validity), nullCount)
    }

    /// An int8 array; `validity[i] == false` marks element `i` null.
    public static func int8(_ values: [Int8], validity: [Bool]? = nil) -> ArrowArray { fixedWidth(.int8, values, validity: validity) }
    /// An int16 array; `validity[i] == false` marks element `i` null.
    public static func int16(_ values: [Int16], validity: [Bool]? = nil) -> ArrowArray { fixedWidth(.int16, values, validity: validity) }
    /// An int32 array; `validity[i] == false` marks element `i` null.
    public static func int32(_ values: [Int32], validity: [Bool]? = nil) -> ArrowArray { fixedWidth(.int32, values, validity: validity) }
    /// An int64 array; `validity[i] == false` marks element `i` null.
    public static func int64(_ values: [Int64], validity: [Bool]? = nil) -> ArrowArray { fixedWidth(.int64, values, validity: validity) }
    /// A float32 array; `validity[i] == false` marks element `i` null.
    public static func float32(_ values: [Float], validity: [Bool]? = nil) -> ArrowArray { fixedWidth(.float32, values, validity: validity) }
    /// A float64 array; `validity[i] == false` marks element `i` null.
    public static func float64(_ values: [Double], validity: [Bool]? = nil) -> ArrowArray { fixedWidth(.float64, values, validity: validity) }
    /// A date32 array of days since the epoch; `validity[i] == false` marks element `i` null.
    public static func date32(_ days: [Int32], validity: [Bool]? = nil) -> ArrowArray { fixedWidth(.date32, days, validity: validity) }
    /// A time64 array (microseconds or nanoseconds); `validity[i] == false` marks element `i` null.
    public static func time64(_ values: [Int64], unit: ArrowTimeUnit, validity: [Bool]? = nil) -> ArrowArray {
        fixedWidth(.time64(unit), values, validity: validity)
    }
    /// A timestamp array; `validity[i] == false` marks element `i` null.
    public static func timestamp(_ values: [Int64], unit: ArrowTimeUnit, timezone: String? = nil,
                                 validity: [Bool]? = nil) -> ArrowArray {
        fixedWidth(.timestamp(unit, timezone: timezone), values, validity: validity)
    }

    /// A boolean array; `validity[i] == false` marks element `i` null.
    public static func boolean(_ values: [Bool], validity: [Bool]? = nil) -> ArrowArray {
        let (bitmap, nullCount) = packValidity(validity, count: values.count)
        return ArrowArray(type: .boolean, length: values.count, nullCount: nullCount,
                          validity: bitmap, buffers: [Bitmap.packing(values)])
    }

    /// An array of the null type with `count` elements.
    public static func nulls(_ count: Int) -> ArrowArray {
        ArrowArray(type: .null, length: count, nullCount: count, validity: nil, buffers: [])
    }

    /// A utf8 array; nil elements are null.
    public static func utf8(_ values: [String?]) -> ArrowArray {
        variableBinary(.utf8, values) { data, value in data.append(contentsOf: value.utf8) }
    }

    /// A binary array; nil elements are null.
    public static func binary(_ values: [[UInt8]?]) -> ArrowArray {
        variableBinary(.binary, values) { data, value in data.append(contentsOf: value) }
    }

    private static func variableBinary<Element>(_ type: ArrowType, _ values: [Element?],
                                                append: (inout [UInt8], Element) -> Void) -> ArrowArray {
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(values.count + 1)
        var data: [UInt8] = []
        var validity: [Bool] = []
        validity.reserveCapacity(values.count)
        for value in values {
            if let value { append(&data, value) }
            precondition(data.count <= Int(Int32.max), "\(type) data exceeds 2 GiB (32-bit offsets)")
            offsets.append(Int32(data.count))
            validity.append(value != nil)
        }
        let (bitmap, nullCount) = packValidity(validity, count: values.count)
        return ArrowArray(type: type, length: values.count, nullCount: nullCount, validity: bitmap,
                          buffers: [.copying(offsets), .copying(data)])
    }

    /// An array of `type` holding `values` (built row by row); throws when a value does not fit the type.
    public init(_ type: ArrowType, values: [ArrowValue]) throws {
        var builder = ArrowArrayBuilder(type: type)
        for value in values { try builder.append(value) }
        self = builder.finish()
    }

    /// All elements as values (row-at-a-time; for tests and small arrays).
    public var values: [ArrowValue] { (0..<length).map { value(at: $0) } }
}
