import Foundation
import PyFnArrow
import PyFnProto
@testable import PyFnRunner
import PyFnTestSupport
import Testing

/// The data plane against a strict, sometimes misbehaving peer speaking real gRPC (python/fake_peer_worker.py):
/// streams go as data pieces then an empty `is_last` piece, input rides in the request only when declared, and an
/// output stream without its end-of-stream marker, or with bytes after it, fails the bundle and is replayed.
@Suite(.serialized) struct DataPlaneTests {
    /// Options whose worker is the fake peer in `mode`.
    static func peer(_ mode: String, _ arguments: [String] = [],
                     _ configure: (inout PythonOptions) -> Void = { _ in }) throws -> PythonOptions {
        let executable = try WorkerWrapper.make(script: WorkerWrapper.testScript("fake_peer_worker.py"), [mode] + arguments)
        return Harness.pythonOptions {
            $0.executable = executable
            $0.startTimeout = .seconds(20)
            configure(&$0)
        }
    }

    /// Runs `times_two` (the fake answers with its input) over `values` in bundles of `bundleSize` rows.
    static func run(_ values: [Int64], python: PythonOptions, bundleSize: Int = 100_000) async throws -> RecordBatch {
        var bundle = BundleOptions()
        bundle.bundleSize = bundleSize
        return try await Harness.run([FunctionCall(Harness.udf("times_two", returns: .bigint), [.column(0)])],
                                     over: [try Harness.bigints([("x", values)])], forwarded: [], bundle: bundle,
                                     python: python)
    }

    /// The error `body` throws within `seconds`.
    static func failure(within seconds: Double = 30, _ body: () async throws -> Void) async -> String {
        let start = ContinuousClock.now
        var message = "no error"
        do { try await body() } catch { message = "\(error)" }
        #expect(ContinuousClock.now - start < .seconds(seconds), "took \(ContinuousClock.now - start)")
        return message
    }

    @Test func inputReachesAStrictPeerAsDataPiecesThenAnEmptyLastPiece() async throws {
        // 400,000 BIGINTs: a 3.2 MB stream, two data pieces; then 3 rows, small enough to embed if it could.
        let values = Array(Int64(0)..<400_003)
        let output = try await Self.run(values, python: try Self.peer("strict"), bundleSize: 400_000)
        #expect(output.column(0) == values.map { .int($0) })
    }

    @Test func aHarnessThatDoesNotDeclareEmbeddingGetsNoInputInTheRequest() async throws {
        // The environment declares embedding (PyFn's default) but the harness's Control call does not.
        let values: [Int64] = [1, 2, 3]
        let output = try await Self.run(values, python: try Self.peer("strict"))
        #expect(output.column(0) == values.map { .int($0) })
    }

    @Test func inputIsEmbeddedOnlyWhenTheEnvironmentAndTheHarnessDeclareIt() async throws {
        let input: [UInt8] = [1, 2, 3]
        let cases: [(environment: Set<String>, harness: Set<String>, embedded: Bool)] = [
            ([], WorkerCapability.pyfnHarness, false),
            (WorkerCapability.pyfnHarness, [], false),
            (WorkerCapability.pyfnHarness, WorkerCapability.pyfnHarness, true),
        ]
        for (environment, harness, embedded) in cases {
            let connection = WorkerConnection(workerID: "w", state: StateStore(), capabilities: environment)
            #expect(await connection.controlStreamOpened(declaring: harness))
            let bundle = Task { try await connection.processBundle(descriptorID: "d", input: input) }
            var instructions = connection.instructions.makeAsyncIterator()
            let request = try #require(await instructions.next())
            let inRequest = request.processBundle.elements.data
            if embedded {
                #expect(inRequest.map(\.isLast) == [false, true])
                #expect(inRequest.map { [UInt8]($0.data) } == [input, []])
            } else {
                #expect(inRequest.isEmpty)
                var data = connection.outboundData.makeAsyncIterator()
                let first = try #require(await data.next()).data
                let last = try #require(await data.next()).data
                #expect(first.map(\.isLast) == [false] && first.map { [UInt8]($0.data) } == [input])
                #expect(last.map(\.isLast) == [true] && last.allSatisfy { $0.data.isEmpty })
            }
            await connection.markLost("the test is over")
            _ = await bundle.result
        }
    }

    @Test func noPieceMarkedLastCarriesData() {
        let input = [UInt8](repeating: 7, count: 5 * 1024 * 1024)
        let pieces = WorkerConnection.pieces(of: input, instructionID: "bundle-1")
        #expect(pieces.count == 4)
        #expect(pieces.filter(\.isLast).count == 1 && pieces.last?.isLast == true && pieces.last?.data.isEmpty == true)
        #expect(pieces.allSatisfy { $0.data.count <= WorkerConnection.dataPieceSize })
        #expect(pieces.reduce(0) { $0 + $1.data.count } == input.count)
        #expect(WorkerConnection.pieces(of: [], instructionID: "bundle-1").map(\.isLast) == [true])
    }

    @Test func anOutputStreamWithoutItsEndMarkerFailsTheBundleNamingIt() async throws {
        let message = await Self.failure {
            _ = try await Self.run([1, 2, 3], python: try Self.peer("truncate") { $0.maxRestarts = 1 })
        }
        #expect(message.contains("sent a broken output stream for bundle-"), "\(message)")
        #expect(message.contains("(descriptor scalar"), "\(message)")
        #expect(message.contains("end-of-stream marker"), "\(message)")
        #expect(message.contains("while running times_two"), "\(message)")
        #expect(message.contains("gave up after 1 restarts"), "\(message)")
    }

    @Test func bytesAfterTheEndMarkerFailTheBundleNamingIt() async throws {
        let message = await Self.failure {
            _ = try await Self.run([1, 2, 3], python: try Self.peer("trailing") { $0.maxRestarts = 1 })
        }
        #expect(message.contains("sent a broken output stream for bundle-"), "\(message)")
        #expect(message.contains("bytes follow the end-of-stream marker"), "\(message)")
        #expect(message.contains("gave up after 1 restarts"), "\(message)")
    }

    @Test func aBundleWithABrokenOutputStreamIsReplayedOnANewWorker() async throws {
        let marker = try TestPython.temporaryFolder()
        let values = Array(Int64(0)..<1000)
        let output = try await Self.run(values, python: try Self.peer("truncate-once", [marker.path]))
        #expect(output.column(0) == values.map { .int($0) })
        #expect(FileManager.default.fileExists(atPath: marker.appendingPathComponent("truncated").path))
    }
}
