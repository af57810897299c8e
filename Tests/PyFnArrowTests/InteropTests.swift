import Foundation
import Testing
@testable import PyFnArrow

@Suite("pyarrow interop")
struct InteropTests {
    /// Writes `batches` with Swift, has pyarrow read and dump them, compares with the Swift values.
    private func checkPyArrowReads(_ batches: [RecordBatch], schema: ArrowSchema) throws {
        let directory = try PyArrow.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stream = directory.appendingPathComponent("swift.arrows")
        try Data(ArrowStreamWriter.encode(batches, schema: schema)).write(to: stream)
        let dump = directory.appendingPathComponent("dump.json")
        try PyArrow.run(["dump", stream.path, dump.path])
        let theirs = try CanonicalDump.load(dump)
        let ours = CanonicalDump(schema: schema, batches: batches)
        #expect(theirs.fields == ours.fields)
        #expect(theirs.metadata == ours.metadata)
        #expect(theirs.batches.count == ours.batches.count)
        for (b, (theirBatch, ourBatch)) in zip(theirs.batches, ours.batches).enumerated() {
            for (c, (theirColumn, ourColumn)) in zip(theirBatch, ourBatch).enumerated() {
                #expect(theirColumn == ourColumn, "batch \(b) column \(schema.fields[c].name)")
            }
        }
    }

    @Test("Swift writes every type, pyarrow reads equal values")
    func swiftWritesEveryType() throws {
        let batch = try SampleData.batch(rows: 37)
        try checkPyArrowReads([batch, batch.slice(0 ..< 0), try SampleData.batch(rows: 1)], schema: batch.schema)
    }

    @Test("Swift writes sliced arrays (offsets not multiples of 8), pyarrow reads the windows")
    func swiftWritesSlices() throws {
        let batch = try SampleData.batch(rows: 61)
        let slices = [batch.slice(3 ..< 20), batch.slice(13 ..< 14), batch.slice(20 ..< 61), batch.slice(61 ..< 61)]
        try checkPyArrowReads(slices, schema: batch.schema)
        // A slice of a take of a concatenation, to cover those paths too.
        let mixed = try RecordBatch.concatenate([batch.slice(5 ..< 17), batch.slice(1 ..< 9)]).take([3, 3, 0, 19, 7, 11, 2])
        try checkPyArrowReads([mixed.slice(1 ..< 6), mixed], schema: batch.schema)
    }

    @Test("Swift writes fast-constructor columns and an empty stream")
    func swiftWritesFastColumns() throws {
        let schema = ArrowSchema([ArrowField("a", .int64), ArrowField("b", .float64), ArrowField("s", .utf8),
                                  ArrowField("flag", .boolean), ArrowField("raw", .binary), ArrowField("n", .int32, nullable: false)])
        let batch = try RecordBatch(schema: schema, columns: [
            .int64([1, -2, .max, .min, 0], validity: [true, false, true, true, true]),
            .float64([0.5, -0, .infinity, -.infinity, 1e-300]),
            .utf8(["", nil, "ünïcödé", "x", "🙂"]),
            .boolean([true, false, true, true, false], validity: [true, true, false, true, true]),
            .binary([[], [0, 255], nil, [1], [2, 3, 4]]),
            .int32([1, 2, 3, 4, 5]),
        ])
        try checkPyArrowReads([batch.slice(1 ..< 5), batch], schema: schema)
        try checkPyArrowReads([], schema: schema)
    }

    @Test("pyarrow writes every type, slices and many batches; Swift reads equal values in any chunking")
    func pyarrowWrites() throws {
        let directory = try PyArrow.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try PyArrow.run(["generate", directory.path])
        for name in ["all_types", "sliced", "multi", "empty"] {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent("\(name).arrows")))
            let expected = try CanonicalDump.load(directory.appendingPathComponent("\(name).json"))
            let (schema, batches) = try ArrowStreamReader.decode(bytes)
            let ours = CanonicalDump(schema: schema, batches: batches)
            #expect(ours.fields == expected.fields, "\(name) schema")
            #expect(ours.metadata == expected.metadata, "\(name) metadata")
            #expect(ours.batches == expected.batches, "\(name) values")

            for chunkSize in [1, 7, 4096] where bytes.count < 20_000 || chunkSize > 1 {
                var reader = ArrowStreamReader()
                var incremental: [RecordBatch] = []
                var start = 0
                while start < bytes.count {
                    reader.append(bytes[start ..< min(start + chunkSize, bytes.count)])
                    start += chunkSize
                    while let batch = try reader.nextBatch() { incremental.append(batch) }
                }
                #expect(reader.isFinished)
                #expect(CanonicalDump(schema: reader.schema!, batches: incremental) == ours, "\(name) in \(chunkSize)-byte chunks")
            }
        }
    }
}
