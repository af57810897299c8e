import Foundation
import PyFnRunner

/// A Python function registered with `CREATE FUNCTION`, described by the worker package itself
/// (`python -m pyfn.describe`): its kind and declared types.
public struct RegisteredFunction: Sendable, Hashable {
    /// The name SQL calls it by.
    public var sqlName: String
    /// How the runner calls it.
    public var function: PythonFunction
    /// Declared argument types, when the function declares `input_types`.
    public var inputTypes: [SQLType]?
    /// Where it was registered.
    public var location: SourceLocation
    /// For a general aggregate: whether it implements `merge` (session windows need it); nil when not known.
    public var hasMerge: Bool? = nil
    /// Aggregates: whether it defines `retract` (needed over the updating rows of another GROUP BY).
    public var canRetract = true
    /// Where Python defines it (`file:line`), when known.
    public var definedAt: String? = nil
}

extension RegisteredFunction {
    /// A function described the way `pyfn.describe` prints it (and a Python program sends it): `kind` is `SCALAR`,
    /// `PANDAS_SCALAR`, `ASYNC_SCALAR`, `ARROW_SCALAR`, `TABLE` or `AGGREGATE`, types are SQL type strings; a table function's non-ROW result
    /// becomes `ROW<f0 …>`. Errors name the function as `describedAs` and stand at `location`.
    public init(sqlName: String, body: PythonFunction.Body, kind kindName: String, resultType resultText: String, inputTypes: [String]?,
                deterministic: Bool, describedAs what: String, location: SourceLocation) throws {
        let kind: PythonFunction.Kind
        switch kindName {
        case "SCALAR": kind = .scalar
        case "PANDAS_SCALAR": kind = .pandasScalar
        case "ASYNC_SCALAR": kind = .asyncScalar
        case "ARROW_SCALAR": kind = .arrowScalar
        case "TABLE": kind = .table
        case "AGGREGATE": kind = .aggregate
        case "PANDAS_AGGREGATE": kind = .pandasAggregate
        case "TABLE_AGGREGATE": kind = .tableAggregate
        default:
            throw SQLError("\(what) is a \(kindName.lowercased()) function, which PyFn jobs cannot call yet", at: location)
        }
        func type(_ text: String) throws -> SQLType {
            do { return try SQLParser.parseType(text) } catch {
                throw SQLError("\(what) declares type '\(text)', which PyFn does not know", at: location)
            }
        }
        var resultType = try type(resultText)
        if kind == .table || kind == .tableAggregate, case .row = resultType.kind {} else if kind == .table || kind == .tableAggregate {
            resultType = .row([SQLField("f0", resultType)])
        }
        let function = PythonFunction(name: sqlName, body: body, kind: kind, resultType: resultType, deterministic: deterministic)
        self.init(sqlName: sqlName, function: function, inputTypes: try inputTypes.map { try $0.map(type) }, location: location)
    }
}

/// Asks Python what the functions a job registers are: one `python -m pyfn.describe` run per module.
enum PythonFunctionDescriber {
    /// One described function as `pyfn.describe` prints it.
    private struct Description: Decodable {
        var name: String
        var kind: String
        var result_type: String
        var input_types: [String]?
        var deterministic: Bool?
        var module: String?
        var qualified_name: String?
        /// python.harness = pyflink: the PyFlink function object cloudpickled, base64 (PyFlinkFunctionScript).
        var payload: String?
        /// General aggregates: whether the AggregateFunction implements `merge`.
        var has_merge: Bool?
        /// Aggregates: whether the function defines `retract`; where Python defines it (`file:line`).
        var retract: Bool?
        var defined_at: String?
    }

    /// Describes every `CREATE FUNCTION` of a job; errors name the statement's location.
    static func describe(_ statements: [CreateFunctionStatement], python: String, files: [String],
                         harness: PythonHarness = .pyfn, forkServer: ForkServer? = nil) throws -> [String: RegisteredFunction] {
        var byModule: [String: [CreateFunctionStatement]] = [:]
        for statement in statements {
            if let language = statement.language, language != "PYTHON" {
                throw SQLError("function '\(statement.name)' is LANGUAGE \(language); PyFn runs LANGUAGE PYTHON functions", at: statement.location)
            }
            guard let dot = statement.pythonObject.lastIndex(of: "."), dot != statement.pythonObject.startIndex else {
                throw SQLError("'\(statement.pythonObject)' is not a 'module.function' reference", at: statement.location)
            }
            byModule[String(statement.pythonObject[..<dot]), default: []].append(statement)
        }
        var functions: [String: RegisteredFunction] = [:]
        for (module, statements) in byModule.sorted(by: { $0.key < $1.key }) {
            let names = statements.map { String($0.pythonObject[$0.pythonObject.index(after: $0.pythonObject.lastIndex(of: ".")!)...]) }
            let arguments = harness == .pyflink ? PyFlinkFunctionScript.arguments : ["-m", "pyfn.describe", "--types-only"]
            let descriptions = try run(python: python, arguments: arguments, files: files, module: module,
                                       names: Array(Set(names)), at: statements[0].location,
                                       forkServer: harness == .pyfn ? forkServer : nil)
            for (statement, name) in zip(statements, names) {
                guard let description = descriptions[name] else {
                    throw SQLError("module '\(module)' has no function '\(name)' (python.files: \(files.joined(separator: ", ")))", at: statement.location)
                }
                functions[statement.name.lowercased()] = try registered(description, module: module, name: name, statement: statement, harness: harness)
            }
        }
        return functions
    }

    private static func registered(_ d: Description, module: String, name: String, statement: CreateFunctionStatement,
                                   harness: PythonHarness) throws -> RegisteredFunction {
        if harness == .pyflink && d.kind == "AGGREGATE" {
            throw SQLError("'\(statement.pythonObject)' is an aggregate function; with 'python.harness' = 'pyflink' PyFn runs scalar, table and Pandas scalar functions (PyFlink's worker keeps aggregate state by Flink's conventions): use 'python.harness' = 'pyfn' for it", at: statement.location)
        }
        var body = PythonFunction.Body.reference(module: module, name: name)
        if let payload = d.payload {
            guard let pickled = Data(base64Encoded: payload) else {
                throw SQLError("describing '\(statement.pythonObject)' gave a payload that is not base64", at: statement.location)
            }
            body = .cloudpickle(pickled)
        }
        var function = try RegisteredFunction(sqlName: statement.name, body: body, kind: d.kind, resultType: d.result_type,
                                              inputTypes: d.input_types, deterministic: d.deterministic ?? true,
                                              describedAs: "'\(statement.pythonObject)'", location: statement.location)
        function.hasMerge = d.has_merge
        function.canRetract = d.retract ?? true
        function.definedAt = d.defined_at
        return function
    }

    private static func run(python: String, arguments: [String], files: [String], module: String, names: [String],
                            at location: SourceLocation, forkServer: ForkServer?) throws -> [String: Description] {
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = (files + [environment["PYTHONPATH"]].compactMap { $0 }).joined(separator: ":")
        let output = Pipe()
        let errors = Pipe()
        let status: Int32
        let data: Data
        let errorText: String
        if let forkServer, arguments.starts(with: ["-m", ForkServer.Module.describe.rawValue]),
           let child = forkServer.launch(.describe, arguments: Array(arguments.dropFirst(2)) + [module] + names, environment: environment,
                                         output: output.fileHandleForWriting, errors: errors.fileHandleForWriting) {
            // The child has its own copies: the ends of its output and errors are the ends of the child.
            try? output.fileHandleForWriting.close()
            try? errors.fileHandleForWriting.close()
            data = output.fileHandleForReading.readDataToEndOfFile()
            errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            status = child.waitForExit()
        } else {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments + [module] + names
            process.environment = environment
            process.standardOutput = output
            process.standardError = errors
            do { try process.run() } catch {
                throw SQLError("cannot run '\(python)' (python.executable) to describe module '\(module)': \(error)", at: location)
            }
            data = output.fileHandleForReading.readDataToEndOfFile()
            errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            status = process.terminationStatus
        }
        guard status == 0 else {
            let reason = errorText.split(separator: "\n").last.map(String.init) ?? "exit status \(status)"
            throw SQLError("cannot load Python module '\(module)': \(reason)", at: location)
        }
        var descriptions: [String: Description] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("{") {
            let description = try JSONDecoder().decode(Description.self, from: Data(line.utf8))
            descriptions[description.qualified_name ?? description.name] = description
        }
        return descriptions
    }
}
