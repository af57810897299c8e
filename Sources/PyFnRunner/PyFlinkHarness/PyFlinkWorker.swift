// A running PyFlink worker: bundles go out in Flink's coders and come back in the shapes PyFn's operators read.
import Foundation
import PyFnArrow
import PyFnProto
import Synchronization

/// PyFlink's worker behind the ``PythonWorker`` seam. Registering a PyFn descriptor registers its PyFlink
/// translation; a bundle's rows are written with that descriptor's codec, sent as Data pieces followed by an
/// empty `is_last` piece (PyFlink's worker declares no embedding capability), and its output decoded.
struct PyFlinkWorker: PythonWorker {
    /// The connection, process and registry entry of the worker.
    let remote: RemoteWorker
    private let codecs = CodecTable()

    /// The codec of each registered descriptor, shared by the copies of this worker value.
    private final class CodecTable: Sendable {
        private let byDescriptor = Mutex<[String: PyFlinkBundleCodec]>([:])
        func set(_ codec: PyFlinkBundleCodec, for id: String) { byDescriptor.withLock { $0[id] = codec } }
        func codec(for id: String) -> PyFlinkBundleCodec? { byDescriptor.withLock { $0[id] } }
    }

    init(remote: RemoteWorker) {
        self.remote = remote
    }

    var id: String { remote.id }

    func register(_ descriptor: ProcessBundleDescriptor) async throws {
        let (flink, codec) = try PyFlinkDescriptor.translate(descriptor)
        codecs.set(codec, for: descriptor.id)
        try await remote.register(flink)
    }

    func processBundle(descriptorID: String, input: RecordBatch) async throws -> BundleResult {
        try await run(descriptorID: descriptorID, input: input, onProgress: nil)
    }

    func processBundle(descriptorID: String, input: RecordBatch,
                       onProgress: @escaping @Sendable ([MonitoringInfo]) -> Void) async throws -> BundleResult {
        try await run(descriptorID: descriptorID, input: input, onProgress: onProgress)
    }

    private func run(descriptorID: String, input: RecordBatch,
                     onProgress: (@Sendable ([MonitoringInfo]) -> Void)?) async throws -> BundleResult {
        guard let codec = codecs.codec(for: descriptorID) else {
            throw PyFnError.invalidDescriptor("descriptor \(descriptorID) is not registered with worker \(id)")
        }
        let pieces = try codec.encode(input)
        let reply: BundleReply
        let instructionID: String
        do {
            (instructionID, reply) = try await remote.connection.processBundle(descriptorID: descriptorID, pieces: pieces, onProgress: onProgress)
        } catch PyFnError.workerLost(let reason) {
            throw PyFnError.workerLost(await remote.explainLoss().map { "worker \(id): \($0)" } ?? reason)
        }
        let batches = try codec.decode(reply.output, inputRows: input.length,
                                       context: "bundle \(instructionID) of descriptor \(descriptorID) on worker \(id)")
        return BundleResult(batches: batches, monitoringInfos: reply.monitoringInfos)
    }

    func profiles() async -> [String: Data] {
        await remote.profiles()
    }

    func stop() async {
        await remote.stop()
    }
}
