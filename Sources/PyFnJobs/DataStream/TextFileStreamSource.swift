import Foundation
import PyFnArrow

/// `read_text_file` / `FileSource.for_record_stream_format(StreamFormat.text_line_format(), path)`: the lines of
/// the files (a folder means the files in it, in name order), without their line breaks (`\n` or `\r\n`). Files
/// are spread over the subtasks (file i to subtask i modulo the parallelism), as Flink assigns file splits.
/// A line that is not valid UTF-8 ends the job with `file:line:column: invalid UTF-8 (byte 0xFF)`, as the SQL
/// sources say it (Flink's reader would put U+FFFD in silently).
struct TextFileStreamSource: StreamSource {
    let files: [String]
    let schema = ArrowSchema([ArrowField("value", .utf8, nullable: false)])

    init(paths: [String], node: StreamNode) throws {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw DataStreamError("text file source '\(node.name)': \(path) does not exist", node)
            }
            if isFolder.boolValue {
                let names = try manager.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") }.sorted()
                files += names.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
            } else {
                files.append(path)
            }
        }
        self.files = files
    }

    func produce(subtask: Int, parallelism: Int, emit: (RecordBatch) async throws -> Void) async throws {
        for (index, file) in files.enumerated() where index % parallelism == subtask {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw DataStreamError("text file source cannot open \(file)")
            }
            defer { try? handle.close() }
            var pending: [UInt8] = []
            var builder = VariableBinaryColumnBuilder(type: .utf8)
            var lineNumber = 0
            func line(_ bytes: ArraySlice<UInt8>) throws {
                lineNumber += 1
                let trimmed = bytes.last == 13 ? bytes.dropLast() : bytes
                if let invalid = UTF8Validation.decodeError(trimmed) {
                    throw DataStreamError("text file source: " + LineBatchReader.message(for: invalid, in: trimmed, source: file, line: lineNumber))
                }
                trimmed.withUnsafeBytes { builder.append($0) }
            }
            func flush() async throws {
                guard builder.count > 0 else { return }
                try await emit(try RecordBatch(schema: schema, columns: [builder.finish()]))
                builder = VariableBinaryColumnBuilder(type: .utf8)
            }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                pending += chunk
                var start = pending.startIndex
                while let newline = pending[start...].firstIndex(of: 10) {
                    try line(pending[start..<newline])
                    start = newline + 1
                    if builder.count >= streamSourceBatchRows { try await flush() }
                }
                pending.removeFirst(start - pending.startIndex)
            }
            if !pending.isEmpty { try line(pending[...]) }
            try await flush()
        }
    }
}
