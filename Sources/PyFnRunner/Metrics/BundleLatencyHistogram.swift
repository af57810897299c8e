/// Bundle round-trip times in fixed buckets (upper bounds in seconds, Prometheus style, cumulative on output).
public struct BundleLatencyHistogram: Codable, Sendable, Equatable {
    /// Upper bounds of the buckets, in seconds.
    public static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    /// Observations per bucket (not cumulative); the last entry counts those above every bound.
    public var counts = [Int](repeating: 0, count: bucketBounds.count + 1)
    /// How many observations.
    public var count = 0
    /// Their sum in seconds.
    public var sumSeconds = 0.0
    /// The largest, in seconds.
    public var maxSeconds = 0.0

    /// An empty histogram.
    public init() {}

    /// Adds one round trip.
    public mutating func observe(seconds: Double) {
        let bucket = Self.bucketBounds.firstIndex { seconds <= $0 } ?? Self.bucketBounds.count
        counts[bucket] += 1
        count += 1
        sumSeconds += seconds
        maxSeconds = max(maxSeconds, seconds)
    }

    /// Adds another histogram's observations.
    public mutating func add(_ other: BundleLatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        count += other.count
        sumSeconds += other.sumSeconds
        maxSeconds = max(maxSeconds, other.maxSeconds)
    }

    /// The upper bound of the bucket holding quantile `q` (0...1), in seconds; the maximum for the overflow bucket.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (index, bucketCount) in counts.enumerated() {
            seen += bucketCount
            if seen >= rank { return index < Self.bucketBounds.count ? min(Self.bucketBounds[index], maxSeconds) : maxSeconds }
        }
        return maxSeconds
    }
}
