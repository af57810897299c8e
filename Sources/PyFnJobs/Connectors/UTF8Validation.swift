// Finding invalid UTF-8 in a record before it is read, so damaged text is an error (or a skipped line) instead of
// being replaced by U+FFFD without a word.

/// Checks records for well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
enum UTF8Validation {
    /// The offset (from the record's start) of the first byte that does not begin a well-formed character;
    /// nil when the record is valid UTF-8.
    static func firstInvalidByte(_ record: ArraySlice<UInt8>) -> Int? {
        record.withUnsafeBufferPointer { buffer -> Int? in
            // Pure ASCII (the common case) in one pass the optimizer vectorizes.
            var any: UInt8 = 0
            for byte in buffer { any |= byte }
            if any < 0x80 { return nil }
            var i = 0
            let n = buffer.count
            while i < n {
                let lead = buffer[i]
                if lead < 0x80 { i += 1; continue }
                let length: Int
                var low: UInt8 = 0x80, high: UInt8 = 0xBF  // the allowed range of the second byte
                switch lead {
                case 0xC2...0xDF: length = 2
                case 0xE0: length = 3; low = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: length = 3; high = 0x9F
                case 0xF0: length = 4; low = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4: length = 4; high = 0x8F
                default: return i
                }
                guard i + length <= n, (low...high).contains(buffer[i + 1]) else { return i }
                for k in 2..<length where buffer[i + k] & 0xC0 != 0x80 { return i }
                i += length
            }
            return nil
        }
    }

    /// The error for the record's first invalid byte (`invalid UTF-8 (byte 0xFF)`, at its offset); nil when the
    /// record is valid UTF-8.
    static func decodeError(_ record: ArraySlice<UInt8>) -> RowDecodeError? {
        guard let bad = firstInvalidByte(record) else { return nil }
        let byte = String(record[record.startIndex + bad], radix: 16, uppercase: true)
        return RowDecodeError(message: "invalid UTF-8 (byte 0x\(byte.count == 1 ? "0" : "")\(byte))", offset: bad)
    }

    /// The 1-based character column of byte `offset` of `record` (characters counted as UTF-8 lead bytes).
    static func column(ofByte offset: Int, in record: ArraySlice<UInt8>) -> Int {
        let end = min(record.startIndex + offset, record.endIndex)
        return record[record.startIndex..<end].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
    }
}
