// The identity of one INSERT of one job, under which database sinks record their commits: two runs have the same
// identity exactly when they run the same statement from the same sink over the same input.
import Foundation

/// A 128-bit hex digest of what an INSERT's output depends on:
/// - the statement: the INSERT's text in the job file (from its position up to its `;`), or its location when the
///   file cannot be read (a job built in Swift);
/// - the sink: the table's name, columns and `WITH` options;
/// - the input: the source table's name, columns and options, and for a `'path'` option the size and
///   modification time (nanoseconds) of the file, or of each file in the folder.
/// The Python functions' code is not part of it: after changing a function, delete the job's row from the table
/// `pyfn_sink_commits` to write its rows again.
public struct SinkJobIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The digest, 32 hex digits.
    public let digest: String
    /// Whether the input is bounded (only then can a rerun reproduce the rows, and an earlier commit stand for it).
    public let boundedInput: Bool

    /// The identity of `plan`'s INSERT, whose source is bounded when `boundedInput`.
    public init(plan: InsertPlan, boundedInput: Bool) {
        var text = "statement\u{0}" + Self.statementText(at: plan.location) + "\u{0}"
        text += "sink\u{0}" + Self.describe(plan.sink) + "\u{0}"
        text += "source\u{0}" + Self.describe(plan.source) + "\u{0}" + Self.inputStamp(of: plan.source)
        digest = Self.digest(Data(text.utf8))
        self.boundedInput = boundedInput
    }

    /// An identity with a known digest (tests).
    init(digest: String, boundedInput: Bool) {
        self.digest = digest
        self.boundedInput = boundedInput
    }

    /// The digest.
    public var description: String { digest }

    /// The INSERT's text: from its location to the `;` that ends it (outside quotes), or the location itself.
    static func statementText(at location: SourceLocation) -> String {
        guard let file = try? String(contentsOfFile: location.file, encoding: .utf8) else { return "\(location)" }
        let lines = file.split(separator: "\n", omittingEmptySubsequences: false)
        guard location.line >= 1, location.line <= lines.count else { return "\(location)" }
        var rest = lines[(location.line - 1)...].joined(separator: "\n")
        rest = String(rest.dropFirst(max(0, location.column - 1)))
        var quote: Character?
        for index in rest.indices {
            let c = rest[index]
            if let open = quote {
                if c == open { quote = nil }
            } else if c == "'" || c == "\"" || c == "`" {
                quote = c
            } else if c == ";" {
                return String(rest[..<index])
            }
        }
        return rest
    }

    /// A table's name, columns and options in a stable order.
    static func describe(_ table: TableDefinition) -> String {
        let columns = table.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        let options = table.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}")
        return "\(table.name)(\(columns)) key(\(table.primaryKey.joined(separator: ","))) \(options)"
    }

    /// Size and modification time of the source's `'path'` (each regular file in it, for a folder).
    static func inputStamp(of table: TableDefinition) -> String {
        guard let path = table.options["path"] else { return "" }
        let resolved = path.hasPrefix("/") ? path : URL(fileURLWithPath: table.baseDirectory).appendingPathComponent(path).path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder) else { return "missing" }
        guard isFolder.boolValue else { return stamp(resolved) }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: resolved)) ?? []).sorted()
        return names.map { "\($0):" + stamp(resolved + "/" + $0) }.joined(separator: "\u{0}")
    }

    private static func stamp(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "unreadable" }
        return "\(info.st_size)@\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    /// Two FNV-1a 64-bit hashes (different offset bases) of `data`, as 32 hex digits.
    static func digest(_ data: Data) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in data {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = b ^ (b >> 29)
        }
        return [a, b].map { String($0, radix: 16).leftPadded(to: 16) }.joined()
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
