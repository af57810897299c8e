import Foundation
import Logging
import PyFnArrow
import PyFnRunner

/// A job, read and planned: its tables, its Python functions, its settings and one plan per INSERT.
///
/// A job comes from a SQL job file (`Job.load(path:)`) or from statements built in Swift
/// (`Job(script:name:baseDirectory:)`, with ``SourceLocation/code(_:_:)`` marking where each was built). Either
/// way everything that can fail before rows move — resolving tables, columns and functions, asking Python for the
/// functions' declared types, type-checking — happens here, so a bad job stops with file, line and column before
/// any worker starts.
public struct Job: Sendable {
    /// The job file's path (for a job built in Swift, its name).
    public let path: String
    /// The settings in force: the file's `SET`s, then overrides.
    public let settings: [String: String]
    /// The plans, one per INSERT, in file order.
    public let plans: [InsertPlan]
    /// The plan of the query whose rows go back to a Python program (`collect()`), if any; run after the INSERTs
    /// into the sink given to ``run(parallelism:progress:logger:metrics:collectInto:onPlanStart:)``.
    public let collectPlan: InsertPlan?
    /// The Python functions the job registers, by lower-cased SQL name.
    public let functions: [String: RegisteredFunction]
    /// How workers are started.
    public let python: PythonOptions
    /// How operators cut bundles.
    public let bundle: BundleOptions
    /// Where the functions run.
    public let workerMode: WorkerMode

    /// Reads, checks and plans the job file at `path`; `overrides` win over the file's `SET`s. `headStart`: start
    /// the job's Python while its functions are described (see ``WorkerMode/startAhead(interpreter:)``).
    public static func load(path: String, overrides: [String: String] = [:], headStart: Bool = false) throws -> Job {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SQLError("cannot read the job file: \(error.localizedDescription)", at: SourceLocation(file: path, line: 1, column: 1))
        }
        let script = try SQLParser.parse(text, file: path)
        return try Job(script: script, name: path, baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                       overrides: overrides, headStart: headStart)
    }

    /// Checks and plans `script` — statements parsed from a file or built in Swift. `name` names the job (a job
    /// file's path); relative paths in options and `python.files` are resolved against `baseDirectory`;
    /// `overrides` win over the script's `SET`s. `shipped` are functions sent by value (a Python program's, as
    /// cloudpickle bodies), registered beside the script's `CREATE FUNCTION`s; `collect` is a query without INSERT
    /// whose rows go back to the program (a job with one needs no INSERT). `headStart`: start the job's Python while
    /// its functions are described (for a process that runs this job next: `pyfn run`).
    public init(script: SQLScript, name: String, baseDirectory folder: String, overrides: [String: String] = [:],
                shipped: [RegisteredFunction] = [], collect: SelectStatement? = nil, headStart: Bool = false) throws {
        var settings: [String: String] = [:]
        var tables: [String: TableDefinition] = [:]
        var creates: [CreateFunctionStatement] = []
        var inserts: [InsertStatement] = []
        for statement in script.statements {
            switch statement {
            case .set(let set):
                if let problem = KnownSettings.problem(with: set.key) { throw SQLError(problem, at: set.location) }
                settings[set.key] = set.value
            case .createTable(let create):
                guard tables[create.name.lowercased()] == nil else { throw SQLError("table '\(create.name)' is already defined", at: create.location) }
                tables[create.name.lowercased()] = TableDefinition(
                    name: create.name, columns: create.columns.map { SQLField($0.name, $0.type) },
                    options: Dictionary(create.options.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }),
                    primaryKey: create.primaryKey, baseDirectory: folder)
                tables[create.name.lowercased()]?.eventTime = try EventTime(create)
                tables[create.name.lowercased()]?.processingTime = create.processingTimeColumn
            case .createFunction(let create): creates.append(create)
            case .insert(let insert): inserts.append(insert)
            }
        }
        for key in overrides.keys.sorted() {
            if let problem = KnownSettings.problem(with: key) { throw SQLError(problem, at: SourceLocation(file: "--set", line: 1, column: 1)) }
        }
        settings.merge(overrides) { $1 }
        var python = try PythonOptions(settings: settings)
        python.files = python.files.map { Self.pythonPathEntry($0, relativeTo: folder) }
        let bundle = try BundleOptions(settings: settings)
        let workerMode = try WorkerMode(settings: settings)
        let choice = PythonInterpreterChoice(options: python)
        let interpreter = try ProcessEnvironment.locate(choice.python)
        python.harness = try PythonHarness(settings: settings)
        if python.harness == .pyflink && workerMode != .process {
            throw SQLError("'python.harness' = 'pyflink' runs PyFlink's worker as a process; it cannot be used with 'python.worker-pool' or 'python.execution-mode' = 'thread'",
                           at: SourceLocation(file: name, line: 1, column: 1))
        }
        // Describing functions needs the package here; running them too, unless an external pool runs them.
        // PyFlink's worker needs apache-flink in the interpreter, not PyFn's worker package.
        // Describing needs the package too, so when there is something to describe its failure is when the package
        // is checked (one interpreter start less before the job: ~25 ms of a 1,000-row job's ~0.1 s).
        let external = { if case .external = workerMode { true } else { false } }()
        if python.harness == .pyfn && creates.isEmpty && !shipped.isEmpty && !external {
            try choice.checkWorkerPackage(at: interpreter)
        }
        // With python.worker.fork-server, a server that answers forks the describing and, in process mode, the
        // workers (no head start needed there; embedded mode still loads its interpreter ahead); without one, this
        // job starts one for later jobs and its Python the ordinary way.
        let usesPython = python.harness == .pyfn && !(creates.isEmpty && shipped.isEmpty)
        let forkServer = python.harness == .pyfn ? python.forkServerIdleTimeout.flatMap { ForkServer(python: interpreter, idleTimeout: $0) } : nil
        let forkServerAnswers = forkServer?.answers ?? false
        if let forkServer, usesPython, !forkServerAnswers {
            forkServer.startInBackground(logger: Logger(label: "pyfn.worker"))
        }
        if headStart && usesPython && !(forkServerAnswers && workerMode == .process) {
            workerMode.startAhead(interpreter: interpreter)
        }
        var functions: [String: RegisteredFunction]
        do {
            functions = try PythonFunctionDescriber.describe(creates, python: interpreter, files: python.files, harness: python.harness,
                                                             forkServer: forkServerAnswers ? forkServer : nil)
        } catch {
            if python.harness == .pyfn { try choice.checkWorkerPackage(at: interpreter) }
            throw error
        }
        for function in shipped {
            if let existing = functions[function.sqlName.lowercased()] {
                throw SQLError("function '\(function.sqlName)' is already registered at \(existing.location)", at: function.location)
            }
            functions[function.sqlName.lowercased()] = function
        }
        let planner = Planner(tables: tables, functions: functions)
        let (plans, collectPlan) = try SessionTimeZone.$current.withValue(python.sessionTimeZone) {
            (try inserts.map { try planner.plan($0) }, try collect.map { try planner.plan(collect: $0) })
        }
        guard !plans.isEmpty || collectPlan != nil else {
            throw SQLError("the job has no INSERT INTO statement, so it would do nothing", at: SourceLocation(file: name, line: 1, column: 1))
        }
        self.init(path: name, settings: settings, plans: plans, collectPlan: collectPlan, functions: functions, python: python,
                  bundle: bundle, workerMode: workerMode)
    }

    private init(path: String, settings: [String: String], plans: [InsertPlan], collectPlan: InsertPlan?,
                 functions: [String: RegisteredFunction], python: PythonOptions, bundle: BundleOptions, workerMode: WorkerMode) {
        self.path = path
        self.settings = settings
        self.plans = plans
        self.collectPlan = collectPlan
        self.functions = functions
        self.python = python
        self.bundle = bundle
        self.workerMode = workerMode
    }

    /// `python.files` entries as `sys.path` entries: absolute, and a `.py` file's folder (as PyFlink does).
    static func pythonPathEntry(_ entry: String, relativeTo folder: String) -> String {
        let absolute = entry.hasPrefix("/") ? entry : URL(fileURLWithPath: folder).appendingPathComponent(entry).standardizedFileURL.path
        return absolute.hasSuffix(".py") ? URL(fileURLWithPath: absolute).deletingLastPathComponent().path : absolute
    }

    /// The job's name for metrics: the job file's name without its folder and extension.
    public var name: String { URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent }

    /// Runs every INSERT in order with `parallelism` workers per Python operator, reporting to `progress`, and
    /// the operators' figures and the functions' metrics to `metrics`; then the ``collectPlan`` into
    /// `collectSink` (required when there is one). `onPlanStart` is told of each plan as it starts.
    public func run(parallelism: Int = 1, progress: JobProgress = JobProgress(), logger: Logger = Logger(label: "pyfn.worker"),
                    metrics: RunnerMetrics? = nil, collectInto collectSink: (any TableSink)? = nil,
                    onPlanStart: @Sendable (InsertPlan) -> Void = { _ in }) async throws {
        try await SessionTimeZone.$current.withValue(python.sessionTimeZone) {
            try await runPlans(parallelism: parallelism, progress: progress, logger: logger, metrics: metrics,
                               collectInto: collectSink, onPlanStart: onPlanStart)
        }
    }

    /// ``run(parallelism:progress:logger:metrics:collectInto:onPlanStart:)`` within the job's session time zone.
    private func runPlans(parallelism: Int, progress: JobProgress, logger: Logger, metrics: RunnerMetrics?,
                          collectInto collectSink: (any TableSink)?, onPlanStart: @Sendable (InsertPlan) -> Void) async throws {
        let server = try await FnAPIServer.start(transport: try FnAPITransport(settings: settings), logger: logger)
        do {
            let environment = try workerMode.environment(server: server, python: python, logger: logger)
            var runs = plans.map { ($0, nil as (any TableSink)?) }
            if let collectPlan {
                guard let collectSink else { throw ConnectorError("the job has a collect query but no sink was given for its rows") }
                runs.append((collectPlan, collectSink))
            }
            let commit = try SinkCommitOptions(settings: settings)
            for (plan, sink) in runs {
                onPlanStart(plan)
                let changelog = (sink as? ArrowStreamSink)?.changelog ?? false
                try await InsertRunner(plan: plan, environment: environment, bundle: bundle, python: python,
                                       parallelism: max(1, parallelism), progress: progress, metrics: metrics, sink: sink,
                                       commit: commit, perRecordChanges: changelog && settings["table.exec.mini-batch.enabled"]?.lowercased() == "false").run()
            }
            await server.shutdown()
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// The operator plan as text: for each INSERT, the source, each step (which functions run in which Python
    /// operator), the grouping and the sink.
    public func explain(parallelism: Int = 1) -> String {
        var lines: [String] = []
        for plan in plans + [collectPlan].compactMap({ $0 }) {
            lines.append("INSERT INTO \(plan.sink.name)  (\(plan.location))")
            lines.append("  source  \(plan.source.name) [\(Self.connectorName(plan.source))]  columns: \(plan.source.columns.map(\.name).joined(separator: ", "))")
            for step in plan.steps { lines.append("  " + step.explanation(parallelism: parallelism)) }
            let mode = plan.upsertKey.map { "upsert by \($0.map { plan.output[$0].name }.joined(separator: ", "))" } ?? "append"
            lines.append("  sink    \(plan.sink.name) [\(plan.sink.name == "collect" && plan.sink.options.isEmpty ? "collect" : Self.connectorName(plan.sink))]  \(mode)")
        }
        return lines.joined(separator: "\n")
    }
}

extension Job {
    /// The connector a table uses, as PyFn names it (Flink's legacy keys and JDBC URLs mapped); "?" when unknown.
    public static func connectorName(_ table: TableDefinition) -> String {
        (try? FlinkOptionAliases.normalized(table))?.options["connector"] ?? table.options["connector"] ?? "?"
    }
}

extension PlanStep {
    /// One line of `pyfn explain`.
    func explanation(parallelism: Int) -> String {
        let workers = parallelism == 1 ? "1 worker" : "\(parallelism) workers"
        switch self {
        case .python(let calls, let names):
            let kinds: [PythonFunction.Kind: String] = [.pandasScalar: "pandas", .arrowScalar: "arrow", .asyncScalar: "async scalar"]
            let kind = calls.first.flatMap { kinds[$0.function.kind] } ?? "scalar"
            return "python  \(kind) operator (\(workers)): " + zip(calls, names).map { "\($0.function.name) → \($1)" }.joined(separator: ", ")
        case .lateral(let call, let names, let leftOuter):
            return "python  table operator (\(workers)): \(call.function.name) → \(names.joined(separator: ", "))\(leftOuter ? " (left outer)" : "")"
        case .compute(_, let names): return "compute \(names.joined(separator: ", "))"
        case .filter: return "filter"
        case .project(_, let names): return "project \(names.joined(separator: ", "))"
        case .aggregate(let keys, let aggregates):
            return "group   by \(keys.count) key\(keys.count == 1 ? "" : "s") (\(parallelism) partition\(parallelism == 1 ? "" : "s")): \(aggregates.map(\.text).joined(separator: ", "))"
        case .pythonAggregate(let keyCount, let calls, let names):
            return "python  aggregate operator by \(keyCount) key\(keyCount == 1 ? "" : "s") (\(parallelism) partition\(parallelism == 1 ? "" : "s"), state in the runner): "
                + zip(calls, names).map { "\($0.function.name) → \($1)" }.joined(separator: ", ")
        case .tableAggregate(let keyCount, let call, let names):
            return "python  table aggregate operator by \(keyCount) key\(keyCount == 1 ? "" : "s") (\(parallelism) partition\(parallelism == 1 ? "" : "s"), bounded input, rows kept until the end): "
                + "\(call.function.name) → \(names.joined(separator: ", "))"
        case .over(let over):
            return "over    \(over.frame) by \(over.keyCount) key\(over.keyCount == 1 ? "" : "s") (\(parallelism) Python partition\(parallelism == 1 ? "" : "s"), rows kept until the watermark passes): "
                + (over.builtIns.map(\.text) + zip(over.pythonCalls, over.pythonNames).map { "\($0.function.name) → \($1)" }).joined(separator: ", ")
        case .window(let window):
            return "window  \(window.kind) by \(window.keyCount) key\(window.keyCount == 1 ? "" : "s") (\(parallelism) Python partition\(parallelism == 1 ? "" : "s"), rows kept until the watermark passes): "
                + (window.builtIns.map(\.text) + zip(window.pythonCalls, window.pythonNames).map { "\($0.function.name) → \($1)" }).joined(separator: ", ")
        }
    }
}
