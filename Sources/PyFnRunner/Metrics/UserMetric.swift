/// What kind of metric a Python function registered (PyFlink's metric types).
public enum UserMetricKind: String, Codable, Sendable, Hashable {
    /// `group.counter(name)`: a count; the runner sums bundles and workers.
    case counter
    /// `group.gauge(name, fn)`: a value; the runner keeps the latest.
    case gauge
    /// `group.meter(name, time_span_in_seconds)`: events; the runner sums them and derives a rate.
    case meter
    /// `group.distribution(name)`: values; the runner keeps their count, sum, min and max.
    case distribution
}

/// Which metric a value belongs to: the operator that ran the function, the function, the metric group path
/// (`add_group("key", "value")` → `key.value`), the name and the kind.
public struct UserMetricKey: Hashable, Sendable, Codable {
    /// The operator (its name in the runner's metrics).
    public var operatorName: String
    /// The function whose `open()` registered the metric ("" when unknown).
    public var function: String
    /// The metric group path, dot-joined ("" for the function's own group).
    public var group: String
    /// The metric's name.
    public var name: String
    /// The metric's kind.
    public var kind: UserMetricKind

    /// A key from its parts.
    public init(operatorName: String, function: String, group: String, name: String, kind: UserMetricKind) {
        self.operatorName = operatorName
        self.function = function
        self.group = group
        self.name = name
        self.kind = kind
    }
}

/// Count, sum, min and max of a distribution's values.
public struct DistributionValue: Codable, Sendable, Equatable {
    /// How many values.
    public var count: Int64
    /// Their sum.
    public var sum: Int64
    /// The smallest.
    public var min: Int64
    /// The largest.
    public var max: Int64

    /// A distribution from its four numbers.
    public init(count: Int64, sum: Int64, min: Int64, max: Int64) {
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
    }

    /// Both distributions' values as one.
    func merged(with other: DistributionValue) -> DistributionValue {
        guard count > 0 else { return other }
        guard other.count > 0 else { return self }
        return DistributionValue(count: count &+ other.count, sum: sum &+ other.sum,
                                 min: Swift.min(min, other.min), max: Swift.max(max, other.max))
    }
}

/// A metric's value as Beam carries it.
enum UserMetricValue: Sendable, Equatable {
    /// sum_int64: counters and meters.
    case sum(Int64)
    /// distribution_int64.
    case distribution(DistributionValue)
    /// latest_int64: a gauge's value and when it was read (ms since the epoch).
    case latest(value: Int64, timeMillis: Int64)

    /// This value and `other` (of the same metric) combined: sums add, distributions merge, the later gauge wins.
    func merged(with other: UserMetricValue) -> UserMetricValue {
        switch (self, other) {
        case (.sum(let a), .sum(let b)): return .sum(a &+ b)
        case (.distribution(let a), .distribution(let b)): return .distribution(a.merged(with: b))
        case (.latest(_, let t1), .latest(_, let t2)): return t2 >= t1 ? other : self
        default: return other
        }
    }
}

/// One metric value decoded from a worker's MonitoringInfo.
struct UserMetricUpdate: Sendable, Equatable {
    var key: UserMetricKey
    var value: UserMetricValue
    /// A meter's rate window (`PYFN_TIME_SPAN_SECONDS`), else nil.
    var timeSpanSeconds: Int?
}
