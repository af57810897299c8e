// Strict input: every kind of bad line in a CSV or JSON Lines file fails the read with file, line and column, or,
// with '<format>.ignore-parse-errors', is skipped and counted. Each case asserts the exact message.
import Foundation
import Testing
import PyFnArrow
import PyFnRunner
@testable import PyFnJobs

@Suite("strict input")
struct StrictInputTests {
    static let columns = [SQLField("id", .bigint.notNull), SQLField("name", .string), SQLField("score", .double)]

    func source(_ folder: ConnectorTempFolder, _ file: String, _ bytes: [UInt8], format: String,
                options: [String: String] = [:]) throws -> FileSystemSource {
        try Data(bytes).write(to: URL(fileURLWithPath: folder.file(file)))
        return try FileSystemSource(TableDefinition(
            name: "t", columns: Self.columns,
            options: ["connector": "filesystem", "path": file, "format": format].merging(options) { $1 },
            baseDirectory: folder.path))
    }

    /// The error reading `bytes` as `format` gives.
    func message(_ bytes: [UInt8], format: String = "csv") async throws -> String {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let file = format == "csv" ? "in.csv" : "in.jsonl"
        let table = try source(folder, file, bytes, format: format)
        let message = await connectorErrorMessage { _ = try await connectorRows(table) }
        return message.replacingOccurrences(of: folder.file(file), with: file)
    }

    @Test func invalidUTF8InCSVNamesLineAndColumn() async throws {
        // "1,Zoë,2.5" then a line whose name holds a lone 0xFF byte after "Bj".
        let bytes = Array("1,Zoë,2.5\n2,Bj".utf8) + [0xFF] + Array("rn,3.5\n".utf8)
        #expect(try await message(bytes) == "in.csv:2:5: invalid UTF-8 (byte 0xFF)")
    }

    @Test func truncatedMultiByteCharacterIsInvalid() async throws {
        // "é" is C3 A9; a C3 followed by a comma is cut short. Column counts characters: "1,Zoë," is 6.
        let bytes = Array("1,Zoë,".utf8) + [0xC3] + Array(",x\n".utf8)
        #expect(try await message(bytes) == "in.csv:1:7: invalid UTF-8 (byte 0xC3)")
        // An overlong "/" (C0 AF) and a UTF-16 surrogate (ED A0 80) are not UTF-8 either.
        #expect(try await message(Array("1,a".utf8) + [0xC0, 0xAF] + Array(",1\n".utf8)) == "in.csv:1:4: invalid UTF-8 (byte 0xC0)")
        #expect(try await message(Array("1,".utf8) + [0xED, 0xA0, 0x80] + Array(",1\n".utf8)) == "in.csv:1:3: invalid UTF-8 (byte 0xED)")
    }

    @Test func invalidUTF8InJSON() async throws {
        let bytes = Array(#"{"id": 1, "name": ""#.utf8) + [0xFE] + Array(#""}"#.utf8) + [10]
        #expect(try await message(bytes, format: "json") == "in.jsonl:1:20: invalid UTF-8 (byte 0xFE)")
    }

    @Test func wrongFieldCountPointsAtTheExtraFieldOrTheEnd() async throws {
        #expect(try await message(Array("1,a,2.5\n2,b,3.5,extra\n".utf8)) == "in.csv:2:9: expected 3 fields, found 4")
        #expect(try await message(Array("1,a,2.5\n\n2,b\n".utf8)) == "in.csv:3:4: expected 3 fields, found 2")
        // The quoted (general) path says the same.
        #expect(try await message(Array("1,\"a,b\",2.5,\"x\"\n".utf8)) == "in.csv:1:13: expected 3 fields, found 4")
    }

    @Test func unparsableValueNamesColumnAndText() async throws {
        #expect(try await message(Array("1,a,2.5\n2,bé,2.5x\n".utf8))
                == "in.csv:2:6: not a valid DOUBLE (column 'score', value '2.5x')")
        #expect(try await message(Array("1,\"a\",abc\n".utf8)) == "in.csv:1:7: not a valid DOUBLE (column 'score', value 'abc')")
        #expect(try await message(Array(",a,1\n".utf8)) == "in.csv:1:1: NULL in NOT NULL column (column 'id', value '')")
        #expect(try await message(Array("99999999999999999999,a,1\n".utf8))
                == "in.csv:1:1: out of range for BIGINT (column 'id', value '99999999999999999999')")
        #expect(try await message(Array("{\"id\": 1, \"score\":  \"high\"}\n".utf8), format: "json")
                == "in.jsonl:1:21: not a valid DOUBLE (column 'score', value '\"high\"')")
        #expect(try await message(Array("{\"id\": 1,, }\n".utf8), format: "json") == "in.jsonl:1:10: invalid JSON: expected a member name")
        #expect(try await message(Array("[1]\n".utf8), format: "json") == "in.jsonl:1:1: expected a JSON object")
    }

    @Test func ignoreParseErrorsSkipsEveryKindAndCounts() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let bytes = Array("1,a,1.5\n2,b".utf8) + [0xFF] + Array(",2\n3,c,3,4\n4,d\n5,e,x\n6,f,6.5\n".utf8)
        let csv = try source(folder, "in.csv", bytes, format: "csv", options: ["csv.ignore-parse-errors": "true"])
        #expect(try await connectorRows(csv) == [[.int(1), .string("a"), .float(1.5)], [.int(6), .string("f"), .float(6.5)]])
        #expect(csv.skippedRows == 4, "bad UTF-8, too many fields, too few, a bad number")

        let json = Array("{\"id\": 1}\n{\"id\": 2, \"name\": \"".utf8) + [0xC3] + Array("\"}\n{\"id\": 3, \"score\": true}\n".utf8)
        let lines = try source(folder, "in.jsonl", json, format: "json", options: ["json.ignore-parse-errors": "true"])
        #expect(try await connectorRows(lines) == [[.int(1), .null, .null]])
        #expect(lines.skippedRows == 2)
    }

    /// A job file reading `in.csv` (holding `bytes`) into a CSV sink, with `options` on the source table.
    func job(_ folder: ConnectorTempFolder, _ bytes: [UInt8], options: String = "") throws -> Job {
        try Data(bytes).write(to: URL(fileURLWithPath: folder.file("in.csv")))
        let sql = """
            CREATE TABLE src (id BIGINT NOT NULL, name STRING, score DOUBLE)
                WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv'\(options));
            CREATE TABLE dst (id BIGINT, name STRING) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            INSERT INTO dst SELECT id, name FROM src;
            """
        try sql.write(toFile: folder.file("job.sql"), atomically: true, encoding: .utf8)
        return try Job.load(path: folder.file("job.sql"))
    }

    @Test func aJobCountsSkippedLinesInItsSummaryAndMetrics() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let bytes = Array("1,a,1\n2,".utf8) + [0xFF] + Array(",2\n3,c\n4,d,4\n".utf8)
        let job = try job(folder, bytes, options: ", 'csv.ignore-parse-errors' = 'true'")
        let progress = JobProgress()
        let metrics = RunnerMetrics(job: job.name)
        try await job.run(progress: progress, metrics: metrics)
        #expect(try folder.read("out.csv") == "1,a\n4,d\n")
        #expect(progress.snapshot.rowsSkipped == 2)
        #expect(metrics.snapshot().rowsSkipped == 2)
    }

    @Test func aJobStopsAtTheFirstBadLineWithoutTheOption() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let job = try job(folder, Array("1,a,1\n2,b,2,9\n".utf8))
        let message = await connectorErrorMessage { try await job.run() }
        #expect(message == "\(folder.file("in.csv")):2:7: expected 3 fields, found 4")
    }
}
