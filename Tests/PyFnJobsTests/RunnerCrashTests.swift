// Exactly-once sinks across runner crashes: a real `pyfn run` of a job into every committing sink (CSV, JSON lines,
// SQLite insert-only and upsert, PostgreSQL insert-only and upsert) is killed with SIGKILL at several points, its
// outputs are checked for torn or partial content, it is rerun, and the outputs must equal an undisturbed run's.
import Foundation
import GRDB
import PyFnTestSupport
import Testing

@Suite("runner crashes", .serialized)
struct RunnerCrashTests {
    static let rows = 6_000

    /// The job's Python function: a little CPU per row so every INSERT takes a noticeable part of the run.
    static let udfs = """
        from pyfn import DataTypes, udf


        @udf(result_type=DataTypes.BIGINT())
        def score(n):
            total = 0
            for i in range(200):
                total += (n * i) % 7
            return total

        """

    /// A folder with the input, the functions and a job writing to every sink; PostgreSQL tables get `suffix`.
    static func jobFolder(postgres: PostgresServer?, suffix: String) throws -> URL {
        let folder = try TestPython.temporaryFolder()
        let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
        var input = ""
        for n in 0..<rows { input += "\(n),\(words[n % words.count])\n" }
        try input.write(to: folder.appendingPathComponent("input.csv"), atomically: true, encoding: .utf8)
        try udfs.write(to: folder.appendingPathComponent("crash_udfs.py"), atomically: true, encoding: .utf8)
        // Embedded Python (thread mode): where the workers run does not change what the sinks commit, and a job of
        // six INSERTs took 21 s with a worker process per INSERT against 8 s embedded (load average 25 on 2 cores).
        var job = """
            SET 'python.files' = 'crash_udfs.py';
            SET 'python.fn-execution.bundle.size' = '1000';
            SET 'python.execution-mode' = 'thread';

            CREATE TABLE numbers (n BIGINT, word STRING) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
            CREATE TABLE to_csv (n BIGINT, word STRING, s BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out/scores.csv', 'format' = 'csv');
            CREATE TABLE to_json (n BIGINT, word STRING, s BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out/scores.json', 'format' = 'json');
            CREATE TABLE to_sqlite (n BIGINT, word STRING, s BIGINT) WITH ('connector' = 'sqlite', 'path' = 'out/scores.db', 'table-name' = 'scores');
            CREATE TABLE to_sqlite_totals (word STRING, total BIGINT, PRIMARY KEY (word) NOT ENFORCED)
                WITH ('connector' = 'sqlite', 'path' = 'out/scores.db', 'table-name' = 'totals');
            CREATE TEMPORARY SYSTEM FUNCTION score AS 'crash_udfs.score' LANGUAGE PYTHON;

            INSERT INTO to_csv SELECT n, word, score(n) FROM numbers;
            INSERT INTO to_json SELECT n, word, score(n) FROM numbers;
            INSERT INTO to_sqlite SELECT n, word, score(n) FROM numbers;
            INSERT INTO to_sqlite_totals SELECT word, SUM(score(n)) AS total FROM numbers GROUP BY word;

            """
        if let postgres {
            let connection = "'connector' = 'postgres', 'port' = '\(postgres.port)', 'username' = 'pyfn', 'password' = 'pyfn', "
                + "'database-name' = '\(postgres.environment["PGDATABASE"] ?? "")'"
            job += """
                CREATE TABLE to_postgres (n BIGINT, word STRING, s BIGINT) WITH (\(connection), 'table-name' = 'scores_\(suffix)');
                CREATE TABLE to_postgres_totals (word STRING, total BIGINT, PRIMARY KEY (word) NOT ENFORCED)
                    WITH (\(connection), 'table-name' = 'totals_\(suffix)');
                INSERT INTO to_postgres SELECT n, word, score(n) FROM numbers;
                INSERT INTO to_postgres_totals SELECT word, SUM(score(n)) AS total FROM numbers GROUP BY word;

                """
        }
        try job.write(to: folder.appendingPathComponent("job.sql"), atomically: true, encoding: .utf8)
        return folder
    }

    /// Starts `pyfn run job.sql` in `folder`, its output going to `folder/run.log` and its input from `stdin`.
    static func start(_ folder: URL, stdin: Pipe? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PyFnBinary.path)
        process.arguments = ["run", "job.sql", "--show", "0", "--quiet", "--no-metrics-summary"]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["PYFN_PYTHON"] = TestPython.executable
        process.environment = environment
        let log = folder.appendingPathComponent("run.log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        if let stdin { process.standardInput = stdin }
        try process.run()
        return process
    }

    static func log(_ folder: URL) -> String {
        (try? String(contentsOf: folder.appendingPathComponent("run.log"), encoding: .utf8)) ?? ""
    }

    /// Everything the job wrote, as a reader sees it: file contents and the tables' rows in order (nil: absent).
    struct Outputs: Equatable {
        var csv: String?
        var json: String?
        var sqliteScores: [String]?
        var sqliteTotals: [String]?
        var postgresScores: [String]?
        var postgresTotals: [String]?
    }

    static func read(_ folder: URL, postgres: PostgresServer?, suffix: String) async throws -> Outputs {
        let out = folder.appendingPathComponent("out")
        var outputs = Outputs()
        outputs.csv = try? String(contentsOf: out.appendingPathComponent("scores.csv"), encoding: .utf8)
        outputs.json = try? String(contentsOf: out.appendingPathComponent("scores.json"), encoding: .utf8)
        let database = out.appendingPathComponent("scores.db").path
        if FileManager.default.fileExists(atPath: database) {
            let queue = try DatabaseQueue(path: database)
            // A write access, as any writer's would, rolls back what a killed runner left in the journal.
            let (scores, totals) = try await queue.write { db in
                func rows(_ table: String, _ order: String) throws -> [String]? {
                    guard try db.tableExists(table) else { return nil }
                    return try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)").map(\.description)
                }
                return (try rows("scores", "n"), try rows("totals", "word"))
            }
            outputs.sqliteScores = scores
            outputs.sqliteTotals = totals
            try queue.close()
        }
        if let postgres {
            func rows(_ table: String, _ order: String) async throws -> [String]? {
                let exists = try await postgres.query("SELECT to_regclass('\(table)')::text")
                guard exists.first?.first ?? nil != nil else { return nil }
                return try await postgres.query("SELECT * FROM \(table) ORDER BY \(order)").map { "\($0)" }
            }
            outputs.postgresScores = try await rows("scores_\(suffix)", "n")
            outputs.postgresTotals = try await rows("totals_\(suffix)", "word")
        }
        return outputs
    }

    /// Whether `found` is absent, empty or exactly `complete`: what a reader may see after a crash.
    static func noneOrAll<T: Equatable>(_ found: [T]?, _ complete: [T]?) -> Bool {
        found == nil || found!.isEmpty || found == complete
    }

    /// A point of the job to kill it at, told by what a reader can observe.
    struct KillPoint: Sendable {
        let name: String
        let reached: @Sendable (URL, PostgresServer?, String) async -> Bool
    }

    static func outFiles(_ folder: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)) ?? []
    }

    /// Tables of `pyfn_sink_commits` in the job's SQLite database.
    static func sqliteCommitted(_ folder: URL) -> [String] {
        guard let queue = try? DatabaseQueue(path: folder.appendingPathComponent("out/scores.db").path) else { return [] }
        defer { try? queue.close() }
        return (try? queue.read { db in
            try db.tableExists("pyfn_sink_commits") ? try String.fetchAll(db, sql: "SELECT table_name FROM pyfn_sink_commits") : []
        }) ?? []
    }

    static func postgresTableExists(_ postgres: PostgresServer?, _ table: String) async -> Bool {
        guard let postgres, let rows = try? await postgres.query("SELECT to_regclass('\(table)')::text") else { return false }
        return (rows.first?.first ?? nil) != nil
    }

    static func postgresCommitted(_ postgres: PostgresServer?, _ table: String) async -> Bool {
        guard await postgresTableExists(postgres, "pyfn_sink_commits"),
              let rows = try? await postgres?.query("SELECT 1 FROM pyfn_sink_commits WHERE table_name = '\(table)'") else { return false }
        return !rows.isEmpty
    }

    /// Every stage of the job, in order: while its Python starts, then inside each INSERT.
    static func killPoints(postgres: Bool) -> [KillPoint] {
        var points = [
            KillPoint(name: "while Python starts") { folder, _, _ in
                Self.outFiles(folder).contains { $0.hasPrefix(".scores.csv.inprogress.") }
            },
            KillPoint(name: "writing the CSV file") { folder, _, _ in
                let files = Self.outFiles(folder)
                guard files.contains(where: { $0.hasPrefix(".scores.csv.inprogress.") }) else { return false }
                return (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("out").appendingPathComponent(
                    files.first { $0.hasPrefix(".scores.csv.inprogress.") }!).path)[.size] as? Int) ?? 0 > 0
            },
            KillPoint(name: "writing the JSON file") { folder, _, _ in
                Self.outFiles(folder).contains { $0.hasPrefix(".scores.json.inprogress.") }
            },
            KillPoint(name: "inserting into SQLite") { folder, _, _ in
                Self.outFiles(folder).contains("scores.db-journal")
            },
            KillPoint(name: "upserting into SQLite") { folder, _, _ in
                Self.sqliteCommitted(folder).contains("scores")
            },
        ]
        if postgres {
            points += [
                KillPoint(name: "inserting into PostgreSQL") { folder, postgres, suffix in
                    guard Self.sqliteCommitted(folder).contains("totals") else { return false }
                    return await Self.postgresTableExists(postgres, "scores_\(suffix)")
                },
                KillPoint(name: "upserting into PostgreSQL") { _, postgres, suffix in
                    await Self.postgresCommitted(postgres, "scores_\(suffix)")
                },
            ]
        }
        return points
    }

    @Test func aJobKilledAtAnyPointAndRerunWritesEverySinkExactlyOnce() async throws {
        let postgres = try PostgresServer.startForTest(untested: "the PostgreSQL sink under runner crashes")
        defer { postgres?.stop() }

        let clock = ContinuousClock()
        let referenceFolder = try Self.jobFolder(postgres: postgres, suffix: "reference")
        let started = clock.now
        let reference = try Self.start(referenceFolder)
        reference.waitUntilExit()
        let duration = clock.now - started
        try #require(reference.terminationStatus == 0, "the undisturbed run failed: \(Self.log(referenceFolder))")
        let expected = try await Self.read(referenceFolder, postgres: postgres, suffix: "reference")
        try #require(expected.csv?.split(separator: "\n").count == Self.rows)
        try #require(expected.sqliteScores?.count == Self.rows)
        try #require(expected.sqliteTotals?.count == 8)
        if postgres != nil { try #require(expected.postgresScores?.count == Self.rows) }

        var seen: [String] = []
        for (index, point) in Self.killPoints(postgres: postgres != nil).enumerated() {
            let suffix = "kill\(index)"
            let folder = try Self.jobFolder(postgres: postgres, suffix: suffix)
            let run = try Self.start(folder)
            let start = clock.now
            while run.isRunning, !(await point.reached(folder, postgres, suffix)) {
                try await Task.sleep(for: .milliseconds(10))
            }
            kill(run.processIdentifier, SIGKILL)
            run.waitUntilExit()
            try #require(run.terminationReason == .uncaughtSignal, "the job ended before it was killed \(point.name): \(Self.log(folder))")
            let killedAfter = clock.now - start

            // What a reader sees right after the crash: each output absent (or empty) or complete, never partial.
            let crashed = try await Self.read(folder, postgres: postgres, suffix: suffix)
            let at = "after a kill \(point.name)"
            #expect(crashed.csv == nil || crashed.csv == expected.csv, "torn CSV \(at)")
            #expect(crashed.json == nil || crashed.json == expected.json, "torn JSON \(at)")
            #expect(Self.noneOrAll(crashed.sqliteScores, expected.sqliteScores), "partial SQLite table \(at)")
            #expect(Self.noneOrAll(crashed.sqliteTotals, expected.sqliteTotals), "partial SQLite upserts \(at)")
            #expect(Self.noneOrAll(crashed.postgresScores, expected.postgresScores), "partial PostgreSQL table \(at)")
            #expect(Self.noneOrAll(crashed.postgresTotals, expected.postgresTotals), "partial PostgreSQL upserts \(at)")
            let complete = [crashed.csv == expected.csv, crashed.json == expected.json, crashed.sqliteScores == expected.sqliteScores,
                            crashed.sqliteTotals == expected.sqliteTotals, crashed.postgresScores == expected.postgresScores,
                            crashed.postgresTotals == expected.postgresTotals].filter { $0 }.count

            let rerunStart = clock.now
            let rerun = try Self.start(folder)
            rerun.waitUntilExit()
            #expect(rerun.terminationStatus == 0, "the rerun \(at) failed: \(Self.log(folder))")
            let after = try await Self.read(folder, postgres: postgres, suffix: suffix)
            #expect(after == expected, "the rerun \(at) differs from an undisturbed run")
            if crashed.sqliteScores == expected.sqliteScores {
                #expect(Self.log(folder).contains("INSERT INTO to_sqlite skipped: scores already holds the \(Self.rows) rows of this job"),
                        "the rerun \(at) did not say it resumed: \(Self.log(folder))")
            }
            let leftovers = Self.outFiles(folder).filter { $0.contains(".inprogress.") || $0.hasSuffix("-journal") }
            #expect(leftovers.isEmpty, "left behind after the rerun: \(leftovers)")
            seen.append("\(point.name): killed after \(killedAfter), \(complete) of 6 outputs complete, rerun \(clock.now - rerunStart)")
        }
        print("runner crashes: undisturbed run \(duration); " + seen.joined(separator: "; "))
    }

    @Test func aStreamingJobPutsItsFileInPlaceAtEachCheckpointInterval() async throws {
        let folder = try TestPython.temporaryFolder()
        try Self.udfs.write(to: folder.appendingPathComponent("crash_udfs.py"), atomically: true, encoding: .utf8)
        try """
            SET 'python.files' = 'crash_udfs.py';
            SET 'python.fn-execution.bundle.time' = '50';
            SET 'execution.checkpointing.interval' = '200 ms';
            CREATE TABLE numbers (n BIGINT, word STRING) WITH ('connector' = 'stdin', 'format' = 'csv');
            CREATE TABLE scores (n BIGINT, s BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out/scores.csv', 'format' = 'csv');
            CREATE TEMPORARY SYSTEM FUNCTION score AS 'crash_udfs.score' LANGUAGE PYTHON;
            INSERT INTO scores SELECT n, score(n) FROM numbers;
            """.write(to: folder.appendingPathComponent("job.sql"), atomically: true, encoding: .utf8)
        let input = Pipe()
        let process = try Self.start(folder, stdin: input)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let output = folder.appendingPathComponent("out/scores.csv")
        func published(within seconds: Int) async throws -> String? {
            for _ in 0..<(seconds * 20) {
                if let text = try? String(contentsOf: output, encoding: .utf8), !text.isEmpty { return text }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }
        input.fileHandleForWriting.write(Data("1,a\n2,b\n".utf8))
        let first = try await published(within: 20)
        #expect(first == "1,594\n2,600\n", "the rows of the first interval were not put in place while the job ran: \(Self.log(folder))")
        input.fileHandleForWriting.write(Data("3,c\n".utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try String(contentsOf: output, encoding: .utf8) == "1,594\n2,600\n3,599\n")
    }
}
