// What the committing sinks show a reader between commit points, and what they record: files appear whole at a
// commit and never before, aborted rows vanish, SQLite commits carry their job's identity in pyfn_sink_commits.
import Foundation
import GRDB
import PyFnArrow
import PyFnRunner
import Testing
@testable import PyFnJobs

@Suite("committing sinks")
struct CommittingSinkTests {
    let columns = [SQLField("word", .string), SQLField("n", .bigint)]

    func rows(_ pairs: [(String, Int64)]) throws -> RecordBatch {
        try connectorBatch(columns, pairs.map { [.string($0.0), .int($0.1)] })
    }

    func fileTable(_ folder: ConnectorTempFolder, _ name: String) -> PyFnJobs.TableDefinition {
        PyFnJobs.TableDefinition(name: "t", columns: columns, options: ["connector": "filesystem", "path": name, "format": "csv"],
                                 baseDirectory: folder.path)
    }

    func hiddenFiles(_ folder: ConnectorTempFolder) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
    }

    @Test func aFileAppearsWholeAtEachCommitAndNeverBefore() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let sink = try FileSystemSink(fileTable(folder, "out.csv"))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        try await sink.write(try rows([("a", 1), ("b", 2)]))
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.csv")), "rows are visible before the commit")
        try await sink.commit()
        #expect(try folder.read("out.csv") == "a,1\nb,2\n")
        try await sink.write(try rows([("c", 3)]))
        #expect(try folder.read("out.csv") == "a,1\nb,2\n", "rows after the commit are visible before the next")
        try await sink.close()
        #expect(try folder.read("out.csv") == "a,1\nb,2\nc,3\n")
        #expect(try hiddenFiles(folder) == [], "in-progress files are left behind")
    }

    @Test func anAbortedJobLeavesThePreviousFileAsItWas() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        try folder.write("out.csv", "old,1\n")
        let sink = try FileSystemSink(fileTable(folder, "out.csv"))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: [0])
        try await sink.write(try rows([("a", 1), ("a", 2)]))
        await sink.abort()
        #expect(try folder.read("out.csv") == "old,1\n")
        #expect(try hiddenFiles(folder) == [])
    }

    @Test func inProgressFilesOfDeadRunnersAreRemovedAndLiveOnesKept() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        // A pid no process has (above the kernel's pid_max default of 4194304) and one that runs (this process's parent).
        try folder.write(".out.csv.inprogress.4194305.17", "a,1\n")
        try folder.write(".out.csv.inprogress.\(getppid()).18", "b,1\n")
        let sink = try FileSystemSink(fileTable(folder, "out.csv"))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        try await sink.close()
        #expect(try hiddenFiles(folder) == [".out.csv.inprogress.\(getppid()).18"])
        #expect(try folder.read("out.csv") == "")
    }

    func sqliteTable(_ folder: ConnectorTempFolder, primaryKey: [String] = []) -> PyFnJobs.TableDefinition {
        PyFnJobs.TableDefinition(name: "t", columns: columns, options: ["connector": "sqlite", "path": "db.sqlite", "table-name": "words"],
                                 primaryKey: primaryKey, baseDirectory: folder.path)
    }

    func sqliteRows(_ folder: ConnectorTempFolder, _ sql: String) throws -> [String] {
        let queue = try DatabaseQueue(path: folder.file("db.sqlite"))
        defer { try? queue.close() }
        return try queue.read { db in try Row.fetchAll(db, sql: sql).map(\.description) }
    }

    @Test func sqliteRowsBecomeVisibleAtCommitsAndAbortedOnesVanish() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let sink = try SQLiteSink(sqliteTable(folder))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        try await sink.write(try rows([("a", 1)]))
        #expect(try sqliteRows(folder, "SELECT * FROM words") == [])
        try await sink.commit()
        try await sink.write(try rows([("b", 2)]))
        #expect(try sqliteRows(folder, "SELECT * FROM words") == ["[word:\"a\" n:1]"])
        await sink.abort()
        #expect(try sqliteRows(folder, "SELECT * FROM words") == ["[word:\"a\" n:1]"])
        #expect(!FileManager.default.fileExists(atPath: folder.file("db.sqlite-journal")))
    }

    @Test(arguments: [false, true]) func aCommittedBoundedJobIsRecognisedWhenRerun(upsert: Bool) async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let table = sqliteTable(folder, primaryKey: upsert ? ["word"] : [])
        let job = SinkJobIdentity(digest: "0123456789abcdef0123456789abcdef", boundedInput: true)
        let first = try SQLiteSink(table)
        await first.identify(job)
        try await first.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        #expect(await first.committedEarlier() == nil)
        try await first.write(try rows([("a", 1), ("b", 2)]))
        try await first.close()
        #expect(try sqliteRows(folder, "SELECT job, table_name, row_count, commits, complete FROM pyfn_sink_commits")
                == ["[job:\"0123456789abcdef0123456789abcdef\" table_name:\"words\" row_count:2 commits:1 complete:1]"])

        let rerun = try SQLiteSink(table)
        await rerun.identify(job)
        try await rerun.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        let earlier = await rerun.committedEarlier() ?? "nil"
        #expect(earlier.hasPrefix("words already holds the 2 rows of this job (identity 0123456789abcdef0123456789abcdef), committed at "),
                "\(earlier)")
        #expect(earlier.hasSuffix("by an earlier run; delete its row from pyfn_sink_commits to write them again"), "\(earlier)")
        try await rerun.close()

        // A streaming job (unbounded input) cannot reproduce its rows, so an earlier commit never stands for it.
        let streaming = try SQLiteSink(table)
        await streaming.identify(SinkJobIdentity(digest: job.digest, boundedInput: false))
        try await streaming.open(schema: ArrowSchema(columns: columns), upsertKey: nil)
        #expect(await streaming.committedEarlier() == nil)
        try await streaming.close()
        #expect(try sqliteRows(folder, "SELECT * FROM words ORDER BY word") == ["[word:\"a\" n:1]", "[word:\"b\" n:2]"])
    }

    @Test func aBadCheckpointIntervalIsNamed() throws {
        #expect(try SinkCommitOptions(settings: ["execution.checkpointing.interval": "2 s"]).interval == .seconds(2))
        #expect(throws: ConnectorError("execution.checkpointing.interval must be a positive duration such as '10 s' or '500 ms', not 'soon'")) {
            try SinkCommitOptions(settings: ["execution.checkpointing.interval": "soon"])
        }
    }
}
