// `--harness pyflink`: a benchmark's operator driving PyFlink 2.3's own worker instead of PyFn's harness.
import Foundation
import PyFnRunner

/// The harness a benchmark was asked for (`--harness pyfn|pyflink`, default pyfn).
func requestedHarness() throws -> PythonHarness {
    let arguments = Array(CommandLine.arguments)
    guard let flag = arguments.firstIndex(of: "--harness") else { return .pyfn }
    guard flag + 1 < arguments.count, let harness = PythonHarness(rawValue: arguments[flag + 1]) else {
        throw BenchmarkError("--harness takes pyfn or pyflink")
    }
    return harness
}

/// Options for PyFlink's worker: `PYFN_PYFLINK_PYTHON` (benchmarks/run sets it from scripts/pyflink-venv.sh)
/// with benchmarks/python on its path.
func pyflinkBenchmarkOptions() throws -> PythonOptions {
    guard let python = ProcessInfo.processInfo.environment["PYFN_PYFLINK_PYTHON"], !python.isEmpty else {
        throw BenchmarkError("--harness pyflink needs PYFN_PYFLINK_PYTHON (benchmarks/run sets it from scripts/pyflink-venv.sh)")
    }
    var options = benchmarkPythonOptions()
    options.executable = python
    options.harness = .pyflink
    options.startTimeout = .seconds(60)
    return options
}

/// `name` from benchmarks/python/`module`.py as PyFlink pickles it, described by the planner's script.
func pyflinkFunction(_ module: String, _ name: String, returns type: SQLType, options: PythonOptions) throws -> PythonFunction {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: options.resolvedExecutable)
    process.arguments = PyFlinkFunctionScript.arguments + [module, name]
    process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": options.files.joined(separator: ":")]) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let object = try JSONSerialization.jsonObject(with: output) as? [String: Any],
          let text = object["payload"] as? String, let payload = Data(base64Encoded: text) else {
        throw BenchmarkError("describing \(module).\(name) with \(options.resolvedExecutable) failed")
    }
    return PythonFunction(name: name, body: .cloudpickle(payload), resultType: type)
}
