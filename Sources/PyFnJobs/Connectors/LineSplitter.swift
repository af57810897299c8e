import Foundation

/// Cuts a byte stream into records at line breaks (`\n` or `\r\n`), keeping line breaks inside a quoted CSV field
/// in their record, and numbers each record by the line it starts on.
struct LineSplitter {
    /// The quote character when quoted fields may span lines.
    let quote: UInt8?
    private var buffer: [UInt8] = []
    private var recordStart = 0
    private var scanned = 0
    private var inQuote = false
    private var linesInRecord = 0
    private var nextLine = 1

    init(quote: UInt8?) { self.quote = quote }

    /// Adds bytes read from the input.
    mutating func append(_ bytes: [UInt8]) {
        if recordStart > 0 && recordStart >= buffer.count / 2 {
            buffer.removeFirst(recordStart)
            scanned -= recordStart
            recordStart = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Calls `body` with each complete record (1-based line number, bytes without the line break); empty lines are
    /// skipped.
    mutating func forEachRecord(_ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        let bytes = buffer  // shares the storage; scanning it while `emit` updates the positions
        let end = bytes.count
        try bytes.withUnsafeBufferPointer { pointer in
            guard let base = pointer.baseAddress else { return }
            while scanned < end {
                guard let found = memchr(base + scanned, 10, end - scanned) else { break }
                let newline = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
                if let quote {
                    var from = scanned
                    while from < newline, let q = memchr(base + from, Int32(quote), newline - from) {
                        inQuote.toggle()
                        from = UnsafeRawPointer(q).assumingMemoryBound(to: UInt8.self) - base + 1
                    }
                }
                scanned = newline + 1
                linesInRecord += 1
                if !inQuote { try emit(end: newline, body) }
            }
        }
    }

    /// Calls `body` with what is left after the input ended (a last line without a line break).
    mutating func finish(_ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        if recordStart < buffer.count { try emit(end: buffer.count, body) }
    }

    private mutating func emit(end: Int, _ body: (Int, ArraySlice<UInt8>) throws -> Void) rethrows {
        var stop = end
        if stop > recordStart && buffer[stop - 1] == 13 { stop -= 1 }
        let line = nextLine
        let start = recordStart
        nextLine += max(linesInRecord, 1)
        linesInRecord = 0
        recordStart = min(end + 1, buffer.count)
        inQuote = false
        let record = buffer[start..<stop]
        if record.contains(where: { $0 != 32 && $0 != 9 }) { try body(line, record) }
    }
}
