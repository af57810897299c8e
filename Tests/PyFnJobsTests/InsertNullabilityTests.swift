import Foundation
import PyFnRunner
import PyFnTestSupport
import Testing
@testable import PyFnJobs

/// INSERT widens nullability inside nested types as Flink does: a `MAP<STRING NOT NULL, STRING>` goes into a
/// `MAP<STRING, STRING>` column, in process and thread mode; the narrowing direction stays an error naming the
/// column.
@Suite struct InsertNullabilityTests {
    @Test func nestedNotNullFitsANullableColumnButNotTheOtherWayRound() throws {
        let strictKey = SQLType(.map(key: .string.notNull, value: .string))
        let loose = SQLType(.map(key: .string, value: .string))
        #expect(strictKey.fits(into: loose))
        #expect(!loose.fits(into: strictKey))
        #expect(SQLType(.array(.bigint.notNull)).fits(into: SQLType(.array(.bigint))))
        #expect(SQLType(.row([SQLField("a", .int.notNull)])).fits(into: SQLType(.row([SQLField("b", .int)]))))
        #expect(!SQLType(.array(.bigint)).fits(into: SQLType(.array(.int))))
    }

    static func job(column: String, mode: String) throws -> (Job, String) {
        let sql = """
            SET 'python.files' = '\(JobErrorTests.udfs)';
            SET 'python.execution-mode' = '\(mode)';
            CREATE TABLE src (n BIGINT, s STRING) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
            CREATE TABLE out (m \(column)) WITH ('connector' = 'filesystem', 'path' = 'out.json', 'format' = 'json');
            CREATE FUNCTION tag_map AS 'nullability_udfs.tag_map' LANGUAGE PYTHON;
            INSERT INTO out SELECT tag_map(s) FROM src;
            """
        let path = try JobErrorTests.jobFile(sql)
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        return (job, URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out.json").path)
    }

    @Test(arguments: ["process", "thread"]) func aNotNullMapKeyGoesIntoANullableMapColumn(mode: String) async throws {
        let (job, out) = try Self.job(column: "MAP<STRING, STRING>", mode: mode)
        try await job.run()
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == [#"{"m":{"tag":"a"}}"#, #"{"m":{"tag":"b"}}"#])
    }

    @Test func aNullableMapValueDoesNotGoIntoANotNullOne() throws {
        #expect {
            _ = try Self.job(column: "MAP<STRING NOT NULL, STRING NOT NULL>", mode: "process")
        } throws: { error in
            "\(error)".contains("is MAP<STRING NOT NULL, STRING> but 'out.m' is MAP<STRING NOT NULL, STRING NOT NULL>")
        }
    }

    /// A time value goes into a column of the same time type at another precision, as Flink casts it implicitly
    /// (a window's `window_start`, a TIMESTAMP(3), into a TIMESTAMP(6) column); another type stays an error.
    @Test func aTimestampGoesIntoAColumnOfAnotherPrecision() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pyfn-precision-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "2024-01-01 00:00:01.5,2.0\n2024-01-01 00:01:10,4.0\n".write(to: folder.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let sql = """
            CREATE TABLE src (ts TIMESTAMP(3), v DOUBLE, WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
            CREATE TABLE out (w TIMESTAMP(6), back TIMESTAMP(0), s DOUBLE) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            INSERT INTO out SELECT window_start, MAX(ts), SUM(v) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
            GROUP BY window_start, window_end;
            """
        try sql.write(to: folder.appendingPathComponent("job.sql"), atomically: true, encoding: .utf8)
        try await Job.load(path: folder.appendingPathComponent("job.sql").path).run()
        let written = try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8)
        #expect(written.split(separator: "\n").sorted() == [#""2024-01-01 00:00:00.000000","2024-01-01 00:00:01",2.0"#,
                                                            #""2024-01-01 00:01:00.000000","2024-01-01 00:01:10",4.0"#])
        #expect {
            _ = try Self.job(column: "TIMESTAMP(3)", mode: "process")
        } throws: { error in
            "\(error)".contains("is MAP<STRING NOT NULL, STRING> but 'out.m' is TIMESTAMP(3)")
        }
    }
}
