/// Operations on Arrow bitmaps: bit `i` is bit `i % 8` (least significant first) of byte `i / 8`.
enum Bitmap {
    /// Bytes needed for `bits` bits.
    @inline(__always)
    static func byteCount(bits: Int) -> Int { (bits + 7) / 8 }

    @inline(__always)
    static func isSet(_ bits: UnsafeRawPointer, _ index: Int) -> Bool {
        bits.load(fromByteOffset: index >> 3, as: UInt8.self) & (1 << UInt8(index & 7)) != 0
    }

    @inline(__always)
    static func set(_ bits: UnsafeMutableRawPointer, _ index: Int) {
        let byte = bits.load(fromByteOffset: index >> 3, as: UInt8.self)
        bits.storeBytes(of: byte | (1 << UInt8(index & 7)), toByteOffset: index >> 3, as: UInt8.self)
    }

    /// The number of set bits in `offset ..< offset + count`.
    static func countSet(_ bits: UnsafeRawPointer, offset: Int, count: Int) -> Int {
        var index = offset
        let end = offset + count
        var total = 0
        while index < end && index & 7 != 0 {
            if isSet(bits, index) { total += 1 }
            index += 1
        }
        while index + 64 <= end {
            total += bits.loadUnaligned(fromByteOffset: index >> 3, as: UInt64.self).nonzeroBitCount
            index += 64
        }
        while index + 8 <= end {
            total += bits.load(fromByteOffset: index >> 3, as: UInt8.self).nonzeroBitCount
            index += 8
        }
        while index < end {
            if isSet(bits, index) { total += 1 }
            index += 1
        }
        return total
    }

    /// Copies `count` bits from `source` at bit `sourceOffset` into the zeroed `destination` at bit
    /// `destinationOffset`. Byte-at-a-time when the destination is byte aligned.
    static func copy(from source: UnsafeRawPointer, at sourceOffset: Int,
                     to destination: UnsafeMutableRawPointer, at destinationOffset: Int, count: Int) {
        guard count > 0 else { return }
        guard destinationOffset & 7 == 0 else {
            for i in 0..<count where isSet(source, sourceOffset + i) { set(destination, destinationOffset + i) }
            return
        }
        let shift = sourceOffset & 7
        let firstSourceByte = sourceOffset >> 3
        let lastSourceByte = (sourceOffset + count - 1) >> 3
        let outputBytes = byteCount(bits: count)
        for j in 0..<outputBytes {
            let low = source.load(fromByteOffset: firstSourceByte + j, as: UInt8.self) >> UInt8(shift)
            var byte = low
            if shift != 0 && firstSourceByte + j + 1 <= lastSourceByte {
                byte |= source.load(fromByteOffset: firstSourceByte + j + 1, as: UInt8.self) << UInt8(8 - shift)
            }
            if j == outputBytes - 1 && count & 7 != 0 { byte &= UInt8((1 << (count & 7)) - 1) }
            destination.storeBytes(of: byte, toByteOffset: (destinationOffset >> 3) + j, as: UInt8.self)
        }
    }

    /// The bits `offset ..< offset + count` of `bits` as a new buffer starting at bit 0
    /// (shares the storage when `offset` is a multiple of 8).
    static func realigned(_ bits: ArrowBuffer, offset: Int, count: Int) -> ArrowBuffer {
        let bytes = byteCount(bits: count)
        if offset & 7 == 0 { return bits.slice(offset >> 3, bytes) }
        return ArrowBuffer.allocate(byteCount: bytes, zeroed: true) { destination in
            copy(from: bits.start, at: offset, to: destination.baseAddress!, at: 0, count: count)
        }
    }

    /// A bitmap with bit `i` set where `flags[i]` is true.
    static func packing(_ flags: [Bool]) -> ArrowBuffer {
        ArrowBuffer.allocate(byteCount: byteCount(bits: flags.count), zeroed: true) { destination in
            let base = destination.baseAddress!
            for (i, flag) in flags.enumerated() where flag { set(base, i) }
        }
    }
}
