/// The user metrics of a job added up across bundles and workers. A running bundle's progress values are kept
/// apart (and replaced by its next progress report) until its final values arrive, which take their place: so
/// a long bundle's counters move while it runs and nothing is counted twice.
struct UserMetricTable {
    private var committed: [UserMetricKey: UserMetricValue] = [:]
    private var running: [Int: [UserMetricKey: UserMetricValue]] = [:]
    private var meters: [UserMetricKey: MeterRate] = [:]

    /// Replaces the progress values of running bundle `bundle`.
    mutating func progress(bundle: Int, _ updates: [UserMetricUpdate], at seconds: Double) {
        running[bundle] = Self.combined(updates)
        sampleMeters(updates, at: seconds)
    }

    /// Takes the final values of `bundle` in place of its progress values.
    mutating func finish(bundle: Int, _ updates: [UserMetricUpdate], at seconds: Double) {
        running[bundle] = nil
        for (key, value) in Self.combined(updates) {
            committed[key] = committed[key].map { $0.merged(with: value) } ?? value
        }
        sampleMeters(updates, at: seconds)
    }

    /// Forgets the progress values of a bundle that will not finish (it failed).
    mutating func abandon(bundle: Int) {
        running[bundle] = nil
    }

    /// Every metric's value now: final values with the running bundles' progress values.
    var values: [UserMetricKey: UserMetricValue] {
        var all = committed
        for values in running.values {
            for (key, value) in values { all[key] = all[key].map { $0.merged(with: value) } ?? value }
        }
        return all
    }

    /// A meter's rate in events per second over its time span, and the span.
    func meterRate(_ key: UserMetricKey) -> (perSecond: Double, timeSpanSeconds: Int)? {
        meters[key].map { ($0.perSecond, $0.timeSpanSeconds) }
    }

    private mutating func sampleMeters(_ updates: [UserMetricUpdate], at seconds: Double) {
        let current = values
        for update in updates where update.key.kind == .meter {
            guard case .sum(let count)? = current[update.key] else { continue }
            meters[update.key, default: MeterRate(timeSpanSeconds: update.timeSpanSeconds ?? 60)].add(count: count, at: seconds)
        }
    }

    private static func combined(_ updates: [UserMetricUpdate]) -> [UserMetricKey: UserMetricValue] {
        var result: [UserMetricKey: UserMetricValue] = [:]
        for update in updates { result[update.key] = result[update.key].map { $0.merged(with: update.value) } ?? update.value }
        return result
    }
}

/// A meter's rate: the events between the oldest and the newest sample of its total count within its time span,
/// divided by the time between them (so a job shorter than the span still shows its true rate).
struct MeterRate {
    let timeSpanSeconds: Int
    private var samples: [(seconds: Double, count: Int64)] = []

    init(timeSpanSeconds: Int) {
        self.timeSpanSeconds = max(1, timeSpanSeconds)
    }

    mutating func add(count: Int64, at seconds: Double) {
        samples.append((seconds, count))
        let horizon = seconds - Double(timeSpanSeconds)
        while samples.count > 2 && samples[1].seconds <= horizon { samples.removeFirst() }
    }

    /// Events per second; 0 until two samples are apart in time.
    var perSecond: Double {
        guard let last = samples.last else { return 0 }
        let horizon = last.seconds - Double(timeSpanSeconds)
        guard let first = samples.first(where: { $0.seconds >= horizon }) ?? samples.first,
              last.seconds - first.seconds > 0.05 else { return 0 }
        return Double(last.count - first.count) / (last.seconds - first.seconds)
    }
}
