import Foundation

/// Reads Flink's `pipeline.global-job-parameters` setting, a map written `k1:v1,k2:v2`, into job parameters.
///
/// The format is Flink's for map options: entries split at `,` and key from value at `:`, outside quotes; a part
/// may be quoted with `'` or `"` to hold those characters, a doubled quote inside a quoted part stands for the
/// quote itself, and spaces around unquoted parts are dropped.
enum GlobalJobParameters {
    /// The setting's key.
    static let key = "pipeline.global-job-parameters"

    /// The parameters in `text`; throws, naming the setting and the entry, for an entry that is not `key:value`
    /// or for an unclosed quote.
    static func parse(_ text: String) throws -> [String: String] {
        var parameters: [String: String] = [:]
        for entry in try split(text, at: ",", whole: text) where !entry.isBlank {
            let parts = try split(entry.text, at: ":", whole: text)
            guard parts.count == 2, !parts[0].isBlank else {
                throw PyFnError.invalidDescriptor("'\(key)' must be key:value pairs separated by commas, such as 'k1:v1,k2:v2'; the entry '\(entry.text)' in '\(text)' is not")
            }
            parameters[parts[0].value] = parts[1].value
        }
        return parameters
    }

    /// One part of the text between delimiters: its raw text and its value with quotes resolved.
    private struct Part {
        var text = ""
        var value = ""
        var quoted = false
        var isBlank: Bool { !quoted && value.isEmpty }
    }

    private static func split(_ text: String, at delimiter: Character, whole: String) throws -> [Part] {
        var parts: [Part] = []
        var current = Part()
        var quote: Character?
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if let open = quote {
                current.text.append(character)
                if character == open {
                    if characters.first == open {
                        current.text.append(characters.removeFirst())
                        current.value.append(open)
                    } else {
                        quote = nil
                    }
                } else {
                    current.value.append(character)
                }
            } else if character == delimiter {
                parts.append(finished(current))
                current = Part()
            } else {
                current.text.append(character)
                if (character == "'" || character == "\"") && current.value.allSatisfy(\.isWhitespace) {
                    quote = character
                    current.quoted = true
                    current.value = ""
                } else {
                    current.value.append(character)
                }
            }
        }
        guard quote == nil else {
            throw PyFnError.invalidDescriptor("'\(key)' has an unclosed quote in '\(whole)'")
        }
        parts.append(finished(current))
        return parts
    }

    private static func finished(_ part: Part) -> Part {
        var part = part
        if !part.quoted { part.value = part.value.trimmingCharacters(in: .whitespaces) }
        part.text = part.text.trimmingCharacters(in: .whitespaces)
        return part
    }
}
