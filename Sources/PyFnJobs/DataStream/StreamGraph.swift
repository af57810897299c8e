import Foundation

/// A DataStream program's graph as a job request carries it (`"datastream"`, docs/job-submission.md): sources,
/// Python operators (each a chain of functions the worker runs in one call), and sinks, joined by edges that say
/// how records move between the subtasks of two nodes.
public struct StreamGraph: Decodable, Sendable {
    /// `batch` (a keyed reduce emits one final value per key) or `streaming`.
    public var runtimeMode: String
    /// The nodes, each after the nodes it reads from.
    public var nodes: [StreamNode]

    enum CodingKeys: String, CodingKey {
        case runtimeMode = "runtime_mode"
        case nodes
    }

    /// Whether the job runs in batch mode.
    public var isBatch: Bool { runtimeMode.lowercased() == "batch" }
}

/// Where in the program a node was made.
public struct StreamLocation: Decodable, Sendable, CustomStringConvertible {
    /// The program's file.
    public var file: String
    /// The line in it.
    public var line: Int

    /// `file:line`.
    public var description: String { "\(file):\(line)" }
}

/// One node of the graph.
public struct StreamNode: Decodable, Sendable {
    /// What the node is.
    public enum Kind: String, Decodable, Sendable {
        /// Produces records (``StreamNode/source``).
        case source
        /// Runs a chain of Python functions (``StreamNode/chain``).
        case python
        /// Consumes records (``StreamNode/sink``).
        case sink
    }

    /// The node's id, unique in the graph; edges name it.
    public var id: Int
    /// What the node is.
    public var kind: Kind
    /// The name the program gave (`name()`), or the functions' names.
    public var name: String
    /// How many subtasks run it.
    public var parallelism: Int
    /// The nodes it reads from, with how records move.
    public var inputs: [StreamEdge] = []
    /// The type of the records it emits: a SQL type, or nil for pickled records.
    public var outputType: String?
    /// Sources: what they read.
    public var source: StreamSourceSpec?
    /// Python nodes: base64 of the cloudpickled chain.
    public var chain: String?
    /// Python nodes: whether the input carries keys (the chain starts on a keyed stream).
    public var keyedInput: Bool = false
    /// Python nodes: whether the output carries keys (the chain ends with a key selector, or a batch reduce).
    public var keyedOutput: Bool = false
    /// Python nodes in batch mode whose chain ends with a reduce: only the last value of each key goes on, when
    /// the input ends.
    public var finalPerKey: Bool = false
    /// Python nodes whose chain starts with a KeyedProcessFunction: the node keeps its timers and fires them
    /// (``KeyedTimerLoop``).
    public var timers: Bool = false
    /// Python nodes whose chain assigns event-time timestamps (`__ts`): how their watermark follows them.
    public var watermarks: StreamWatermarkSpec?
    /// Python nodes whose input carries event time (an assigner upstream): the records keep their timestamps
    /// (`__ts`) through the chain, and the node hands its input's watermark on (``ForwardedWatermark``).
    public var eventTime: Bool = false
    /// Sinks: where records go.
    public var sink: StreamSinkSpec?
    /// Where the program made the node.
    public var location: StreamLocation?

    enum CodingKeys: String, CodingKey {
        case id, kind, name, parallelism, inputs, source, chain, sink, location
        case outputType = "output_type"
        case keyedInput = "keyed_input"
        case keyedOutput = "keyed_output"
        case finalPerKey = "final_per_key"
        case timers, watermarks
        case eventTime = "event_time"
    }

    /// Decodes a node; optional fields default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        kind = try c.decode(Kind.self, forKey: .kind)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? "\(kind.rawValue) \(id)"
        parallelism = max(1, try c.decodeIfPresent(Int.self, forKey: .parallelism) ?? 1)
        inputs = try c.decodeIfPresent([StreamEdge].self, forKey: .inputs) ?? []
        outputType = try c.decodeIfPresent(String.self, forKey: .outputType)
        source = try c.decodeIfPresent(StreamSourceSpec.self, forKey: .source)
        chain = try c.decodeIfPresent(String.self, forKey: .chain)
        keyedInput = try c.decodeIfPresent(Bool.self, forKey: .keyedInput) ?? false
        keyedOutput = try c.decodeIfPresent(Bool.self, forKey: .keyedOutput) ?? false
        finalPerKey = try c.decodeIfPresent(Bool.self, forKey: .finalPerKey) ?? false
        timers = try c.decodeIfPresent(Bool.self, forKey: .timers) ?? false
        watermarks = try c.decodeIfPresent(StreamWatermarkSpec.self, forKey: .watermarks)
        eventTime = try c.decodeIfPresent(Bool.self, forKey: .eventTime) ?? false
        sink = try c.decodeIfPresent(StreamSinkSpec.self, forKey: .sink)
        location = try c.decodeIfPresent(StreamLocation.self, forKey: .location)
    }
}

/// An edge into a node: which node's output, and how its records are spread over the reader's subtasks.
public struct StreamEdge: Decodable, Sendable {
    /// How records move from the writer's subtasks to the reader's.
    public enum Partitioning: String, Decodable, Sendable {
        /// Subtask i to subtask i (modulo the reader's parallelism).
        case forward
        /// Records round-robin over the reader's subtasks.
        case rebalance
        /// Records to random subtasks.
        case shuffle
        /// Every record to every subtask.
        case broadcast
        /// By the hash of the record's key (`__key`): `key_by`.
        case hash
        /// To the subtask a `Partitioner` named (`partition_custom`): `__key` holds it as a 4-byte little-endian
        /// Int32.
        case custom
    }

    /// The node written by.
    public var node: Int
    /// How records move.
    public var partitioning: Partitioning
}

/// How a node's watermark follows the event-time timestamps its chain assigns (`assign_timestamps_and_watermarks`).
public struct StreamWatermarkSpec: Decodable, Sendable {
    /// The out-of-orderness in ms (`for_monotonous_timestamps`: 0); nil: no watermarks until the input ends.
    public var outOfOrdernessMs: Int64?

    enum CodingKeys: String, CodingKey {
        case outOfOrdernessMs = "out_of_orderness_ms"
    }
}

/// What a source node reads.
public struct StreamSourceSpec: Decodable, Sendable {
    /// `collection` (an Arrow IPC stream file the program wrote), `text_file` (lines of files), or
    /// `number_sequence` (the longs from `from` to `to`).
    public var type: String
    /// `collection`: the Arrow file; `text_file`: a file or folder.
    public var path: String?
    /// `text_file`: more files or folders.
    public var paths: [String]?
    /// `number_sequence`: the first number.
    public var from: Int64?
    /// `number_sequence`: the last number (included).
    public var to: Int64?
}

/// What a sink node does with records.
public struct StreamSinkSpec: Decodable, Sendable {
    /// `print` (lines on the runner's stdout — the records are strings), `collect` (the Arrow stream of results on
    /// stdout), `file` (lines into part files under `path`), or `table` (typed records into a table through a SQL
    /// sink connector: ``TableStreamSink``).
    public var type: String
    /// `print`: the sink identifier (`print("id")`).
    public var identifier: String?
    /// `file`: the folder.
    public var path: String?
    /// `file`: part file prefix and suffix (OutputFileConfig).
    public var partPrefix: String?
    /// `file`: part file suffix.
    public var partSuffix: String?
    /// `table`: the table's name.
    public var table: String?
    /// `table`: its columns, one per field of a ROW record (or the one column of other records).
    public var columns: [String]?
    /// `table`: the connector's options, as a `CREATE TABLE … WITH (…)` gives them (`'connector' = 'jdbc'`, `'url'`, …).
    public var options: [String: String]?

    enum CodingKeys: String, CodingKey {
        case type, identifier, path, table, columns, options
        case partPrefix = "part_prefix"
        case partSuffix = "part_suffix"
    }
}
