// The runner's side of the fork server (`python -m pyfn.worker fork-server`, worker/pyfn/worker/fork_server.py):
// a warm interpreter of this user's that has imported the harness once and forks a worker (or a `pyfn.describe`)
// per request, so a job's Python starts in milliseconds instead of paying the interpreter's start and pyarrow's,
// grpc's and protobuf's imports (about 0.2 s of CPU: most of a small job; `benchmarks/run job_overhead`).
// Opt-in with `python.worker.fork-server`: the first job finds no server, starts one in the background and starts
// its own Python the ordinary way; later jobs with the same interpreter use it until it has been idle for
// `python.worker.fork-server.idle-timeout`.
//
// Who can use a server: its socket is in a folder only this user can enter (XDG_RUNTIME_DIR/pyfn, else
// /tmp/pyfn-UID, made 0700 and checked), and the server checks each peer's user id. The request carries the
// child's environment (the worker's secret among it) and, as SCM_RIGHTS, its standard output and error.
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A fork server for one interpreter: where its socket is, starting it, and asking it for a child.
public struct ForkServer: Sendable {
    /// The setting that turns the fork server on.
    public static let setting = "python.worker.fork-server"
    /// How long an idle server lives.
    public static let idleTimeoutSetting = "python.worker.fork-server.idle-timeout"
    /// The modules a server runs.
    public enum Module: String, Sendable {
        /// PyFn's harness (`python -m pyfn.worker`).
        case worker = "pyfn.worker"
        /// The function describer (`python -m pyfn.describe`).
        case describe = "pyfn.describe"
    }

    /// The interpreter the server runs (as the job names it: a venv's python is a link whose path matters).
    public let python: String
    /// The server's Unix socket.
    public let socketPath: String
    /// How long the server lives without requests and children.
    public let idleTimeout: Duration

    /// The server for `python` (a located interpreter path) under this process's environment; nil when no private
    /// folder can be had for its socket (then jobs start their Python the ordinary way).
    public init?(python: String, idleTimeout: Duration, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let folder = Self.privateFolder(environment: environment) else { return nil }
        // One server per interpreter and interpreter-wide settings (PYTHON* variables other than the path, which
        // each child sets from its request): a server started otherwise would run children differently.
        var key = python
        for (name, value) in environment.sorted(by: { $0.key < $1.key })
        where name.hasPrefix("PYTHON") && name != "PYTHONPATH" && name != "PYTHONUNBUFFERED" {
            key += "\u{0}\(name)=\(value)"
        }
        let path = "\(folder)/fork-\(String(Self.fnv1a(key), radix: 16)).sock"
        guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
        self.python = python
        self.socketPath = path
        self.idleTimeout = idleTimeout
    }

    /// Whether a server accepts connections at the socket (it may still turn out stale, and
    /// ``launch(_:arguments:environment:output:errors:within:)`` return nil).
    public var answers: Bool {
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        return connect(socket, to: socketPath)
    }

    /// Asks the server to run `module` with `arguments`, `environment` (the child's whole environment) in this
    /// process's working folder, its standard output and error going to `output` and `errors`; nil when no current
    /// server answers (none runs, it is stale, or it is busy beyond `within`: a server that forks after the runner
    /// stopped waiting kills that child when its answer finds the connection closed). A server still importing
    /// (just started) answers once it is done: about 0.3 s.
    public func launch(_ module: Module, arguments: [String], environment: [String: String],
                       output: FileHandle, errors: FileHandle, within timeout: Duration = .seconds(20)) -> ForkedChild? {
        let request: [String: Any] = ["module": module.rawValue, "arguments": arguments, "environment": environment,
                                      "cwd": FileManager.default.currentDirectoryPath, "watch_pid": Int(getpid())]
        guard var line = try? JSONSerialization.data(withJSONObject: request) else { return nil }
        line.append(UInt8(ascii: "\n"))
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        var keep = false
        defer { if !keep { close(socket) } }
        guard connect(socket, to: socketPath),
              send(line, descriptors: [output.fileDescriptor, errors.fileDescriptor], on: socket),
              let answer = Self.readLine(socket, within: timeout),
              let pid = answer["pid"] as? Int else { return nil }
        keep = true
        return ForkedChild(pid: Int32(pid), connection: socket)
    }

    /// Starts the server in the background, without waiting for it; its own output goes to a log file beside the
    /// socket. A server that finds another one answering exits (so racing jobs end up with one).
    public func startInBackground(logger: Logger) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        let seconds = Double(idleTimeout.components.seconds) + Double(idleTimeout.components.attoseconds) / 1e18
        process.arguments = ["-m", "pyfn.worker", "fork-server", "--socket", socketPath, "--idle-seconds", String(seconds)]
        process.environment = WorkerProcess.childEnvironment([:])
        process.standardInput = FileHandle.nullDevice
        let logPath = socketPath.replacingOccurrences(of: ".sock", with: ".log")
        let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        let logHandle = log >= 0 ? FileHandle(fileDescriptor: log, closeOnDealloc: true) : FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        do {
            try process.run()
            logger.debug("started a fork server for \(python) at \(socketPath)")
        } catch {
            logger.warning("cannot start a fork server for \(python): \(error)")
        }
    }

    // MARK: - The folder and the socket

    /// XDG_RUNTIME_DIR/pyfn, else /tmp/pyfn-UID: made with mode 0700 if missing; nil unless it is a folder of
    /// this user's that nobody else can enter (not a link).
    static func privateFolder(environment: [String: String]) -> String? {
        let base = environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : "\($0)/pyfn" } ?? "/tmp/pyfn-\(getuid())"
        _ = mkdir(base, 0o700)
        var info = stat()
        guard lstat(base, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
              info.st_mode & 0o077 == 0 else { return nil }
        return base
    }

    private func connect(_ socket: Int32, to path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    /// Sends `data` with `descriptors` attached to its first bytes (SCM_RIGHTS), then the rest of it.
    private func send(_ data: Data, descriptors: [Int32], on socket: Int32) -> Bool {
        let headerSize = MemoryLayout<cmsghdr>.stride  // CMSG_ALIGN(sizeof(struct cmsghdr))
        let descriptorBytes = descriptors.count * MemoryLayout<Int32>.size
        let alignment = MemoryLayout<Int>.size
        var control = [UInt8](repeating: 0, count: (headerSize + descriptorBytes + alignment - 1) / alignment * alignment)
        var bytes = [UInt8](data)
        let first: Int = bytes.withUnsafeMutableBytes { dataBuffer in
            control.withUnsafeMutableBytes { controlBuffer in
                let header = controlBuffer.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                header.pointee.cmsg_len = headerSize + descriptorBytes
                header.pointee.cmsg_level = SOL_SOCKET
                header.pointee.cmsg_type = Int32(SCM_RIGHTS)
                let slots = (controlBuffer.baseAddress! + headerSize).assumingMemoryBound(to: Int32.self)
                for (index, descriptor) in descriptors.enumerated() { slots[index] = descriptor }
                var vector = iovec(iov_base: dataBuffer.baseAddress, iov_len: dataBuffer.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBuffer.baseAddress
                    message.msg_controllen = controlBuffer.count
                    return sendmsg(socket, &message, Int32(MSG_NOSIGNAL))
                }
            }
        }
        guard first > 0 else { return false }
        var sent = first
        while sent < bytes.count {
            let more = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard more > 0 else { return false }
            sent += more
        }
        return true
    }

    /// One JSON line from `socket`, waiting at most `timeout` (nil for ever); nil at its end, on a timeout, or for a
    /// line that is not a JSON object.
    static func readLine(_ socket: Int32, within timeout: Duration?) -> [String: Any]? {
        var line = [UInt8]()
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            if let deadline {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return nil }
                var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                let milliseconds = Int32(min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000, 60_000))
                if poll(&poller, 1, max(milliseconds, 1)) <= 0 { continue }
            }
            var byte: UInt8 = 0
            let count = read(socket, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return nil }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        return (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any]
    }

    /// FNV-1a (64 bits): a name that is the same in every process (Swift's Hasher is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

/// A child a fork server started: its process id, and the connection its exit is reported on.
public final class ForkedChild: Sendable {
    /// The child's process id (a child of the server, not of this process: its exit comes from the server).
    public let pid: Int32
    private let connection: Int32

    init(pid: Int32, connection: Int32) {
        self.pid = pid
        self.connection = connection
    }

    /// Blocks until the child exits; its exit status (or the signal that ended it), as Foundation's `Process`
    /// reports it. 255 when the server went away before it could tell.
    public func waitForExit() -> Int32 {
        defer { close(connection) }
        guard let answer = ForkServer.readLine(connection, within: nil), let status = answer["exit"] as? Int else { return 255 }
        return Int32(truncatingIfNeeded: status)
    }
}
