import Foundation
import PyFnArrow
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing

/// The examples as users run them — job file, UDF file, generated data — checked against references computed
/// independently (plain Python or pandas on the same input), with one and two workers, batch and streaming.
@Suite(.serialized) struct ExampleJobTests {
    /// A copy of examples/NAME in a temporary folder, with data made by its generator.
    static func example(_ name: String, generate script: String, arguments: [String], data: String) throws -> URL {
        let folder = try TestPython.temporaryFolder().appendingPathComponent(name)
        try FileManager.default.copyItem(at: TestPython.repositoryRoot.appendingPathComponent("examples/\(name)"), to: folder)
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("data"))
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("output"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        let outcome = try TestPython.run("examples/\(name)/\(script)", arguments + [folder.appendingPathComponent(data).path])
        try #require(outcome.status == 0, "\(outcome.output)")
        return folder
    }

    /// The rows of a result table, each as its columns' text, sorted.
    static func rows(of table: TableDefinition) async throws -> [[String]] {
        var rows: [[String]] = []
        for try await batch in try Connectors.source(table).batches(batchSize: 10_000) {
            for row in 0..<batch.length { rows.append(batch.columns.map { text($0.value(at: row)) }) }
        }
        return rows.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// A reference script's CSV output (header dropped), sorted.
    static func reference(_ script: String, _ arguments: [String]) throws -> [[String]] {
        let outcome = try TestPython.run(script, arguments)
        try #require(outcome.status == 0, "\(outcome.output)")
        return outcome.output.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .sorted { $0.lexicographicallyPrecedes($1) }
    }

    static func text(_ value: ArrowValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let v): return String(v)
        case .float(let v): return String(format: "%.6f", v)
        case .null: return ""
        default: return "\(value)"
        }
    }

    /// `python.execution-mode`: workers as processes, or Python embedded in the runner (PyFlink's `thread`).
    static let modes = ["process", "thread"]

    @Test(arguments: [1, 2], modes) func wordCountMatchesPlainPython(parallelism: Int, mode: String) async throws {
        let folder = try Self.example("word_count", generate: "generate_lines.py", arguments: ["--lines", "3000"], data: "data/lines.csv")
        let job = try Job.load(path: folder.appendingPathComponent("word_count.sql").path, overrides: ["python.execution-mode": mode])
        #expect(job.workerMode == (mode == "thread" ? .embedded : .process))
        try await job.run(parallelism: parallelism)
        let actual = try await Self.rows(of: job.plans[0].sink)
        let expected = try Self.reference("examples/word_count/reference.py", [folder.appendingPathComponent("data/lines.csv").path])
        #expect(actual.count > 50)
        #expect(actual == expected)
    }

    /// Checks the CDN job's result rows against examples/cdn/reference.py (pandas) over the example in `folder`:
    /// province, count and bytes exactly, the speed to 1e-5.
    static func expectCDNStatistics(_ actual: [[String]], computedByPandasFrom folder: URL) throws {
        let expected = try reference("examples/cdn/reference.py", [folder.appendingPathComponent("data/access_log.csv").path,
                                                                    folder.appendingPathComponent("ip_ranges.csv").path])
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(Array(a.prefix(3)) == Array(e.prefix(3)))
            #expect(abs((Double(a[3]) ?? 0) - (Double(e[3]) ?? 1)) < 1e-5, "\(a) vs \(e)")
        }
    }

    @Test(arguments: [1, 2]) func cdnLogAnalysisMatchesPandas(parallelism: Int) async throws {
        let folder = try Self.example("cdn", generate: "generate_access_log.py", arguments: ["--rows", "20000"], data: "data/access_log.csv")
        let job = try Job.load(path: folder.appendingPathComponent("cdn_log_analysis.sql").path)
        let progress = JobProgress()
        try await job.run(parallelism: parallelism, progress: progress)
        #expect(progress.snapshot.rowsIn == 20_000)
        let actual = try await Self.rows(of: job.plans[0].sink)
        try Self.expectCDNStatistics(actual, computedByPandasFrom: folder)
    }

    @Test(arguments: modes) func iotInterpolationMatchesPandas(mode: String) async throws {
        let folder = try Self.example("iot", generate: "generate_temperatures.py", arguments: ["--devices", "5", "--points", "40"],
                                      data: "data/temperatures.csv")
        let job = try Job.load(path: folder.appendingPathComponent("iot_interpolation.sql").path, overrides: ["python.execution-mode": mode])
        try await job.run()
        let actual = try await Self.rows(of: job.plans[0].sink)
        let expected = try Self.reference("examples/iot/reference.py", [folder.appendingPathComponent("data/temperatures.csv").path])
        #expect(actual.count == 200)
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(Array(a.prefix(2)) == Array(e.prefix(2)))
            #expect(abs((Double(a[2]) ?? 0) - (Double(e[2]) ?? 1)) < 1e-6, "\(a) vs \(e)")
        }
    }

    @Test(arguments: [1, 2]) func streamingWordCountFromStdinUpsertsTheSameCounts(parallelism: Int) async throws {
        let folder = try Self.example("word_count", generate: "generate_lines.py", arguments: ["--lines", "2000"], data: "data/lines.csv")
        let batchJob = try String(contentsOf: folder.appendingPathComponent("word_count.sql"), encoding: .utf8)
        let streamingJob = batchJob
            .replacingOccurrences(of: "'connector' = 'filesystem',\n    'path' = 'data/lines.csv',", with: "'connector' = 'stdin',")
            .replacingOccurrences(of: "SET 'python.files'", with: "SET 'python.fn-execution.bundle.time' = '50';\nSET 'python.files'")
        try #require(streamingJob.contains("'stdin'"))
        let jobFile = folder.appendingPathComponent("streaming_word_count.sql")
        try streamingJob.write(to: jobFile, atomically: true, encoding: .utf8)
        let outcome = try PyFnBinary.run(["run", jobFile.path, "--parallelism", "\(parallelism)", "--show", "0"],
                                         stdin: folder.appendingPathComponent("data/lines.csv"))
        try #require(outcome.status == 0, "\(outcome.output)")
        let job = try Job.load(path: jobFile.path)
        let actual = try await Self.rows(of: job.plans[0].sink)
        let expected = try Self.reference("examples/word_count/reference.py", [folder.appendingPathComponent("data/lines.csv").path])
        #expect(actual == expected)
    }
}

/// The `pyfn` command as users run it.
enum PyFnBinary {
    static var path: String { TestPython.repositoryRoot.appendingPathComponent(".build/debug/pyfn").path }

    /// Runs `pyfn arguments`, standard input from `stdin` if given, in `folder` if given; returns status and output.
    /// The environment is this process's with `PYFN_PYTHON` set to the project's Python, or exactly `environment`.
    static func run(_ arguments: [String], stdin: URL? = nil, in folder: URL? = nil, environment exact: [String: String]? = nil) throws -> TestPython.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYFN_PYTHON"] = TestPython.executable
        process.environment = exact ?? environment
        if let folder { process.currentDirectoryURL = folder }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return TestPython.Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}

extension ExampleJobTests {
    @Test(arguments: [1, 2]) func streamingCDNLogAnalysisFromStdinMatchesPandas(parallelism: Int) async throws {
        let folder = try Self.example("cdn", generate: "generate_access_log.py", arguments: ["--rows", "5000"], data: "data/access_log.csv")
        let batchJob = try String(contentsOf: folder.appendingPathComponent("cdn_log_analysis.sql"), encoding: .utf8)
        let streamingJob = batchJob.replacingOccurrences(of: "'connector' = 'filesystem',\n    'path' = 'data/access_log.csv',", with: "'connector' = 'stdin',")
        try #require(streamingJob.contains("'stdin'"))
        let jobFile = folder.appendingPathComponent("streaming_cdn.sql")
        try streamingJob.write(to: jobFile, atomically: true, encoding: .utf8)
        let outcome = try PyFnBinary.run(["run", jobFile.path, "--parallelism", "\(parallelism)", "--show", "0"],
                                         stdin: folder.appendingPathComponent("data/access_log.csv"))
        try #require(outcome.status == 0, "\(outcome.output)")
        let actual = try await Self.rows(of: try Job.load(path: jobFile.path).plans[0].sink)
        try Self.expectCDNStatistics(actual, computedByPandasFrom: folder)
    }
}

extension ExampleJobTests {
    @Test func wordCountOnAnExternalWorkerPoolMatchesPlainPython() async throws {
        let folder = try Self.example("word_count", generate: "generate_lines.py", arguments: ["--lines", "1000"], data: "data/lines.csv")
        let pool = try WorkerPoolProcess()
        // The runner proves itself to the pool with the pool's token, read from a file only it can read.
        let tokenFile = folder.appendingPathComponent("pool.token").path
        try (pool.token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let job = try Job.load(path: folder.appendingPathComponent("word_count.sql").path,
                               overrides: ["python.worker-pool": pool.address, "python.worker-pool.token-file": tokenFile])
        try await job.run(parallelism: 2)
        withExtendedLifetime(pool) {}
        let actual = try await Self.rows(of: job.plans[0].sink)
        let expected = try Self.reference("examples/word_count/reference.py", [folder.appendingPathComponent("data/lines.csv").path])
        #expect(actual.count > 50)
        #expect(actual == expected)
    }
}
