import Foundation
import Testing
import PyFnArrow
import PyFnRunner
@testable import PyFnJobs

@Suite("filesystem connector")
struct ConnectorFileSystemTests {
    /// One column of every scalar type.
    static let scalarColumns = [
        SQLField("b", .boolean), SQLField("t", .tinyint), SQLField("s", .smallint), SQLField("i", .int),
        SQLField("l", .bigint), SQLField("f", .float), SQLField("d", .double), SQLField("m", .decimal(10, 2)),
        SQLField("str", .string), SQLField("by", .bytes), SQLField("dt", .date), SQLField("tm", .time(3)),
        SQLField("ts", .timestamp(6)),
    ]
    static let feb29: Int32 = 19782  // 2024-02-29
    static let firstRow: [ArrowValue] = [
        .bool(true), .int(1), .int(-2), .int(3), .int(.max), .float(1.5), .float(-2250), .decimal(unscaled: 1235, scale: 2),
        .string("hello, \"world\""), .binary([1, 2, 3]), .date(days: feb29), .time(45_296_789_000, .microsecond),
        .timestamp(Int64(feb29) * 86_400_000_000 + 86_399_000_000 + 123_456, .microsecond),
    ]

    func table(_ folder: ConnectorTempFolder, _ file: String, _ options: [String: String],
               columns: [SQLField] = scalarColumns) -> TableDefinition {
        TableDefinition(name: "t", columns: columns, options: ["connector": "filesystem", "path": file].merging(options) { $1 },
                        baseDirectory: folder.path)
    }

    @Test func readsEveryScalarTypeFromCSV() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        try folder.write("all.csv", #"""
            b,t,s,i,l,f,d,m,str,by,dt,tm,ts
            true,1,-2,3,9223372036854775807,1.5,-2.25e3,12.345,"hello, ""world""",AQID,2024-02-29,12:34:56.789,2024-02-29 23:59:59.123456
            FALSE,,,,,,,,,,,,
            ,-128,32767,-2147483648,0,NaN,-Infinity,-0.5,"two\#r
            lines",,1970-01-01,00:00,1969-12-31T23:59:59.5
            \N,1,1,1,1,1,1,1,\N,,,,

            """#)
        let source = try FileSystemSource(table(folder, "all.csv", ["format": "csv", "csv.null-literal": "\\N"]))
        #expect(source.isBounded)
        let rows = try await connectorRows(source, batchSize: 2)
        try #require(rows.count == 4)
        #expect(rows[0] == Self.firstRow)
        #expect(rows[1] == [.bool(false)] + Array(repeating: .null, count: 7) + [.string("")] + Array(repeating: .null, count: 4),
                "empty unquoted fields are NULL except in STRING columns")
        let third = rows[2]
        #expect(third[0] == .null && third[1] == .int(-128) && third[2] == .int(32767) && third[3] == .int(-2_147_483_648))
        if case .float(let x) = third[5] { #expect(x.isNaN) } else { Issue.record("NaN expected, got \(third[5])") }
        #expect(third[6] == .float(-.infinity) && third[7] == .decimal(unscaled: -50, scale: 2))
        #expect(third[8] == .string("two\r\nlines"), "a quoted field keeps its line break")
        #expect(third[10] == .date(days: 0) && third[11] == .time(0, .microsecond) && third[12] == .timestamp(-500_000, .microsecond))
        #expect(rows[3][0] == .null && rows[3][8] == .null, "the null literal is NULL, STRING columns included")
        #expect(source.skippedRows == 0)
    }

    @Test func readsEveryTypeFromJSONLines() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let nested = [SQLField("arr", .array(.int)), SQLField("mp", .map(.string, .bigint)),
                      SQLField("r", .row([SQLField("x", .int), SQLField("y", .string)]))]
        try folder.write("all.jsonl", """
            {"b":true,"t":1,"s":-2,"i":3,"l":9223372036854775807,"f":1.5,"d":-2.25e3,"m":12.345,"str":"hello, \\"world\\"","by":"AQID","dt":"2024-02-29","tm":"12:34:56.789","ts":"2024-02-29 23:59:59.123456","arr":[1,null,3],"mp":{"a":1,"b":null},"r":{"x":7,"y":"z\\u00e9"},"extra":1}
            {}
            {"str": 42, "m": "0.5", "b": null, "r": {"y": "only"}}
            """)
        let source = try FileSystemSource(table(folder, "all.jsonl", ["format": "json"], columns: Self.scalarColumns + nested))
        let rows = try await connectorRows(source)
        try #require(rows.count == 3)
        #expect(Array(rows[0].prefix(13)) == Self.firstRow)
        #expect(rows[0][13] == .list([.int(1), .null, .int(3)]))
        #expect(rows[0][14] == .map([ArrowMapEntry(key: .string("a"), value: .int(1)), ArrowMapEntry(key: .string("b"), value: .null)]))
        #expect(rows[0][15] == .struct([.int(7), .string("zé")]))
        #expect(rows[1] == Array(repeating: .null, count: 16), "missing keys are NULL")
        #expect(rows[2][8] == .string("42") && rows[2][7] == .decimal(unscaled: 50, scale: 2))
        #expect(rows[2][15] == .struct([.null, .string("only")]))
    }

    @Test func malformedLineNamesFileLineColumnAndValue() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let columns = [SQLField("id", .bigint), SQLField("name", .string)]
        try folder.write("bad.csv", "id,name\n1,a\nx,b\n4,d\n")
        let csv = try FileSystemSource(table(folder, "bad.csv", ["format": "csv"], columns: columns))
        var message = await connectorErrorMessage { _ = try await connectorRows(csv) }
        #expect(message == "\(folder.file("bad.csv")):3:1: not a valid BIGINT (column 'id', value 'x')")

        try folder.write("bad.jsonl", "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": }\n")
        let json = try FileSystemSource(table(folder, "bad.jsonl", ["format": "json"], columns: columns))
        message = await connectorErrorMessage { _ = try await connectorRows(json) }
        #expect(message == "\(folder.file("bad.jsonl")):2:19: invalid JSON: invalid value")

        try folder.write("short.csv", "1,a\n2\n")
        let short = try FileSystemSource(table(folder, "short.csv", ["format": "csv"], columns: columns))
        message = await connectorErrorMessage { _ = try await connectorRows(short) }
        #expect(message == "\(folder.file("short.csv")):2:2: expected 2 fields, found 1")

        let missing = try FileSystemSource(table(folder, "nowhere.csv", ["format": "csv"], columns: columns))
        message = await connectorErrorMessage { _ = try await connectorRows(missing) }
        #expect(message.contains("nowhere.csv") && message.contains("cannot open"))
    }

    @Test func ignoreParseErrorsSkipsAndCounts() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let columns = [SQLField("id", .bigint.notNull), SQLField("when", .date)]
        try folder.write("mixed.csv", "1,2024-01-01\nx,2024-01-02\n3,2024-02-30\n4\n,2024-01-03\n6,\n")
        let csv = try FileSystemSource(table(folder, "mixed.csv", ["format": "csv", "csv.ignore-parse-errors": "true"], columns: columns))
        #expect(try await connectorRows(csv) == [[.int(1), .date(days: 19723)], [.int(6), .null]])
        #expect(csv.skippedRows == 4, "a bad number, a bad date, a short line and a NULL in a NOT NULL column")

        try folder.write("mixed.jsonl", "{\"id\": 1}\nnot json\n[1]\n{\"id\": \"one\"}\n{\"id\": 5}\n")
        let json = try FileSystemSource(table(folder, "mixed.jsonl", ["format": "json", "format.ignore-parse-errors": "true"], columns: columns))
        #expect(try await connectorRows(json) == [[.int(1), .null], [.int(5), .null]])
        #expect(json.skippedRows == 3)
    }

    @Test func tailsAGrowingFile() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let columns = [SQLField("id", .int), SQLField("word", .string)]
        try folder.write("log.csv", "1,one\n2,two\n")
        let source = try FileSystemSource(table(folder, "log.csv", ["format": "csv", "source.monitor-interval": "20ms"], columns: columns))
        #expect(!source.isBounded)
        let path = folder.file("log.csv")
        func append(_ text: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        }
        let rows = try await withThrowingTaskGroup(of: [[ArrowValue]].self) { group in
            group.addTask {
                var rows: [[ArrowValue]] = []
                var iterator = source.batches(batchSize: 100).makeAsyncIterator()
                while rows.count < 5, let batch = try await iterator.next() {
                    rows += (0..<batch.length).map { batch.row($0) }
                    if rows.count == 2 { try append("3,three\n4,fo") }  // the last line is not complete yet
                    if rows.count == 3 {
                        try await Task.sleep(for: .milliseconds(80))
                        try append("ur\n5,five\n")
                    }
                }
                return rows
            }
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                throw ConnectorError("timed out tailing the file")
            }
            let rows = try await group.next()!
            group.cancelAll()
            return rows
        }
        #expect(rows.map { $0[1] } == ["one", "two", "three", "four", "five"].map(ArrowValue.string))
    }

    @Test func skipsAHeaderLineOnlyWhenAsked() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let columns = [SQLField("a", .string), SQLField("b", .string)]
        try folder.write("h.tsv", "x\ty\n1\t2\n")
        let plain = try FileSystemSource(table(folder, "h.tsv", ["format": "csv", "csv.field-delimiter": "\\t"], columns: columns))
        #expect(try await connectorRows(plain).count == 2, "a first line that is not the column names is data")
        let skipping = try FileSystemSource(table(folder, "h.tsv", ["format": "csv", "csv.field-delimiter": "\t", "csv.skip-header": "true"],
                                                  columns: columns))
        #expect(try await connectorRows(skipping) == [[.string("1"), .string("2")]])
    }

    @Test func sinkWritesCSVAndJSONThatReadBack() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let nullRow: [ArrowValue] = Array(repeating: .null, count: Self.scalarColumns.count)
        let batch = try connectorBatch(Self.scalarColumns, [Self.firstRow, nullRow])
        for format in ["csv", "json"] {
            let definition = table(folder, "out/\(format)/rows.\(format)", ["format": format, "csv.null-literal": "NULL"].filter {
                format == "csv" || !$0.key.hasPrefix("csv.")
            })
            let sink = try FileSystemSink(definition)
            try await sink.open(schema: batch.schema, upsertKey: nil)
            try await sink.write(batch)
            try await sink.close()
            #expect(try await connectorRows(FileSystemSource(definition)) == [Self.firstRow, nullRow], "\(format)")
        }
        #expect(try folder.read("out/csv/rows.csv").hasPrefix("true,1,-2,3,9223372036854775807,1.5,-2250.0,12.35,\"hello, \"\"world\"\"\",AQID,2024-02-29,12:34:56.789,\"2024-02-29 23:59:59.123456\"\n"))
        #expect(try folder.read("out/json/rows.json").hasPrefix("{\"b\":true,\"t\":1,"))
    }

    @Test func upsertSinkKeepsTheLatestRowPerKey() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let columns = [SQLField("word", .string), SQLField("n", .bigint)]
        let sink = try FileSystemSink(table(folder, "counts.csv", ["format": "csv"], columns: columns))
        try await sink.open(schema: ArrowSchema(columns: columns), upsertKey: [0])
        try await sink.write(try connectorBatch(columns, [[.string("a"), .int(1)], [.string("b"), .int(1)]]))
        try await sink.write(try connectorBatch(columns, [[.string("a"), .int(2)], [.string("c"), .int(1)], [.string("a"), .int(3)]]))
        try await sink.close()
        #expect(try folder.read("counts.csv") == "a,3\nb,1\nc,1\n")
    }

    /// What PyFlink 2.3's CSV and JSON formats wrote for the same values (checked on PyFlink: `INSERT INTO … VALUES`
    /// into a filesystem table): Jackson's loose quoting, Java's number forms, DECIMAL without trailing zeros.
    @Test func writesValuesAsFlinksFormatsDo() async throws {
        let folder = try ConnectorTempFolder()
        defer { folder.remove() }
        let texts: [String?] = ["a b", "abc", String(repeating: "x", count: 24), String(repeating: "y", count: 25), "a-b", "a.b",
                                "a+b", "a#b", "", nil, "say \"hi\"", "a,b", "é ü", "a\tb", "Inner Mongolia", "a/b", "a:b"]
        let textColumns = [SQLField("v", .string), SQLField("ts", .timestamp(3)), SQLField("dt", .date)]
        let at = Int64(19724) * 86_400_000_000 + 11_045_123_000  // 2024-01-02 03:04:05.123
        let textRows = texts.map { [$0.map(ArrowValue.string) ?? .null, .timestamp(at, .microsecond), .date(days: 19724)] }
        let textSink = try FileSystemSink(table(folder, "texts.csv", ["format": "csv"], columns: textColumns))
        try await textSink.open(schema: ArrowSchema(columns: textColumns), upsertKey: nil)
        try await textSink.write(try connectorBatch(textColumns, textRows))
        try await textSink.close()
        let when = ",\"2024-01-02 03:04:05.123\",2024-01-02"
        #expect(try folder.read("texts.csv") == ["\"a b\"", "abc", String(repeating: "x", count: 24),
                                                 "\"" + String(repeating: "y", count: 25) + "\"", "a-b", "a.b", "\"a+b\"", "\"a#b\"", "", "",
                                                 "\"say \"\"hi\"\"\"", "\"a,b\"", "\"é ü\"", "\"a\tb\"", "\"Inner Mongolia\"", "a/b", "a:b"]
            .map { $0 + when + "\n" }.joined())

        let numberColumns = [SQLField("m", .decimal(20, 4)), SQLField("d", .double), SQLField("f", .float)]
        let numbers: [(Int128, Double, Double)] = [(1_000_000, 1e7, 1e7), (0, 1.5e-5, 1.5e-5), (-125_000, 1e22, 1e22),
                                                   (1_234_567_891_200, 0.001, 0.001), (10_000_000_000, 9_999_999, 9_999_999),
                                                   (1, 0.1, 0.1), (100_000, 0, 0), (5000, 1e-4, 3.4028235e38)]
        let numberRows = numbers.map { [ArrowValue.decimal(unscaled: $0.0, scale: 4), .float($0.1), .float($0.2)] }
        for format in ["csv", "json"] {
            let sink = try FileSystemSink(table(folder, "numbers.\(format)", ["format": format], columns: numberColumns))
            try await sink.open(schema: ArrowSchema(columns: numberColumns), upsertKey: nil)
            try await sink.write(try connectorBatch(numberColumns, numberRows))
            try await sink.close()
        }
        let expected = [("1E+2", "1.0E7", "1.0E7"), ("0", "1.5E-5", "1.5E-5"), ("-12.5", "1.0E22", "1.0E22"),
                        ("123456789.12", "0.001", "0.001"), ("1E+6", "9999999.0", "9999999.0"), ("0.0001", "0.1", "0.1"),
                        ("1E+1", "0.0", "0.0"), ("0.5", "1.0E-4", "3.4028235E38")]
        #expect(try folder.read("numbers.csv") == expected.map { "\($0.0),\($0.1),\($0.2)\n" }.joined())
        #expect(try folder.read("numbers.json") == expected.map { "{\"m\":\($0.0),\"d\":\($0.1),\"f\":\($0.2)}\n" }.joined())
    }
}
