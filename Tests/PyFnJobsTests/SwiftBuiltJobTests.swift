import Foundation
import PyFnArrow
import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing

/// Jobs assembled in Swift, statement by statement, run like job files; errors point at the Swift line that built
/// the wrong statement.
@Suite struct SwiftBuiltJobTests {
    static func column(_ name: String, _ line: Int = #line) -> SQLExpression {
        .column(name: name, qualifier: nil, location: .code(#fileID, line))
    }

    /// Word count: lines → split (a Python table function) → GROUP BY word → SQLite, with `parallelism` workers.
    static func wordCount(lines: String, udfs: String, output: String, countColumn: String = "word") -> SQLScript {
        SQLScript(statements: [
            .set(SetStatement(key: "python.files", value: udfs, location: .code())),
            .createTable(CreateTableStatement(
                name: "lines", columns: [ColumnDefinition(name: "line", type: .string, location: .code())],
                options: [("connector", "filesystem"), ("path", lines), ("format", "csv")], location: .code())),
            .createTable(CreateTableStatement(
                name: "counts", columns: [ColumnDefinition(name: "word", type: .string, location: .code()),
                                          ColumnDefinition(name: "cnt", type: .bigint, location: .code())],
                primaryKey: ["word"], options: [("connector", "sqlite"), ("path", output)], location: .code())),
            .createFunction(CreateFunctionStatement(name: "split", pythonObject: "word_count_udfs.split", language: "PYTHON", location: .code())),
            .insert(InsertStatement(table: "counts", query: SelectStatement(
                items: [.expression(column("word"), alias: nil),
                        .expression(.call(name: "COUNT", arguments: [.star(location: .code())], distinct: false, location: .code()), alias: "cnt")],
                from: .table(name: "lines", alias: nil, location: .code()),
                lateral: LateralJoin(function: "split", arguments: [column("line")], alias: "T", columnNames: ["word"],
                                     leftOuter: false, location: .code()),
                groupBy: [column(countColumn)], location: .code()), location: .code())),
        ])
    }

    @Test(arguments: [1, 2]) func aWordCountBuiltInSwiftMatchesPlainPython(parallelism: Int) async throws {
        let folder = try ExampleJobTests.example("word_count", generate: "generate_lines.py", arguments: ["--lines", "1000"], data: "data/lines.csv")
        let script = Self.wordCount(lines: "data/lines.csv", udfs: "word_count_udfs.py", output: "output/swift.db")
        let job = try Job(script: script, name: "swift_word_count", baseDirectory: folder.path)
        try await job.run(parallelism: parallelism)
        let actual = try await ExampleJobTests.rows(of: job.plans[0].sink)
        let expected = try ExampleJobTests.reference("examples/word_count/reference.py", [folder.appendingPathComponent("data/lines.csv").path])
        #expect(actual.count > 50)
        #expect(actual == expected)
    }

    @Test func anErrorPointsAtTheSwiftLineThatBuiltTheStatement() throws {
        let folder = try ExampleJobTests.example("word_count", generate: "generate_lines.py", arguments: ["--lines", "10"], data: "data/lines.csv")
        let script = Self.wordCount(lines: "data/lines.csv", udfs: "word_count_udfs.py", output: "output/swift.db", countColumn: "nope")
        var caught: SQLError?
        do { _ = try Job(script: script, name: "swift_word_count", baseDirectory: folder.path) } catch let error as SQLError { caught = error }
        let error = try #require(caught)
        #expect(error.message.contains("unknown column 'nope'"), "\(error)")
        #expect(error.location.file.hasSuffix("SwiftBuiltJobTests.swift"), "\(error.location)")
        #expect(error.location.line == 33, "\(error.location)")
    }
}
