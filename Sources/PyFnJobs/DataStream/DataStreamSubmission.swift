import Foundation
import Logging
import PyFnRunner

/// The DataStream part of `pyfn submit`: a request whose document has a `"datastream"` graph runs it with the
/// request's settings and base directory. Print-sink lines go to stderr as `PYFN-PRINT <line>` (the program
/// writes them to its stdout); a collect sink's Arrow stream goes to the results descriptor (stdout).
public enum DataStreamSubmission {
    /// The prefix of stderr lines that carry print-sink output.
    public static let printPrefix = "PYFN-PRINT "

    /// The DataStream job of a request document, or nil when it has no `"datastream"`; a malformed graph or a bad
    /// setting throws.
    public static func job(fromRequest data: Data) throws -> DataStreamJob? {
        guard let document = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let graph = document["datastream"] else { return nil }
        let settings = (document["settings"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
        let base = document["base_directory"] as? String ?? FileManager.default.currentDirectoryPath
        let decoded: StreamGraph
        do {
            decoded = try DataStreamJob.graph(fromJSON: try JSONSerialization.data(withJSONObject: graph))
        } catch let error as DecodingError {
            throw DataStreamError("the request's DataStream graph is malformed: \(error)")
        }
        return try DataStreamJob(graph: decoded, settings: settings, baseDirectory: base)
    }

    /// Runs `job`: print lines to stderr, the collect stream to `resultsDescriptor`.
    public static func run(_ job: DataStreamJob, resultsDescriptor: Int32, progress: JobProgress,
                           logger: Logger = Logger(label: "pyfn.worker")) async throws {
        let results = FileHandle(fileDescriptor: resultsDescriptor, closeOnDealloc: false)
        let outputs = StreamOutputs(
            printLine: { line in FileHandle.standardError.write(Data((printPrefix + line + "\n").utf8)) },
            collect: { bytes in try results.write(contentsOf: bytes) })
        try await job.run(outputs: outputs, progress: progress, logger: logger)
    }
}
