import Foundation
import PyFnArrow
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing

/// The examples with their UDF files written against `pyflink` (examples/pyflink), run with
/// `python.harness = pyflink`: PyFn's planner and Swift operators, PyFlink 2.3's own worker. Each gives the same
/// rows as PyFn's own harness on the same input, and as the independent reference.
@Suite(.serialized, .enabled(if: PyFlinkPython.executable != nil, Comment(rawValue: PyFlinkPython.missing)))
struct PyFlinkExampleJobTests {
    /// examples/NAME with data, its UDF file replaced by examples/pyflink's version.
    static func example(_ name: String, udfs: String, generate script: String, arguments: [String], data: String) throws -> URL {
        let folder = try ExampleJobTests.example(name, generate: script, arguments: arguments, data: data)
        let udfFile = folder.appendingPathComponent(udfs)
        try FileManager.default.removeItem(at: udfFile)
        try FileManager.default.copyItem(at: TestPython.repositoryRoot.appendingPathComponent("examples/pyflink/\(udfs)"), to: udfFile)
        return folder
    }

    static var pyflink: [String: String] {
        ["python.harness": "pyflink", "python.executable": PyFlinkPython.executable ?? "", "table.local-time-zone": "UTC"]
    }

    /// The job's result rows with PyFlink's worker, then with PyFn's (the pyfn-API UDF file of examples/NAME).
    static func bothHarnesses(_ folder: URL, job file: String, example name: String, udfs: String,
                              parallelism: Int = 1) async throws -> (pyflink: [[String]], pyfn: [[String]]) {
        let jobPath = folder.appendingPathComponent(file).path
        let pyflinkJob = try Job.load(path: jobPath, overrides: pyflink)
        try await pyflinkJob.run(parallelism: parallelism)
        let pyflinkRows = try await ExampleJobTests.rows(of: pyflinkJob.plans[0].sink)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("output"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent(udfs))
        try FileManager.default.copyItem(at: TestPython.repositoryRoot.appendingPathComponent("examples/\(name)/\(udfs)"),
                                         to: folder.appendingPathComponent(udfs))
        let pyfnJob = try Job.load(path: jobPath)
        try await pyfnJob.run(parallelism: parallelism)
        return (pyflinkRows, try await ExampleJobTests.rows(of: pyfnJob.plans[0].sink))
    }

    @Test(arguments: [1, 2]) func wordCountGivesPyFnsRows(parallelism: Int) async throws {
        let folder = try Self.example("word_count", udfs: "word_count_udfs.py", generate: "generate_lines.py", arguments: ["--lines", "3000"],
                                      data: "data/lines.csv")
        let expected = try ExampleJobTests.reference("examples/word_count/reference.py", [folder.appendingPathComponent("data/lines.csv").path])
        let rows = try await Self.bothHarnesses(folder, job: "word_count.sql", example: "word_count", udfs: "word_count_udfs.py",
                                                parallelism: parallelism)
        #expect(rows.pyflink.count > 50)
        #expect(rows.pyflink == rows.pyfn)
        #expect(rows.pyflink == expected)
    }

    @Test func cdnLogAnalysisGivesPyFnsRows() async throws {
        let folder = try Self.example("cdn", udfs: "cdn_udfs.py", generate: "generate_access_log.py", arguments: ["--rows", "20000"],
                                      data: "data/access_log.csv")
        let rows = try await Self.bothHarnesses(folder, job: "cdn_log_analysis.sql", example: "cdn", udfs: "cdn_udfs.py", parallelism: 2)
        #expect(rows.pyflink.count > 10)
        #expect(rows.pyflink == rows.pyfn)
        try ExampleJobTests.expectCDNStatistics(rows.pyflink, computedByPandasFrom: folder)
    }

    @Test func iotInterpolationGivesPyFnsRows() async throws {
        let folder = try Self.example("iot", udfs: "iot_udfs.py", generate: "generate_temperatures.py", arguments: ["--devices", "5", "--points", "40"],
                                      data: "data/temperatures.csv")
        let rows = try await Self.bothHarnesses(folder, job: "iot_interpolation.sql", example: "iot", udfs: "iot_udfs.py")
        #expect(rows.pyflink.count == 200)
        #expect(rows.pyflink == rows.pyfn)
    }

    @Test func anAggregateFunctionIsRefusedAtLoadNamingItsStatement() throws {
        let folder = try TestPython.temporaryFolder()
        try FileManager.default.copyItem(at: TestPython.repositoryRoot.appendingPathComponent("Tests/PyFnRunnerTests/python/pyflink_udfs.py"),
                                         to: folder.appendingPathComponent("pyflink_udfs.py"))
        let job = """
            SET 'python.files' = 'pyflink_udfs.py';
            CREATE TABLE t (k STRING, v BIGINT) WITH ('connector' = 'filesystem', 'path' = 't.csv', 'format' = 'csv');
            CREATE TABLE out (k STRING, total BIGINT) WITH ('connector' = 'print');
            CREATE TEMPORARY SYSTEM FUNCTION total AS 'pyflink_udfs.total' LANGUAGE PYTHON;
            INSERT INTO out SELECT k, total(v) FROM t GROUP BY k;
            """
        let path = folder.appendingPathComponent("aggregate.sql")
        try job.write(to: path, atomically: true, encoding: .utf8)
        #expect {
            _ = try Job.load(path: path.path, overrides: Self.pyflink)
        } throws: { error in
            let message = "\(error)"
            return message.contains("pyflink_udfs.total") && message.contains("aggregate") && message.contains("'python.harness' = 'pyfn'")
                && message.contains("aggregate.sql:4")
        }
    }

    @Test func anUnknownHarnessIsNamed() throws {
        let folder = try Self.example("word_count", udfs: "word_count_udfs.py", generate: "generate_lines.py", arguments: ["--lines", "10"],
                                      data: "data/lines.csv")
        #expect {
            _ = try Job.load(path: folder.appendingPathComponent("word_count.sql").path, overrides: ["python.harness": "flink"])
        } throws: { error in
            "\(error)".contains("'python.harness' must be 'pyfn' or 'pyflink', not 'flink'")
        }
    }
}
