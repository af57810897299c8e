import Foundation
import PyFnArrow
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing

/// Wrong job files stop before any worker starts, with the file, line and column of what is wrong; bad input rows
/// stop the job with the file and line, or are skipped and counted when the table says so.
@Suite struct JobErrorTests {
    static let udfs = TestPython.repositoryRoot.appendingPathComponent("Tests/PyFnJobsTests/python").path

    /// Writes `sql` (and a CSV input) to a temporary folder and returns the job file's path.
    static func jobFile(_ sql: String, csv: String = "1,a\n2,b\n") throws -> String {
        let folder = try TestPython.temporaryFolder()
        try csv.write(to: folder.appendingPathComponent("input.csv"), atomically: true, encoding: .utf8)
        let path = folder.appendingPathComponent("job.sql").path
        try sql.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let tables = """
        SET 'python.files' = '\(udfs)';
        CREATE TABLE src (n BIGINT, s STRING) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
        CREATE TABLE out (n BIGINT, s STRING) WITH ('connector' = 'blackhole');
        CREATE FUNCTION double_it AS 'typed_udfs.double_it' LANGUAGE PYTHON;
        CREATE FUNCTION tag AS 'typed_udfs.tag' LANGUAGE PYTHON;

        """

    func loadError(_ sql: String) throws -> SQLError {
        let path = try Self.jobFile(sql)
        do {
            _ = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        } catch let error as SQLError {
            #expect(error.location.file == path)
            return error
        }
        Issue.record("the job loaded")
        return SQLError("", at: SourceLocation(file: "", line: 0, column: 0))
    }

    @Test func anUnknownColumnIsPlacedExactly() throws {
        let error = try loadError(Self.tables + "INSERT INTO out SELECT n, nope FROM src;")
        #expect(error.location.line == 6)
        #expect(error.location.column == 27)
        #expect(error.message.contains("unknown column 'nope'"))
    }

    @Test func anUnknownFunctionIsPlacedExactly() throws {
        let error = try loadError(Self.tables + "INSERT INTO out\nSELECT n, shout(s) FROM src;")
        #expect(error.location.line == 7)
        #expect(error.location.column == 11)
        #expect(error.message.contains("unknown function 'shout'"))
    }

    @Test func aUDFArgumentOfTheWrongTypeIsFoundBeforeTheJobStarts() throws {
        let error = try loadError(Self.tables + "INSERT INTO out SELECT double_it(s), s FROM src;")
        #expect(error.location.line == 6)
        #expect(error.message.contains("argument 1 of 'double_it' is declared BIGINT but is given STRING"))
    }

    @Test func anUnknownExecutionModeAndEmbeddedWithAPoolAreNamed() throws {
        let path = try Self.jobFile(Self.tables + "INSERT INTO out SELECT n, s FROM src;\n")
        let unknown = #expect(throws: PyFnError.self) {
            try Job.load(path: path, overrides: ["python.executable": TestPython.executable, "python.execution-mode": "fork"])
        }
        #expect("\(unknown.map { "\($0)" } ?? "")".contains("'python.execution-mode' must be 'process' or 'thread'"))
        #expect("\(unknown.map { "\($0)" } ?? "")".contains("'fork'"))
        let both = #expect(throws: PyFnError.self) {
            try Job.load(path: path, overrides: ["python.executable": TestPython.executable, "python.execution-mode": "thread",
                                                 "python.worker-pool": "127.0.0.1:50000"])
        }
        #expect("\(both.map { "\($0)" } ?? "")".contains("'python.worker-pool' cannot be used"))
    }

    @Test func aSyntaxErrorIsPlacedExactly() throws {
        let error = try loadError(Self.tables + "INSERT INTO out SELECT n s, FROM src;")
        #expect(error.location.line == 6)
        #expect(error.location.column == 29)
    }

    @Test func anUnknownTableAndAWrongColumnCountAreNamed() throws {
        #expect(try loadError(Self.tables + "INSERT INTO nowhere SELECT n, s FROM src;").message.contains("unknown table 'nowhere'"))
        #expect(try loadError(Self.tables + "INSERT INTO out SELECT n FROM src;").message.contains("gives 1 columns but 'out' has 2"))
    }

    @Test func aModuleThatDoesNotImportIsNamedAtItsStatement() throws {
        let error = try loadError(Self.tables.replacingOccurrences(of: "'typed_udfs.tag'", with: "'missing_module.tag'")
                                  + "INSERT INTO out SELECT n, s FROM src;")
        #expect(error.location.line == 5)
        #expect(error.message.contains("missing_module"))
    }

    @Test func aMalformedCSVLineStopsTheJobWithFileAndLine() async throws {
        let path = try Self.jobFile(Self.tables + "INSERT INTO out SELECT double_it(n), tag(s) FROM src;", csv: "1,a\n2,b\nthree,c\n4,d\n")
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        var message = ""
        do { try await job.run() } catch { message = "\(error)" }
        #expect(message.contains("input.csv:3"), "\(message)")
        #expect(message.contains("three"), "\(message)")
    }

    @Test func ignoredParseErrorsAreSkippedAndCounted() async throws {
        let sql = (Self.tables + "INSERT INTO out SELECT double_it(n), tag(s) FROM src;")
            .replacingOccurrences(of: "'format' = 'csv')", with: "'format' = 'csv', 'format.ignore-parse-errors' = 'true')")
        let path = try Self.jobFile(sql, csv: "1,a\n2,b\nthree,c\n4,d\n")
        let job = try Job.load(path: path, overrides: ["python.executable": TestPython.executable])
        let progress = JobProgress()
        try await job.run(progress: progress)
        #expect(progress.snapshot.rowsIn == 3)
        #expect(progress.snapshot.rowsOut == 3)
        #expect(progress.snapshot.rowsSkipped == 1)
    }
}
