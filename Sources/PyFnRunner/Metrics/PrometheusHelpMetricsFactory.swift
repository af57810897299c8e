import CoreMetrics
import Prometheus

/// A swift-metrics factory that makes its metrics in a `PrometheusCollectorRegistry` with a `# HELP` text for each
/// name (swift-prometheus's own factory leaves it out, which `promtool check metrics` flags). Timers become
/// histograms in seconds with ``BundleLatencyHistogram/bucketBounds`` as buckets; recorders and meters gauges.
public struct PrometheusHelpMetricsFactory: MetricsFactory {
    /// The registry the metrics live in.
    public let registry: PrometheusCollectorRegistry
    /// The help text of a metric name.
    public let help: @Sendable (String) -> String

    /// A factory for `registry`, with help texts from `help`.
    public init(registry: PrometheusCollectorRegistry, help: @escaping @Sendable (String) -> String) {
        self.registry = registry
        self.help = help
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help(label))
    }

    /// A Prometheus counter.
    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    /// A Prometheus counter that takes fractions.
    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    /// A Prometheus gauge (an aggregating recorder is a gauge too: the runner aggregates itself).
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    /// A Prometheus gauge.
    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    /// A Prometheus histogram of durations, in seconds.
    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions,
                                       buckets: BundleLatencyHistogram.bucketBounds.map { .nanoseconds(Int64($0 * 1e9)) })
    }

    /// Metrics stay registered for the job's lifetime.
    public func destroyCounter(_ handler: any CounterHandler) {}
    /// Metrics stay registered for the job's lifetime.
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    /// Metrics stay registered for the job's lifetime.
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    /// Metrics stay registered for the job's lifetime.
    public func destroyMeter(_ handler: any MeterHandler) {}
    /// Metrics stay registered for the job's lifetime.
    public func destroyTimer(_ handler: any TimerHandler) {}
}
