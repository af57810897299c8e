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

    /// Starts `pyfn run job.sql` in `folder`.
    static func start(_ folder: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PyFnBinary.path)
        process.arguments = ["run", "job.sql", "--show", "0", "--quiet", "--no-metrics-summary"]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["PYFN_PYTHON"] = TestPython.executable
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
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

    @Test func aJobKilledAtAnyPointAndRerunWritesEverySinkExactlyOnce() async throws {
        let postgres = try PostgresServer.startForTest(untested: "the PostgreSQL sink under runner crashes")
        defer { postgres?.stop() }

        let clock = ContinuousClock()
        let referenceFolder = try Self.jobFolder(postgres: postgres, suffix: "reference")
        let started = clock.now
        let reference = try Self.start(referenceFolder)
        reference.waitUntilExit()
        let duration = clock.now - started
        try #require(reference.terminationStatus == 0, "the undisturbed run failed")
        let expected = try await Self.read(referenceFolder, postgres: postgres, suffix: "reference")
        try #require(expected.csv?.split(separator: "\n").count == Self.rows)
        try #require(expected.sqliteScores?.count == Self.rows)
        try #require(expected.sqliteTotals?.count == 8)
        if postgres != nil { try #require(expected.postgresScores?.count == Self.rows) }

        var seen: [String] = []
        for (index, fraction) in [0.1, 0.3, 0.5, 0.7].enumerated() {
            let suffix = "kill\(index)"
            let folder = try Self.jobFolder(postgres: postgres, suffix: suffix)
            let run = try Self.start(folder)
            try await Task.sleep(for: duration * fraction)
            kill(run.processIdentifier, SIGKILL)
            run.waitUntilExit()
            #expect(run.terminationReason == .uncaughtSignal, "the run at \(fraction) ended before it was killed")

            // What a reader sees right after the crash: each output absent (or empty) or complete, never partial.
            let crashed = try await Self.read(folder, postgres: postgres, suffix: suffix)
            #expect(crashed.csv == nil || crashed.csv == expected.csv, "torn CSV after a kill at \(fraction)")
            #expect(crashed.json == nil || crashed.json == expected.json, "torn JSON after a kill at \(fraction)")
            #expect(Self.noneOrAll(crashed.sqliteScores, expected.sqliteScores), "partial SQLite table after a kill at \(fraction)")
            #expect(Self.noneOrAll(crashed.sqliteTotals, expected.sqliteTotals), "partial SQLite upserts after a kill at \(fraction)")
            #expect(Self.noneOrAll(crashed.postgresScores, expected.postgresScores), "partial PostgreSQL table after a kill at \(fraction)")
            #expect(Self.noneOrAll(crashed.postgresTotals, expected.postgresTotals), "partial PostgreSQL upserts after a kill at \(fraction)")
            let complete = [crashed.csv == expected.csv, crashed.json == expected.json, crashed.sqliteScores == expected.sqliteScores,
                            crashed.sqliteTotals == expected.sqliteTotals, crashed.postgresScores == expected.postgresScores,
                            crashed.postgresTotals == expected.postgresTotals].filter { $0 }.count
            seen.append("kill at \(fraction): \(complete) of 6 outputs complete")

            let rerun = try Self.start(folder)
            rerun.waitUntilExit()
            #expect(rerun.terminationStatus == 0, "the rerun after a kill at \(fraction) failed")
            let after = try await Self.read(folder, postgres: postgres, suffix: suffix)
            #expect(after == expected, "the rerun after a kill at \(fraction) differs from an undisturbed run")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)
                .filter { $0.contains(".inprogress.") || $0.hasSuffix("-journal") }
            #expect(leftovers.isEmpty, "left behind after the rerun: \(leftovers)")
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PyFnBinary.path)
        process.arguments = ["run", "job.sql", "--show", "0", "--quiet", "--no-metrics-summary"]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["PYFN_PYTHON"] = TestPython.executable
        process.environment = environment
        process.standardInput = input
        let log = folder.appendingPathComponent("run.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
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
        #expect(first == "1,594\n2,600\n", "the rows of the first interval were not put in place while the job ran: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        input.fileHandleForWriting.write(Data("3,c\n".utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try String(contentsOf: output, encoding: .utf8) == "1,594\n2,600\n3,599\n")
    }
}
