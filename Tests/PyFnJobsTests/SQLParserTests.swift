import PyFnTestSupport
import Testing
import PyFnRunner
import PyFnJobs

/// Swift Testing has a `SourceLocation` of its own.
private typealias SourceLocation = PyFnJobs.SourceLocation

// MARK: Helpers

private func at(_ line: Int, _ column: Int, _ file: String = "job.sql") -> SourceLocation {
    SourceLocation(file: file, line: line, column: column)
}

private func column(_ name: String, _ location: SourceLocation, qualifier: String? = nil) -> SQLExpression {
    .column(name: name, qualifier: qualifier, location: location)
}

/// The parse error of `text`, or nil if it parses (or fails with something that is not an SQLError).
private func parseError(_ text: String, file: String = "job.sql") -> SQLError? {
    do {
        _ = try SQLParser.parse(text, file: file)
        return nil
    } catch let error as SQLError {
        return error
    } catch {
        Issue.record("not an SQLError: \(error)")
        return nil
    }
}

private func typeError(_ text: String) -> SQLError? {
    do {
        _ = try SQLParser.parseType(text)
        return nil
    } catch let error as SQLError {
        return error
    } catch {
        return nil
    }
}

/// The only statement of `text`, which must be an INSERT.
private func insert(_ text: String, file: String = "job.sql") throws -> InsertStatement {
    let script = try SQLParser.parse(text, file: file)
    guard script.statements.count == 1, case .insert(let insert) = script.statements[0] else {
        throw SQLError("not one INSERT: \(script.statements)", at: at(0, 0))
    }
    return insert
}

/// `text` as the only select item of `INSERT INTO s SELECT text FROM t` (so it starts at line 1, column 22).
private func expression(_ text: String) throws -> SQLExpression {
    let query = try insert("INSERT INTO s SELECT \(text) FROM t").query
    guard query.items.count == 1, case .expression(let value, _) = query.items[0] else {
        throw SQLError("not one expression item: \(query.items)", at: at(0, 0))
    }
    return value
}

/// An expression written back fully parenthesized, to show how it was grouped.
private func render(_ e: SQLExpression) -> String {
    switch e {
    case .column(let name, let qualifier, _):
        return qualifier.map { "\($0).\(name)" } ?? name
    case .literal(let value, _):
        switch value {
        case .integer(let i): return "\(i)"
        case .decimal(let text): return "dec:\(text)"
        case .string(let s): return "'\(s)'"
        case .boolean(let b): return b ? "TRUE" : "FALSE"
        case .null: return "NULL"
        }
    case .call(let name, let arguments, let distinct, _):
        return "\(name)(\(distinct ? "DISTINCT " : "")\(arguments.map(render).joined(separator: ", ")))"
    case .star:
        return "*"
    case .binary(let op, let lhs, let rhs, _):
        return "(\(render(lhs)) \(op.rawValue) \(render(rhs)))"
    case .unary(let op, let operand, _):
        return op == .not ? "(NOT \(render(operand)))" : "(-\(render(operand)))"
    case .cast(let value, let type, _):
        return "CAST(\(render(value)) AS \(type))"
    case .isNull(let value, let negated, _):
        return "(\(render(value)) IS \(negated ? "NOT " : "")NULL)"
    }
}


// MARK: Job files

private let wordCountScript = """
    -- Word count: split lines with a Python table function, count the words.
    SET 'parallelism.default' = '1';
    SET execution.runtime-mode = batch;

    CREATE TEMPORARY SYSTEM FUNCTION split_words AS 'wordcount.split' LANGUAGE python;

    CREATE TABLE source (
        line STRING
    ) WITH (
        'connector' = 'filesystem',
        'path' = '/tmp/input.txt',
        'format' = 'csv'
    );

    CREATE TABLE sink (
        word STRING,
        `count` BIGINT NOT NULL,
        PRIMARY KEY (word) NOT ENFORCED
    ) WITH ('connector' = 'print');

    /* Each line becomes one row per word;
       the words are then counted. */
    INSERT INTO sink
    SELECT word, COUNT(*) AS `count`
    FROM source, LATERAL TABLE(split_words(line)) AS T(word)
    GROUP BY word
    """

private let cdnScript = """
    CREATE TEMPORARY FUNCTION ip_to_province AS 'cdn_udfs.ip_to_province' LANGUAGE PYTHON;

    CREATE TABLE cdn_access_log (
        uuid VARCHAR,
        client_ip VARCHAR,
        request_time BIGINT,
        response_size BIGINT,
        uri VARCHAR,
        event_ts BIGINT
    ) WITH (
        'connector' = 'kafka',
        'topic' = 'cdn_access_log',
        'properties.bootstrap.servers' = 'localhost:9092',
        'format' = 'csv'
    );

    CREATE TABLE cdn_access_statistic (
        province VARCHAR,
        access_count BIGINT,
        total_download BIGINT,
        download_speed DOUBLE,
        PRIMARY KEY (province) NOT ENFORCED
    ) WITH (
        'connector' = 'jdbc',
        'url' = 'jdbc:mysql://localhost:3306/cdn',
        'table-name' = 'cdn_access_statistic'
    );

    INSERT INTO cdn_access_statistic
    SELECT province, COUNT(uuid) AS access_count, SUM(response_size) AS total_download,
           SUM(response_size) * 1.0 / SUM(request_time) AS download_speed
    FROM (SELECT uuid, ip_to_province(client_ip) AS province, response_size, request_time FROM cdn_access_log) AS t
    GROUP BY province;
    """

@Suite struct SQLParserTests {

    // MARK: Whole files

    @Test func wordCountJob() throws {
        let script = try SQLParser.parse(wordCountScript, file: "wordcount.sql")
        let l = { (line: Int, column: Int) in at(line, column, "wordcount.sql") }
        #expect(script.statements.count == 6)
        #expect(script.statements[0] == .set(SetStatement(key: "parallelism.default", value: "1", location: l(2, 1))))
        #expect(script.statements[1] == .set(SetStatement(key: "execution.runtime-mode", value: "batch", location: l(3, 1))))
        #expect(script.statements[2] == .createFunction(CreateFunctionStatement(
            name: "split_words", pythonObject: "wordcount.split", language: "PYTHON", location: l(5, 1))))
        #expect(script.statements[3] == .createTable(CreateTableStatement(
            name: "source", columns: [ColumnDefinition(name: "line", type: .string, location: l(8, 5))],
            options: [("connector", "filesystem"), ("path", "/tmp/input.txt"), ("format", "csv")], location: l(7, 1))))
        guard case .createTable(let sink) = script.statements[4] else { Issue.record("not CREATE TABLE"); return }
        #expect(sink.columns == [ColumnDefinition(name: "word", type: .string, location: l(16, 5)),
                                 ColumnDefinition(name: "count", type: .bigint.notNull, location: l(17, 5))])
        #expect(sink.primaryKey == ["word"])
        #expect(sink.option("connector") == "print")

        let expected = InsertStatement(
            table: "sink",
            query: SelectStatement(
                items: [.expression(column("word", l(24, 8)), alias: nil),
                        .expression(.call(name: "COUNT", arguments: [.star(location: l(24, 20))], distinct: false,
                                          location: l(24, 14)), alias: "count")],
                from: .table(name: "source", alias: nil, location: l(25, 6)),
                lateral: LateralJoin(function: "split_words", arguments: [column("line", l(25, 40))], alias: "T",
                                     columnNames: ["word"], leftOuter: false, location: l(25, 14)),
                groupBy: [column("word", l(26, 10))],
                location: l(24, 1)),
            location: l(23, 1))
        #expect(script.statements[5] == .insert(expected))
    }

    @Test func cdnLogAnalysisJob() throws {
        let script = try SQLParser.parse(cdnScript, file: "cdn.sql")
        #expect(script.statements.count == 4)
        #expect(script.statements[0] == .createFunction(CreateFunctionStatement(
            name: "ip_to_province", pythonObject: "cdn_udfs.ip_to_province", language: "PYTHON", location: at(1, 1, "cdn.sql"))))
        guard case .createTable(let log) = script.statements[1], case .createTable(let statistic) = script.statements[2] else {
            Issue.record("expected two CREATE TABLEs")
            return
        }
        #expect(log.columns.map(\.name) == ["uuid", "client_ip", "request_time", "response_size", "uri", "event_ts"])
        #expect(log.columns.map(\.type) == [.string, .string, .bigint, .bigint, .string, .bigint])
        #expect(log.option("properties.bootstrap.servers") == "localhost:9092")
        #expect(statistic.columns.last?.type == .double)
        #expect(statistic.primaryKey == ["province"])
        #expect(statistic.options.map(\.key) == ["connector", "url", "table-name"])
    }

    @Test func cdnInsertTreeWithLocations() throws {
        let text = """
            INSERT INTO cdn_access_statistic
            SELECT province, COUNT(uuid) AS access_count, SUM(response_size) AS total_download,
                   SUM(response_size) * 1.0 / SUM(request_time) AS download_speed
            FROM (SELECT uuid, ip_to_province(client_ip) AS province, response_size, request_time FROM cdn_access_log) AS t
            GROUP BY province;
            """
        let l = { (line: Int, column: Int) in at(line, column, "cdn.sql") }
        let inner = SelectStatement(
            items: [
                .expression(column("uuid", l(4, 14)), alias: nil),
                .expression(.call(name: "ip_to_province", arguments: [column("client_ip", l(4, 35))], distinct: false,
                                  location: l(4, 20)), alias: "province"),
                .expression(column("response_size", l(4, 59)), alias: nil),
                .expression(column("request_time", l(4, 74)), alias: nil),
            ],
            from: .table(name: "cdn_access_log", alias: nil, location: l(4, 92)),
            location: l(4, 7))
        let speed = SQLExpression.binary(
            .divide,
            .binary(.times,
                    .call(name: "SUM", arguments: [column("response_size", l(3, 12))], distinct: false, location: l(3, 8)),
                    .literal(.decimal("1.0"), location: l(3, 29)), location: l(3, 8)),
            .call(name: "SUM", arguments: [column("request_time", l(3, 39))], distinct: false, location: l(3, 35)),
            location: l(3, 8))
        let outer = SelectStatement(
            items: [
                .expression(column("province", l(2, 8)), alias: nil),
                .expression(.call(name: "COUNT", arguments: [column("uuid", l(2, 24))], distinct: false, location: l(2, 18)),
                            alias: "access_count"),
                .expression(.call(name: "SUM", arguments: [column("response_size", l(2, 51))], distinct: false,
                                  location: l(2, 47)), alias: "total_download"),
                .expression(speed, alias: "download_speed"),
            ],
            from: .subquery(inner, alias: "t", location: l(4, 6)),
            groupBy: [column("province", l(5, 10))],
            location: l(2, 1))
        #expect(try insert(text, file: "cdn.sql") == InsertStatement(table: "cdn_access_statistic", query: outer,
                                                                     location: l(1, 1)))
    }

    @Test func emptyScriptsAndEmptyStatements() throws {
        #expect(try SQLParser.parse("", file: "a.sql").statements.isEmpty)
        #expect(try SQLParser.parse("  -- nothing\n/* at all */\n", file: "a.sql").statements.isEmpty)
        let script = try SQLParser.parse(";;SET 'a' = 'b';;; SET 'c' = 'd';", file: "a.sql")
        #expect(script.statements.count == 2)
    }

    // MARK: CREATE TABLE

    @Test func createTableForms() throws {
        let script = try SQLParser.parse("""
            create temporary table if not exists `my table` (`select` int, b string comment 'the b');
            CREATE TABLE t2 (id BIGINT PRIMARY KEY NOT ENFORCED, v DOUBLE) WITH ();
            CREATE TABLE t3 (a INT, b INT, CONSTRAINT pk PRIMARY KEY (a, b) NOT ENFORCED) COMMENT 'x' WITH ('k' = 'it''s');
            CREATE TABLE t4 (PRIMARY INT, KEY STRING, CONSTRAINT BOOLEAN)
            """, file: "t.sql")
        guard script.statements.count == 4,
              case .createTable(let t1) = script.statements[0], case .createTable(let t2) = script.statements[1],
              case .createTable(let t3) = script.statements[2], case .createTable(let t4) = script.statements[3] else {
            Issue.record("expected four CREATE TABLEs: \(script)")
            return
        }
        #expect(t1.name == "my table")
        #expect(t1.columns == [ColumnDefinition(name: "select", type: .int, location: at(1, 50, "t.sql")),
                               ColumnDefinition(name: "b", type: .string, location: at(1, 64, "t.sql"))])
        #expect(t1.options.isEmpty)  // WITH left out
        #expect(t1.primaryKey.isEmpty)
        #expect(t2.primaryKey == ["id"])
        #expect(t2.columns.map(\.type) == [.bigint, .double])
        #expect(t2.options.isEmpty)
        #expect(t3.primaryKey == ["a", "b"])
        #expect(t3.option("k") == "it's")
        #expect(t3.location == at(3, 1, "t.sql"))
        #expect(t4.columns.map(\.name) == ["PRIMARY", "KEY", "CONSTRAINT"])
    }

    @Test func createTableErrors() {
        var e = parseError("CREATE TABLE t (a INT,) WITH ('a' = 'b')")
        #expect(e?.message == "expected a column name but found ')'")
        #expect(e?.location == at(1, 23))

        e = parseError("CREATE TABLE t (a INT, b STRING) WITH ('a' = 1)")
        #expect(e?.message == "expected an option value string but found '1'")
        #expect(e?.location == at(1, 46))

        e = parseError("CREATE TABLE t (a INT, PRIMARY KEY (a))")
        #expect(e?.message == "expected NOT ENFORCED but found ')'")
        #expect(e?.location == at(1, 39))

        e = parseError("CREATE TABLE t (a INT PRIMARY KEY NOT ENFORCED, PRIMARY KEY (a) NOT ENFORCED)")
        #expect(e?.message == "a table can have only one PRIMARY KEY")
        #expect(e?.location == at(1, 49))

        e = parseError("CREATE TABLE t (a TIMESTAMP(3), WATERMARK FOR a AS a, WATERMARK FOR a AS a)")
        #expect(e?.message == "a table can have only one WATERMARK")
        #expect(e?.location == at(1, 55))

        e = parseError("CREATE TABLE t (a INT b STRING)")
        #expect(e?.message == "expected ',' or ')' but found 'b'")
        #expect(e?.location == at(1, 23))

        e = parseError("CREATE VIEW v")
        #expect(e?.message == "expected AS but found end of input")
        #expect(e?.location == at(1, 14))

        e = parseError("CREATE VIEW v (a) AS SELECT a FROM t")
        #expect(e?.message == "PyFn's CREATE VIEW takes no column list; name the columns in the query (SELECT a AS x, …)")
        #expect(e?.location == at(1, 15))

        e = parseError("CREATE TEMPORARY SYSTEM TABLE t (a INT)")
        #expect(e?.message == "expected FUNCTION but found 'TABLE'")
    }

    // MARK: CREATE FUNCTION

    @Test func createFunctionForms() throws {
        let script = try SQLParser.parse("""
            CREATE FUNCTION f AS 'm.f';
            CREATE TEMPORARY FUNCTION IF NOT EXISTS `g` AS 'pkg.mod.g' LANGUAGE Python;
            Create Temporary System Function h As 'm.h' Language JAVA
            """, file: "f.sql")
        #expect(script.statements == [
            .createFunction(CreateFunctionStatement(name: "f", pythonObject: "m.f", language: nil, location: at(1, 1, "f.sql"))),
            .createFunction(CreateFunctionStatement(name: "g", pythonObject: "pkg.mod.g", language: "PYTHON", location: at(2, 1, "f.sql"))),
            .createFunction(CreateFunctionStatement(name: "h", pythonObject: "m.h", language: "JAVA", location: at(3, 1, "f.sql"))),
        ])
        let e = parseError("CREATE FUNCTION f AS m.f")
        #expect(e?.message == "expected the Python object as a string ('module.function') but found 'm'")
        #expect(e?.location == at(1, 22))
    }

    // MARK: SET

    @Test func setForms() throws {
        let script = try SQLParser.parse("""
            SET 'table.exec.resource.default-parallelism' = '4';
            set pipeline.name = 'word count';
            SET table.exec.mini-batch.allow-latency = 5s;
            SET python.fn-execution.bundle.size=1000
            """, file: "s.sql")
        #expect(script.statements == [
            .set(SetStatement(key: "table.exec.resource.default-parallelism", value: "4", location: at(1, 1, "s.sql"))),
            .set(SetStatement(key: "pipeline.name", value: "word count", location: at(2, 1, "s.sql"))),
            .set(SetStatement(key: "table.exec.mini-batch.allow-latency", value: "5s", location: at(3, 1, "s.sql"))),
            .set(SetStatement(key: "python.fn-execution.bundle.size", value: "1000", location: at(4, 1, "s.sql"))),
        ])
        var e = parseError("SET 'a' 'b'")
        #expect(e?.message == "expected '=' but found string 'b'")
        #expect(e?.location == at(1, 9))
        e = parseError("SET a.b =")
        #expect(e?.message == "expected a setting value but found end of input")
        #expect(e?.location == at(1, 10))
        e = parseError("SET a. b = 1")  // a bare key has no spaces
        #expect(e?.message == "expected '=' but found 'b'")
        e = parseError("SET a = 5 s")  // nor has a bare value
        #expect(e == SQLError("expected ';' but found 's'", at: at(1, 11)))
        #expect(try SQLParser.parse("SET table.local-time-zone = Europe/Berlin", file: "s.sql").statements == [
            .set(SetStatement(key: "table.local-time-zone", value: "Europe/Berlin", location: at(1, 1, "s.sql")))])
    }

    // MARK: SELECT

    @Test func selectItems() throws {
        let query = try insert("INSERT INTO s SELECT *, t.*, `u`.*, a AS x, b y, c + 1 `z z`, d FROM t").query
        #expect(query.items == [
            .star(qualifier: nil, location: at(1, 22)),
            .star(qualifier: "t", location: at(1, 25)),
            .star(qualifier: "u", location: at(1, 30)),
            .expression(column("a", at(1, 37)), alias: "x"),
            .expression(column("b", at(1, 45)), alias: "y"),
            .expression(.binary(.plus, column("c", at(1, 50)), .literal(.integer(1), location: at(1, 54)), location: at(1, 50)),
                        alias: "z z"),
            .expression(column("d", at(1, 63)), alias: nil),
        ])
    }

    @Test func viewsReadAsTheirQueryUntilDropped() throws {
        let script = try SQLParser.parse("""
            CREATE VIEW v AS SELECT a FROM t WHERE a > 1;
            CREATE TEMPORARY VIEW IF NOT EXISTS v AS SELECT b FROM t;
            INSERT INTO s SELECT a FROM v;
            INSERT INTO s SELECT a FROM v AS x;
            DROP TEMPORARY VIEW v;
            DROP VIEW IF EXISTS v;
            INSERT INTO s SELECT a FROM v
            """, file: "job.sql")
        // Views are no statements: three INSERTs remain.
        let inserts = script.statements.compactMap { statement -> InsertStatement? in
            if case .insert(let insert) = statement { return insert }
            return nil
        }
        #expect(script.statements.count == 3 && inserts.count == 3)
        guard case .subquery(let query, let alias, let location) = inserts[0].query.from else {
            Issue.record("a view reads as a subquery: \(inserts[0].query.from)")
            return
        }
        // The first definition stands (IF NOT EXISTS), its locations those of the view's line.
        #expect(alias == "v" && location == at(3, 29))
        #expect(query.from == .table(name: "t", alias: nil, location: at(1, 32)))
        guard case .subquery(_, "x", _) = inserts[1].query.from else { Issue.record("aliased view"); return }
        #expect(inserts[2].query.from == .table(name: "v", alias: nil, location: at(7, 29)))
    }

    @Test func valuesRowsInInsertsAndFrom() throws {
        let inserted = try insert("INSERT INTO s VALUES (1, 'a'), (-2, NULL)")
        guard case .values(let rows, nil, let columns, let location) = inserted.query.from else { Issue.record("\(inserted.query.from)"); return }
        #expect(rows.count == 2 && rows.allSatisfy { $0.count == 2 } && columns.isEmpty && location == at(1, 15))
        let from = try insert("INSERT INTO s SELECT a FROM (VALUES (1), (2)) AS t(a)").query.from
        guard case .values(let fromRows, "t", let names, _) = from else { Issue.record("\(from)"); return }
        #expect(fromRows.count == 2 && names == ["a"])
    }

    @Test func fromForms() throws {
        #expect(try insert("INSERT INTO s SELECT a FROM t").query.from == .table(name: "t", alias: nil, location: at(1, 29)))
        #expect(try insert("INSERT INTO s SELECT a FROM t x").query.from == .table(name: "t", alias: "x", location: at(1, 29)))
        #expect(try insert("INSERT INTO s SELECT a FROM `my t` AS x").query.from == .table(name: "my t", alias: "x", location: at(1, 29)))
        let sub = try insert("INSERT INTO s SELECT a FROM (SELECT a FROM t) u").query.from
        guard case .subquery(let inner, let alias, let location) = sub else { Issue.record("not a subquery"); return }
        #expect(alias == "u")
        #expect(location == at(1, 29))
        #expect(inner.location == at(1, 30))
        #expect(inner.from == .table(name: "t", alias: nil, location: at(1, 44)))
        let unaliased = try insert("INSERT INTO s SELECT a FROM (SELECT a FROM (SELECT a FROM t))").query.from
        guard case .subquery(let middle, nil, _) = unaliased, case .subquery(_, nil, _) = middle.from else {
            Issue.record("expected nested subqueries: \(unaliased)")
            return
        }
    }

    @Test func lateralJoins() throws {
        let comma = try insert("INSERT INTO s SELECT w FROM t, LATERAL TABLE(split(line, ' ')) AS T(w, n)").query.lateral
        #expect(comma == LateralJoin(function: "split",
                                     arguments: [column("line", at(1, 52)), .literal(.string(" "), location: at(1, 58))],
                                     alias: "T", columnNames: ["w", "n"], leftOuter: false, location: at(1, 32)))

        let left = try insert("INSERT INTO s SELECT w FROM t LEFT JOIN LATERAL TABLE(split(line)) T(w) ON TRUE WHERE w IS NOT NULL").query
        #expect(left.lateral?.leftOuter == true)
        #expect(left.lateral?.alias == "T")
        #expect(left.lateral?.columnNames == ["w"])
        #expect(left.lateral?.location == at(1, 41))
        #expect(left.condition.map(render) == "(w IS NOT NULL)")

        let outer = try insert("INSERT INTO s SELECT w FROM t LEFT OUTER JOIN LATERAL TABLE(f()) ON TRUE").query.lateral
        #expect(outer?.leftOuter == true)
        #expect(outer?.alias == nil)
        #expect(outer?.arguments == [])

        let cross = try insert("INSERT INTO s SELECT w FROM t CROSS JOIN LATERAL TABLE(f(a)) AS T").query.lateral
        #expect(cross?.leftOuter == false)
        #expect(cross?.alias == "T")
        #expect(cross?.columnNames == [])

        let inner = try insert("INSERT INTO s SELECT w FROM t AS x JOIN LATERAL TABLE(f(x.a)) AS T(w) ON TRUE").query
        #expect(inner.lateral?.leftOuter == false)
        #expect(inner.lateral?.arguments == [column("a", at(1, 57), qualifier: "x")])
        #expect(inner.from == .table(name: "t", alias: "x", location: at(1, 29)))

        var e = parseError("INSERT INTO s SELECT w FROM t LEFT JOIN LATERAL TABLE(f(a)) AS T(w)")
        #expect(e?.message == "expected ON but found end of input")
        #expect(e?.location == at(1, 68))
        e = parseError("INSERT INTO s SELECT w FROM t LEFT JOIN LATERAL TABLE(f(a)) AS T(w) ON w > 1")
        #expect(e?.message == "expected TRUE (only ON TRUE joins a lateral table) but found 'w'")
        #expect(e?.location == at(1, 72))
        e = parseError("INSERT INTO s SELECT w FROM t, u")
        #expect(e?.message == "expected LATERAL but found 'u'")
        #expect(e?.location == at(1, 32))
        e = parseError("INSERT INTO s SELECT w FROM t JOIN u ON TRUE")
        #expect(e?.message == "expected LATERAL but found 'u'")
    }

    @Test func whereAndGroupBy() throws {
        let query = try insert("""
            INSERT INTO s
            SELECT a, b, SUM(c) FROM t
            WHERE a > 1 AND b <> 'x'
            GROUP BY a, b
            """).query
        #expect(query.condition.map(render) == "((a > 1) AND (b <> 'x'))")
        #expect(query.condition?.location == at(3, 7))
        #expect(query.groupBy == [column("a", at(4, 10)), column("b", at(4, 13))])
        #expect(query.lateral == nil)
    }

    @Test func keywordsAreCaseInsensitiveAndNamesKeepTheirCase() throws {
        let query = try insert("insert into Sink select Foo.Bar as Baz from Foo where not Bar is null group by Foo.Bar").query
        #expect(query.items == [.expression(column("Bar", at(1, 25), qualifier: "Foo"), alias: "Baz")])
        #expect(query.condition.map(render) == "(NOT (Bar IS NULL))")
    }

    // MARK: Expressions

    @Test(arguments: [
        ("a OR b AND c", "(a OR (b AND c))"),
        ("a AND b OR c", "((a AND b) OR c)"),
        ("NOT a = b AND c", "((NOT (a = b)) AND c)"),
        ("NOT NOT a", "(NOT (NOT a))"),
        ("a AND NOT b OR NOT c", "((a AND (NOT b)) OR (NOT c))"),
        ("a + b * c - d", "((a + (b * c)) - d)"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b % c * d", "(((a / b) % c) * d)"),
        ("(a + b) * c", "((a + b) * c)"),
        ("a || b = c || d", "((a || b) = (c || d))"),
        ("a < b <= c", "((a < b) <= c)"),
        ("a > b AND c >= d", "((a > b) AND (c >= d))"),
        ("a != b", "(a <> b)"),
        ("-a * b", "((-a) * b)"),
        ("- -a", "(-(-a))"),
        ("a - -1", "(a - (-1))"),
        ("a + b IS NULL", "((a + b) IS NULL)"),
        ("a IS NOT NULL AND b IS NULL", "((a IS NOT NULL) AND (b IS NULL))"),
        ("a = b IS NULL", "((a = b) IS NULL)"),
        ("f(g(x), 1 + 2)", "f(g(x), (1 + 2))"),
        ("COUNT(*)", "COUNT(*)"),
        ("count(DISTINCT x)", "count(DISTINCT x)"),
        ("now()", "now()"),
        ("t.c * 2", "(t.c * 2)"),
        ("CAST(a AS DECIMAL(10, 2)) + 1", "(CAST(a AS DECIMAL(10, 2)) + 1)"),
        ("CAST(a || 'x' AS BIGINT NOT NULL)", "CAST((a || 'x') AS BIGINT NOT NULL)"),
        ("((((a))))", "a"),
    ])
    func precedence(text: String, grouped: String) throws {
        #expect(render(try expression(text)) == grouped)
    }

    @Test func literals() throws {
        #expect(try expression("42") == .literal(.integer(42), location: at(1, 22)))
        #expect(try expression("9223372036854775807") == .literal(.integer(Int64.max), location: at(1, 22)))
        #expect(try expression("99999999999999999999") == .literal(.decimal("99999999999999999999"), location: at(1, 22)))
        #expect(try expression("1.5") == .literal(.decimal("1.5"), location: at(1, 22)))
        #expect(try expression("1.") == .literal(.decimal("1."), location: at(1, 22)))
        #expect(try expression("1e3") == .literal(.decimal("1e3"), location: at(1, 22)))
        #expect(try expression("2.5E-3") == .literal(.decimal("2.5E-3"), location: at(1, 22)))
        #expect(try expression("'it''s -- not /* a comment'") == .literal(.string("it's -- not /* a comment"), location: at(1, 22)))
        #expect(try expression("''") == .literal(.string(""), location: at(1, 22)))
        #expect(try expression("'two\nlines'") == .literal(.string("two\nlines"), location: at(1, 22)))
        #expect(try expression("TRUE") == .literal(.boolean(true), location: at(1, 22)))
        #expect(try expression("false") == .literal(.boolean(false), location: at(1, 22)))
        #expect(try expression("NULL") == .literal(.null, location: at(1, 22)))
        // `1e` is not an exponent: the number ends before it and `e` is an alias.
        let query = try insert("INSERT INTO s SELECT 1e FROM t").query
        #expect(query.items == [.expression(.literal(.integer(1), location: at(1, 22)), alias: "e")])
    }

    @Test func expressionLocationsAreTheirFirstTokens() throws {
        // INSERT INTO s SELECT (a + b) * -c FROM t: `(` at 22, a 23, b 27, `*` 30, `-` 32, c 33.
        let e = try expression("(a + b) * -c")
        #expect(e == .binary(.times,
                             .binary(.plus, column("a", at(1, 23)), column("b", at(1, 27)), location: at(1, 23)),
                             .unary(.negate, column("c", at(1, 33)), location: at(1, 32)),
                             location: at(1, 22)))
        #expect(try expression("NOT a IS NULL") == .unary(.not, .isNull(column("a", at(1, 26)), negated: false, location: at(1, 26)),
                                                          location: at(1, 22)))
        #expect(try expression("CAST(x AS INTEGER)") == .cast(column("x", at(1, 27)), .int, location: at(1, 22)))
        #expect(try expression("COUNT(DISTINCT `x`)") == .call(name: "COUNT", arguments: [column("x", at(1, 37))],
                                                                 distinct: true, location: at(1, 22)))
    }

    @Test func expressionErrors() {
        var e = parseError("INSERT INTO s SELECT a, FROM t")
        #expect(e?.message == "expected an expression but found 'FROM'")
        #expect(e?.location == at(1, 25))
        e = parseError("INSERT INTO s SELECT a + FROM t")
        #expect(e?.message == "expected an expression but found 'FROM'")
        #expect(e?.location == at(1, 26))
        e = parseError("INSERT INTO s SELECT (a + b FROM t")
        #expect(e?.message == "expected ')' but found 'FROM'")
        #expect(e?.location == at(1, 29))
        e = parseError("INSERT INTO s SELECT f(a b) FROM t")
        #expect(e?.message == "expected ',' or ')' but found 'b'")
        #expect(e?.location == at(1, 26))
        e = parseError("INSERT INTO s SELECT a IS 1 FROM t")
        #expect(e?.message == "expected NULL or NOT NULL but found '1'")
        #expect(e?.location == at(1, 27))
        e = parseError("INSERT INTO s SELECT CAST(a) FROM t")
        #expect(e?.message == "expected AS but found ')'")
        #expect(e?.location == at(1, 28))
        e = parseError("INSERT INTO s SELECT a = NOT b FROM t")
        #expect(e?.message == "expected an expression but found 'NOT'")
        #expect(e?.location == at(1, 26))
        e = parseError("INSERT INTO s SELECT t. FROM t")
        #expect(e?.message == "expected a column name but found 'FROM'")
        e = parseError("INSERT INTO s SELECT CASE WHEN a THEN 1 END FROM t")
        #expect(e?.message == "expected an expression but found 'CASE'")
    }

    // MARK: Comments and layout

    @Test func commentsAndLayout() throws {
        let text = "/* header\n   spans lines */ INSERT -- trailing\n\tINTO s /* inline */ SELECT\r\n  a -- last\n  FROM t -- end"
        let statement = try insert(text)
        #expect(statement.location == at(2, 19))
        #expect(statement.query.location == at(3, 22))      // a tab counts as one column
        #expect(statement.query.items == [.expression(column("a", at(4, 3)), alias: nil)])  // \r\n is one line break
        #expect(statement.query.from == .table(name: "t", alias: nil, location: at(5, 8)))
    }

    // MARK: Types

    @Test func types() throws {
        let cases: [(String, SQLType)] = [
            ("BOOLEAN", .boolean), ("TINYINT", .tinyint), ("SMALLINT", .smallint), ("INT", .int), ("integer", .int),
            ("BIGINT", .bigint), ("FLOAT", .float), ("DOUBLE", .double), ("DOUBLE PRECISION", .double),
            ("DECIMAL", .decimal(10, 0)), ("DECIMAL(12)", .decimal(12, 0)), ("DECIMAL(10, 2)", .decimal(10, 2)),
            ("NUMERIC(5,5)", .decimal(5, 5)), ("STRING", .string), ("VARCHAR", .string), ("VARCHAR(255)", .string),
            ("CHAR(1)", .string), ("BYTES", .bytes), ("VARBINARY", .bytes), ("VARBINARY(16)", .bytes), ("BINARY(4)", .bytes),
            ("DATE", .date), ("TIME", .time(0)), ("TIME(3)", .time(3)), ("TIMESTAMP", .timestamp(6)),
            ("TIMESTAMP(3)", .timestamp(3)), ("TIMESTAMP(9) WITHOUT TIME ZONE", .timestamp(9)),
            ("TIMESTAMP_LTZ", .timestampLTZ(6)), ("TIMESTAMP_LTZ(3)", .timestampLTZ(3)),
            ("TIMESTAMP(3) WITH LOCAL TIME ZONE", .timestampLTZ(3)), ("timestamp with local time zone", .timestampLTZ(6)),
            ("BIGINT NOT NULL", .bigint.notNull), ("STRING NULL", .string),
            ("ARRAY<STRING>", .array(.string)), ("ARRAY<INT NOT NULL> NOT NULL", SQLType.array(.int.notNull).notNull),
            ("MAP<STRING, BIGINT>", .map(.string, .bigint)),
            ("MAP<STRING,ARRAY<MAP<INT,DOUBLE>>>", .map(.string, .array(.map(.int, .double)))),
            ("ROW<a INT, b STRING>", .row([SQLField("a", .int), SQLField("b", .string)])),
            ("ROW(`a b` ARRAY<INT>, c ROW<d DATE NOT NULL>)",
             .row([SQLField("a b", .array(.int)), SQLField("c", .row([SQLField("d", .date.notNull)]))])),
            ("  decimal ( 38 , 0 )  ", .decimal(38, 0)),
        ]
        for (text, type) in cases {
            #expect(try SQLParser.parseType(text) == type, "\(text)")
            // What a type prints reads back as the same type (field names needing backticks aside).
            if !text.contains("`") { #expect(try SQLParser.parseType(type.description) == type, "\(type)") }
        }
    }

    @Test func typeErrors() {
        var e = typeError("FOO")
        #expect(e?.message == "unknown type 'FOO'")
        #expect(e?.location == SourceLocation(file: "<type>", line: 1, column: 1))
        e = typeError("ARRAY<Foo>")
        #expect(e?.message == "unknown type 'Foo'")
        #expect(e?.location.column == 7)
        e = typeError("MAP<STRING>")
        #expect(e?.message == "expected ',' but found '>'")
        #expect(e?.location.column == 11)
        e = typeError("DECIMAL(40, 2)")
        #expect(e?.message == "DECIMAL precision must be between 1 and 38, not 40")
        #expect(e?.location.column == 9)
        e = typeError("DECIMAL(5, 6)")
        #expect(e?.message == "DECIMAL scale must be between 0 and 5, not 6")
        e = typeError("TIMESTAMP(12)")
        #expect(e?.message == "TIMESTAMP precision must be between 0 and 9, not 12")
        e = typeError("TIMESTAMP(3) WITH TIME ZONE")
        #expect(e?.message == "unsupported type 'TIMESTAMP WITH TIME ZONE'")
        e = typeError("TIMESTAMP_LTZ(10)")
        #expect(e?.message == "TIMESTAMP_LTZ precision must be between 0 and 9, not 10")
        e = typeError("TIME WITH LOCAL TIME ZONE")
        #expect(e?.message == "unsupported type 'TIME WITH LOCAL TIME ZONE'")
        e = typeError("INT INT")
        #expect(e?.message == "expected end of type but found 'INT'")
        #expect(e?.location.column == 5)
        e = typeError("ARRAY<INT")
        #expect(e?.message == "expected '>' but found end of input")
        #expect(e?.location.column == 10)
        e = typeError("")
        #expect(e?.message == "expected a type but found end of input")
        e = typeError("VARCHAR(99999999999999999999999)")
        #expect(e?.message == "VARCHAR length must be between 1 and 2147483647, not 99999999999999999999999")
    }

    @Test func unknownTypeInAJobFile() {
        let e = parseError("""
            CREATE TABLE t (
                a INT,
                b FOO
            );
            """)
        #expect(e == SQLError("unknown type 'FOO'", at: at(3, 7)))
        #expect(e?.description == "job.sql:3:7: error: unknown type 'FOO'")
    }

    // MARK: Errors in job files

    @Test func syntaxErrorsAtTheFoundToken() {
        var e = parseError("SET 'a' = 'b'\nINSERT INTO s SELECT a FROM t")
        #expect(e == SQLError("expected ';' but found 'INSERT'", at: at(2, 1)))
        e = parseError("SELECT a FROM t")
        #expect(e == SQLError("expected CREATE, SET or INSERT but found 'SELECT'", at: at(1, 1)))
        e = parseError("INSERT INTO s\n  SELECT a FROM t\n  ORDER BY a")
        #expect(e == SQLError("expected ';' but found 'ORDER'", at: at(3, 3)))
        e = parseError("INSERT INTO s VALUES 1")
        #expect(e == SQLError("expected '(' and a row of values but found '1'", at: at(1, 22)))
        e = parseError("INSERT INTO s TABLE t")
        #expect(e == SQLError("expected SELECT or VALUES but found 'TABLE'", at: at(1, 15)))
        e = parseError("INSERT INTO s SELECT a")
        #expect(e == SQLError("expected ',' or FROM but found end of input", at: at(1, 23)))
        e = parseError("INSERT INTO s SELECT a FROM (t)")
        #expect(e == SQLError("expected SELECT or VALUES but found 't'", at: at(1, 30)))
        e = parseError("INSERT INTO s SELECT a FROM t GROUP a")
        #expect(e == SQLError("expected BY but found 'a'", at: at(1, 37)))
        e = parseError("INSERT INTO s SELECT a FROM t WHERE a # b")
        #expect(e == SQLError("unexpected character '#'", at: at(1, 39)))
        e = parseError("INSERT INTO s SELECT \"a\" FROM t")
        #expect(e == SQLError("unexpected character '\"'", at: at(1, 22)))
    }

    @Test func endOfInputIsJustPastTheLastToken() {
        var e = parseError("INSERT INTO s SELECT a FROM")
        #expect(e == SQLError("expected a table name or '(' but found end of input", at: at(1, 28)))
        // Comments and blank lines after the last token do not move the location.
        e = parseError("INSERT INTO s SELECT a FROM  -- where from?\n\n/* nothing */\n")
        #expect(e == SQLError("expected a table name or '(' but found end of input", at: at(1, 28)))
        // A multi-line string's end is where the location goes.
        e = parseError("CREATE TABLE t (a INT) WITH ('k' = 'one\ntwo'")
        #expect(e == SQLError("expected ',' or ')' but found end of input", at: at(2, 5)))
        e = parseError("CREATE")
        #expect(e == SQLError("expected TEMPORARY, TABLE, VIEW or FUNCTION but found end of input", at: at(1, 7)))
    }

    @Test func unterminatedStringsAndComments() {
        // A missing quote pairs the following quotes up wrongly; the first place that does not fit is reported,
        // here `topic`, which now stands outside the strings.
        var e = parseError("CREATE TABLE t (a INT)\nWITH ('connector' = 'kafka,\n 'topic' = 'x')")
        #expect(e == SQLError("expected ',' or ')' but found 'topic'", at: at(3, 3)))
        e = parseError("SET 'a' = 'b;\nSET 'c' = 'd';")  // the string runs to `SET '`, then `c` does not fit
        #expect(e == SQLError("expected ';' but found 'c'", at: at(2, 6)))
        e = parseError("SET 'a' = 'b';\n  SET 'c' = 'd\n")
        #expect(e == SQLError("unterminated string literal", at: at(2, 13)))
        e = parseError("INSERT INTO s SELECT a /* the rest\n of the file")
        #expect(e == SQLError("unterminated comment", at: at(1, 24)))
        e = parseError("INSERT INTO s SELECT `a FROM t")
        #expect(e == SQLError("unterminated quoted identifier", at: at(1, 22)))
        // A syntax error before the bad text is reported first.
        e = parseError("INSERT INTO s SELECT a FROM t t2 t3 WHERE 'oops")
        #expect(e == SQLError("expected ';' but found 't3'", at: at(1, 34)))
    }

    // MARK: Robustness

    @Test func nestingIsLimited() throws {
        let ok = String(repeating: "(", count: 150) + "a" + String(repeating: ")", count: 150)
        #expect(render(try expression(ok)) == "a")
        for opener in ["(", "- ", "NOT ", "f(", "CAST("] {
            let deep = "INSERT INTO s SELECT " + String(repeating: opener, count: 20_000) + "a"
            let e = parseError(deep)
            #expect(e?.message == "nesting is deeper than 200 levels", "\(opener)")
        }
        let deepType = String(repeating: "ARRAY<", count: 5_000) + "INT" + String(repeating: ">", count: 5_000)
        #expect(typeError(deepType)?.message == "nesting is deeper than 200 levels")
        let deepQuery = "INSERT INTO s SELECT a FROM " + String(repeating: "(SELECT a FROM ", count: 5_000) + "t"
        #expect(parseError(deepQuery)?.message == "nesting is deeper than 200 levels")
    }

    @Test func randomMutationsThrowOrParseButNeverCrash() {
        let seeds = [wordCountScript, cdnScript]
        let alphabet = Array("'`()-*/;,.<>=!|% \n\tabcXYZ019eE_\u{00E9}\r\n")
        var random = SeededRandom(seed: 0x5EED)
        var parsed = 0, failed = 0
        for round in 0..<4_000 {
            var chars = Array(seeds[round % seeds.count])
            let edits = 1 + random.below(4)
            for _ in 0..<edits {
                guard !chars.isEmpty else { break }
                let i = random.below(chars.count)
                switch random.below(6) {
                case 0: chars.removeSubrange(i...)                                                   // truncate
                case 1: chars.remove(at: i)                                                          // delete
                case 2: chars.insert(alphabet[random.below(alphabet.count)], at: i)                  // insert
                case 3: chars[i] = alphabet[random.below(alphabet.count)]                            // replace
                case 4: chars.removeSubrange(i..<min(chars.count, i + 1 + random.below(30)))        // cut a span
                default:                                                                             // duplicate a span
                    let span = Array(chars[i..<min(chars.count, i + 1 + random.below(40))])
                    chars.insert(contentsOf: span, at: random.below(chars.count + 1))
                }
            }
            let text = String(chars)
            do {
                _ = try SQLParser.parse(text, file: "fuzz.sql")
                parsed += 1
            } catch let error as SQLError {
                failed += 1
                let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
                #expect(error.location.line >= 1 && error.location.line <= max(lines, 1), "\(error) in \(text)")
                #expect(error.location.column >= 1)
                #expect(error.location.file == "fuzz.sql")
            } catch {
                Issue.record("not an SQLError: \(error)")
            }
        }
        #expect(parsed + failed == 4_000)
        #expect(failed > 0)
    }
}
