import CoreMetrics
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// The Prometheus text endpoint of a running job (`pyfn run … --metrics-port P`): a small HTTP/1.1 server whose
/// `GET /metrics` publishes the job's ``RunnerMetrics`` into a `PrometheusCollectorRegistry` and answers with its
/// text exposition format. Other paths get 404.
public final class PrometheusMetricsEndpoint: Sendable {
    /// The registry the job's swift-metrics objects live in.
    public let registry: PrometheusCollectorRegistry
    /// The port it listens on (the one asked for, or the one picked for port 0).
    public let port: Int
    private let channel: any Channel

    /// A swift-metrics factory that makes metrics in a new registry; pass it to ``RunnerMetrics/init(job:factory:)``
    /// and the registry to ``start(host:port:registry:metrics:)``.
    public static func makeFactory() -> (PrometheusCollectorRegistry, any MetricsFactory) {
        let registry = PrometheusCollectorRegistry()
        return (registry, PrometheusHelpMetricsFactory(registry: registry, help: SwiftMetricsPublisher.helpText(for:)))
    }

    private init(registry: PrometheusCollectorRegistry, port: Int, channel: any Channel) {
        self.registry = registry
        self.port = port
        self.channel = channel
    }

    /// Starts serving `metrics` (which must publish into `registry`) on `host`:`port`; 0 picks a free port. The
    /// default host is loopback: a job's figures name its tables and functions, so other hosts see them only
    /// when asked for (`pyfn run --metrics-host 0.0.0.0`).
    public static func start(host: String = "127.0.0.1", port: Int, registry: PrometheusCollectorRegistry,
                             metrics: RunnerMetrics) async throws -> PrometheusMetricsEndpoint {
        let render: @Sendable () -> [UInt8] = {
            metrics.publish()
            return registry.emitToBuffer()
        }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsRequestHandler(render: render))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return PrometheusMetricsEndpoint(registry: registry, port: channel.localAddress?.port ?? port, channel: channel)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close().get()
    }
}

/// Answers `GET /metrics` with the rendered exposition, anything else with 404.
private final class MetricsRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> [UInt8]
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () -> [UInt8]) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request): head = request
        case .body: break
        case .end:
            guard let request = head else { return }
            head = nil
            let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
            let found = request.method == .GET && (path == "/metrics" || path == "/")
            let body = found ? render() : Array("not found; the metrics are at /metrics\n".utf8)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.count))
            let keepAlive = request.isKeepAlive
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }
}
