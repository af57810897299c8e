import PyFnArrow
import PyFnRunner
import Synchronization

/// Reads records of a ``LineFormat`` from a ``ByteInput`` into record batches: the engine shared by the
/// filesystem and stdin sources.
///
/// Batches hold at most `batchSize` rows. A bounded input ends at its end. With a `pollInterval` the input is
/// watched: at its current end, the rows read so far go out as a batch, then the reader waits and reads again
/// (a line without its line break yet waits for the rest). With `flushEachRead`, the rows of every read go out at
/// once (standard input: what has been typed or piped so far).
final class LineBatchReader: @unchecked Sendable {
    private let input: any ByteInput
    private let settings: LineFormatSettings
    private let sourceName: String
    private let batchSize: Int
    private let pollInterval: Duration?
    private let flushEachRead: Bool
    private let skipped: SkippedRowCounter
    private var splitter: LineSplitter
    private var builder: RowBatchBuilder
    private var ready: [RecordBatch] = []
    private var finished = false
    private var sawFirstRecord = false

    /// A reader of `input` named `sourceName` in error messages (`name:line: …`).
    init(input: any ByteInput, settings: LineFormatSettings, schema: ArrowSchema, sourceName: String, batchSize: Int,
         pollInterval: Duration?, flushEachRead: Bool, skipped: SkippedRowCounter) {
        self.input = input
        self.settings = settings
        self.sourceName = sourceName
        self.batchSize = max(1, batchSize)
        self.pollInterval = pollInterval
        self.flushEachRead = flushEachRead
        self.skipped = skipped
        splitter = LineSplitter(quote: settings.format.multilineQuote)
        builder = RowBatchBuilder(schema: schema)
    }

    /// The batches as a stream that reads on demand.
    func stream() -> AsyncThrowingStream<RecordBatch, any Error> {
        AsyncThrowingStream(unfolding: { try await self.next() })
    }

    /// The next batch; nil at the end (or when the consuming task is cancelled).
    func next() async throws -> RecordBatch? {
        while true {
            if !ready.isEmpty { return ready.removeFirst() }
            if finished || Task.isCancelled { return nil }
            let chunk = try await input.read()
            if chunk.isEmpty {
                if let pollInterval {
                    flush()
                    if ready.isEmpty {
                        try? await Task.sleep(for: pollInterval)
                    }
                } else {
                    try splitter.finish(handle)
                    flush()
                    finished = true
                }
                continue
            }
            splitter.append(chunk)
            try splitter.forEachRecord(handle)
            if flushEachRead { flush() }
        }
    }

    private func handle(line: Int, record: ArraySlice<UInt8>) throws {
        if !sawFirstRecord {
            sawFirstRecord = true
            if line == 1 && settings.format.isHeader(record) { return }
        }
        do {
            if let invalid = UTF8Validation.decodeError(record) { throw invalid }
            try settings.format.decode(record, into: &builder)
        } catch let error as RowDecodeError {
            if settings.ignoreParseErrors {
                skipped.add()
                return
            }
            throw ConnectorError(Self.message(for: error, in: record, source: sourceName, line: line))
        }
        if builder.count >= batchSize { ready.append(builder.finish()) }
    }

    /// `source:line:column: what (column 'c', value 'v')`, the column the 1-based character position of the
    /// problem in the record (left out when no one place is to blame).
    static func message(for error: RowDecodeError, in record: ArraySlice<UInt8>, source: String, line: Int) -> String {
        var message = "\(source):\(line):"
        if let offset = error.offset { message += "\(UTF8Validation.column(ofByte: offset, in: record)):" }
        message += " \(error.message)"
        if let column = error.column {
            message += " (column '\(column)'" + (error.value.map { ", value '\($0)'" } ?? "") + ")"
        }
        return message
    }

    private func flush() {
        if builder.count > 0 { ready.append(builder.finish()) }
    }
}

/// Counts the rows a source skipped; read from any thread.
final class SkippedRowCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts one more.
    func add() { count.add(1, ordering: .relaxed) }

    /// The count so far.
    var value: Int { count.load(ordering: .relaxed) }
}
