import PyFnArrow
import PyFnRunner

/// The time windows PyFn runs, with their sizes in microseconds, and which windows an event time falls in.
/// Window ends are exclusive: an event at time t belongs to [start, end) when start <= t < end.
enum WindowKind: Sendable, Hashable, CustomStringConvertible {
    /// `TUMBLE(…, size)`: back-to-back windows of one size.
    case tumble(size: Int64)
    /// `HOP(…, slide, size)`: windows of `size` starting every `slide`.
    case hop(slide: Int64, size: Int64)
    /// `CUMULATE(…, step, size)`: windows that start every `size` and end every `step` within it.
    case cumulate(step: Int64, size: Int64)
    /// `SESSION(…, gap)`: a key's events closer than `gap` together; windows merge as events join them.
    case session(gap: Int64)
    /// A plain GROUP BY with a Pandas aggregate over a bounded input: one window per key over the whole input,
    /// firing at its end (as PyFlink's batch mode). Its rows carry time 0 and watermark `Int64.min`.
    case wholeInput

    /// The non-merging windows an event at `time` belongs to, earliest end first (empty for sessions).
    func windows(of time: Int64) -> [(start: Int64, end: Int64)] {
        switch self {
        case .tumble(let size):
            let start = time - Self.floorMod(time, size)
            return [(start, start + size)]
        case .hop(let slide, let size):
            var out: [(start: Int64, end: Int64)] = []
            var start = time - Self.floorMod(time, slide)
            while start > time - size {
                out.append((start, start + size))
                start -= slide
            }
            return out.reversed()
        case .cumulate(let step, let size):
            let start = time - Self.floorMod(time, size)
            var end = start + (Self.floorDiv(time - start, step) + 1) * step
            var out: [(start: Int64, end: Int64)] = []
            while end <= start + size {
                out.append((start, end))
                end += step
            }
            return out
        case .session:
            return []
        case .wholeInput:
            return [(0, Int64.max)]
        }
    }

    /// The end of the last window an event at `time` belongs to; for a session, `time + gap`.
    func lastEnd(of time: Int64) -> Int64 {
        if case .session(let gap) = self { return time + gap }
        return windows(of: time).last?.end ?? time
    }

    /// `TUMBLE(10 s)`, `HOP(slide 5 s, size 10 s)`, … as `pyfn explain` shows it.
    var description: String {
        switch self {
        case .tumble(let size): return "TUMBLE(\(Self.text(size)))"
        case .hop(let slide, let size): return "HOP(slide \(Self.text(slide)), size \(Self.text(size)))"
        case .cumulate(let step, let size): return "CUMULATE(step \(Self.text(step)), size \(Self.text(size)))"
        case .session(let gap): return "SESSION(gap \(Self.text(gap)))"
        case .wholeInput: return "WHOLE INPUT (a plain GROUP BY with a Pandas aggregate, fired at the end of the input)"
        }
    }

    private static func text(_ micros: Int64) -> String {
        micros % 1_000_000 == 0 ? "\(micros / 1_000_000) s" : "\(Double(micros) / 1000) ms"
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { ((a % b) + b) % b }
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { (a - floorMod(a, b)) / b }
}

/// A windowed aggregation as the planner hands it to the runtime. Its input rows are the key columns
/// (`0..<keyCount`), the event time (TIMESTAMP, at `keyCount`), the row's arrival watermark (`$wm`, int64 µs, at
/// `keyCount + 1`), then the aggregates' arguments. Its output rows are the keys, `window_start`, `window_end`,
/// `window_time`, then one column per built-in aggregate and one per Python call, in that order.
struct WindowAggregation: Sendable {
    /// The window kind and its sizes.
    var kind: WindowKind
    /// How many key columns lead the input.
    var keyCount: Int
    /// Built-in aggregates (COUNT, SUM, …); their argument positions are input column positions.
    var builtIns: [AggregateSpec]
    /// Python aggregate calls (general or Pandas); their column arguments are input column positions.
    var pythonCalls: [FunctionCall]
    /// The Python calls' texts (result names).
    var pythonNames: [String]
    /// Windows over `PROCTIME()`: they also fire by the clock while no rows come.
    var processingTime = false

    /// The input column holding the event time.
    var timeColumn: Int { keyCount }

    /// Whether the event time of `input` is a TIMESTAMP_LTZ (an Arrow timestamp with a zone): its windows are on the
    /// session zone's clock and window_time is an instant.
    func hasLocalZonedTime(_ input: ArrowSchema) -> Bool {
        guard input.fields.count > timeColumn, case .timestamp(_, .some) = input.fields[timeColumn].type else { return false }
        return true
    }
    /// The input column holding each row's arrival watermark.
    var watermarkColumn: Int { keyCount + 1 }

    /// The output schema: keys (as in `input`), window_start, window_end (TIMESTAMP(3)), window_time (TIMESTAMP(3), or
    /// TIMESTAMP_LTZ(3) over a TIMESTAMP_LTZ rowtime, as in Flink), aggregates.
    func outputSchema(input: ArrowSchema) -> ArrowSchema {
        let time = SQLType(.timestamp(precision: 3))
        let windowTime = hasLocalZonedTime(input) ? SQLType(.timestampLTZ(precision: 3)) : time
        return ArrowSchema(input.fields.prefix(keyCount).map { field in
            var field = field
            field.nullable = true
            return field
        } + ["window_start", "window_end"].map { time.notNull.arrowField(named: $0) }
          + [windowTime.notNull.arrowField(named: "window_time")]
          + builtIns.map { $0.type.arrowField(named: $0.text) }
          + zip(pythonCalls, pythonNames).map { $0.function.resultType.arrowField(named: $1) })
    }
}
