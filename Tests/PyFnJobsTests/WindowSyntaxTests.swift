@testable import PyFnJobs
import PyFnRunner
import Testing

/// The SQL of event time and windows (WATERMARK FOR, INTERVAL, window TVFs, OVER) and which windows an event time
/// falls in; the jobs themselves are tested end to end in worker/tests/test_window_jobs.py.
struct WindowSyntaxTests {
    private func select(_ query: String) throws -> SelectStatement {
        try SQLParser.parseQuery(query, file: "q.sql")
    }

    @Test func watermarkDeclarationsGiveTheEventTimeAndDelay() throws {
        let script = try SQLParser.parse("""
            CREATE TABLE t (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '2.5' SECOND) WITH ('connector' = 'stdin');
            """, file: "job.sql")
        guard case .createTable(let create) = script.statements[0] else { Issue.record("not a CREATE TABLE"); return }
        #expect(create.columns.map(\.name) == ["k", "ts"])
        let eventTime = try #require(try EventTime(create))
        #expect(eventTime.column == "ts" && eventTime.columnIndex == 1 && eventTime.delayMicroseconds == 2_500_000)
    }

    @Test func aWatermarkOnAMissingOrNonTimestampColumnIsAnErrorAtItsLine() throws {
        for (columns, message) in [("k STRING, ts BIGINT", "the event-time column must be a TIMESTAMP(p) or TIMESTAMP_LTZ(p), not BIGINT"),
                                   ("k STRING", "WATERMARK FOR 'ts': 't' has no such column (columns: k)")] {
            let script = try SQLParser.parse("CREATE TABLE t (\(columns),\n  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'stdin');",
                                             file: "job.sql")
            guard case .createTable(let create) = script.statements[0] else { Issue.record("not a CREATE TABLE"); return }
            let error = #expect(throws: SQLError.self) { try EventTime(create) }
            #expect(error?.message.contains(message) == true, "\(String(describing: error))")
            #expect(error?.location.line == 2)
        }
    }

    @Test func intervalsReadInEveryUnit() throws {
        let query = try select("SELECT INTERVAL '1' MILLISECOND, INTERVAL '2' SECOND, INTERVAL '3' MINUTES, INTERVAL '1' HOUR, INTERVAL '1' DAY FROM t")
        let micros = query.items.compactMap { item -> Int64? in
            if case .expression(let e, _) = item { return e.intervalMicroseconds }
            return nil
        }
        #expect(micros == [1000, 2_000_000, 180_000_000, 3_600_000_000, 86_400_000_000])
        #expect(throws: SQLError.self) { try select("SELECT INTERVAL '1' FORTNIGHT FROM t") }
    }

    @Test func windowTableFunctionsKeepTheirDescriptorAndIntervals() throws {
        let query = try select("""
            SELECT window_start, COUNT(*) FROM TABLE(HOP(TABLE bids, DESCRIPTOR(bidtime), INTERVAL '5' MINUTE, INTERVAL '10' MINUTE)) AS b
            GROUP BY window_start, window_end
            """)
        let window = try #require(query.window)
        #expect(window.kind == "HOP" && window.timeColumn == "bidtime")
        #expect(window.intervals.map(\.intervalMicroseconds) == [300_000_000, 600_000_000])
        guard case .table(let name, let alias, _) = query.from else { Issue.record("not a table"); return }
        #expect(name == "bids" && alias == "b")
        #expect(throws: SQLError.self) { try select("SELECT * FROM TABLE(SLIDE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))") }
    }

    @Test func overClausesKeepPartitionOrderAndFrame() throws {
        let query = try select("SELECT SUM(v) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) FROM t")
        guard case .expression(.call(let name, let arguments, _, _), _) = query.items[0] else { Issue.record("not a call"); return }
        #expect(name == OverWindowSyntax.overName)
        #expect(arguments[0].sqlText == "SUM(v)" && arguments[1].sqlText == "$PARTITION(k)" && arguments[2].sqlText == "ts")
        guard case .call(_, let frame, _, _) = arguments[3] else { Issue.record("no frame"); return }
        #expect(frame[1].intervalMicroseconds == 3_600_000_000)
    }

    @Test func unboundedFramesReadTheSameInTheirLongAndShortForms() throws {
        func frame(_ text: String) throws -> String {
            let query = try select("SELECT SUM(v) OVER (PARTITION BY k ORDER BY ts\(text)) FROM t")
            guard case .expression(.call(_, let arguments, _, _), _) = query.items[0] else { return "not a call" }
            return arguments[3].sqlText
        }
        #expect(try frame(" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW") == "$FRAME('ROWS', 'UNBOUNDED')")
        #expect(try frame(" ROWS UNBOUNDED PRECEDING") == "$FRAME('ROWS', 'UNBOUNDED')")
        #expect(try frame(" RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW") == "$FRAME('RANGE', 'UNBOUNDED')")
        #expect(try frame("") == "$FRAME('RANGE', 'UNBOUNDED')")
        #expect(try frame(" ROWS 3 PRECEDING") == "$FRAME('ROWS', 3)")
    }

    @Test func namedWindowsArePutInWhereTheyAreUsed() throws {
        let named = try select("SELECT SUM(v) OVER w, COUNT(*) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY ts ROWS 2 PRECEDING)")
        let inline = try select("SELECT SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS 2 PRECEDING), COUNT(*) OVER (PARTITION BY k ORDER BY ts ROWS 2 PRECEDING) FROM t")
        let texts = { (query: SelectStatement) in query.items.map { item -> String in
            if case .expression(let e, _) = item { return e.sqlText }
            return ""
        } }
        #expect(texts(named) == texts(inline))
        let error = #expect(throws: SQLError.self) { try select("SELECT SUM(v) OVER w FROM t\nWINDOW v AS (ORDER BY ts)") }
        #expect(error?.message == "unknown window 'w' (known: v)" && error?.location.line == 1 && error?.location.column == 20)
    }

    @Test func windowTableFunctionsReadSubqueries() throws {
        for from in ["(SELECT k, ts FROM t)", "TABLE (SELECT k, ts FROM t)"] {
            let query = try select("SELECT window_start FROM TABLE(TUMBLE(\(from), DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end")
            #expect(query.window?.kind == "TUMBLE" && query.window?.timeColumn == "ts")
            guard case .subquery(let inner, _, _) = query.from else { Issue.record("not a subquery: \(query.from)"); continue }
            #expect(inner.window == nil && inner.items.count == 2)
        }
    }

    @Test func eventTimesFallInTheirWindows() {
        let s: Int64 = 1_000_000
        #expect(WindowKind.tumble(size: 10 * s).windows(of: 25 * s).map { [$0.start, $0.end] } == [[20 * s, 30 * s]])
        #expect(WindowKind.tumble(size: 10 * s).windows(of: -1).map { [$0.start, $0.end] } == [[-10 * s, 0]])
        #expect(WindowKind.hop(slide: 5 * s, size: 15 * s).windows(of: 12 * s).map { [$0.start, $0.end] }
            == [[0, 15 * s], [5 * s, 20 * s], [10 * s, 25 * s]])
        #expect(WindowKind.cumulate(step: 4 * s, size: 12 * s).windows(of: 17 * s).map { [$0.start, $0.end] }
            == [[12 * s, 20 * s], [12 * s, 24 * s]])
        #expect(WindowKind.session(gap: 3 * s).lastEnd(of: 7 * s) == 10 * s)
    }
}
