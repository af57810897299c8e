// A file written under a hidden temporary name next to its final path and renamed into place when committed, so a
// reader of the final path sees the previous complete file or the new complete file, never a torn one (Flink's
// FileSink does the same with its `.part-….inprogress` files).
import Foundation

/// The hidden in-progress file of a sink's `path`: `.<name>.inprogress.<pid>.<random>` in the same folder (one
/// file system, so the rename is atomic). Files of that form left by runners that no longer run are removed when a
/// new one is created.
struct InProgressFile {
    /// The final path.
    let path: String
    /// The in-progress file's path.
    let temporaryPath: String
    /// The open in-progress file.
    private(set) var handle: FileHandle

    /// Creates the folder of `path` if needed, removes in-progress files of dead runners, and creates an empty
    /// in-progress file.
    init(for path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let prefix = "." + url.lastPathComponent + ".inprogress."
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        Self.removeAbandoned(in: folder, prefix: prefix)
        temporaryPath = folder + "/" + prefix + "\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil) else {
            throw ConnectorError("\(path): cannot create the in-progress file \(temporaryPath)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporaryPath))
    }

    /// Appends `data`.
    func append(_ data: Data) throws {
        try handle.write(contentsOf: data)
    }

    /// Empties the in-progress file (for sinks that rewrite the whole file at each commit).
    func truncate() throws {
        try handle.truncate(atOffset: 0)
    }

    /// Makes the in-progress file's content the final file's, keeping the in-progress file open for more rows:
    /// flushes it to disk, copies it to a second hidden name and renames that into place.
    func publishCopy() throws {
        try handle.synchronize()
        let copy = temporaryPath + ".commit"
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: temporaryPath, toPath: copy)
        try Self.sync(copy)
        try Self.rename(copy, to: path)
    }

    /// Flushes the in-progress file to disk, closes it and renames it into place.
    func publish() throws {
        try handle.synchronize()
        try handle.close()
        try Self.rename(temporaryPath, to: path)
    }

    /// Closes and removes the in-progress file; the final file stays as the last commit left it.
    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
        try? FileManager.default.removeItem(atPath: temporaryPath + ".commit")
    }

    private static func sync(_ path: String) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.synchronize()
    }

    /// `rename(2)`, then a sync of the folder so the new name survives a machine crash too.
    private static func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw ConnectorError("\(to): cannot move \(from) into place: \(String(cString: strerror(errno)))")
        }
        let folder = open((to as NSString).deletingLastPathComponent, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Removes `prefix<pid>.…` files whose runner process no longer exists.
    private static func removeAbandoned(in folder: String, prefix: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0 != "." }
            guard let pid = Int32(pidText), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }
}
