// `pyfn run job.sql` outside the repository: the workers' interpreter comes from the active venv, and an
// interpreter without the worker package is named in the error with the way to fix it.
import Foundation
import Testing
import PyFnTestSupport

@Suite("pyfn run from any folder", .serialized)
struct RunFromAnyFolderTests {
    /// A job with one Python function in a fresh folder outside the repository; returns the folder.
    static func jobFolder() throws -> URL {
        let folder = try TestPython.temporaryFolder()
        try """
            from pyfn import udf, DataTypes

            @udf(result_type=DataTypes.BIGINT())
            def twice(n):
                return n * 2
            """.write(to: folder.appendingPathComponent("udfs.py"), atomically: true, encoding: .utf8)
        try """
            SET 'python.files' = 'udfs.py';
            CREATE FUNCTION twice AS 'udfs.twice';
            CREATE TABLE numbers (n BIGINT) WITH ('connector' = 'datagen', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '5');
            CREATE TABLE out (n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            INSERT INTO out SELECT twice(n) FROM numbers;
            """.write(to: folder.appendingPathComponent("job.sql"), atomically: true, encoding: .utf8)
        return folder
    }

    /// Runs `pyfn run job.sql --show 0` in `folder` with exactly `environment` (plus HOME).
    static func run(in folder: URL, environment: [String: String]) throws -> TestPython.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PyFnBinary.path)
        process.arguments = ["run", "job.sql", "--show", "0", "--no-metrics-summary"]
        process.currentDirectoryURL = folder
        process.environment = environment.merging(["HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return TestPython.Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @Test func theActiveVenvRunsTheWorkers() throws {
        let folder = try Self.jobFolder()
        let venv = URL(fileURLWithPath: TestPython.executable).deletingLastPathComponent().deletingLastPathComponent().path
        let outcome = try Self.run(in: folder, environment: ["PATH": "/usr/bin:/bin", "VIRTUAL_ENV": venv])
        #expect(outcome.status == 0, "\(outcome.output)")
        let written = try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8)
        #expect(written.split(separator: "\n") == ["2", "4", "6", "8", "10"])
    }

    @Test func anInterpreterWithoutTheWorkerPackageIsNamedWithTheFix() throws {
        let folder = try Self.jobFolder()
        // A python3 that cannot see any site-packages: the venv's interpreter in isolated mode without `site`.
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let fake = bin.appendingPathComponent("python3")
        try "#!/bin/sh\nexec '\(TestPython.executable)' -I -S \"$@\"\n".write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let outcome = try Self.run(in: folder, environment: ["PATH": "\(bin.path):/usr/bin:/bin"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("the Python interpreter '\(fake.path)' (chosen from python3 on the PATH"), "\(outcome.output)")
        #expect(outcome.output.contains("has no 'pyfn' package"), "\(outcome.output)")
        #expect(outcome.output.contains("source .venv/bin/activate"), "\(outcome.output)")
        #expect(!outcome.output.contains("Error while finding module specification"), "\(outcome.output)")
    }
}
