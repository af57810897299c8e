extension ArrowArray {
    /// The elements at `indices`, in that order (repeats allowed); works for every type, nested ones included.
    public func take(_ indices: [Int32]) -> ArrowArray {
        for index in indices {
            precondition(index >= 0 && Int(index) < length, "take index \(index) out of range 0..<\(length)")
        }
        let count = indices.count
        if case .null = type { return .nulls(count) }

        var takenNulls = 0
        var takenValidity: ArrowBuffer?
        if nullCount > 0 {
            takenValidity = ArrowBuffer.allocate(byteCount: Bitmap.byteCount(bits: count), zeroed: true) { bits in
                for (j, index) in indices.enumerated() {
                    if isNull(Int(index)) { takenNulls += 1 } else { Bitmap.set(bits.baseAddress!, j) }
                }
            }
        }
        func assemble(_ buffers: [ArrowBuffer], _ children: [ArrowArray] = []) -> ArrowArray {
            ArrowArray(type: type, length: count, nullCount: takenNulls, validity: takenValidity,
                       buffers: buffers, children: children)
        }

        switch type.layout {
        case .null:
            return .nulls(count)
        case .bitmap:
            let bits = ArrowBuffer.allocate(byteCount: Bitmap.byteCount(bits: count), zeroed: true) { out in
                for (j, index) in indices.enumerated() where Bitmap.isSet(buffers[0].start, offset + Int(index)) {
                    Bitmap.set(out.baseAddress!, j)
                }
            }
            return assemble([bits])
        case .fixedWidth(let width):
            switch width {
            case 1: return assemble([gather(indices, as: UInt8.self)])
            case 2: return assemble([gather(indices, as: UInt16.self)])
            case 4: return assemble([gather(indices, as: UInt32.self)])
            case 8: return assemble([gather(indices, as: UInt64.self)])
            default: return assemble([gather(indices, as: UInt128.self)])
            }
        case .variableBinary:
            let (offsets, ranges) = takenOffsets(indices)
            let data = ArrowBuffer.allocate(byteCount: Int(offsets.load(count, as: Int32.self))) { out in
                var position = 0
                for range in ranges where !range.isEmpty {
                    out.baseAddress!.advanced(by: position)
                        .copyMemory(from: buffers[1].start + range.lowerBound, byteCount: range.count)
                    position += range.count
                }
            }
            return assemble([offsets, data])
        case .list:
            let (offsets, ranges) = takenOffsets(indices)
            var childIndices: [Int32] = []
            childIndices.reserveCapacity(Int(offsets.load(count, as: Int32.self)))
            for range in ranges { childIndices.append(contentsOf: range.lazy.map { Int32($0) }) }
            return assemble([offsets], [children[0].take(childIndices)])
        case .struct:
            return assemble([], children.indices.map { structField($0).take(indices) })
        }
    }

    /// Values at `indices` from a fixed-width buffer of `T`s.
    private func gather<T: BitwiseCopyable>(_ indices: [Int32], as type: T.Type) -> ArrowBuffer {
        let source = buffers[0]
        let stride = MemoryLayout<T>.stride
        return ArrowBuffer.allocate(byteCount: indices.count * stride) { out in
            for (j, index) in indices.enumerated() {
                out.storeBytes(of: source.load(offset + Int(index), as: T.self), toByteOffset: j * stride, as: T.self)
            }
        }
    }

    /// Zero-based offsets for the elements at `indices` (nulls empty) and the child ranges they cover.
    private func takenOffsets(_ indices: [Int32]) -> (ArrowBuffer, [Range<Int>]) {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(indices.count)
        let offsets = ArrowBuffer.allocate(byteCount: (indices.count + 1) * 4) { out in
            var end = 0
            out.storeBytes(of: Int32(0), as: Int32.self)
            for (j, index) in indices.enumerated() {
                let range = isNull(Int(index)) ? 0..<0 : childRange(offset + Int(index))
                ranges.append(range)
                end += range.count
                precondition(end <= Int(Int32.max), "take result exceeds 32-bit offsets")
                out.storeBytes(of: Int32(end), toByteOffset: (j + 1) * 4, as: Int32.self)
            }
        }
        return (offsets, ranges)
    }
}
