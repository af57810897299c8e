import Foundation
import Logging
import PyFnArrow
import PyFnProto
import Synchronization

/// A worker inside the embedded interpreter: a `pyfn.worker.embedded.EmbeddedWorker` object that evaluates
/// bundles as the harness of process mode does, called directly. Input and output cross as Arrow C Data
/// Interface structs; the answer is the InstructionResponse process mode would send; log records are drained
/// after each bundle and written like those that come over the Logging service.
final class EmbeddedWorker: PythonWorker {
    let id: String
    let interpreter: EmbeddedInterpreter
    /// The Python object, released by ``stop()``.
    let worker: PythonObject
    let logger: Logger
    private let bundles = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    init(id: String, interpreter: EmbeddedInterpreter, worker: PythonObject, logger: Logger) {
        self.id = id
        self.interpreter = interpreter
        self.worker = worker
        self.logger = logger
    }

    func register(_ descriptor: ProcessBundleDescriptor) async throws {
        let bytes = try descriptor.serializedData()
        let worker = self.worker
        do {
            try await interpreter.run { [self] python in
                guard !stopped.load(ordering: .relaxed) else { throw PyFnError.workerLost("worker \(id) was stopped") }
                python.release(try python.call(worker, "register", [.bytes(bytes)]))
            }
        } catch PyFnError.functionFailed(let message) {
            throw PyFnError.invalidDescriptor("descriptor \(descriptor.id): \(message)")
        }
    }

    func processBundle(descriptorID: String, input: RecordBatch) async throws -> BundleResult {
        let instructionID = "bundle-\(bundles.add(1, ordering: .relaxed).newValue)"
        let exported = ArrowCData.exportBatch(input)
        let output = (schema: UnsafeMutablePointer<CArrowSchema>.allocate(capacity: 1),
                      array: UnsafeMutablePointer<CArrowArray>.allocate(capacity: 1))
        output.schema.initialize(to: CArrowSchema())
        output.array.initialize(to: CArrowArray())
        defer {
            // Whatever Python did not take (it moves what it imports) is released here.
            for schema in [exported.schema, output.schema] {
                schema.pointee.release?(schema)
                schema.deallocate()
            }
            for array in [exported.array, output.array] {
                array.pointee.release?(array)
                array.deallocate()
            }
        }
        // process(instruction, descriptor, schema, array, out_schema, out_array), as the structs' addresses.
        let structs: [PythonArgument] = [UInt(bitPattern: exported.schema), UInt(bitPattern: exported.array),
                                         UInt(bitPattern: output.schema), UInt(bitPattern: output.array)].map { .address($0) }
        let worker = self.worker
        let (answer, logs) = try await interpreter.run { [self] python in
            // Checked here, in the interpreter's job order: stop()'s job releases the worker.
            guard !stopped.load(ordering: .relaxed) else { throw PyFnError.workerLost("worker \(id) was stopped") }
            let reply = try python.call(worker, "process", [.string(instructionID), .string(descriptorID)] + structs)
            defer { python.release(reply) }
            return (try python.bytes(reply), try Self.drainLogs(python))
        }
        for entry in logs.logEntries { logger.write(entry, workerID: id) }
        let response = try InstructionResponse(serializedBytes: answer)
        guard response.error.isEmpty else { throw PyFnError.functionFailed(response.error) }
        guard output.array.pointee.release != nil else {
            throw PyFnError.protocolViolation("embedded worker \(id) answered bundle \(instructionID) without output")
        }
        let batch = try ArrowCData.importBatch(schema: output.schema, array: output.array)
        return BundleResult(batches: [batch], monitoringInfos: response.processBundle.monitoringInfos)
    }

    func profiles() async -> [String: Data] {
        let worker = self.worker
        let answer = try? await interpreter.run { [self] python in
            guard !stopped.load(ordering: .relaxed) else { return Data() }
            let response = try python.call(worker, "profiles_response")
            defer { python.release(response) }
            return try python.bytes(response)
        }
        return answer.flatMap { try? HarnessMonitoringInfosResponse(serializedBytes: $0).monitoringData } ?? [:]
    }

    func stop() async {
        let worker = self.worker
        let failures = try? await interpreter.run { [self] python in
            guard !stopped.exchange(true, ordering: .relaxed) else { return ("", LogEntry.List()) }
            defer { python.release(worker) }
            let failures = try python.call(worker, "close")
            defer { python.release(failures) }
            return (try python.string(failures), try Self.drainLogs(python))
        }
        for entry in failures?.1.logEntries ?? [] { logger.write(entry, workerID: id) }
        if let text = failures?.0, !text.isEmpty {
            logger.error("\(text)", metadata: ["worker": "\(id)"])
        }
    }

    /// The log records the embedded harness queued since the last drain.
    private static func drainLogs(_ python: PythonCalls) throws -> LogEntry.List {
        let module = try python.importModule("pyfn.worker.embedded")
        defer { python.release(module) }
        let drained = try python.call(module, "drain_logs")
        defer { python.release(drained) }
        return try LogEntry.List(serializedBytes: try python.bytes(drained))
    }
}
