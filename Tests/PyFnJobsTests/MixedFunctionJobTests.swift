import Foundation
import PyFnArrow
import PyFnJobs
import PyFnTestSupport
import Testing

/// General and Pandas UDFs in one statement: the planner gives each kind its own operator, nested calls stay in one
/// pass, and the rows come out right.
@Suite struct MixedFunctionJobTests {
    @Test func generalAndPandasFunctionsInOneSelect() async throws {
        let sql = JobErrorTests.tables.replacingOccurrences(of: "CREATE TABLE out (n BIGINT, s STRING) WITH ('connector' = 'blackhole');", with: """
            CREATE TABLE out (a BIGINT, b STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            CREATE FUNCTION pandas_double AS 'typed_udfs.pandas_double' LANGUAGE PYTHON;
            """) + "INSERT INTO out SELECT pandas_double(n) + 1, tag(tag(s)), double_it(n) FROM src WHERE n > 1;"
        let path = try JobErrorTests.jobFile(sql, csv: "1,a\n2,b\n3,\n")
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        let plan = job.explain()
        #expect(plan.contains("pandas operator (1 worker): pandas_double"), "\(plan)")
        #expect(plan.contains("scalar operator (1 worker): tag → TAG(TAG(s)), double_it"), "\(plan)")
        try await job.run()
        let output = try String(contentsOfFile: URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("out.csv").path, encoding: .utf8)
        #expect(output.split(separator: "\n").map(String.init) == ["5,<<b>>,4", "7,<<>>,6"])
    }
}
