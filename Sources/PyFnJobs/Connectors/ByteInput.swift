import Dispatch
import Foundation

/// Where a line-oriented source reads its bytes from.
protocol ByteInput: AnyObject, Sendable {
    /// The next bytes; empty when there is nothing more for now (a file's end, which may still grow) or for good
    /// (standard input's end).
    func read() async throws -> [UInt8]
}

/// A file read from its start in chunks. When `waitForFile` is set (a watched file), a file that does not exist
/// yet reads as empty until it appears.
final class FileByteInput: ByteInput, @unchecked Sendable {
    /// The file's path.
    let path: String
    private let waitForFile: Bool
    private let chunkSize: Int
    private var descriptor: Int32 = -1

    init(path: String, waitForFile: Bool, chunkSize: Int = 1 << 16) {
        self.path = path
        self.waitForFile = waitForFile
        self.chunkSize = chunkSize
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func read() async throws -> [UInt8] {
        if descriptor < 0 {
            descriptor = open(path, O_RDONLY)
            if descriptor < 0 {
                if waitForFile && errno == ENOENT { return [] }
                throw ConnectorError("\(path): cannot open: \(String(cString: strerror(errno)))")
            }
        }
        return try Self.readChunk(descriptor, chunkSize, name: path)
    }

    /// Up to `count` bytes from `descriptor` (empty at its end).
    static func readChunk(_ descriptor: Int32, _ count: Int, name: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        while true {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, count) }
            if n >= 0 {
                bytes.removeLast(count - n)
                return bytes
            }
            if errno != EINTR { throw ConnectorError("\(name): read failed: \(String(cString: strerror(errno)))") }
        }
    }
}

/// The process's standard input, read on a dispatch queue so a blocking read does not hold a Swift concurrency
/// thread. A read waits until some bytes arrive; empty means the input ended.
final class StandardInputBytes: ByteInput, @unchecked Sendable {
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "pyfn.connector.stdin")

    /// Reads `descriptor` (standard input unless a test passes a pipe).
    init(descriptor: Int32 = 0) { self.descriptor = descriptor }

    func read() async throws -> [UInt8] {
        let descriptor = self.descriptor
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try FileByteInput.readChunk(descriptor, 1 << 16, name: "<stdin>") })
            }
        }
    }
}
