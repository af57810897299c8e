/// Format strings of the C Data Interface, both ways, and its metadata encoding.
enum ArrowCDataFormat {
    /// The format string of `type` (children are described by their own schemas).
    static func format(of type: ArrowType) -> String {
        switch type {
        case .null: return "n"
        case .boolean: return "b"
        case .int8: return "c"
        case .int16: return "s"
        case .int32: return "i"
        case .int64: return "l"
        case .float32: return "f"
        case .float64: return "g"
        case .decimal128(let precision, let scale): return "d:\(precision),\(scale)"
        case .utf8: return "u"
        case .binary: return "z"
        case .date32: return "tdD"
        case .time32(let unit), .time64(let unit): return "tt" + unitLetter(unit)
        case .timestamp(let unit, let zone): return "ts" + unitLetter(unit) + ":" + (zone ?? "")
        case .list: return "+l"
        case .map: return "+m"
        case .struct: return "+s"
        }
    }

    /// The type for `format` and the already-imported child fields.
    static func type(of format: String, children: [ArrowField], keysSorted: Bool) throws -> ArrowType {
        func expectChildren(_ count: Int) throws {
            guard children.count == count else {
                throw ArrowIPCError("C Data Interface format '\(format)' needs \(count) children, found \(children.count)")
            }
        }
        switch format {
        case "n": try expectChildren(0); return .null
        case "b": try expectChildren(0); return .boolean
        case "c": try expectChildren(0); return .int8
        case "s": try expectChildren(0); return .int16
        case "i": try expectChildren(0); return .int32
        case "l": try expectChildren(0); return .int64
        case "f": try expectChildren(0); return .float32
        case "g": try expectChildren(0); return .float64
        case "u": try expectChildren(0); return .utf8
        case "z": try expectChildren(0); return .binary
        case "tdD": try expectChildren(0); return .date32
        case "tts": return .time32(.second)
        case "ttm": return .time32(.millisecond)
        case "ttu": return .time64(.microsecond)
        case "ttn": return .time64(.nanosecond)
        case "+l":
            try expectChildren(1)
            return .list(children[0])
        case "+m":
            try expectChildren(1)
            guard case .struct(let pair) = children[0].type, pair.count == 2 else {
                throw ArrowIPCError("C Data Interface map entries must be a struct of key and value")
            }
            return .map(children[0], keysSorted: keysSorted)
        case "+s":
            return .struct(children)
        default:
            break
        }
        if format.hasPrefix("ts"), format.count >= 4, let unit = unit(format.dropFirst(2).first!),
           format.dropFirst(3).first == ":" {
            let zone = String(format.dropFirst(4))
            return .timestamp(unit, timezone: zone.isEmpty ? nil : zone)
        }
        if format.hasPrefix("d:") {
            let parts = format.dropFirst(2).split(separator: ",").map { Int($0) }
            guard parts.count == 2 || (parts.count == 3 && parts[2] == 128),
                  let precision = parts[0], let scale = parts[1], (1...38).contains(precision) else {
                throw ArrowIPCError("C Data Interface decimal format '\(format)' is not supported (decimal128 only)")
            }
            return .decimal128(precision: precision, scale: scale)
        }
        throw ArrowIPCError("C Data Interface format '\(format)' is not supported")
    }

    private static func unitLetter(_ unit: ArrowTimeUnit) -> String {
        switch unit {
        case .second: return "s"
        case .millisecond: return "m"
        case .microsecond: return "u"
        case .nanosecond: return "n"
        }
    }

    private static func unit(_ letter: Character) -> ArrowTimeUnit? {
        switch letter {
        case "s": return .second
        case "m": return .millisecond
        case "u": return .microsecond
        case "n": return .nanosecond
        default: return nil
        }
    }

    /// Metadata bytes: Int32 pair count, then per pair Int32 length + key bytes, Int32 length + value bytes.
    static func encode(_ metadata: [String: String]) -> [UInt8] {
        var bytes: [UInt8] = []
        func append(_ n: Int) { withUnsafeBytes(of: Int32(n)) { bytes.append(contentsOf: $0) } }
        append(metadata.count)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            append(key.utf8.count)
            bytes.append(contentsOf: key.utf8)
            append(value.utf8.count)
            bytes.append(contentsOf: value.utf8)
        }
        return bytes
    }

    /// Decodes metadata bytes (the producer vouches for their extent).
    static func decode(_ pointer: UnsafePointer<CChar>) throws -> [String: String] {
        let raw = UnsafeRawPointer(pointer)
        var position = 0
        func int() throws -> Int {
            defer { position += 4 }
            let n = Int(raw.loadUnaligned(fromByteOffset: position, as: Int32.self))
            guard n >= 0 else { throw ArrowIPCError("C Data Interface metadata has a negative length \(n)") }
            return n
        }
        func string() throws -> String {
            let count = try int()
            defer { position += count }
            return String(decoding: UnsafeRawBufferPointer(start: raw + position, count: count), as: UTF8.self)
        }
        var metadata: [String: String] = [:]
        for _ in 0 ..< (try int()) {
            let key = try string()
            metadata[key] = try string()
        }
        return metadata
    }
}
