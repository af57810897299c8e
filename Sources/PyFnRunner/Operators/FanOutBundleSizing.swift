/// How many input rows a table function's next bundle takes, so that a bundle's output, not its input, stays
/// near a budget of rows: a function that emits many rows per input row gets smaller bundles.
///
/// Why bundles shrink instead of output streaming: the runner holds every row of a bundle until the bundle
/// completes (then combines it with the bundle's input and hands it on). Measured with a debug `pyfn run` of a
/// table function emitting 1,000 rows per input row over 2,000 CSV rows into a CSV sink (runner VmRSS sampled
/// every 100 ms): 533 MB peak at the default bundle size (100,000 rows: one bundle of 2 M output rows), 135 MB
/// with bundles of 100 input rows; the issue measured 2.2 GB for 10 k rows. Capping each bundle's output bounds
/// the runner by budget × bundles in flight whatever the input's size, keeps replay after a lost worker exact
/// as it was (nothing of a bundle is handed on before it completes) and needs no change to any worker kind;
/// Flink's `python.fn-execution.bundle.size` is a maximum, so smaller bundles keep its meaning. What it does not
/// bound: one input row emitting more than the budget by itself (its bundle holds all its rows).
struct FanOutBundleSizing {
    /// Output rows a bundle may aim for (with 3 bundles in flight, ~135 MB of runner memory as measured above).
    static let outputRowBudget = 100_000
    /// The first bundles' size, before any output is seen (the bundles in flight then are sent at this size).
    static let firstBundleRows = 100

    /// The configured bundle size, the most a bundle ever takes.
    let maximum: Int
    /// The size of the next bundle.
    private(set) var nextBundleRows: Int

    init(maximum: Int) {
        self.maximum = maximum
        self.nextBundleRows = min(maximum, Self.firstBundleRows)
    }

    /// Learns from a completed bundle of `rowsIn` input rows that produced `rowsOut` rows.
    mutating func observe(rowsIn: Int, rowsOut: Int) {
        guard rowsIn > 0 else { return }
        guard rowsOut > 0 else {
            nextBundleRows = maximum
            return
        }
        let fitting = Double(Self.outputRowBudget) * Double(rowsIn) / Double(rowsOut)
        nextBundleRows = max(1, min(maximum, Int(fitting.rounded(.down))))
    }
}
