import Foundation
import PyFnArrow
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Synchronization
import Testing

/// DataStream programs run by the runner: the request `pyfn.datastream` builds (made by the real Python side),
/// run with real workers over gRPC; the printed lines and collected records checked.
@Suite(.serialized) struct DataStreamJobTests {
    /// What a run printed and collected.
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])
        let bytes = Mutex<[UInt8]>([])

        var outputs: StreamOutputs {
            StreamOutputs(printLine: { line in self.lines.withLock { $0.append(line) } },
                          collect: { data in self.bytes.withLock { $0 += data } })
        }

        /// The collected `value` column's batches.
        func collected() throws -> [RecordBatch] {
            try ArrowStreamReader.decode(bytes.withLock { $0 }).1
        }
    }

    /// The request the program `name` of datastream_programs.py makes, as a job.
    static func job(_ name: String, _ arguments: [String] = [], parallelism: Int? = nil) throws -> DataStreamJob {
        let script = "Tests/PyFnJobsTests/python/datastream_programs.py"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPython.executable)
        process.arguments = [TestPython.repositoryRoot.appendingPathComponent(script).path, name] + arguments
        var environment = ProcessInfo.processInfo.environment
        if let parallelism { environment["PYFN_TEST_PARALLELISM"] = String(parallelism) }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try #require(try DataStreamSubmission.job(fromRequest: data))
    }

    @Test func flipExampleSplitsTheCollectionAndPrintsEveryRecord() async throws {
        let captured = Captured()
        try await Self.job("flip").run(outputs: captured.outputs)
        #expect(captured.lines.withLock { $0 }.sorted() == ["('ab', 2)", "('abc', 3)", "('abcd', 4)", "('abcde', 5)"])
    }

    /// Word counts as a plain Swift dictionary computes them from the same text.
    static func referenceCounts(_ text: String) -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for word in text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\n" }) { counts[String(word), default: 0] += 1 }
        return counts
    }

    @Test(arguments: [(1, "batch"), (2, "batch"), (1, "streaming"), (2, "streaming")])
    func wordCountMatchesAnIndependentCount(parallelism: Int, mode: String) async throws {
        let folder = try TestPython.temporaryFolder()
        let words = ["to", "be", "or", "not", "that", "is", "the", "question", "Whether", "tis", "nobler"]
        var lines: [String] = []
        for row in 0..<3000 { lines.append((0..<(row % 9)).map { words[($0 * 7 + row) % words.count] }.joined(separator: " ")) }
        let text = lines.joined(separator: "\n")
        let path = folder.appendingPathComponent("words.txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let captured = Captured()
        try await Self.job("word_count", [path, mode], parallelism: parallelism).run(outputs: captured.outputs)
        var finals: [String: Int64] = [:]
        var emitted = 0
        for batch in try captured.collected() {
            let rows = batch.columns[0]
            for row in 0..<rows.length {
                let word = rows.structField(0).string(at: row)!
                guard case .int(let count) = rows.structField(1).value(at: row) else { Issue.record("count not an int"); return }
                finals[word] = max(finals[word] ?? 0, count)
                emitted += 1
            }
        }
        let reference = Self.referenceCounts(text)
        #expect(finals == reference)
        if mode == "batch" {
            #expect(emitted == reference.count, "batch mode emits one final value per key")
        } else {
            #expect(emitted == reference.values.reduce(0) { $0 + Int($1) }, "streaming mode emits a value per record")
        }
    }

    @Test func keyedCountsStayExactWhenAWorkerDiesMidJob() async throws {
        let marker = try TestPython.temporaryFolder()
        let records = 7000
        let captured = Captured()
        try await Self.job("crash_count", [marker.path, String(records)]).run(outputs: captured.outputs)
        #expect(FileManager.default.fileExists(atPath: marker.appendingPathComponent("crashed").path))
        let values = try captured.collected().flatMap { batch in
            batch.columns[0].withVariableBinaryView { view in (0..<view.count).map { Data(view[$0]) } }
        }
        #expect(values.count == records, "every record counted once: \(values.count)")
        // The last count of each key is the number of records of that key.
        let decoded = try TestPython.unpickle(values)
        var last: [String: String] = [:]
        for pair in decoded { last[pair.0] = pair.1 }
        for key in 0..<7 {
            let expected = (0..<records).filter { $0 % 7 == key }.count
            #expect(last[String(key)] == String(expected), "key \(key)")
        }
    }

    @Test func numberSequenceThroughAChainedMapAndFilter() async throws {
        let captured = Captured()
        try await Self.job("sequence_map", ["100000"], parallelism: 2).run(outputs: captured.outputs)
        var values: [Int64] = []
        for batch in try captured.collected() {
            batch.columns[0].withValues(as: Int64.self) { values += $0 }
        }
        let doubled: [Int64] = (1...100_000).map { Int64($0) * 2 }
        let expected = doubled.filter { $0 % 3 == 0 }
        #expect(values.sorted() == expected)
    }
}

extension TestPython {
    /// (key, count) pairs of pickled 2-tuples, unpickled by the project's Python and printed as text.
    static func unpickle(_ pickles: [Data]) throws -> [(String, String)] {
        let folder = try temporaryFolder()
        let input = folder.appendingPathComponent("pickles.bin")
        var bytes = Data()
        for pickle in pickles {
            var length = UInt32(pickle.count).littleEndian
            bytes.append(Data(bytes: &length, count: 4))
            bytes.append(pickle)
        }
        try bytes.write(to: input)
        let outcome = try run("Tests/PyFnJobsTests/python/unpickle_pairs.py", [input.path])
        return outcome.output.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        }
    }
}
