import Foundation

/// How Python workers are started and what they are told: Flink's `python.*` settings.
public struct PythonOptions: Sendable {
    /// The Python interpreter (`python.executable`); nil means `$PYFN_PYTHON`, else the nearest `.venv/bin/python`
    /// above the working directory, else `python3` on the PATH.
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
    /// The session time zone PyFlink's worker uses for local times (`table.local-time-zone`); nil is this
    /// machine's zone.
    public var localTimeZone: String?
    /// How long a worker may take to dial in after it is started.
    public var startTimeout: Duration = .seconds(30)
    /// How long a worker may take to exit after it is told to stop, before it is killed.
    public var stopTimeout: Duration = .seconds(5)

    /// Default options.
    public init() {}

    /// Options from Flink-style settings (`python.executable`, `python.files`, `python.metric.enabled`,
    /// `python.profile.enabled`); `pipeline.global-job-parameters` style keys `job.param.NAME` become job parameters.
    public init(settings: [String: String]) {
        executable = settings["python.executable"]
        files = settings["python.files"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        metricsEnabled = settings["python.metric.enabled"].map { $0.lowercased() != "false" } ?? true
        profileEnabled = settings["python.profile.enabled"].map { $0.lowercased() == "true" } ?? false
        logLevel = settings["python.log.level"]
        harness = (try? PythonHarness(settings: settings)) ?? .pyfn
        localTimeZone = settings["table.local-time-zone"].flatMap { $0 == "default" ? nil : $0 }
        for (key, value) in settings where key.hasPrefix("job.param.") {
            jobParameters[String(key.dropFirst("job.param.".count))] = value
        }
    }

    /// The interpreter to run, resolved as ``executable`` describes.
    public var resolvedExecutable: String {
        if let executable { return executable }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PYFN_PYTHON"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(".venv/bin/python").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return "python3"
    }

    /// The options a worker receives in its ProvisionInfo.
    var pipelineOptions: [String: String] {
        var options = ["python.metric.enabled": String(metricsEnabled), "python.profile.enabled": String(profileEnabled)]
        if !files.isEmpty { options["python.files"] = files.joined(separator: ",") }
        if let logLevel { options["python.log.level"] = logLevel }
        return options
    }
}
