import Foundation
import Synchronization
import Testing
import PyFnArrow
import PyFnRunner
@testable import PyFnJobs

@Suite("print, blackhole and stdin connectors")
struct ConnectorPrintTests {
    let columns = [SQLField("word", .string), SQLField("n", .bigint), SQLField("at", .timestamp(3)), SQLField("tags", .array(.string))]

    func printed(_ options: [String: String], upsertKey: [Int]?, batches: [[[ArrowValue]]]) async throws -> [String] {
        let output = Mutex<String>("")
        let table = TableDefinition(name: "out", columns: columns, options: ["connector": "print"].merging(options) { $1 }, baseDirectory: "/")
        let sink = try PrintSink(table, output: { text in output.withLock { $0 += text } })
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: upsertKey)
        for rows in batches { try await sink.write(try connectorBatch(columns, rows)) }
        try await sink.close()
        return output.withLock { $0 }.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func printsRowsLikeFlink() async throws {
        let lines = try await printed([:], upsertKey: nil, batches: [[
            [.string("hello"), .int(3), .timestamp(1_700_000_000_123_000, .microsecond), .list([.string("a"), .null])],
            [.null, .null, .null, .null],
        ]])
        #expect(lines == ["+I[hello, 3, 2023-11-14 22:13:20.123, [a, null]]", "+I[null, null, null, null]", ""])
    }

    @Test func printsUpsertsWithAnIdentifier() async throws {
        let row = { (word: String, n: Int64) -> [ArrowValue] in [.string(word), .int(n), .null, .null] }
        let lines = try await printed(["print-identifier": "counts"], upsertKey: [0],
                                      batches: [[row("a", 1), row("b", 1)], [row("a", 2)]])
        #expect(lines == ["counts> +I[a, 1, null, null]", "counts> +I[b, 1, null, null]", "counts> +U[a, 2, null, null]", ""])
    }

    @Test func blackholeCountsWhatItDiscards() async throws {
        let sink = try BlackholeSink(TableDefinition(name: "void", columns: columns, options: ["connector": "blackhole"], baseDirectory: "/"))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        let row: [ArrowValue] = [.string("x"), .int(1), .null, .null]
        try await sink.write(try connectorBatch(columns, Array(repeating: row, count: 700)))
        try await sink.write(try connectorBatch(columns, Array(repeating: row, count: 5)))
        try await sink.close()
        #expect(sink.rowCount == 705)
        let message = await connectorErrorMessage {
            _ = try BlackholeSink(TableDefinition(name: "void", columns: columns, options: ["connector": "blackhole", "path": "x"], baseDirectory: "/"))
        }
        #expect(message.contains("unsupported option 'path'"))
    }

    @Test func stdinReadsLinesUntilItEnds() async throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let columns = [SQLField("id", .int), SQLField("name", .string)]
        let source = try StdinSource(TableDefinition(name: "in", columns: columns, options: ["connector": "stdin", "format": "json"],
                                                     baseDirectory: "/"), descriptor: fds[0])
        #expect(!source.isBounded)
        let writer = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        try writer.write(contentsOf: Data("{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2,".utf8))
        var iterator = source.batches(batchSize: 10).makeAsyncIterator()
        let first = try #require(try await iterator.next())
        #expect(first.length == 1, "what has arrived goes out without waiting for more")
        try writer.write(contentsOf: Data(" \"name\": \"b\"}\n{\"id\": 3}".utf8))
        try writer.close()
        var rows: [[ArrowValue]] = []
        while let batch = try await iterator.next() { rows += (0..<batch.length).map { batch.row($0) } }
        #expect(rows == [[.int(2), .string("b")], [.int(3), .null]], "the last line counts even without a line break")
        close(fds[0])
    }
}
