// A Python function's error names the input row that failed (its index in the source table, counted from 1) as
// well as its row in the bundle, whatever lane and bundle the row went to.
import Foundation
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing

@Suite struct UDFErrorRowTests {
    static let udfs = TestPython.repositoryRoot.appendingPathComponent("Tests/PyFnJobsTests/python").path

    /// Runs `INSERT INTO out <query>` over the numbers `values` (one per CSV line of table src) and returns the
    /// error's message.
    func failure(values: [Int], query: String, parallelism: Int) async throws -> String {
        let folder = try TestPython.temporaryFolder()
        try values.map(String.init).joined(separator: "\n").appending("\n")
            .write(to: folder.appendingPathComponent("input.csv"), atomically: true, encoding: .utf8)
        let sql = """
            SET 'python.files' = '\(Self.udfs)';
            SET 'python.fn-execution.bundle.size' = '500';
            SET 'python.fn-execution.arrow.batch.size' = '100';
            CREATE TABLE src (n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
            CREATE TABLE out (n BIGINT) WITH ('connector' = 'blackhole');
            CREATE FUNCTION fail_on_three AS 'submit_fixtures.fail_on_three' LANGUAGE PYTHON;
            INSERT INTO out \(query);
            """
        let path = folder.appendingPathComponent("job.sql").path
        try sql.write(toFile: path, atomically: true, encoding: .utf8)
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        do { try await job.run(parallelism: parallelism) } catch { return "\(error)" }
        Issue.record("expected the job to fail")
        return ""
    }

    @Test(arguments: [1, 2]) func theErrorNamesTheSourceRow(parallelism: Int) async throws {
        var values = Array(10..<2010)
        values[1234] = 3
        let message = try await failure(values: values, query: "SELECT fail_on_three(n) FROM src", parallelism: parallelism)
        let firstLine = message.split(separator: "\n").first.map(String.init) ?? ""
        let expected = #/function 'fail_on_three' raised ValueError: three is not allowed \(got 3\) at row \d+ of the bundle \(row 1235 of table 'src'\) with arguments \(3\)/#
        #expect(firstLine.wholeMatch(of: expected) != nil, "\(message)")
        if parallelism == 1 {
            #expect(firstLine.contains("at row 234 of the bundle"), "bundles of 500 rows: row 1234 is row 234 of the third")
        }
    }

    @Test func afterAFilterOnlyTheBundleRowIsNamed() async throws {
        var values = Array(10..<2010)
        values[1234] = 3
        // A WHERE before the function changes which rows a bundle holds; the message claims no source row then.
        let message = try await failure(values: values, query: "SELECT fail_on_three(n) FROM src WHERE n <> 11", parallelism: 1)
        #expect(message.contains("at row 233 of the bundle with arguments (3)"), "\(message)")
    }
}
