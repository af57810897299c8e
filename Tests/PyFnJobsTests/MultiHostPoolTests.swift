import Foundation
import Logging
import PyFnJobs
import PyFnTestSupport
import Synchronization
import Testing

/// Worker pools on other hosts: two network namespaces stand for two machines, each running a pool that serves
/// mutual TLS and requires the token; the runner (this process, in the root namespace) listens on its address
/// facing the first host, with TLS. A job at parallelism 4 spreads its workers over both pools and gives the
/// reference result; killed mid-job, a pool's bundles are replayed on the other and the result is still exact.
@Suite(.serialized, .enabled(if: TestNetwork.unavailableReason == nil,
                             "multi-host pool tests skipped: \(TestNetwork.unavailableReason ?? "")"))
struct MultiHostPoolTests {
    static let rows = 12_000

    /// The job's harnesses (pids) per pool.
    static func harnesses(of pools: [WorkerPoolProcess]) -> [[Int]] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let workers = entries.compactMap { entry -> Int? in
            guard let pid = Int(entry), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            return String(decoding: data, as: UTF8.self).contains("--id=external-") ? pid : nil
        }
        return pools.map { pool in workers.filter(pool.started) }
    }

    @Test(arguments: [false, true]) func aJobSpreadsOverTwoHostsPoolsAndSurvivesLosingOne(killing: Bool) async throws {
        let network = try TestNetwork(hosts: 2)
        defer { network.remove() }
        let runnerAddress = network.rootAddress(facing: 0)
        let certs = try TestCertificates(["runner", "pool-0", "pool-1"],
                                         addresses: [runnerAddress, network.address(of: 0), network.address(of: 1)])
        let token = WorkerPoolProcess.randomToken()
        let udfs = TestPython.repositoryRoot.appendingPathComponent("Tests/PyFnJobsTests/python").path
        var pools: [WorkerPoolProcess] = []
        for host in 0..<2 {
            pools.append(try WorkerPoolProcess(
                pythonPath: [udfs],
                arguments: ["--host", network.address(of: host), "--tls-cert", certs.certificate("pool-\(host)"),
                            "--tls-key", certs.key("pool-\(host)"), "--tls-client-ca", certs.ca, "--tls-ca", certs.ca],
                launcher: network.launcher(for: host), token: token))
        }
        defer { for pool in pools { pool.kill() } }

        let folder = try TestPython.temporaryFolder()
        let tokenFile = folder.appendingPathComponent("pool.token").path
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        try (0..<Self.rows).map { "\($0)\n" }.joined().write(to: folder.appendingPathComponent("input.csv"), atomically: true, encoding: .utf8)
        let jobPath = folder.appendingPathComponent("job.sql").path
        try """
            SET 'python.files' = '\(udfs)';
            SET 'python.fn-execution.bundle.size' = '250';
            SET 'python.fn-execution.arrow.batch.size' = '500';
            CREATE TABLE src (n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');
            CREATE TABLE out (n BIGINT, t BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            CREATE FUNCTION slow_triple AS 'pool_udfs.slow_triple' LANGUAGE PYTHON;
            INSERT INTO out SELECT n, slow_triple(n) FROM src;
            """.write(toFile: jobPath, atomically: true, encoding: .utf8)
        let job = try Job.load(path: jobPath, overrides: [
            "python.executable": TestPython.executable,
            "python.worker-pool": pools.map(\.address).joined(separator: ","),
            "python.worker-pool.token-file": tokenFile,
            "python.fn-api.host": runnerAddress,
            "python.fn-api.tls.cert": certs.certificate("runner"),
            "python.fn-api.tls.key": certs.key("runner"),
            "python.fn-api.tls.ca": certs.ca,
            "python.fn-api.tls.client-ca": certs.ca,
        ])
        let finished = Atomic<Bool>(false)
        let dialledIn = WorkerStartCounter.Count()
        let logger = Logger(label: "pyfn.worker") { _ in WorkerStartCounter(count: dialledIn) }
        let running = Task {
            defer { finished.store(true, ordering: .sequentiallyConsistent) }
            try await job.run(parallelism: 4, logger: logger)
        }
        var spread: [[Int]] = []
        for _ in 0..<200 {
            spread = Self.harnesses(of: pools)
            if spread.map(\.count) == [2, 2] { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(spread.map(\.count) == [2, 2], "4 workers, 2 on each pool: \(spread)")
        var killedMidJob = false
        if killing {
            // Once every harness has dialled in: a pool that dies while its harness is still starting leaves the
            // runner waiting out the start timeout (30 s) before it asks the other pool.
            for _ in 0..<400 where dialledIn.value.load(ordering: .sequentiallyConsistent) < 4 {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(300))
            killedMidJob = !finished.load(ordering: .sequentiallyConsistent)
            pools[0].kill()
        }
        var seenOnLivePool = Set(spread[1])
        let started = ContinuousClock.now
        while !finished.load(ordering: .sequentiallyConsistent) {
            seenOnLivePool.formUnion(Self.harnesses(of: [pools[1]])[0])
            try await Task.sleep(for: .milliseconds(50))
        }
        try await running.value
        print("multi-host job (killing a pool: \(killing)): \(ContinuousClock.now - started) after the workers were up")
        if killing {
            #expect(killedMidJob, "the job ended before the pool was killed; make it longer")
            #expect(seenOnLivePool.count == 4, "the killed pool's two workers were replaced on the live pool: \(seenOnLivePool)")
        } else {
            #expect(seenOnLivePool.count == 2)
        }

        let output = try String(contentsOfFile: folder.appendingPathComponent("out.csv").path, encoding: .utf8)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == Self.rows, "every row once")
        let expected = Set((0..<Self.rows).map { "\($0),\($0 * 3)" })
        #expect(Set(lines) == expected)
    }
}

/// Counts the harnesses' "pyfn worker W started" records (sent over the Logging service just before Control
/// opens), and otherwise drops what it is given.
struct WorkerStartCounter: LogHandler {
    /// The number of records seen.
    final class Count: Sendable {
        let value = Atomic<Int>(0)
    }
    let count: Count
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let text = "\(message)"
        if text.hasPrefix("pyfn worker external-") && text.contains(" started ") { count.value.add(1, ordering: .sequentiallyConsistent) }
    }
}
