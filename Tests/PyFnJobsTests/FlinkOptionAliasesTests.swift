// Flink's legacy connector keys and JDBC options, mapped onto PyFn's connectors: each mapping, and the keys that
// must stay errors.
import Foundation
import GRDB
import Testing
import PyFnArrow
import PyFnRunner
@testable import PyFnJobs

@Suite("Flink option aliases")
struct FlinkOptionAliasesTests {
    let columns = [SQLField("word", .string), SQLField("n", .bigint)]

    func table(_ options: [String: String], folder: String = "/data") -> PyFnJobs.TableDefinition {
        PyFnJobs.TableDefinition(name: "t", columns: columns, options: options, baseDirectory: folder)
    }

    func normalized(_ options: [String: String]) throws -> [String: String] {
        try FlinkOptionAliases.normalized(table(options)).options
    }

    func message(_ options: [String: String], source: Bool = true) -> String? {
        do {
            if source { _ = try Connectors.source(table(options)) } else { _ = try Connectors.sink(table(options)) }
            return nil
        } catch { return "\(error)" }
    }

    @Test func legacyFilesystemCSVKeysBecomeTodaysOptions() throws {
        let options = try normalized([
            "connector.type": "filesystem", "connector.path": "in.csv", "connector.property-version": "1",
            "format.type": "csv", "format.field-delimiter": "|", "format.quote-character": "'", "format.null-literal": "NULL",
            "format.ignore-first-line": "true", "format.ignore-parse-errors": "true", "format.derive-schema": "true",
            "format.line-delimiter": "\n", "format.fields.0.name": "word", "format.fields.0.type": "VARCHAR",
            "format.fields.1.name": "n", "format.fields.1.data-type": "BIGINT", "update-mode": "append",
        ])
        #expect(options == ["connector": "filesystem", "path": "in.csv", "format": "csv", "csv.field-delimiter": "|",
                            "csv.quote-character": "'", "csv.null-literal": "NULL", "csv.skip-header": "true",
                            "format.ignore-parse-errors": "true"])
    }

    @Test func legacyFilesystemTableReadsItsFile() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        try folder.write("in.csv", "word;n\nhello;1\nworld;2\n")
        let source = try Connectors.source(table(["connector.type": "filesystem", "connector.path": "in.csv", "format.type": "csv",
                                                  "format.field-delimiter": ";", "format.ignore-first-line": "true"], folder: folder.path))
        #expect(try await connectorRows(source, batchSize: 10) == [[.string("hello"), .int(1)], [.string("world"), .int(2)]])
    }

    @Test func legacyValuesPyFnCannotHonourAreErrors() {
        let base = ["connector.type": "filesystem", "connector.path": "in.csv", "format.type": "csv"]
        #expect(message(base.merging(["format.fields.0.name": "other"]) { $1 }) == "table 't': 'format.fields.0.name' = 'other' but column 1 is 'word'")
        #expect(message(base.merging(["format.fields.1.type": "STRING"]) { $1 }) == "table 't': 'format.fields.1.type' = 'STRING' but column 'n' is BIGINT")
        #expect(message(base.merging(["format.line-delimiter": ";"]) { $1 })?.contains("'format.line-delimiter' must be '\\n'") == true)
        #expect(message(base.merging(["connector": "datagen"]) { $1 }) == "table 't': 'connector.type' = 'filesystem' contradicts 'connector' = 'datagen'")
        #expect(message(base.merging(["format.allow-comments": "true"]) { $1 }) == "table 't': unsupported option 'format.allow-comments' for connector 'filesystem'")
        #expect(message(["connector.type": "kafka", "connector.topic": "x"])?.contains("'connector' = 'kafka' is not a known connector") == true)
    }

    @Test func jdbcSQLiteURLsBecomeTheSQLiteConnector() throws {
        #expect(try normalized(["connector": "jdbc", "url": "jdbc:sqlite:/tmp/a.db", "table-name": "x", "username": "u", "password": "p",
                                "driver": "org.sqlite.JDBC", "sink.buffer-flush.max-rows": "100", "sink.buffer-flush.interval": "1s",
                                "sink.max-retries": "3"])
                == ["connector": "sqlite", "path": "/tmp/a.db", "table-name": "x"])
        #expect(try normalized(["connector.type": "jdbc", "connector.url": "jdbc:sqlite://rel/b.db", "connector.table": "y",
                                "connector.write.flush.interval": "1s", "connector.write.flush.max-rows": "5000"])
                == ["connector": "sqlite", "path": "rel/b.db", "table-name": "y"])
        let sink = try Connectors.sink(table(["connector": "jdbc", "url": "jdbc:sqlite:out/c.db"], folder: "/data"))
        #expect((sink as? SQLiteSink)?.path == "/data/out/c.db")
        let source = try Connectors.source(table(["connector.type": "jdbc", "connector.url": "jdbc:sqlite:out/c.db", "connector.table": "t"]))
        #expect((source as? SQLiteSource) != nil)
    }

    @Test func jdbcPostgreSQLURLsReachThePostgresSink() throws {
        let modern = try #require(try Connectors.sink(table(["connector": "jdbc", "url": "jdbc:postgresql://db.example:6543/shop", "table-name": "sales",
                                                             "username": "flink", "password": "secret", "driver": "org.postgresql.Driver"])) as? PostgresSink)
        #expect(modern.endpoint == PostgresSink.Endpoint(host: "db.example", port: 6543, username: "flink", password: "secret", database: "shop"))
        #expect(modern.tableName == "sales")
        let legacy = try #require(try Connectors.sink(table(["connector.type": "jdbc", "connector.url": "jdbc:postgresql://localhost/shop",
                                                             "connector.table": "stats", "connector.username": "root", "connector.password": "root",
                                                             "connector.write.flush.interval": "1s"])) as? PostgresSink)
        #expect(legacy.endpoint == PostgresSink.Endpoint(host: "localhost", port: 5432, username: "root", password: "root", database: "shop"))
        #expect(legacy.tableName == "stats")
    }

    @Test func jdbcOptionsPyFnCannotHonourAreErrors() {
        #expect(message(["connector.type": "jdbc", "connector.url": "jdbc:mysql://localhost:3306/Flink", "connector.table": "t"], source: false)
                == "table 't': 'url' = 'jdbc:mysql://localhost:3306/Flink': PyFn's jdbc connector reaches PostgreSQL (jdbc:postgresql://host:port/database) and SQLite (jdbc:sqlite:path) only")
        #expect(message(["connector": "jdbc", "url": "jdbc:sqlite:a.db", "driver": "org.postgresql.Driver"], source: false)
                == "table 't': 'driver' = 'org.postgresql.Driver' does not match 'url' = 'jdbc:sqlite:a.db' (expected 'org.sqlite.JDBC')")
        #expect(message(["connector": "jdbc", "url": "jdbc:sqlite::memory:"], source: false)?.contains("must name a database file") == true)
        #expect(message(["connector": "jdbc", "url": "jdbc:sqlite:a.db", "lookup.cache.max-rows": "10"], source: false)
                == "table 't': unsupported option 'lookup.cache.max-rows' for connector 'sqlite'")
        #expect(message(["connector": "jdbc", "url": "jdbc:postgresql://h/db", "username": "u"])
                == "table 't': 'connector' = 'jdbc' cannot be read from (use one of filesystem, stdin, datagen, sqlite, arrow)")
    }
}
