import Foundation
import Logging
import PostgresNIO
import Testing
import PyFnArrow
import PyFnRunner
@testable import PyFnJobs

/// A real PostgreSQL server in a temporary folder, started and stopped by scripts/postgres.sh.
struct PostgresServer {
    enum StartError: Error { case aptUnreachable(String), failed(String) }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres.sh").path

    let folder: String
    let environment: [String: String]

    var port: Int { Int(environment["PGPORT"] ?? "") ?? 0 }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static func start(in folder: String) throws -> PostgresServer {
        let (status, output, errors) = try run(["start", folder])
        if status == 3 { throw StartError.aptUnreachable(errors) }
        guard status == 0 else { throw StartError.failed("postgres.sh start exited with \(status): \(errors)") }
        var environment: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { environment[String(parts[0])] = String(parts[1]) }
        }
        return PostgresServer(folder: folder, environment: environment)
    }

    func stop() { _ = try? Self.run(["stop", folder, "--remove"]) }

    /// The rows of `sql`, every column cast to text by the query.
    func query(_ sql: String) async throws -> [[String?]] {
        let configuration = PostgresConnection.Configuration(host: "127.0.0.1", port: port, username: environment["PGUSER"] ?? "",
                                                             password: environment["PGPASSWORD"], database: environment["PGDATABASE"], tls: .disable)
        let logger = Logger(label: "pyfn.test.postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 99, logger: logger)
        var rows: [[String?]] = []
        do {
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) {
                rows.append(try row.map { cell in try cell.decode(String?.self) })
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return rows
    }
}

@Suite("postgres connector", .serialized)
struct ConnectorPostgresTests {
    let columns = [SQLField("word", .string.notNull), SQLField("n", .bigint), SQLField("price", .decimal(8, 2)), SQLField("ok", .boolean),
                   SQLField("day", .date), SQLField("at", .timestamp(3)), SQLField("blob", .bytes), SQLField("tags", .array(.int)),
                   SQLField("tiny", .tinyint), SQLField("ratio", .float)]

    func row(_ word: String, _ n: Int64) -> [ArrowValue] {
        [.string(word), .int(n), .decimal(unscaled: Int128(n) * 125, scale: 2), .bool(n % 2 == 1), .date(days: Int32(n)),
         .timestamp(n * 1_000_500, .microsecond), .binary([0xAB, UInt8(n)]), .list([.int(n), .null]), .int(-n), .float(0.5)]
    }

    @Test func sinkInsertsAndUpsertsIntoARealServer() async throws {
        let folder = NSTemporaryDirectory() + "pyfn-postgres-" + UUID().uuidString.prefix(8)
        let server: PostgresServer
        do {
            server = try PostgresServer.start(in: folder)
        } catch PostgresServer.StartError.aptUnreachable(let detail) {
            withKnownIssue("PostgreSQL is not installed and apt is unreachable, so the postgres sink was not tested") {
                Issue.record("postgres.sh: \(detail)")
            }
            return
        }
        defer { server.stop() }
        let baseOptions = ["connector": "postgres", "port": String(server.port), "username": "pyfn", "password": "pyfn",
                           "database-name": server.environment["PGDATABASE"] ?? ""]

        // Insert-only.
        let events = try Connectors.sink(TableDefinition(name: "events", columns: columns, options: baseOptions, baseDirectory: "/"))
        try await events.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        try await events.write(try connectorBatch(columns, [row("a", 1), row("b", 2)]))
        try await events.write(try connectorBatch(columns, [row("a", 3), [.string("n")] + Array(repeating: .null, count: 9)]))
        try await events.close()
        let inserted = try await server.query(
            "SELECT word, n::text, price::text, ok::text, day::text, at::text, encode(blob, 'hex'), tags::text, tiny::text, ratio::text FROM events ORDER BY word, n")
        #expect(inserted == [
            ["a", "1", "1.25", "true", "1970-01-02", "1970-01-01 00:00:01", "ab01", "[1, null]", "-1", "0.5"],
            ["a", "3", "3.75", "true", "1970-01-04", "1970-01-01 00:00:03.001", "ab03", "[3, null]", "-3", "0.5"],
            ["b", "2", "2.50", "false", "1970-01-03", "1970-01-01 00:00:02.001", "ab02", "[2, null]", "-2", "0.5"],
            ["n", nil, nil, nil, nil, nil, nil, nil, nil, nil],
        ])

        // Upserts by key, through Flink's jdbc spelling, across batches and within one batch.
        let totalsColumns = [SQLField("word", .string.notNull), SQLField("total", .bigint)]
        let jdbc = ["connector": "jdbc", "url": "jdbc:postgresql://127.0.0.1:\(server.port)/\(server.environment["PGDATABASE"] ?? "")",
                    "username": "pyfn", "password": "pyfn", "table-name": "public.word_totals"]
        let totals = try Connectors.sink(TableDefinition(name: "totals", columns: totalsColumns, options: jdbc, baseDirectory: "/"))
        try await totals.open(schema: ArrowSchema(columns: totalsColumns), upsertKey: [0])
        try await totals.write(try connectorBatch(totalsColumns, [[.string("a"), .int(1)], [.string("b"), .int(1)], [.string("a"), .int(2)]]))
        try await totals.write(try connectorBatch(totalsColumns, [[.string("c"), .int(1)], [.string("a"), .int(3)]]))
        try await totals.close()
        #expect(try await server.query("SELECT word, total::text FROM word_totals ORDER BY word") == [["a", "3"], ["b", "1"], ["c", "1"]])
        let key = try await server.query("""
            SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = 'word_totals'::regclass AND i.indisprimary
            """)
        #expect(key == [["word"]])

        // A wrong password is reported with the table and server.
        var wrong = baseOptions
        wrong["password"] = "nope"
        let denied = try Connectors.sink(TableDefinition(name: "events", columns: columns, options: wrong, baseDirectory: "/"))
        let message = await connectorErrorMessage { try await denied.open(schema: ArrowSchema(columns: columns), upsertKey: nil) }
        #expect(message.contains("table 'events'") && message.contains("cannot connect"))
    }
}

extension ConnectorPostgresTests {
    @Test func aGroupedJobLeavesTheRightRowsInPostgres() async throws {
        let folder = NSTemporaryDirectory() + "pyfn-postgres-" + UUID().uuidString.prefix(8)
        let server: PostgresServer
        do {
            server = try PostgresServer.start(in: folder)
        } catch PostgresServer.StartError.aptUnreachable(let detail) {
            withKnownIssue("PostgreSQL is not installed and apt is unreachable") { Issue.record("postgres.sh: \(detail)") }
            return
        }
        defer { server.stop() }
        let example = try ExampleJobTests.example("word_count", generate: "generate_lines.py", arguments: ["--lines", "1500"], data: "data/lines.csv")
        let jobFile = example.appendingPathComponent("word_count.sql")
        let sqliteSink = """
            'connector' = 'sqlite',
                'path' = 'output/word_count.db',
                'table-name' = 'word_count'
            """
        let postgresSink = """
            'connector' = 'postgres', 'port' = '\(server.port)', 'username' = 'pyfn', 'password' = 'pyfn',
                'database-name' = '\(server.environment["PGDATABASE"] ?? "")', 'table-name' = 'word_count'
            """
        let original = try String(contentsOf: jobFile, encoding: .utf8)
        let edited = original.replacingOccurrences(of: sqliteSink, with: postgresSink)
        try #require(edited != original, "the word count job's sink options changed; update this test")
        try edited.write(to: jobFile, atomically: true, encoding: .utf8)
        let job = try Job.load(path: jobFile.path)
        try await job.run(parallelism: 2)
        let actual = try await server.query("SELECT word, cnt::text FROM word_count ORDER BY word COLLATE \"C\"").map { $0.map { $0 ?? "" } }
        let expected = try ExampleJobTests.reference("examples/word_count/reference.py", [example.appendingPathComponent("data/lines.csv").path])
        #expect(actual.count > 50)
        #expect(actual == expected)
    }
}
