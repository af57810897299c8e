import Foundation
import PyFnArrow
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing

/// GROUP BY with Python aggregate functions in SQL jobs: the same rows as the built-in aggregates give, with one
/// and two partitions, from a file and from a stream.
@Suite(.serialized) struct PythonAggregateJobTests {
    /// This target's functions and the harness tests' PyFlink-style aggregates.
    static let udfs = ["Tests/PyFnJobsTests/python", "worker/tests"]
        .map { TestPython.repositoryRoot.appendingPathComponent($0).path }.joined(separator: ",")

    /// A job over `input.csv` (category, word, n) in a fresh folder, writing `out.csv`.
    static func job(_ select: String, csv: String, sinkColumns: String = "category STRING, a BIGINT, b STRING",
                    bundleSize: Int = 1000, settings: String = "") throws -> (Job, URL) {
        let folder = try TestPython.temporaryFolder()
        try csv.write(to: folder.appendingPathComponent("input.csv"), atomically: true, encoding: .utf8)
        let sql = """
            SET 'python.files' = '\(udfs)';
            SET 'python.fn-execution.arrow.batch.size' = '100';
            SET 'python.fn-execution.bundle.size' = '\(bundleSize)';
            \(settings)
            CREATE TABLE src (category STRING, word STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
            CREATE TABLE out (\(sinkColumns)) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            CREATE FUNCTION py_total AS 'udfs_aggregates.total' LANGUAGE PYTHON;
            CREATE FUNCTION longest AS 'job_aggregates.longest' LANGUAGE PYTHON;
            CREATE FUNCTION weighted_avg AS 'udfs_aggregates.weighted_avg' LANGUAGE PYTHON;
            CREATE FUNCTION fails_at AS 'job_aggregates.fails_at' LANGUAGE PYTHON;
            CREATE FUNCTION fails_at_5000 AS 'job_aggregates.fails_at_5000' LANGUAGE PYTHON;
            CREATE FUNCTION py_rsum AS 'udfs_aggregates.retractable_sum' LANGUAGE PYTHON;
            INSERT INTO out \(select);
            """
        let path = folder.appendingPathComponent("job.sql").path
        try sql.write(toFile: path, atomically: true, encoding: .utf8)
        return (try Job.load(path: path, overrides: ["python.executable": TestPython.executable]), folder)
    }

    /// 3,000 rows over 7 categories, with NULL numbers now and then.
    static let input: String = (0..<3000).map { row in
        let n = row % 11 == 0 ? "" : String(row * 7 % 101)
        return "c\(row % 7),word\(String(repeating: "x", count: row % 13)),\(n)"
    }.joined(separator: "\n") + "\n"

    static func rows(_ folder: URL) throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8).split(separator: "\n").map(String.init).sorted()
    }

    @Test(arguments: [1, 2]) func pythonAggregatesGiveWhatBuiltInsGive(parallelism: Int) async throws {
        let (python, pythonFolder) = try Self.job("SELECT category, py_total(n) + 0, longest(word) FROM src GROUP BY category", csv: Self.input)
        #expect(python.explain().contains("python  aggregate operator by 1 key"), "\(python.explain())")
        try await python.run(parallelism: parallelism)
        let (builtIn, builtInFolder) = try Self.job("SELECT category, SUM(n), MAX(word) FROM src GROUP BY category", csv: Self.input)
        try await builtIn.run()
        let actual = try Self.rows(pythonFolder)
        #expect(actual.count == 7)
        // MAX(word) is the longest word here: each is 'word' followed by x's.
        #expect(actual == (try Self.rows(builtInFolder)))
    }

    @Test func streamingFromStdinUpsertsTheFinalValuesPerKey() async throws {
        let folder = try TestPython.temporaryFolder()
        let input = folder.appendingPathComponent("input.csv")
        try Self.input.write(to: input, atomically: true, encoding: .utf8)
        let sql = """
            SET 'python.files' = '\(Self.udfs)';
            SET 'python.fn-execution.bundle.time' = '50';
            CREATE TABLE src (category STRING, word STRING, n BIGINT) WITH ('connector' = 'stdin', 'format' = 'csv');
            CREATE TABLE out (category STRING, a BIGINT, b STRING, PRIMARY KEY (category) NOT ENFORCED)
                WITH ('connector' = 'sqlite', 'path' = 'out.db', 'table-name' = 'out');
            CREATE FUNCTION py_total AS 'udfs_aggregates.total' LANGUAGE PYTHON;
            CREATE FUNCTION longest AS 'job_aggregates.longest' LANGUAGE PYTHON;
            INSERT INTO out SELECT category, py_total(n), longest(word) FROM src GROUP BY category;
            """
        let path = folder.appendingPathComponent("streaming.sql")
        try sql.write(to: path, atomically: true, encoding: .utf8)
        let outcome = try PyFnBinary.run(["run", path.path, "--parallelism", "2", "--show", "0"], stdin: input)
        try #require(outcome.status == 0, "\(outcome.output)")
        let actual = try await ExampleJobTests.rows(of: try Job.load(path: path.path).plans[0].sink)
        var sums: [String: Int64] = [:]
        var longest: [String: String] = [:]
        for line in Self.input.split(separator: "\n") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            sums[fields[0], default: 0] += Int64(fields[2]) ?? 0
            if fields[1].count > (longest[fields[0]] ?? "").count { longest[fields[0]] = fields[1] }
        }
        #expect(actual == sums.keys.sorted().map { [$0, String(sums[$0]!), longest[$0]!] })
    }

    @Test func pyFlinksWeightedAverageTakesTwoArguments() async throws {
        let (job, folder) = try Self.job("SELECT category, weighted_avg(n, n * 2) FROM src GROUP BY category",
                                         csv: "a,x,2\na,y,4\nb,z,3\n", sinkColumns: "category STRING, a DOUBLE")
        try await job.run()
        #expect(try Self.rows(folder) == ["a,3.3333333333333335", "b,3.0"])
    }

    /// A function failing deep into an input many times larger than the lanes' queue stops the job with its
    /// message, however many lanes and partitions wait on each other.
    @Test(arguments: [1, 2, 4]) func aFunctionFailingMidInputStopsTheJobWithItsMessage(parallelism: Int) async throws {
        let csv = (0..<20_000).map { "c\($0 % 50),w,\($0)" }.joined(separator: "\n") + "\n"
        for select in ["SELECT category, fails_at(n), 'x' FROM src GROUP BY category",
                       "SELECT category, fails_at_5000(n), word FROM src"] {
            let (job, _) = try Self.job(select, csv: csv)
            let started = ContinuousClock.now
            var message = "no error"
            do {
                try await job.run(parallelism: parallelism)
            } catch {
                message = "\(error)"
            }
            #expect(message.contains("5000 is too many"), "\(select): \(message)")
            #expect(ContinuousClock.now - started < .seconds(30), "\(select)")
        }
    }

    @Test func embeddedModeRunsPythonAggregatesWithTheSameRowsAsProcessMode() async throws {
        let select = "SELECT category, py_total(n), longest(word) FROM src GROUP BY category"
        let (process, processFolder) = try Self.job(select, csv: Self.input)
        try await process.run()
        let (_, folder) = try Self.job(select, csv: Self.input)
        let thread = try Job.load(path: folder.appendingPathComponent("job.sql").path,
                                  overrides: ["python.executable": TestPython.executable, "python.execution-mode": "thread"])
        try await thread.run()
        #expect(try Self.rows(folder) == Self.rows(processFolder))
        #expect(try Self.rows(folder).count == 7)
    }
}
