import Foundation
import GRDB
import Testing
import PyFnArrow
import PyFnRunner
@testable import PyFnJobs

@Suite("sqlite connector")
struct ConnectorSQLiteTests {
    let columns = [SQLField("word", .string.notNull), SQLField("n", .bigint), SQLField("ok", .boolean), SQLField("price", .decimal(8, 2)),
                   SQLField("ratio", .double), SQLField("day", .date), SQLField("blob", .bytes), SQLField("tags", .array(.int))]

    func table(_ folder: ConnectorTempFolder, primaryKey: [String] = []) -> PyFnJobs.TableDefinition {
        PyFnJobs.TableDefinition(name: "words", columns: columns, options: ["connector": "sqlite", "path": "db/test.sqlite"],
                        primaryKey: primaryKey, baseDirectory: folder.path)
    }

    func row(_ word: String, _ n: Int64) -> [ArrowValue] {
        [.string(word), .int(n), .bool(n % 2 == 0), .decimal(unscaled: Int128(n) * 150, scale: 2), .float(Double(n) / 4),
         .date(days: Int32(n)), .binary([UInt8(n), 0]), .list([.int(n), .null])]
    }

    @Test func insertsRowsAndReadsThemBack() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let sink = try SQLiteSink(table(folder))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        try await sink.write(try connectorBatch(columns, [row("a", 1), row("b", 2)]))
        try await sink.write(try connectorBatch(columns, [row("a", 3), [.string("n")] + Array(repeating: .null, count: 7)]))
        try await sink.close()

        let database = try DatabaseQueue(path: folder.file("db/test.sqlite"))
        let stored = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT word, n, ok, price, day, tags FROM words ORDER BY rowid").map {
                [$0[0] as String, ($0[1] as Int64?).map(String.init) ?? "NULL", ($0[2] as Int64?).map(String.init) ?? "NULL",
                 $0[3] as String? ?? "NULL", $0[4] as String? ?? "NULL", $0[5] as String? ?? "NULL"]
            }
        }
        try database.close()
        #expect(stored == [["a", "1", "0", "1.50", "1970-01-02", "[1,null]"], ["b", "2", "1", "3.00", "1970-01-03", "[2,null]"],
                           ["a", "3", "0", "4.50", "1970-01-04", "[3,null]"], ["n", "NULL", "NULL", "NULL", "NULL", "NULL"]])

        let source = try SQLiteSource(table(folder))
        #expect(try await connectorRows(source, batchSize: 3) == [row("a", 1), row("b", 2), row("a", 3),
                                                                  [.string("n")] + Array(repeating: .null, count: 7)])
    }

    @Test func upsertKeepsTheLatestRowPerKey() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let sink = try SQLiteSink(table(folder))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: [0])
        try await sink.write(try connectorBatch(columns, [row("a", 1), row("b", 1), row("a", 2)]))
        try await sink.write(try connectorBatch(columns, [row("c", 1), row("a", 3)]))
        try await sink.close()
        // A second run against the same table keeps upserting into it.
        let again = try SQLiteSink(table(folder))
        try await again.open(schema: ArrowSchema(columns: columns), upsertKey: [0])
        try await again.write(try connectorBatch(columns, [row("b", 7)]))
        try await again.close()

        let database = try DatabaseQueue(path: folder.file("db/test.sqlite"))
        let stored = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT word, n FROM words ORDER BY word").map { "\($0[0] as String)=\($0[1] as Int64)" }
        }
        let schema = try await database.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'words'") }
        try database.close()
        #expect(stored == ["a=3", "b=7", "c=1"])
        #expect(schema?.contains("PRIMARY KEY (\"word\")") == true)
    }

    @Test func declaredPrimaryKeyUpsertsAndMissingDatabaseFails() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let sink = try SQLiteSink(table(folder, primaryKey: ["word"]))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        try await sink.write(try connectorBatch(columns, [row("a", 1), row("a", 2)]))
        try await sink.close()
        #expect(try await connectorRows(SQLiteSource(table(folder))) == [row("a", 2)])

        let missing = PyFnJobs.TableDefinition(name: "w", columns: columns, options: ["connector": "sqlite", "path": "none.sqlite"], baseDirectory: folder.path)
        let message = await connectorErrorMessage { _ = try await connectorRows(SQLiteSource(missing)) }
        #expect(message.contains("none.sqlite"))
    }
}

@Suite("DataStream table sink")
struct TableStreamSinkTests {
    /// Subtasks that write their first batches at the same moment share one SQLite connection: the sink is opened
    /// once. (Opened once per subtask, the second connection waited on the first one's write lock until SQLite gave
    /// up with "database is locked".)
    @Test func subtasksWritingAtOnceOpenTheSinkOnce() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let sink = try TableStreamSink(name: "numbers", columns: ["n"], options: ["connector": "sqlite", "path": "n.db"],
                                       valueField: ArrowField(DataStreamOperator.valueColumn, .int64), baseDirectory: folder.path)
        let schema = ArrowSchema([ArrowField(DataStreamOperator.valueColumn, .int64)])
        let parallelism = 4
        try await withThrowingTaskGroup(of: Void.self) { group in
            for subtask in 0..<parallelism {
                group.addTask {
                    for round in 0..<3 {
                        let first = Int64(subtask * 1000 + round * 100)
                        let batch = try RecordBatch(schema: schema, columns: [.int64(Array(first..<first + 100))])
                        try await sink.write(batch, subtask: subtask, parallelism: parallelism)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await sink.close()
        let database = try DatabaseQueue(path: folder.file("n.db"))
        let stored = try await database.read { db in try Int64.fetchAll(db, sql: "SELECT n FROM numbers ORDER BY n") }
        try database.close()
        var expected: [Int64] = []
        for subtask in 0..<parallelism {
            for round in 0..<3 { expected += (0..<100).map { Int64(subtask * 1000 + round * 100 + $0) } }
        }
        #expect(stored == expected)
    }
}
