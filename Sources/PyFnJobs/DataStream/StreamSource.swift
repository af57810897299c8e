import Foundation
import PyFnArrow
import PyFnRunner

/// A source node's records: each subtask produces its share as batches with a `value` column.
protocol StreamSource: Sendable {
    /// The schema of the batches (one `value` column).
    var schema: ArrowSchema { get }
    /// Produces subtask `subtask`'s share of the records (of `parallelism` subtasks), handing each batch to `emit`.
    func produce(subtask: Int, parallelism: Int, emit: (RecordBatch) async throws -> Void) async throws
}

/// Rows per batch a source makes.
let streamSourceBatchRows = 65_536

/// The source a node's spec asks for; an unknown type or a missing field throws naming the node.
func makeStreamSource(_ node: StreamNode, baseDirectory: String) throws -> any StreamSource {
    guard let spec = node.source else { throw DataStreamError("source node '\(node.name)' says nothing of what it reads", node) }
    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
    }
    switch spec.type {
    case "collection":
        guard let path = spec.path else { throw DataStreamError("collection source '\(node.name)' has no 'path'", node) }
        return try CollectionStreamSource(path: absolute(path), node: node)
    case "text_file":
        let paths = ([spec.path].compactMap { $0 } + (spec.paths ?? [])).map(absolute)
        guard !paths.isEmpty else { throw DataStreamError("text file source '\(node.name)' has no 'path'", node) }
        return try TextFileStreamSource(paths: paths, node: node)
    case "number_sequence":
        guard let from = spec.from, let to = spec.to else {
            throw DataStreamError("number sequence source '\(node.name)' needs 'from' and 'to'", node)
        }
        return NumberSequenceStreamSource(from: from, to: to)
    default:
        throw DataStreamError("source '\(node.name)' has unknown type '\(spec.type)' (known: collection, text_file, number_sequence)", node)
    }
}

/// The contiguous share `subtask` of `parallelism` gets of `count` items: PyFlink splits collections and number
/// sequences this way.
func shareRange(_ count: Int, subtask: Int, parallelism: Int) -> Range<Int> {
    (count * subtask / parallelism)..<(count * (subtask + 1) / parallelism)
}

/// A failure of a DataStream job, naming the node and where the program made it.
public struct DataStreamError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    /// Where the program made the node concerned, when known.
    public let location: StreamLocation?

    init(_ message: String, _ node: StreamNode? = nil) {
        self.message = message
        self.location = node?.location
    }

    /// The message, then where.
    public var description: String { location.map { "\(message) (\($0))" } ?? message }
}
