extension ArrowArray {
    /// One array holding the elements of `arrays` in order; all must have the same type.
    public static func concatenate(_ arrays: [ArrowArray]) throws -> ArrowArray {
        guard let first = arrays.first else { throw ArrowError("concatenate needs at least one array") }
        if let other = arrays.first(where: { $0.type != first.type }) {
            throw ArrowError("cannot concatenate a \(other.type) array onto a \(first.type) array")
        }
        if arrays.count == 1 { return first }
        let type = first.type
        let length = arrays.reduce(0) { $0 + $1.length }
        let nullCount = arrays.reduce(0) { $0 + $1.nullCount }
        if case .null = type { return .nulls(length) }

        let validity: ArrowBuffer? = nullCount == 0 ? nil : concatenatedBits(arrays) { array in
            array.validity.map { ($0, array.offset) }
        }
        func assemble(_ buffers: [ArrowBuffer], _ children: [ArrowArray] = []) -> ArrowArray {
            ArrowArray(type: type, length: length, nullCount: nullCount, validity: validity,
                       buffers: buffers, children: children)
        }

        switch type.layout {
        case .null:
            return .nulls(length)
        case .bitmap:
            return assemble([concatenatedBits(arrays) { ($0.buffers[0], $0.offset) }])
        case .fixedWidth(let width):
            let values = ArrowBuffer.allocate(byteCount: length * width) { out in
                var position = 0
                for array in arrays where array.length > 0 {
                    out.baseAddress!.advanced(by: position)
                        .copyMemory(from: array.buffers[0].start + array.offset * width, byteCount: array.length * width)
                    position += array.length * width
                }
            }
            return assemble([values])
        case .variableBinary:
            let offsets = try concatenatedOffsets(arrays)
            let data = ArrowBuffer.allocate(byteCount: Int(offsets.load(length, as: Int32.self))) { out in
                var position = 0
                for array in arrays where array.length > 0 {
                    let range = array.offsetValue(array.offset) ..< array.offsetValue(array.offset + array.length)
                    out.baseAddress!.advanced(by: position)
                        .copyMemory(from: array.buffers[1].start + range.lowerBound, byteCount: range.count)
                    position += range.count
                }
            }
            return assemble([offsets, data])
        case .list:
            let offsets = try concatenatedOffsets(arrays)
            let items = try concatenate(arrays.map { array in
                array.children[0].slice(array.offsetValue(array.offset) ..< array.offsetValue(array.offset + array.length))
            })
            return assemble([offsets], [items])
        case .struct:
            let fields = try type.children.indices.map { k in try concatenate(arrays.map { $0.structField(k) }) }
            return assemble([], fields)
        }
    }

    /// The bits of every array one after another; `bits` gives an array's bitmap and bit offset,
    /// nil meaning all set.
    private static func concatenatedBits(_ arrays: [ArrowArray],
                                         _ bits: (ArrowArray) -> (ArrowBuffer, Int)?) -> ArrowBuffer {
        let total = arrays.reduce(0) { $0 + $1.length }
        return ArrowBuffer.allocate(byteCount: Bitmap.byteCount(bits: total), zeroed: true) { out in
            var position = 0
            for array in arrays {
                if let (source, offset) = bits(array) {
                    Bitmap.copy(from: source.start, at: offset, to: out.baseAddress!, at: position, count: array.length)
                } else if array.nullCount == 0 {
                    for i in position ..< position + array.length { Bitmap.set(out.baseAddress!, i) }
                }
                position += array.length
            }
        }
    }

    /// Offsets of every array rebased to follow one another, starting at 0.
    private static func concatenatedOffsets(_ arrays: [ArrowArray]) throws -> ArrowBuffer {
        let total = arrays.reduce(0) { $0 + $1.length }
        let end = arrays.reduce(0) { $0 + $1.offsetValue($1.offset + $1.length) - $1.offsetValue($1.offset) }
        guard end <= Int(Int32.max) else { throw ArrowError("concatenated array exceeds 32-bit offsets") }
        return ArrowBuffer.allocate(byteCount: (total + 1) * 4) { out in
            var position = 0
            var base = 0
            out.storeBytes(of: Int32(0), as: Int32.self)
            for array in arrays {
                let first = array.offsetValue(array.offset)
                for i in 0 ..< array.length {
                    let rebased = base + array.offsetValue(array.offset + i + 1) - first
                    out.storeBytes(of: Int32(rebased), toByteOffset: (position + i + 1) * 4, as: Int32.self)
                }
                position += array.length
                base += array.offsetValue(array.offset + array.length) - first
            }
        }
    }
}
