import Foundation

/// Hosts for multi-host tests on one machine: network namespaces, each joined to this (the root) namespace by a
/// veth pair, with addresses in 10.77.0.0/16, a range that exists only inside what this creates. Host `i` is
/// 10.77.`i`.2 and sees the root namespace as 10.77.`i`.1; every host routes 10.77.0.0/16 through the root, so
/// each reaches every root-side address. ``remove()`` (or release) deletes the namespaces and their links.
public final class TestNetwork {
    /// The namespaces' names, host 0 first.
    public let namespaces: [String]
    private let links: [String]

    /// Why multi-host tests cannot run here (not root, no `ip`), or nil when they can.
    public static let unavailableReason: String? = {
        if geteuid() != 0 { return "network namespaces need root" }
        if ipCommand == nil { return "no 'ip' command (iproute2)" }
        return nil
    }()

    private static let ipCommand: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Makes `count` hosts named `prefix`-0 … (leftovers of an interrupted run with the same names are removed
    /// first).
    public init(hosts count: Int, prefix: String = "pyfn-test") throws {
        namespaces = (0..<count).map { "\(prefix)-\($0)" }
        links = (0..<count).map { "pyfnt\($0)" }
        remove()
        for (index, (namespace, link)) in zip(namespaces, links).enumerated() {
            let root = "10.77.\(index).1", host = "10.77.\(index).2"
            try Self.ip(["netns", "add", namespace])
            try Self.ip(["link", "add", link, "type", "veth", "peer", "name", link + "h"])
            try Self.ip(["link", "set", link + "h", "netns", namespace])
            try Self.ip(["addr", "add", "\(root)/24", "dev", link])
            try Self.ip(["link", "set", link, "up"])
            try Self.ip(["netns", "exec", namespace, Self.ipCommand!, "addr", "add", "\(host)/24", "dev", link + "h"])
            try Self.ip(["netns", "exec", namespace, Self.ipCommand!, "link", "set", link + "h", "up"])
            try Self.ip(["netns", "exec", namespace, Self.ipCommand!, "link", "set", "lo", "up"])
            try Self.ip(["netns", "exec", namespace, Self.ipCommand!, "route", "add", "10.77.0.0/16", "via", root])
        }
    }

    /// Host `index`'s own address.
    public func address(of index: Int) -> String { "10.77.\(index).2" }

    /// The root namespace's address on host `index`'s link.
    public func rootAddress(facing index: Int) -> String { "10.77.\(index).1" }

    /// The command prefix that runs a program on host `index`.
    public func launcher(for index: Int) -> [String] { [Self.ipCommand!, "netns", "exec", namespaces[index]] }

    /// Deletes the namespaces and links (their processes should be gone first).
    public func remove() {
        for link in links { try? Self.ip(["link", "del", link], quiet: true) }
        for namespace in namespaces { try? Self.ip(["netns", "del", namespace], quiet: true) }
    }

    deinit { remove() }

    private static func ip(_ arguments: [String], quiet: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ipCommand ?? "/usr/sbin/ip")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 && !quiet {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey:
                "ip \(arguments.joined(separator: " ")) failed: \(String(decoding: message, as: UTF8.self))"])
        }
    }
}
