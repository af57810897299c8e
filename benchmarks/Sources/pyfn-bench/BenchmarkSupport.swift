import Foundation

/// Where the repository is, for benchmark scripts and UDF modules.
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url
}()

/// The project's Python.
let benchmarkPython: String = ProcessInfo.processInfo.environment["PYFN_PYTHON"]
    ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path

/// Runs a benchmark script with the project's Python and returns what it printed.
func runPython(_ script: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: benchmarkPython)
    process.arguments = [repositoryRoot.appendingPathComponent(script).path] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchmarkError("\(script) exited with \(process.terminationStatus)") }
    return String(decoding: data, as: UTF8.self)
}

/// The value after `key ` in a line of a script's output.
func reading(_ key: String, in output: String) throws -> Double {
    for line in output.split(separator: "\n") where line.hasPrefix(key + " ") {
        if let value = Double(line.dropFirst(key.count + 1)) { return value }
    }
    throw BenchmarkError("no '\(key)' in: \(output)")
}

/// A benchmark that could not run.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Peak resident memory of this process, and of the largest finished child (the worker), in MB.
func peakMemoryMB() -> (runner: Double, worker: Double) {
    var own = rusage()
    var children = rusage()
    getrusage(RUSAGE_SELF.rawValue, &own)
    getrusage(RUSAGE_CHILDREN.rawValue, &children)
    return (Double(own.ru_maxrss) / 1024, Double(children.ru_maxrss) / 1024)
}

/// Seconds taken by `body`.
func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
