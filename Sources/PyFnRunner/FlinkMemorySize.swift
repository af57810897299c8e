import Foundation

/// Memory sizes written as Flink writes them in its settings (`MemorySize`).
public enum FlinkMemorySize {
    /// Parses `'512m'`, `'512 mb'`, `'1g'`, `'2048k'`, `'1073741824'` (a bare number is bytes, as in Flink;
    /// units are powers of 1024) into bytes; nil when malformed.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let amount = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let scale: Int
        switch unit {
        case "", "b", "bytes": scale = 1
        case "k", "kb", "kibibytes": scale = 1 << 10
        case "m", "mb", "mebibytes": scale = 1 << 20
        case "g", "gb", "gibibytes": scale = 1 << 30
        case "t", "tb", "tebibytes": scale = 1 << 40
        default: return nil
        }
        let (bytes, overflow) = amount.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }

    /// `256 MB`, `1.5 GB`, `900 KB` for messages.
    public static func describe(_ bytes: Int) -> String {
        for (unit, size) in [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)] where bytes >= size {
            let value = Double(bytes) / Double(size)
            return value == value.rounded() ? "\(Int(value)) \(unit)" : String(format: "%.1f %@", value, unit)
        }
        return "\(bytes) bytes"
    }
}
