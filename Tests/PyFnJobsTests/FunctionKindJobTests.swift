import Foundation
import PyFnArrow
import PyFnJobs
import PyFnTestSupport
import Testing

/// Async and Arrow functions in SQL jobs (Tests/PyFnJobsTests/python/function_kind_udfs.py): beside ordinary
/// functions in one SELECT, with `table.exec.async-scalar.*` set in the job, and their failures as job errors.
@Suite struct FunctionKindJobTests {
    static let functions = """
        CREATE FUNCTION enrich AS 'function_kind_udfs.enrich' LANGUAGE PYTHON;
        CREATE FUNCTION arrow_square AS 'function_kind_udfs.arrow_square' LANGUAGE PYTHON;
        CREATE FUNCTION refuse AS 'function_kind_udfs.refuse' LANGUAGE PYTHON;
        """

    static func job(_ insert: String, settings: String = "", csv: String) throws -> (Job, URL) {
        let sql = JobErrorTests.tables.replacingOccurrences(of: "CREATE TABLE out (n BIGINT, s STRING) WITH ('connector' = 'blackhole');", with: """
            CREATE TABLE out (a STRING, b BIGINT, c BIGINT, d STRING) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            """) + Self.functions + settings + insert
        let path = try JobErrorTests.jobFile(sql, csv: csv)
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        return (job, URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out.csv"))
    }

    @Test(arguments: [1, 2]) func asyncArrowAndOrdinaryFunctionsInOneSelect(parallelism: Int) async throws {
        let rows = (1...200).map { "\($0),w\($0)" }.joined(separator: "\n") + "\n"
        let (job, out) = try Self.job("INSERT INTO out SELECT enrich(n), arrow_square(n), double_it(n), tag(s) FROM src;",
                                      settings: "SET 'table.exec.async-scalar.max-concurrent-operations' = '50';\n",
                                      csv: rows)
        let plan = job.explain()
        #expect(plan.contains("async scalar operator"), "\(plan)")
        #expect(plan.contains("arrow operator"), "\(plan)")
        #expect(plan.contains("scalar operator"), "\(plan)")
        try await job.run(parallelism: parallelism)
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        let expected = (1...200).map { "id-\($0),\($0 * $0),\($0 * 2),<w\($0)>" }
        // One lane keeps the input order; two interleave theirs.
        #expect((parallelism == 1 ? lines : lines.sorted()) == (parallelism == 1 ? expected : expected.sorted()),
                "\(lines.prefix(3))")
    }

    @Test func anAsyncFunctionThatGivesUpFailsTheJobNamingItAndTheRow() async throws {
        let (job, _) = try Self.job("INSERT INTO out SELECT enrich(n), n, n, refuse(n) FROM src;",
                                    settings: "SET 'table.exec.async-scalar.retry-delay' = '1 ms';\n", csv: "4,a\n")
        var message = "no error"
        do { try await job.run() } catch { message = "\(error)" }
        #expect(message.contains("function 'refuse' raised LookupError: no record for 4 (all 3 attempts, table.exec.async-scalar.max-attempts) at row 0"),
                "\(message)")
    }

    @Test func anAsyncSettingThatCannotBeReadIsNamed() throws {
        var message = "no error"
        do {
            _ = try Self.job("INSERT INTO out SELECT enrich(n), n, n, s FROM src;",
                             settings: "SET 'table.exec.async-scalar.timeout' = 'soon';\n", csv: "1,a\n")
        } catch { message = "\(error)" }
        #expect(message.contains("'table.exec.async-scalar.timeout' must be a duration"), "\(message)")
    }
}
