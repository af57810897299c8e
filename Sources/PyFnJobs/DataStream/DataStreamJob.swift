import Foundation
import Logging
import PyFnArrow
import PyFnRunner

/// A DataStream program's job: its graph with the settings it runs under. `pyfn submit` runs one when the
/// request carries `"datastream"` (docs/job-submission.md).
public struct DataStreamJob: Sendable {
    /// The graph.
    public let graph: StreamGraph
    /// The settings in force (`python.*`, `parallelism.default`, …).
    public let settings: [String: String]
    /// The folder relative paths are resolved against.
    public let baseDirectory: String
    /// How workers are started.
    public let python: PythonOptions
    /// How operators cut bundles.
    public let bundle: BundleOptions
    /// Where the functions run.
    public let workerMode: WorkerMode

    /// A job for `graph` under `settings`; bad settings throw naming the key.
    public init(graph: StreamGraph, settings: [String: String], baseDirectory: String) throws {
        self.graph = graph
        self.settings = settings
        self.baseDirectory = baseDirectory
        try KnownSettings.check(settings)
        var python = try PythonOptions(settings: settings)
        python.files = python.files.map { Job.pythonPathEntry($0, relativeTo: baseDirectory) }
        self.python = python
        self.bundle = try BundleOptions(settings: settings)
        self.workerMode = try WorkerMode(settings: settings)
        if case .external = workerMode {} else {
            // As for SQL jobs: an interpreter without the worker package is named before any worker starts.
            let choice = PythonInterpreterChoice(options: python)
            try choice.checkWorkerPackage(at: try ProcessEnvironment.locate(choice.python))
        }
    }

    /// Decodes a graph from the request's `"datastream"` JSON object.
    public static func graph(fromJSON data: Data) throws -> StreamGraph {
        try JSONDecoder().decode(StreamGraph.self, from: data)
    }

    /// Runs the job, sending print lines and the collect stream to `outputs` and counting rows in `progress`.
    public func run(outputs: StreamOutputs, progress: JobProgress = JobProgress(),
                    logger: Logger = Logger(label: "pyfn.worker")) async throws {
        let server = try await FnAPIServer.start(logger: logger)
        do {
            let environment = try workerMode.environment(server: server, python: python, logger: logger)
            try await StreamGraphRunner(graph: graph, baseDirectory: baseDirectory, environment: environment, bundle: bundle,
                                        python: python, outputs: outputs, progress: progress).run()
            await server.shutdown()
        } catch {
            await server.shutdown()
            throw error
        }
    }
}
