import Foundation

/// How Python workers are started and what they are told: Flink's `python.*` settings.
public struct PythonOptions: Sendable {
    /// The Python interpreter (`python.executable`); nil lets ``PythonInterpreterChoice`` find one.
    public var executable: String?
    /// Files and folders put at the front of the worker's `sys.path` (`python.files`).
    public var files: [String] = []
    /// Parameters `FunctionContext.get_job_parameter` returns.
    public var jobParameters: [String: String] = [:]
    /// Whether functions report metrics (`python.metric.enabled`).
    public var metricsEnabled = true
    /// Whether workers profile the functions (`python.profile.enabled`).
    public var profileEnabled = false
    /// The workers' Python logging level (`python.log.level`: DEBUG, INFO, WARNING, ERROR, CRITICAL); nil keeps
    /// the worker's default, INFO.
    public var logLevel: String?
    /// Which Python worker runs the functions (`python.harness`): PyFn's own, or PyFlink's.
    public var harness: PythonHarness = .pyfn
    /// The session time zone (`table.local-time-zone`; default this machine's): the zone functions see
    /// TIMESTAMP_LTZ values in, PyFn's worker and PyFlink's alike.
    public var sessionTimeZone = SessionTimeZone.machine
    /// How long a worker may take to dial in after it is started.
    public var startTimeout: Duration = .seconds(30)
    /// How long a worker may take to exit after it is told to stop, before it is killed.
    public var stopTimeout: Duration = .seconds(5)
    /// How long a bundle may go without output or an answer from its worker before the worker counts as hung
    /// (`python.fn-execution.bundle.timeout`; nil, or `0` in the setting: never). A hung worker has its Python
    /// stacks logged, is killed, and its bundles are replayed on a new one. Ten minutes: a bundle of a UDF that
    /// calls a slow service sends nothing until its last row is done, and a user would rather wait than lose a
    /// working job; a UDF that never returns still ends the job, with its stack in the error.
    public var bundleTimeout: Duration? = .seconds(600)
    /// How many times an operator's lost (crashed, hung or misbehaving) worker is replaced before the job fails
    /// (`python.worker.max-restarts`).
    public var maxRestarts = 3
    /// Most memory (resident bytes) one worker process may use (`python.fn-execution.memory.limit`, e.g.
    /// `'512m'`); nil: no limit. A worker that passes it is killed and its bundle replayed once on a fresh worker;
    /// a second time fails the job (see ``WorkerMemoryLimit``). Process mode only: a pool's or an embedded worker
    /// is not the runner's child.
    public var memoryLimit: Int?
    /// The Fn API capabilities the workers declare (``WorkerCapability``): PyFn's own harness by default; a
    /// harness of another kind declares its own (Beam's and PyFlink's declare none the runner uses).
    public var workerCapabilities: Set<String> = WorkerCapability.pyfnHarness
    /// How async scalar functions run (`table.exec.async-scalar.*`).
    public var asyncScalar = AsyncScalarOptions()
    /// With `python.worker.fork-server` = true: how long this user's fork server for the interpreter lives idle
    /// (`python.worker.fork-server.idle-timeout`, default 10 min); nil: workers and the describing of functions
    /// start their own interpreter. See ``ForkServer``.
    public var forkServerIdleTimeout: Duration?

    /// Default options.
    public init() {}

    /// Options from Flink-style settings (`python.executable`, `python.files`, `python.metric.enabled`,
    /// `python.profile.enabled`, `python.fn-execution.bundle.timeout`, `python.worker.max-restarts`);
    /// job parameters come from Flink's `pipeline.global-job-parameters` (`k1:v1,k2:v2`) and from keys
    /// `job.param.NAME`, which win over an entry of the same name there. Throws, naming the key, for a value that
    /// cannot be read.
    public init(settings: [String: String]) throws {
        executable = settings["python.executable"]
        files = settings["python.files"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        metricsEnabled = settings["python.metric.enabled"].map { $0.lowercased() != "false" } ?? true
        profileEnabled = settings["python.profile.enabled"].map { $0.lowercased() == "true" } ?? false
        logLevel = settings["python.log.level"]
        harness = try PythonHarness(settings: settings)
        sessionTimeZone = try SessionTimeZone(settings: settings)
        asyncScalar = try AsyncScalarOptions(settings: settings)
        if let text = settings["python.fn-execution.bundle.timeout"] {
            guard let timeout = FlinkDuration.parse(text) else {
                throw PyFnError.invalidDescriptor("'python.fn-execution.bundle.timeout' must be a duration such as '600 s' or '10 min' (0 turns it off), not '\(text)'")
            }
            bundleTimeout = timeout == .zero ? nil : timeout
        }
        if let text = settings["python.worker.max-restarts"] {
            guard let restarts = Int(text.trimmingCharacters(in: .whitespaces)), restarts >= 0 else {
                throw PyFnError.invalidDescriptor("'python.worker.max-restarts' must be a whole number of at least 0, not '\(text)'")
            }
            maxRestarts = restarts
        }
        if let text = settings[WorkerMemoryLimit.setting] {
            guard let bytes = FlinkMemorySize.parse(text), bytes > 0 else {
                throw PyFnError.invalidDescriptor("'\(WorkerMemoryLimit.setting)' must be a memory size such as '512m' or '2g', not '\(text)'")
            }
            memoryLimit = bytes
        }
        if let text = settings[ForkServer.setting] {
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": forkServerIdleTimeout = .seconds(600)
            case "false": forkServerIdleTimeout = nil
            default: throw PyFnError.invalidDescriptor("'\(ForkServer.setting)' must be true or false, not '\(text)'")
            }
        }
        if let text = settings[ForkServer.idleTimeoutSetting], forkServerIdleTimeout != nil {
            guard let timeout = FlinkDuration.parse(text), timeout > .zero else {
                throw PyFnError.invalidDescriptor("'\(ForkServer.idleTimeoutSetting)' must be a duration such as '30 s' or '10 min', not '\(text)'")
            }
            forkServerIdleTimeout = timeout
        }
        if let text = settings[GlobalJobParameters.key] {
            jobParameters = try GlobalJobParameters.parse(text)
        }
        for (key, value) in settings where key.hasPrefix("job.param.") {
            jobParameters[String(key.dropFirst("job.param.".count))] = value
        }
    }

    /// The interpreter to run, resolved as ``PythonInterpreterChoice`` describes.
    public var resolvedExecutable: String { PythonInterpreterChoice(options: self).python }

    /// The options a worker receives in its ProvisionInfo.
    var pipelineOptions: [String: String] {
        var options = ["python.metric.enabled": String(metricsEnabled), "python.profile.enabled": String(profileEnabled)]
        if !files.isEmpty { options["python.files"] = files.joined(separator: ",") }
        if let logLevel { options["python.log.level"] = logLevel }
        return options
    }
}
