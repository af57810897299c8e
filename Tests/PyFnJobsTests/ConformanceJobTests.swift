import Foundation
import PyFnJobs
import PyFnTestSupport
import Testing

/// Cases written from PyFlink 2.3's own UDF tests (test_udf.py, test_pandas_udf.py): computed arguments to Python
/// calls, general and Pandas UDFs nested in each other, CAST to DATE/TIME/TIMESTAMP and typed literals — the rows
/// PyFlink gives, in process and thread mode.
@Suite struct ConformanceJobTests {
    /// Runs `query` (an INSERT INTO out …) over `src (a BIGINT, b STRING, d STRING)` read from `csv`, writing CSV
    /// to `out` with `columns`; returns the output lines.
    static func run(_ query: String, columns: String, csv: String = "1,5,2020-01-02\n3,7,2021-12-31 10:20:30.5\n",
                    mode: String, extraFiles: [String: String] = [:]) async throws -> [String] {
        let sql = """
            SET 'python.files' = '\(JobErrorTests.udfs)';
            SET 'python.execution-mode' = '\(mode)';
            CREATE TABLE src (a BIGINT, b STRING, d STRING) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
            CREATE TABLE out (\(columns)) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            CREATE FUNCTION add_one AS 'conform_udfs.add_one' LANGUAGE PYTHON;
            CREATE FUNCTION pandas_add_one AS 'conform_udfs.pandas_add_one' LANGUAGE PYTHON;
            CREATE FUNCTION half AS 'conform_udfs.half' LANGUAGE PYTHON;
            CREATE FUNCTION describe AS 'conform_udfs.describe' LANGUAGE PYTHON;
            CREATE FUNCTION time_plus_second AS 'conform_udfs.time_plus_second' LANGUAGE PYTHON;
            \(query)
            """
        let path = try JobErrorTests.jobFile(sql, csv: csv)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        for (name, text) in extraFiles { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        try await job.run()
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out.csv").path
        return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test(arguments: ["process", "thread"]) func computedArgumentsArePassedAsValues(mode: String) async throws {
        let lines = try await Self.run("INSERT INTO out SELECT add_one(a + 1), add_one(CAST(b AS BIGINT)), half((a + a) / 2), pandas_add_one(a * 10) FROM src;",
                                       columns: "x BIGINT, y BIGINT, z DOUBLE, p BIGINT", mode: mode)
        #expect(lines == ["3,6,0.5,11", "5,8,1.5,31"])
    }

    @Test(arguments: ["process", "thread"]) func generalAndPandasUDFsNestInEachOther(mode: String) async throws {
        let lines = try await Self.run("INSERT INTO out SELECT pandas_add_one(add_one(a)), add_one(pandas_add_one(a) * 2), add_one(add_one(a) + pandas_add_one(a)) FROM src;",
                                       columns: "x BIGINT, y BIGINT, z BIGINT", mode: mode)
        #expect(lines == ["3,5,5", "5,9,9"])
    }

    @Test(arguments: ["process", "thread"]) func castToTemporalTypesAndTypedLiterals(mode: String) async throws {
        let lines = try await Self.run("""
            INSERT INTO out SELECT describe(CAST(CAST(d AS TIMESTAMP) AS DATE)), describe(CAST(d AS TIMESTAMP(3))), describe(DATE '2020-01-01'),
                describe(TIME '12:00:00.123'), describe(TIMESTAMP '2020-01-01 08:30:00'), CAST(CAST(d AS TIMESTAMP) AS DATE) FROM src;
            """, columns: "a STRING, b STRING, c STRING, t STRING, s STRING, e DATE", mode: mode)
        // Strings with a space are quoted, as Flink's CSV format writes them.
        #expect(lines == [
            #""date 2020-01-02","datetime 2020-01-02T00:00:00","date 2020-01-01","time 12:00:00.123000","datetime 2020-01-01T08:30:00",2020-01-02"#,
            #""date 2021-12-31","datetime 2021-12-31T10:20:30.500000","date 2020-01-01","time 12:00:00.123000","datetime 2020-01-01T08:30:00",2021-12-31"#,
        ])
    }

    @Test(arguments: ["process", "thread"]) func timeKeepsItsFractionIntoAndOutOfAUDF(mode: String) async throws {
        let lines = try await Self.run("""
            CREATE TABLE times (t TIME) WITH ('connector' = 'filesystem', 'path' = 'times.csv', 'format' = 'csv');
            INSERT INTO out SELECT time_plus_second(t), describe(t) FROM times;
            """, columns: "t TIME, s STRING", csv: "", mode: mode, extraFiles: ["times.csv": "12:00:00.123\n"])
        #expect(lines == [#"12:00:01.123,"time 12:00:00.123000""#])
    }

    @Test func aCastThatCannotBeIsRefusedWithTheTypes() async throws {
        await #expect {
            _ = try await Self.run("INSERT INTO out SELECT describe(CAST(a AS DATE)) FROM src;", columns: "s STRING", mode: "process")
        } throws: { error in
            "\(error)".contains("cannot CAST BIGINT AS DATE")
        }
        await #expect {
            _ = try await Self.run("INSERT INTO out SELECT describe(DATE '2020-13-01') FROM src;", columns: "s STRING", mode: "process")
        } throws: { error in
            "\(error)".contains("'2020-13-01' is not a valid DATE")
        }
    }
}
