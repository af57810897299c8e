import Foundation
import PyFnJobs
import PyFnTestSupport
import Testing

/// Python aggregates as PyFlink's test_udaf.py uses them: ListView and MapView in accumulators, `f(DISTINCT x)`,
/// in process mode and in thread mode (whose State path is in the embedded interpreter).
@Suite struct ConformanceAggregateJobTests {
    /// Runs `select` over `src (k STRING, v STRING, n BIGINT)` from `csv` into `out` (`columns`) in `mode`; returns
    /// the sink's final rows sorted (the latest row per key).
    static func run(_ select: String, columns: String, csv: String, mode: String) async throws -> [String] {
        let sql = """
            SET 'python.files' = '\(PythonAggregateJobTests.udfs)';
            SET 'python.execution-mode' = '\(mode)';
            SET 'python.fn-execution.bundle.size' = '2';
            CREATE TABLE src (k STRING, v STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
            CREATE TABLE out (\(columns)) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            CREATE FUNCTION list_view_concat AS 'udfs_conform.list_view_concat' LANGUAGE PYTHON;
            CREATE FUNCTION count_distinct AS 'udfs_conform.count_distinct' LANGUAGE PYTHON;
            CREATE FUNCTION total AS 'udfs_conform.total' LANGUAGE PYTHON;
            INSERT INTO out \(select);
            """
        let path = try JobErrorTests.jobFile(sql, csv: csv)
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        try await job.run()
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out.csv").path
        return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init).sorted()
    }

    static let csv = "a,x,1\na,y,2\nb,z,3\na,x,1\nb,z,3\na,w,5\n"

    @Test(arguments: ["process", "thread"]) func listViewAndMapViewAccumulators(mode: String) async throws {
        let rows = try await Self.run("SELECT k, list_view_concat(v, '|'), count_distinct(v) FROM src GROUP BY k",
                                      columns: "k STRING, joined STRING, distinct_values BIGINT", csv: Self.csv, mode: mode)
        #expect(rows == ["a,x|y|x|w,3", "b,z|z,1"])
    }

    @Test(arguments: ["process", "thread"]) func distinctOnAPythonAggregate(mode: String) async throws {
        let rows = try await Self.run("SELECT k, total(DISTINCT n), total(n) FROM src GROUP BY k",
                                      columns: "k STRING, distinct_total BIGINT, all_total BIGINT", csv: Self.csv, mode: mode)
        #expect(rows == ["a,8,9", "b,3,6"])
    }
}
