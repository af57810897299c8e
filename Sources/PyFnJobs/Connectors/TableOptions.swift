import Foundation
import PyFnRunner

/// Typed access to a table's `WITH` options for a connector.
///
/// Every read marks the key as understood; ``checkNoneLeft()`` then rejects the keys no read asked for, so a typo
/// (`'fromat'`) fails the job instead of being ignored. Every message names the table and the option.
final class TableOptions {
    /// The table being configured.
    let table: TableDefinition
    private var used: Set<String> = ["connector"]

    init(_ table: TableDefinition) { self.table = table }

    /// The connector's name (`'connector'`).
    var connector: String { table.options["connector"] ?? "" }

    /// An error whose message starts with the table's name.
    func error(_ message: String) -> ConnectorError {
        ConnectorError("table '\(table.name)': \(message)")
    }

    /// The option's text, nil when absent.
    func string(_ key: String) -> String? {
        used.insert(key)
        return table.options[key]
    }

    /// The option's text; throws when it is missing.
    func required(_ key: String) throws -> String {
        guard let value = string(key), !value.isEmpty else {
            throw error("missing option '\(key)' (required by connector '\(connector)')")
        }
        return value
    }

    /// One of `allowed` (compared without case), `defaultValue` when absent.
    func choice(_ key: String, _ allowed: [String], default defaultValue: String? = nil) throws -> String {
        guard let value = string(key) ?? defaultValue else {
            throw error("missing option '\(key)' (one of \(allowed.map { "'\($0)'" }.joined(separator: ", ")))")
        }
        guard let match = allowed.first(where: { $0.caseInsensitiveCompare(value) == .orderedSame }) else {
            throw error("option '\(key)' must be one of \(allowed.map { "'\($0)'" }.joined(separator: ", ")), not '\(value)'")
        }
        return match
    }

    /// `'true'` or `'false'`; `defaultValue` when absent.
    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let value = string(key) else { return defaultValue }
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw error("option '\(key)' must be 'true' or 'false', not '\(value)'")
        }
    }

    /// An integer, nil when absent; throws when it is not an integer or is below `minimum`.
    func int(_ key: String, minimum: Int64 = .min) throws -> Int64? {
        guard let value = string(key) else { return nil }
        guard let number = Int64(value.trimmingCharacters(in: .whitespaces)), number >= minimum else {
            throw error("option '\(key)' must be an integer\(minimum > .min ? " ≥ \(minimum)" : ""), not '\(value)'")
        }
        return number
    }

    /// A single character (delimiters, quotes); `\t` is accepted for a tab.
    func character(_ key: String, default defaultValue: Character) throws -> Character {
        guard let value = string(key) else { return defaultValue }
        if value == "\\t" { return "\t" }
        guard value.count == 1, let character = value.first, character.isASCII else {
            throw error("option '\(key)' must be a single ASCII character, not '\(value)'")
        }
        return character
    }

    /// A duration in Flink's syntax: a number and a unit (`ms`, `s`, `min`, `h`, `d`, long names too), e.g.
    /// `'100ms'`, `'1 s'`; a bare number is milliseconds. Nil when absent.
    func duration(_ key: String) throws -> Duration? {
        guard let value = string(key) else { return nil }
        guard let duration = Self.parseDuration(value) else {
            throw error("option '\(key)' must be a duration such as '100ms' or '1s', not '\(value)'")
        }
        return duration
    }

    /// A path option resolved against the table's base directory (absolute paths stay as they are).
    func path(_ key: String) throws -> String {
        let value = try required(key)
        let expanded = (value as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return expanded }
        return URL(fileURLWithPath: table.baseDirectory, isDirectory: true).appendingPathComponent(expanded).path
    }

    /// The option keys starting with `prefix`, all marked as understood.
    func keys(withPrefix prefix: String) -> [String] {
        let keys = table.options.keys.filter { $0.hasPrefix(prefix) }.sorted()
        used.formUnion(keys)
        return keys
    }

    /// Throws when the table has an option no read asked for.
    func checkNoneLeft() throws {
        let unknown = table.options.keys.filter { !used.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
            throw error("unsupported option\(unknown.count == 1 ? "" : "s") \(list) for connector '\(connector)'")
        }
    }

    /// Parses `'100ms'`, `'1 s'`, `'2min'`, `'500'` (milliseconds); nil when malformed.
    static func parseDuration(_ text: String) -> Duration? {
        FlinkDuration.parse(text)
    }
}
