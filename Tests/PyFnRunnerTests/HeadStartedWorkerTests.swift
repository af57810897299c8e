import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// A worker started ahead of its job (`ProcessEnvironment.startAhead`, what `pyfn run` does while the job's
/// functions are described) becomes the first worker started with its interpreter: that very process — a real
/// `python -m pyfn.worker --await-boot` told its arguments and secret on stdin — runs the operator's bundles, and no
/// worker is started the ordinary way.
@Suite(.serialized) struct HeadStartedWorkerTests {
    /// Pids of this process's children that were started as `python -m pyfn.worker --await-boot`.
    static func workersStartedAhead() -> [Int] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int? in
            guard let pid = Int(entry), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
            let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
            let commandLine = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return commandLine.contains("-m pyfn.worker --await-boot") && fields.count > 1 && Int32(fields[1]) == getpid() ? pid : nil
        }.sorted()
    }

    @Test func theWorkerStartedAheadRunsTheFirstOperatorsBundles() async throws {
        let server = try await FnAPIServer.start()
        let python = Harness.pythonOptions()
        ProcessEnvironment.startAhead(python: try ProcessEnvironment.locate(python.resolvedExecutable))
        let ahead = Self.workersStartedAhead()
        #expect(ahead.count == 1, "\(ahead)")
        let op = try ScalarFunctionOperator(calls: [FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(1)])],
                                            inputSchema: try Harness.bigints([("a", []), ("b", [])]).schema, forwardedColumns: [],
                                            environment: ProcessEnvironment(server: server, options: python),
                                            bundle: BundleOptions(), python: python)
        try await op.open()
        let values = (0..<1000).map { Int64($0) }
        var output = try await op.process(try Harness.bigints([("a", values), ("b", values)]))
        output += try await op.finish()
        #expect(Harness.workerPIDs(of: server).isEmpty, "no worker was started with its arguments on the command line")
        #expect(Self.workersStartedAhead() == ahead, "the worker started ahead is the one that ran")
        await op.close()
        await server.shutdown()
        #expect(try RecordBatch.concatenate(output).column(0) == values.map { .int($0 * 2) })
    }
}
