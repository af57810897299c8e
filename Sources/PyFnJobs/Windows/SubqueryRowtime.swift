/// Time attributes through subqueries: `TABLE(TUMBLE((SELECT …), DESCRIPTOR(ts), …))`, `GROUP BY TUMBLE(ts, …)`
/// or an OVER window over `FROM (SELECT …)`, and views (the Python Table API inlines them as subqueries). A
/// subquery that neither groups nor windows and selects the event-time column as it is (`ts`, `ts AS t`, `*`)
/// passes it through, as Flink keeps a time attribute through projections and filters; it then also carries
/// the hidden arrival-watermark column, so a window over it fires and drops late rows as over the table itself.
extension Planner {
    /// The name the event-time column goes by in the output of `select`, when it passes it through; nil when it
    /// does not (it groups, windows, computes the column, or leaves it out) or its table has no event time.
    func rowtimeName(of select: SelectStatement) -> String? {
        guard select.groupBy.isEmpty, select.window == nil, select.lateral == nil else { return nil }
        let inner: String?
        switch select.from {
        case .table(let name, _, _): inner = tables[name.lowercased()]?.eventTime?.column
        case .subquery(let query, _, _): inner = rowtimeName(of: query)
        case .values: inner = nil
        }
        guard let inner else { return nil }
        for item in select.items {
            switch item {
            case .star: return inner
            case .expression(.column(let name, _, _), let alias) where name.lowercased() == inner.lowercased():
                return alias ?? name
            case .expression:
                continue
            }
        }
        return nil
    }

    /// `source` as a window or OVER over `select` sees it: for a subquery, its event time under the name the
    /// subquery gives it, or none when the subquery does not pass it through.
    func timeScope(of select: SelectStatement, source: TableDefinition) -> TableDefinition {
        guard case .subquery(let inner, _, _) = select.from else { return source }
        var scoped = source
        if let name = rowtimeName(of: inner) { scoped.eventTime?.column = name } else { scoped.eventTime = nil }
        return scoped
    }
}

extension TableReference {
    /// True for `(SELECT …)`.
    var isSubquery: Bool {
        if case .subquery = self { return true }
        return false
    }
}
