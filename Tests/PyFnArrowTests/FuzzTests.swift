import Foundation
import PyFnTestSupport
import Testing
@testable import PyFnArrow

@Suite("fuzz")
struct FuzzTests {
    /// Small valid streams covering every type, nesting, nulls, slices and the empty stream.
    private static func seeds() throws -> [[UInt8]] {
        let all = try SampleData.batch(rows: 4)
        let schema = ArrowSchema([ArrowField("id", .int64), ArrowField("name", .utf8), ArrowField("ok", .boolean)])
        let simple = try RecordBatch(schema: schema, columns: [.int64([1, 2, 3, 4, 5]), .utf8(["a", nil, "ccc", "", "é"]),
                                                                .boolean([true, false, true, false, true], validity: [true, true, false, true, true])])
        let nestedSchema = ArrowSchema(Array(SampleData.schema.fields.suffix(4)))
        let nested = try SampleData.batch(rows: 9)
        let nestedBatch = try RecordBatch(schema: nestedSchema, columns: Array(nested.columns.suffix(4))).slice(3 ..< 8)
        return [
            try ArrowStreamWriter.encode([all.slice(1 ..< 4)], schema: all.schema),
            try ArrowStreamWriter.encode([simple, simple.slice(1 ..< 4)], schema: schema),
            try ArrowStreamWriter.encode([nestedBatch], schema: nestedSchema),
            try ArrowStreamWriter.encode([], schema: schema),
        ]
    }

    private static let interesting: [UInt32] = [0, 1, 7, 8, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFF8]

    private static func mutate(_ seed: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = seed
        for _ in 0 ..< Int.random(in: 1 ... 3, using: &rng) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0 ..< bytes.count, using: &rng)
            switch Int.random(in: 0 ..< 6, using: &rng) {
            case 0, 1:
                bytes[at] ^= 1 << UInt8.random(in: 0 ..< 8, using: &rng)
            case 2:
                bytes[at] = UInt8.random(in: 0 ... 255, using: &rng)
            case 3:
                let word = interesting.randomElement(using: &rng)!
                let start = min(at & ~3, max(bytes.count - 4, 0))
                for i in 0 ..< min(4, bytes.count - start) { bytes[start + i] = UInt8(truncatingIfNeeded: word >> (8 * UInt32(i))) }
            case 4:
                bytes.removeSubrange(at...)
            default:
                let count = Int.random(in: 1 ... 16, using: &rng)
                bytes.insert(contentsOf: (0 ..< count).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }, at: at)
            }
        }
        return bytes
    }

    /// Reads every value, so a stream that decodes must also be safe to use.
    private static func touch(_ batches: [RecordBatch]) -> Int {
        var seen = 0
        for batch in batches {
            for column in batch.columns {
                for i in 0 ..< column.length where !column.value(at: i).isNull { seen += 1 }
            }
        }
        return seen
    }

    @Test("100,000 random corruptions never crash the reader")
    func randomCorruptions() throws {
        let seeds = try Self.seeds()
        var rng = SeededRandom(seed: 0x5EED_A220)
        var decoded = 0, rejected = 0
        for iteration in 0 ..< 100_000 {
            let bytes = Self.mutate(seeds[iteration % seeds.count], &rng)
            do {
                if iteration % 10 == 0 {
                    var reader = ArrowStreamReader()
                    var start = 0
                    var batches: [RecordBatch] = []
                    while start < bytes.count {
                        let end = min(bytes.count, start + Int.random(in: 1 ... 64, using: &rng))
                        reader.append(bytes[start ..< end])
                        start = end
                        while let batch = try reader.nextBatch() { batches.append(batch) }
                    }
                    _ = Self.touch(batches)
                } else {
                    _ = Self.touch(try ArrowStreamReader.decode(bytes).1)
                }
                decoded += 1
            } catch is ArrowIPCError {
                rejected += 1
            }
        }
        #expect(decoded + rejected == 100_000)
        #expect(rejected > 50_000)
    }
}
