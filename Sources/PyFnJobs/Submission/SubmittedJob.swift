// A Python program's request turned into a Job: statements parsed one by one, functions shipped by value, and
// every error mapped back to the program's file and line.
import Foundation
import PyFnRunner

/// A submitted job, checked and planned, that remembers which program line made each statement.
public struct SubmittedJob: Sendable {
    /// The job; nil when the request has neither an INSERT nor a collect query (nothing runs).
    public let job: Job?
    /// The settings in force (the request's settings, then the statements' `SET`s).
    public let settings: [String: String]
    /// Workers per Python operator (`parallelism.default`, default 1).
    public let parallelism: Int
    /// Whether the job runs in streaming mode (`execution.runtime-mode` = `streaming`): grouped collect results
    /// then come as a changelog.
    public let streaming: Bool
    /// Program locations by the file tag each statement was parsed under.
    private let locations: [String: SubmissionRequest.Location]
    /// The file tag of the CREATE TABLE of each table, by lower-cased name.
    private let tableTags: [String: String]

    /// Parses, checks and plans `request`; throws ``SubmissionError`` (validation) with the program's location.
    public init(_ request: SubmissionRequest) throws {
        var locations: [String: SubmissionRequest.Location] = [:]
        var statements: [SQLStatement] = []
        // The program's configuration first, as SETs, so the program's own SET statements win over it.
        for (key, value) in (request.settings ?? [:]).sorted(by: { $0.key < $1.key }) {
            statements.append(.set(SetStatement(key: key, value: value, location: SourceLocation(file: "<settings>", line: 1, column: 1))))
        }
        var tableTags: [String: String] = [:]
        for (index, statement) in (request.statements ?? []).enumerated() {
            let tag = "<statement \(index + 1)>"
            locations[tag] = statement.location
            let parsed: SQLScript
            do { parsed = try SQLParser.parse(statement.sql, file: tag) } catch let error as SQLError {
                throw Self.validation(error, locations)
            }
            for case .createTable(let create) in parsed.statements { tableTags[create.name.lowercased()] = tag }
            statements += parsed.statements
        }
        var collect: SelectStatement?
        if let query = request.collect {
            locations["<collect>"] = query.location
            do { collect = try SQLParser.parseQuery(query.sql, file: "<collect>") } catch let error as SQLError {
                throw Self.validation(error, locations)
            }
        }
        var shipped: [RegisteredFunction] = []
        for function in request.functions ?? [] {
            let location = SourceLocation(file: function.location?.file ?? "<function \(function.name)>", line: function.location?.line ?? 1, column: 1)
            guard let pickle = Data(base64Encoded: function.pickle) else {
                throw SubmissionError(.validation, "function '\(function.name)': 'pickle' is not base64", at: function.location)
            }
            do {
                shipped.append(try RegisteredFunction(sqlName: function.name, body: .cloudpickle(pickle), kind: function.kind,
                                                      resultType: function.result_type, inputTypes: function.input_types,
                                                      deterministic: function.deterministic ?? true, describedAs: "function '\(function.name)'",
                                                      location: location))
            } catch let error as SQLError {
                throw Self.validation(error, locations)
            }
        }
        self.locations = locations
        self.tableTags = tableTags
        let script = SQLScript(statements: statements)
        let hasWork = collect != nil || statements.contains { if case .insert = $0 { true } else { false } }
        var settings: [String: String] = [:]
        for case .set(let set) in statements { settings[set.key] = set.value }
        self.settings = settings
        let parallelismText = settings["parallelism.default"] ?? "1"
        guard let parallelism = Int(parallelismText), parallelism >= 1 else {
            throw SubmissionError(.validation, "'parallelism.default' must be an integer ≥ 1, not '\(parallelismText)'")
        }
        self.parallelism = parallelism
        let mode = (settings["execution.runtime-mode"] ?? settings["runtime-mode"] ?? "batch").lowercased()
        guard ["batch", "streaming"].contains(mode) else {
            throw SubmissionError(.validation, "'execution.runtime-mode' must be 'batch' or 'streaming', not '\(mode)'")
        }
        streaming = mode == "streaming"
        do {
            job = hasWork ? try Job(script: script, name: request.name ?? "job", baseDirectory: request.base_directory ?? FileManager.default.currentDirectoryPath,
                                    shipped: shipped, collect: collect) : nil
        } catch let error as SQLError {
            throw Self.validation(error, locations)
        } catch let error as PyFnError {
            throw SubmissionError(.validation, "\(error)")
        }
        try checkConnectors()
    }

    /// Builds every table's source and sink once, so a bad option is a validation error at the line of the
    /// program that declared the table, before any worker starts.
    private func checkConnectors() throws {
        guard let job else { return }
        for plan in job.plans + [job.collectPlan].compactMap({ $0 }) {
            do { _ = try Connectors.source(plan.source) } catch let error as ConnectorError {
                throw SubmissionError(.validation, error.message, at: tableLocation(plan.source.name) ?? location(of: plan))
            }
            guard plan.sink.name != "collect" || !plan.sink.options.isEmpty else { continue }
            do { _ = try Connectors.sink(plan.sink) } catch let error as ConnectorError {
                throw SubmissionError(.validation, error.message, at: tableLocation(plan.sink.name) ?? location(of: plan))
            }
        }
    }

    /// The program line that made `plan`'s INSERT (or the collect query).
    public func location(of plan: InsertPlan) -> SubmissionRequest.Location? {
        Self.programLocation(plan.location, locations)
    }

    private func tableLocation(_ name: String) -> SubmissionRequest.Location? {
        tableTags[name.lowercased()].flatMap { locations[$0] }
    }

    private static func programLocation(_ location: SourceLocation, _ locations: [String: SubmissionRequest.Location]) -> SubmissionRequest.Location? {
        if let mapped = locations[location.file] { return mapped }
        if location.file.hasPrefix("<") { return nil }
        return SubmissionRequest.Location(file: location.file, line: location.line)
    }

    private static func validation(_ error: SQLError, _ locations: [String: SubmissionRequest.Location]) -> SubmissionError {
        SubmissionError(.validation, error.message, at: programLocation(error.location, locations))
    }
}
