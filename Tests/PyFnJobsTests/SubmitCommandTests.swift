// `pyfn submit` end to end through the built binary: requests as a Python program sends them, real workers,
// the Arrow stream read back from stdout, the PYFN-STATUS line, errors at the program's lines.
import Foundation
import GRDB
import Testing
import PyFnArrow
import PyFnTestSupport
@testable import PyFnJobs

@Suite("pyfn submit", .serialized)
struct SubmitCommandTests {
    /// A CSV of (id, name) rows in a fresh folder, declared as a table `people` with Flink's legacy keys.
    static func peopleFolder(_ rows: [(Int, String)]) throws -> (URL, [String: Any]) {
        let folder = try TestPython.temporaryFolder()
        try rows.map { "\($0.0),\($0.1)" }.joined(separator: "\n").write(to: folder.appendingPathComponent("people.csv"), atomically: true, encoding: .utf8)
        let ddl = """
            CREATE TABLE people (id BIGINT, name STRING) WITH (
              'connector.type' = 'filesystem', 'connector.path' = 'people.csv', 'format.type' = 'csv',
              'format.field-delimiter' = ',', 'format.derive-schema' = 'true')
            """
        return (folder, SubmitProcess.statement(ddl, line: 20))
    }

    @Test func collectsRowsOfAPickledFunctionAsAnArrowStream() throws {
        let people = [(1, "ada"), (2, "grace"), (3, "edsger"), (4, "barbara")]
        let (folder, table) = try Self.peopleFolder(people)
        let outcome = try SubmitProcess.run([
            "version": 1, "name": "shout", "base_directory": folder.path,
            "functions": try SubmitProcess.pickledFunctions(),
            "statements": [table],
            "collect": SubmitProcess.statement("SELECT id, shout(name) AS loud FROM people WHERE id <> 2", line: 30),
        ])
        try #require(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.field("ok") == "1")
        #expect(outcome.field("rows_in") == "4")
        #expect(outcome.field("rows_out") == "3")
        #expect(outcome.streamFinished)
        #expect(outcome.schema?.fields.map(\.name) == ["id", "loud"])
        let expected = people.filter { $0.0 != 2 }.map { [ArrowValue.int(Int64($0.0)), .string($0.1.uppercased() + "!")] }
        #expect(outcome.rows == expected)
    }

    @Test func tableFunctionAndGroupedCollectGiveFinalRowsInBatchMode() throws {
        let (folder, table) = try Self.peopleFolder([(1, "aab"), (2, "ba")])
        let outcome = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path, "functions": try SubmitProcess.pickledFunctions(),
            "statements": [table],
            "collect": SubmitProcess.statement(
                "SELECT letter, COUNT(*) AS n FROM people, LATERAL TABLE(letters(name)) AS t(letter, position) GROUP BY letter", line: 31),
        ])
        try #require(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.schema?.fields.map(\.name) == ["letter", "n"])
        let counts = Dictionary(uniqueKeysWithValues: outcome.rows.map { ($0[0], $0[1]) })
        #expect(counts == [.string("a"): .int(3), .string("b"): .int(2)])
        #expect(outcome.rows.count == 2)
    }

    @Test func streamingModeMarksGroupedRowsWithTheirRowKind() throws {
        let (folder, table) = try Self.peopleFolder([(1, "x"), (2, "y"), (3, "x")])
        let outcome = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path, "settings": ["execution.runtime-mode": "streaming"],
            "statements": [table],
            "collect": SubmitProcess.statement("SELECT name, COUNT(*) AS n FROM people GROUP BY name", line: 32),
        ])
        try #require(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.schema?.fields.map(\.name) == ["__row_kind", "name", "n"])
        #expect(outcome.schema?.fields.first?.type == .int8)
        #expect(Set(outcome.rows.map { $0.map { "\($0)" } }) == Set([[ArrowValue.int(0), .string("x"), .int(2)], [.int(0), .string("y"), .int(1)]].map { $0.map { "\($0)" } }))
    }

    @Test func arrowSourceRoundTripsEveryType() throws {
        let folder = try TestPython.temporaryFolder()
        let file = folder.appendingPathComponent("elements.arrow").path
        let written = try TestPython.run("Tests/PyFnJobsTests/python/submit_fixtures.py", ["all-types", file])
        try #require(written.status == 0, "\(written.output)")
        let columns = written.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path,
            "statements": [SubmitProcess.statement("CREATE TABLE elements (\(columns)) WITH ('connector' = 'arrow', 'path' = 'elements.arrow')", line: 5)],
            "collect": SubmitProcess.statement("SELECT * FROM elements", line: 6),
        ], keepBytes: true)
        try #require(outcome.status == 0, "\(outcome.errors)")
        let collected = folder.appendingPathComponent("collected.arrow")
        try outcome.bytes.write(to: collected)
        let same = try TestPython.run("Tests/PyFnJobsTests/python/submit_fixtures.py", ["same-rows", file, collected.path])
        #expect(same.status == 0, "\(same.output)")
        #expect(same.output.contains("3 rows equal"))
    }

    @Test func anUnknownColumnIsAValidationErrorAtTheProgramsLine() throws {
        let (folder, table) = try Self.peopleFolder([(1, "a")])
        let outcome = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path, "statements": [table],
            "collect": SubmitProcess.statement("SELECT id, nmae FROM people", line: 41),
        ])
        #expect(outcome.status != 0)
        #expect(outcome.field("ok") == "0")
        #expect(outcome.field("kind") == "validation")
        #expect(outcome.field("file") == "/programs/job.py")
        #expect(outcome.field("line") == "41")
        #expect(outcome.field("message")?.contains("nmae") == true, "\(outcome.report)")
        #expect(outcome.rowCount == 0)
    }

    @Test func anUnknownFunctionAndABadOptionAreValidationErrors() throws {
        let (folder, table) = try Self.peopleFolder([(1, "a")])
        let unknown = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path, "statements": [table],
            "collect": SubmitProcess.statement("SELECT ip_to_province(name) FROM people", line: 42),
        ])
        #expect(unknown.field("kind") == "validation")
        #expect(unknown.field("line") == "42")
        #expect(unknown.field("message")?.contains("ip_to_province") == true, "\(unknown.report)")

        let badOption = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path,
            "statements": [SubmitProcess.statement("CREATE TABLE t (a BIGINT) WITH ('connector.type' = 'filesystem', 'connector.path' = 'x.csv', 'format.type' = 'csv', 'format.fancy' = '1')", line: 7)],
            "collect": SubmitProcess.statement("SELECT a FROM t", line: 43),
        ])
        #expect(badOption.field("kind") == "validation")
        #expect(badOption.field("line") == "7", "\(badOption.report)")
        #expect(badOption.field("message") == "table 't': unsupported option 'format.fancy' for connector 'filesystem'")
    }

    @Test func aFunctionThatRaisesIsAnExecutionErrorWithItsTraceback() throws {
        let (folder, table) = try Self.peopleFolder([(1, "a"), (2, "b"), (3, "c")])
        let outcome = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path, "functions": try SubmitProcess.pickledFunctions(),
            "statements": [table],
            "collect": SubmitProcess.statement("SELECT fail_on_three(id) FROM people", line: 44),
        ])
        #expect(outcome.status != 0)
        #expect(outcome.field("kind") == "execution")
        #expect(outcome.field("line") == "44")
        let message = outcome.field("message") ?? ""
        #expect(message.contains("fail_on_three"), "\(message)")
        #expect(message.contains("three is not allowed (got 3)"), "\(message)")
        #expect(!outcome.streamFinished)
    }

    @Test func malformedRequestsAreValidationErrors() throws {
        let outcome = try SubmitProcess.run(["version": 2])
        #expect(outcome.field("kind") == "validation")
        #expect(outcome.field("message")?.contains("version 2") == true)
    }

    @Test func insertsThroughLegacyJDBCOptionsIntoSQLite() async throws {
        let (folder, table) = try Self.peopleFolder([(1, "ada"), (2, "grace")])
        let database = folder.appendingPathComponent("out/people.db").path
        let sink = """
            CREATE TABLE loud (id BIGINT, name STRING) WITH (
              'connector.type' = 'jdbc', 'connector.url' = 'jdbc:sqlite:\(database)', 'connector.table' = 'loud_people',
              'connector.username' = 'root', 'connector.password' = 'root', 'connector.write.flush.interval' = '1s')
            """
        let outcome = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path, "functions": try SubmitProcess.pickledFunctions(),
            "statements": [table, SubmitProcess.statement(sink, line: 21),
                           SubmitProcess.statement("INSERT INTO loud SELECT id, shout(name) FROM people", line: 22)],
        ])
        try #require(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.rowCount == 0)
        let queue = try DatabaseQueue(path: database)
        let rows = try await queue.read { db in try Row.fetchAll(db, sql: "SELECT id, name FROM loud_people ORDER BY id").map { "\($0[0] as Int64) \($0[1] as String)" } }
        try queue.close()
        #expect(rows == ["1 ADA!", "2 GRACE!"])
    }

    @Test func collectOverTenMillionRowsKeepsTheRunnersMemoryFlat() throws {
        let rows = 10_000_000
        let outcome = try SubmitProcess.run([
            "version": 1,
            "statements": [SubmitProcess.statement("CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '\(rows)')", line: 3)],
            "collect": SubmitProcess.statement("SELECT n FROM numbers", line: 4),
        ], keepRows: false, sampleAfterRows: 1_000_000)
        try #require(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.rowCount == rows)
        let early = try #require(outcome.peakKilobytesEarly), end = try #require(outcome.peakKilobytesAtEnd)
        // 10 M BIGINTs are 80 MB; a runner that held them would grow by at least that much after the first million.
        #expect(end - early < 30_000, "VmHWM grew from \(early) kB to \(end) kB")
    }
}

extension SubmitCommandTests {
    @Test func groupedInsertThroughLegacyJDBCOptionsIntoARealPostgreSQL() async throws {
        let folder = NSTemporaryDirectory() + "pyfn-submit-postgres-" + UUID().uuidString.prefix(8)
        let server: PostgresServer
        do {
            server = try PostgresServer.start(in: folder)
        } catch PostgresServer.StartError.aptUnreachable(let detail) {
            withKnownIssue("PostgreSQL is not installed and apt is unreachable, so jdbc:postgresql was not tested") {
                Issue.record("postgres.sh: \(detail)")
            }
            return
        }
        defer { server.stop() }
        let (data, table) = try Self.peopleFolder([(1, "ada"), (2, "grace"), (3, "ada"), (4, "ada")])
        let sink = """
            CREATE TABLE name_counts (name STRING, n BIGINT) WITH (
              'connector.type' = 'jdbc', 'connector.url' = 'jdbc:postgresql://127.0.0.1:\(server.port)/\(server.environment["PGDATABASE"] ?? "")',
              'connector.table' = 'name_counts', 'connector.driver' = 'org.postgresql.Driver',
              'connector.username' = 'pyfn', 'connector.password' = 'pyfn', 'connector.write.flush.interval' = '1s')
            """
        let outcome = try SubmitProcess.run([
            "version": 1, "base_directory": data.path, "functions": try SubmitProcess.pickledFunctions(),
            "statements": [table, SubmitProcess.statement(sink, line: 21),
                           SubmitProcess.statement("INSERT INTO name_counts SELECT shout(name), COUNT(*) FROM people GROUP BY shout(name)", line: 22)],
        ])
        try #require(outcome.status == 0, "\(outcome.errors)")
        #expect(try await server.query("SELECT name, n::text FROM name_counts ORDER BY name") == [["ADA!", "3"], ["GRACE!", "1"]])
    }
}

extension SubmitCommandTests {
    @Test func streamingGroupedCollectOverAWatchedFileRetractsAndUpdates() throws {
        let folder = try TestPython.temporaryFolder()
        let file = folder.appendingPathComponent("events.csv")
        try "1,x\n2,y\n".write(to: file, atomically: true, encoding: .utf8)
        let outcome = try SubmitProcess.run([
            "version": 1, "base_directory": folder.path,
            "settings": ["execution.runtime-mode": "streaming", "python.fn-execution.bundle.time": "50"],
            "statements": [SubmitProcess.statement("CREATE TABLE events (id BIGINT, name STRING) WITH ('connector' = 'filesystem', 'path' = 'events.csv', 'format' = 'csv', 'source.monitor-interval' = '50ms')", line: 3)],
            "collect": SubmitProcess.statement("SELECT name, COUNT(*) AS n FROM events GROUP BY name", line: 4),
        ], whenRowsReach: (2, {
            let handle = try FileHandle(forWritingTo: file)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("3,x\n".utf8))
            try handle.close()
        }), stopAfterRows: 4)
        #expect(outcome.schema?.fields.map(\.name) == ["__row_kind", "name", "n"])
        let text = outcome.rows.map { $0.map { "\($0)" }.joined(separator: " ") }
        try #require(outcome.rows.count == 4, "\(text)")
        #expect(Set(text.prefix(2)) == Set(["int(0) string(\"x\") int(1)", "int(0) string(\"y\") int(1)"]))
        #expect(Array(text.suffix(2)) == ["int(1) string(\"x\") int(1)", "int(2) string(\"x\") int(2)"])
    }
}
