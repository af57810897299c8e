// SQL literals as flink-fn-execution's `Input.inputConstant`: one type byte (0 plain, 1 DATE as days, 2 TIME as
// milliseconds of the day, 3 TIMESTAMP as milliseconds since the epoch) followed by the value in Python's pickle
// format, which PyFlink's worker unpickles (Flink's Java side pickles with Pyrolite; PyFn writes the few opcodes
// these values need, protocol 3).
import Foundation

extension SQLLiteral {
    /// The `inputConstant` bytes of this literal.
    var flinkConstant: Data {
        var pickle = PickleWriter()
        let typeByte: UInt8
        switch (type.kind, value) {
        case (_, .null): typeByte = 0; pickle.none()
        case (.date, .int(let days)): typeByte = 1; pickle.int(days)
        case (.time, .int(let micros)): typeByte = 2; pickle.int(FlinkTime.floorDivide(micros, 1_000))
        case (.timestamp, .int(let micros)): typeByte = 3; pickle.int(FlinkTime.floorDivide(micros, 1_000))
        case (.decimal, .string(let text)): typeByte = 0; pickle.decimal(text)
        case (_, .bool(let b)): typeByte = 0; pickle.bool(b)
        case (_, .int(let x)): typeByte = 0; pickle.int(x)
        case (_, .double(let x)): typeByte = 0; pickle.float(x)
        case (_, .string(let s)): typeByte = 0; pickle.string(s)
        case (_, .bytes(let b)): typeByte = 0; pickle.bytes(b)
        }
        return Data([typeByte]) + pickle.finish()
    }
}

/// Writes one Python value in pickle protocol 3.
struct PickleWriter {
    private var bytes: [UInt8] = [0x80, 3]

    mutating func none() { bytes.append(UInt8(ascii: "N")) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 0x88 : 0x89) }

    mutating func int(_ value: Int64) {
        if let small = Int32(exactly: value) {
            bytes.append(UInt8(ascii: "J"))  // BININT: 4 bytes, little-endian
            withUnsafeBytes(of: small.littleEndian) { bytes.append(contentsOf: $0) }
        } else {
            bytes.append(0x8A)  // LONG1: a length byte, then little-endian two's complement
            bytes.append(8)
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    mutating func float(_ value: Double) {
        bytes.append(UInt8(ascii: "G"))  // BINFLOAT: 8 bytes, big-endian
        withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "X"))  // BINUNICODE: 4-byte little-endian length, UTF-8
        sized(Array(value.utf8))
    }

    mutating func bytes(_ value: Data) {
        bytes.append(UInt8(ascii: "B"))  // BINBYTES: 4-byte little-endian length
        sized(Array(value))
    }

    /// `decimal.Decimal(text)`: the class by GLOBAL, its argument as a 1-tuple, REDUCE.
    mutating func decimal(_ text: String) {
        bytes.append(UInt8(ascii: "c"))
        bytes.append(contentsOf: Array("decimal\nDecimal\n".utf8))
        string(text)
        bytes.append(0x85)  // TUPLE1
        bytes.append(UInt8(ascii: "R"))
    }

    private mutating func sized(_ raw: [UInt8]) {
        withUnsafeBytes(of: UInt32(raw.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: raw)
    }

    /// The pickle, ended with STOP.
    mutating func finish() -> Data {
        bytes.append(UInt8(ascii: "."))
        return Data(bytes)
    }
}
