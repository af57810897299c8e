import Foundation
import PyFnTestSupport

/// `python.executable` stand-ins for tests that start a worker other than PyFn's harness: a shell script that
/// drops the `-m pyfn.worker` the runner passes, keeps the boot flags (`--id=…`, `--provision_endpoint=…`, …) and
/// execs another program with them.
enum WorkerWrapper {
    /// A fresh wrapper that runs `python script arguments… <boot flags>`; `python` defaults to the project's venv.
    static func make(python: String = TestPython.executable, script: String, _ arguments: [String] = []) throws -> String {
        let path = try TestPython.temporaryFolder().appendingPathComponent("python").path
        let command = ([python, script] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let text = """
            #!/bin/sh
            # python.executable for a test: '-m pyfn.worker' is dropped, the boot flags are passed on.
            shift 2
            exec \(command) "$@"

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// A test script of Tests/PyFnRunnerTests/python.
    static func testScript(_ name: String) -> String {
        "\(Harness.udfFolder)/\(name)"
    }
}
