// A table function with a large fan-out (1,000 rows per input row) at the default bundle size keeps the runner's
// memory bounded: a real `pyfn run` into a CSV sink, its resident size sampled from /proc every 100 ms.
import Foundation
import PyFnTestSupport
import Testing

@Suite struct FanOutMemoryTests {
    static let udfs = """
        from pyfn import DataTypes, udtf

        @udtf(result_types=[DataTypes.BIGINT(), DataTypes.STRING()])
        def fan(n):
            for i in range(1000):
                yield i, "x"
        """

    /// 5,000 input rows (5 M output rows; a debug runner writes ~75 k rows/s): before bundles were sized by their
    /// output this peaked at ~1.2 GB (one bundle of 5 M rows), the figures scaling with the input (533 MB for
    /// 2,000 rows); sized by output it stays near 135 MB whatever the input.
    static let inputRows = 5_000

    /// The runner's resident size in bytes (VmRSS), nil once it has gone.
    static func residentBytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    @Test func aTableFunctionEmitting1000RowsPerRowKeepsTheRunnerUnder500MB() async throws {
        let folder = try TestPython.temporaryFolder()
        try Self.udfs.write(to: folder.appendingPathComponent("fan_udfs.py"), atomically: true, encoding: .utf8)
        try (0..<Self.inputRows).map { "\($0)\n" }.joined()
            .write(to: folder.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        try """
            SET 'python.files' = 'fan_udfs.py';
            CREATE TABLE src (n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
            CREATE TABLE out (n BIGINT, i BIGINT, s STRING) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
            CREATE TEMPORARY SYSTEM FUNCTION fan AS 'fan_udfs.fan' LANGUAGE PYTHON;
            INSERT INTO out SELECT n, i, s FROM src, LATERAL TABLE(fan(n)) AS T(i, s);
            """.write(to: folder.appendingPathComponent("job.sql"), atomically: true, encoding: .utf8)

        let process = try RunnerCrashTests.start(folder)
        var peak = 0
        while process.isRunning {
            if let bytes = Self.residentBytes(of: process.processIdentifier) { peak = max(peak, bytes) }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(RunnerCrashTests.log(folder))")
        #expect(peak > 0)
        #expect(peak < 500 * 1024 * 1024, "runner peaked at \(peak / (1024 * 1024)) MB")

        // Every output row, once: 1,000 per input row, numbered 0…999.
        let data = try Data(contentsOf: folder.appendingPathComponent("out.csv"))
        #expect(data.reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } == Self.inputRows * 1000)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.components(separatedBy: ",999,x\n").count - 1 == Self.inputRows)
    }
}
