import Foundation
import Testing
import PyFnArrow
import PyFnRunner
@testable import PyFnJobs

/// A folder under the system's temporary directory, removed by ``remove()``.
struct ConnectorTempFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "pyfn-connector-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: file(name), atomically: false, encoding: .utf8)
    }

    func read(_ name: String) throws -> String { try String(contentsOfFile: file(name), encoding: .utf8) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Every row of a bounded source.
func connectorRows(_ source: any TableSource, batchSize: Int = 1024) async throws -> [[ArrowValue]] {
    var rows: [[ArrowValue]] = []
    for try await batch in source.batches(batchSize: batchSize) {
        #expect(batch.length <= batchSize)
        rows += (0..<batch.length).map { batch.row($0) }
    }
    return rows
}

/// The message of the ConnectorError `body` throws ("" and a recorded issue when it throws none).
func connectorErrorMessage(_ body: () async throws -> Void) async -> String {
    do {
        try await body()
        Issue.record("expected a ConnectorError")
    } catch let error as ConnectorError {
        return error.message
    } catch {
        Issue.record("expected a ConnectorError, got \(error)")
    }
    return ""
}

/// A batch of `rows` under `columns`.
func connectorBatch(_ columns: [SQLField], _ rows: [[ArrowValue]]) throws -> RecordBatch {
    let schema = ArrowSchema(columns: columns)
    let arrays = try schema.fields.indices.map { i in try ArrowArray(schema.fields[i].type, values: rows.map { $0[i] }) }
    return try RecordBatch(schema: schema, columns: arrays, length: rows.count)
}

@Suite("connector factory")
struct ConnectorTests {
    let columns = [SQLField("id", .bigint), SQLField("name", .string)]

    func table(_ options: [String: String]) -> TableDefinition {
        TableDefinition(name: "people", columns: columns, options: options, baseDirectory: "/tmp")
    }

    @Test func choosesTheConnectorByName() throws {
        #expect(try Connectors.source(table(["connector": "filesystem", "path": "a.csv", "format": "csv"])) is FileSystemSource)
        #expect(try Connectors.source(table(["connector": "DataGen", "number-of-rows": "3"])) is DataGenSource)
        #expect(try Connectors.source(table(["connector": "stdin", "format": "json"])) is StdinSource)
        #expect(try Connectors.source(table(["connector": "sqlite", "path": "db.sqlite"])) is SQLiteSource)
        #expect(try Connectors.sink(table(["connector": "print"])) is PrintSink)
        #expect(try Connectors.sink(table(["connector": "blackhole"])) is BlackholeSink)
        #expect(try Connectors.sink(table(["connector": "filesystem", "path": "out.json", "format": "json"])) is FileSystemSink)
        #expect(try Connectors.sink(table(["connector": "sqlite", "path": "db.sqlite"])) is SQLiteSink)
        #expect(try Connectors.sink(table(["connector": "postgres", "username": "u"])) is PostgresSink)
        let jdbc = try #require(try Connectors.sink(table(["connector": "jdbc", "url": "jdbc:postgresql://db.local:6543/shop",
                                                            "username": "u", "table-name": "t"])) as? PostgresSink)
        #expect(jdbc.endpoint.host == "db.local" && jdbc.endpoint.port == 6543 && jdbc.endpoint.database == "shop")
        #expect(jdbc.tableName == "t")
    }

    @Test func errorsNameTheTableAndTheOption() async {
        var message = await connectorErrorMessage { _ = try Connectors.source(table([:])) }
        #expect(message.contains("table 'people'") && message.contains("'connector'"))
        message = await connectorErrorMessage { _ = try Connectors.source(table(["connector": "kafka"])) }
        #expect(message.contains("'kafka'") && message.contains("not a known connector"))
        message = await connectorErrorMessage { _ = try Connectors.source(table(["connector": "print"])) }
        #expect(message.contains("cannot be read from"))
        message = await connectorErrorMessage { _ = try Connectors.source(table(["connector": "filesystem", "format": "csv"])) }
        #expect(message.contains("table 'people'") && message.contains("missing option 'path'"))
        message = await connectorErrorMessage { _ = try Connectors.source(table(["connector": "filesystem", "path": "a", "format": "xml"])) }
        #expect(message.contains("'format'") && message.contains("'xml'"))
        message = await connectorErrorMessage {
            _ = try Connectors.source(table(["connector": "filesystem", "path": "a", "format": "csv", "fromat": "csv"]))
        }
        #expect(message.contains("unsupported option 'fromat'"))
        message = await connectorErrorMessage { _ = try Connectors.sink(table(["connector": "jdbc", "url": "jdbc:mysql://x/db", "username": "u"])) }
        #expect(message.contains("'url'"))
        message = await connectorErrorMessage {
            _ = try Connectors.source(table(["connector": "filesystem", "path": "a", "format": "csv", "source.monitor-interval": "soon"]))
        }
        #expect(message.contains("'source.monitor-interval'"))
    }

    @Test func durationsInFlinkSyntax() {
        #expect(TableOptions.parseDuration("100ms") == .milliseconds(100))
        #expect(TableOptions.parseDuration("1 s") == .seconds(1))
        #expect(TableOptions.parseDuration("2min") == .seconds(120))
        #expect(TableOptions.parseDuration("250") == .milliseconds(250))
        #expect(TableOptions.parseDuration("fast") == nil)
    }
}
