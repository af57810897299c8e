import Foundation
import Testing
@testable import PyFnArrow

/// Runs the pyarrow half of the interop tests (Tests/PyFnArrowTests/python/arrow_interop.py).
enum PyArrow {
    /// The repository root: three levels above this file.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `PYFN_PYTHON`, else the repository's `.venv/bin/python`.
    static var python: String {
        ProcessInfo.processInfo.environment["PYFN_PYTHON"]
            ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("python/arrow_interop.py").path

    /// Runs the script with `arguments`; throws with its stderr when it fails.
    static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ArrowError("python \(arguments.joined(separator: " ")) failed: " + String(decoding: stderr, as: UTF8.self))
        }
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pyfn-arrow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The canonical dump both sides produce (see arrow_interop.py).
struct CanonicalDump: Decodable, Equatable {
    var fields: [[FieldPart]]
    var metadata: [String: String]
    var batches: [[[String?]]]

    enum FieldPart: Decodable, Equatable {
        case text(String), flag(Bool), metadata([String: String])
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .text(text) }
            else if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
            else { self = .metadata(try container.decode([String: String].self)) }
        }
    }

    init(fields: [[FieldPart]], metadata: [String: String], batches: [[[String?]]]) {
        self.fields = fields
        self.metadata = metadata
        self.batches = batches
    }

    /// The dump of Swift-side values.
    init(schema: ArrowSchema, batches: [RecordBatch]) {
        fields = schema.fields.map { [.text($0.name), .text(Canonical.type($0.type)), .flag($0.nullable), .metadata($0.metadata)] }
        metadata = schema.metadata
        self.batches = batches.map { batch in batch.columns.map { column in column.values.map(Canonical.value) } }
    }

    static func load(_ url: URL) throws -> CanonicalDump {
        try JSONDecoder().decode(CanonicalDump.self, from: Data(contentsOf: url))
    }
}

/// Canonical strings for values and types, matching arrow_interop.py.
enum Canonical {
    static func value(_ value: ArrowValue) -> String? {
        switch value {
        case .null: return nil
        case .bool(let b): return "b:\(b)"
        case .int(let x): return "i:\(x)"
        case .float(let d): return "f:\(Int64(bitPattern: d.bitPattern))"
        case .decimal(let unscaled, let scale): return "d:\(unscaled):\(scale)"
        case .string(let s): return "s:" + s
        case .binary(let b): return "x:" + b.map { String(format: "%02x", $0) }.joined()
        case .date(let days): return "date:\(days)"
        case .time(let x, let unit): return "t:\(x):\(unit.symbol)"
        case .timestamp(let x, let unit): return "ts:\(x):\(unit.symbol)"
        case .list(let items): return "[" + items.map { self.value($0) ?? "null" }.joined(separator: ", ") + "]"
        case .map(let entries):
            return "map{" + entries.map { "\(self.value($0.key) ?? "null"): \(self.value($0.value) ?? "null")" }
                .joined(separator: ", ") + "}"
        case .struct(let members): return "{" + members.map { self.value($0) ?? "null" }.joined(separator: ", ") + "}"
        }
    }

    static func type(_ type: ArrowType) -> String {
        func field(_ f: ArrowField) -> String { "\(f.name): \(self.type(f.type))\(f.nullable ? "" : " not null")" }
        switch type {
        case .float32: return "float"
        case .float64: return "double"
        case .utf8: return "string"
        case .date32: return "date32[day]"
        case .list(let item): return "list<\(field(item))>"
        case .map(let entries, let sorted):
            return "map<" + entries.type.children.map(field).joined(separator: ", ") + (sorted ? ", sorted" : "") + ">"
        case .struct(let fields): return "struct<" + fields.map(field).joined(separator: ", ") + ">"
        default: return type.description
        }
    }
}

/// Deterministic test data covering every type.
enum SampleData {
    static let point = ArrowType.struct([ArrowField("x", .int32), ArrowField("label", .utf8)])

    static let types: [(String, ArrowType)] = [
        ("null", .null), ("bool", .boolean), ("i8", .int8), ("i16", .int16), ("i32", .int32), ("i64", .int64),
        ("f32", .float32), ("f64", .float64), ("dec", .decimal128(precision: 20, scale: 3)),
        ("str", .utf8), ("bin", .binary), ("date", .date32),
        ("t32s", .time32(.second)), ("t32ms", .time32(.millisecond)),
        ("t64us", .time64(.microsecond)), ("t64ns", .time64(.nanosecond)),
        ("ts_s", .timestamp(.second, timezone: nil)), ("ts_ms", .timestamp(.millisecond, timezone: "UTC")),
        ("ts_us", .timestamp(.microsecond, timezone: nil)), ("ts_ns", .timestamp(.nanosecond, timezone: "Asia/Tokyo")),
        ("list", .list(ArrowField("item", .int64))),
        ("list_struct", .list(ArrowField("item", point))),
        ("map", .map(key: .utf8, value: .float64)),
        ("struct", point),
        ("nested", .struct([ArrowField("tags", .list(ArrowField("item", .utf8))),
                            ArrowField("attrs", .map(key: .int32, value: .utf8, keysSorted: true), nullable: false)])),
    ]

    static let strings = ["", "a", "héllo", "日本語テキスト", "🚀🚀", "plain ascii text longer than a few bytes"]

    /// Value of column `type` at row `i`; every column has nulls at its own period.
    static func value(_ type: ArrowType, row i: Int, period: Int) -> ArrowValue {
        if i % period == period - 1 { return .null }
        let sign: Int64 = i % 2 == 0 ? 1 : -1
        switch type {
        case .null: return .null
        case .boolean: return .bool(i % 3 == 0)
        case .int8: return .int(sign * Int64(i * 7 % 128))
        case .int16: return .int(sign * Int64(i * 1001 % 32768))
        case .int32: return .int(sign * Int64(i) * 99_999)
        case .int64: return .int(sign * Int64(i) * 1_000_000_000_007)
        case .float32: return .float(Double(Float(i) / 7))
        case .float64: return .float(Double(i) * -1.5e100 + 0.25)
        case .decimal128: return .decimal(unscaled: Int128(sign) * Int128(i) * 123_456_789_012_345, scale: 3)
        case .utf8: return .string(strings[i % strings.count])
        case .binary: return .binary((0 ..< i % 9).map { UInt8(($0 * 37 + i) % 256) })
        case .date32: return .date(days: Int32(sign) * Int32(i * 400))
        case .time32(let unit), .time64(let unit): return .time(Int64(i) * 3_599_999_999 % unitsPerDay(unit), unit)
        case .timestamp(let unit, _): return .timestamp(sign * Int64(i) * 1_700_000_000_123, unit)
        case .list(let item):
            return .list((0 ..< i % 4).map { j in j == 1 && item.nullable ? .null : value(item.type, row: i * 5 + j, period: 1 << 30) })
        case .map(let entries, _):
            let kv = entries.type.children
            return .map((0 ..< i % 3).map { j in
                ArrowMapEntry(key: value(kv[0].type, row: i * 3 + j, period: 1 << 30),
                              value: j == 1 ? .null : value(kv[1].type, row: i + j, period: 1 << 30))
            })
        case .struct(let fields):
            return .struct(fields.enumerated().map { k, field in
                value(field.type, row: i + k, period: field.nullable ? 3 : 1 << 30)
            })
        }
    }

    static func unitsPerDay(_ unit: ArrowTimeUnit) -> Int64 {
        switch unit {
        case .second: return 86_400
        case .millisecond: return 86_400_000
        case .microsecond: return 86_400_000_000
        case .nanosecond: return 86_400_000_000_000
        }
    }

    static func column(_ type: ArrowType, rows: Int, period: Int) throws -> ArrowArray {
        try ArrowArray(type, values: (0 ..< rows).map { value(type, row: $0, period: period) })
    }

    static var schema: ArrowSchema {
        var fields = types.map { ArrowField($0.0, $0.1) }
        fields[2].metadata = ["unit": "count", "ü": "ß"]
        return ArrowSchema(fields, metadata: ["origin": "swift"])
    }

    /// A batch of every type with nulls everywhere.
    static func batch(rows: Int) throws -> RecordBatch {
        try RecordBatch(schema: schema, columns: types.enumerated().map { k, entry in
            try column(entry.1, rows: rows, period: 2 + k % 5)
        })
    }
}
