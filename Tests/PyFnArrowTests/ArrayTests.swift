import Testing
@testable import PyFnArrow

@Suite("arrays, builders and batches")
struct ArrayTests {
    @Test func builderRejectsValuesThatDoNotFit() {
        var ints = ArrowArrayBuilder(type: .int8)
        #expect(throws: ArrowError.self) { try ints.append(.int(300)) }
        #expect(throws: ArrowError.self) { try ints.append(.string("7")) }
        try? ints.append(.int(-5))
        #expect(ints.finish().values == [.int(-5)], "a rejected value leaves the builder unchanged")

        var map = ArrowArrayBuilder(type: .map(key: .utf8, value: .int64))
        do {
            try map.append(.map([ArrowMapEntry(key: .null, value: .int(1))]))
            Issue.record("null key accepted")
        } catch {
            #expect("\(error)".contains("null in non-nullable field 'key'"))
        }
        var decimals = ArrowArrayBuilder(type: .decimal128(precision: 5, scale: 2))
        #expect(throws: ArrowError.self) { try decimals.append(.decimal(unscaled: 123_456, scale: 2)) }
        #expect(throws: ArrowError.self) { try decimals.append(.decimal(unscaled: 1, scale: 3)) }
        try? decimals.append(.decimal(unscaled: -15, scale: 1))
        #expect(decimals.finish().values == [.decimal(unscaled: -150, scale: 2)])
        var times = ArrowArrayBuilder(type: .time64(.microsecond))
        #expect(throws: ArrowError.self) { try times.append(.time(5, .nanosecond)) }
        var structs = ArrowArrayBuilder(type: SampleData.point)
        #expect(throws: ArrowError.self) { try structs.append(.struct([.int(1)])) }
    }

    @Test func sliceTakeConcatenateAgreeWithValues() throws {
        for (k, (_, type)) in SampleData.types.enumerated() {
            let column = try SampleData.column(type, rows: 40, period: 2 + k % 4)
            let values = column.values
            let slice = column.slice(5 ..< 31)
            #expect(slice.values == Array(values[5 ..< 31]), "\(type)")
            #expect(slice.nullCount == values[5 ..< 31].filter(\.isNull).count)
            let indices: [Int32] = [25, 0, 0, 13, 7, 7, 1]
            #expect(slice.take(indices).values == indices.map { values[5 + Int($0)] }, "\(type)")
            let joined = try ArrowArray.concatenate([slice, column.slice(0 ..< 3), column.slice(33 ..< 33), column.slice(17 ..< 40)])
            #expect(joined.values == Array(values[5 ..< 31] + values[0 ..< 3] + values[17 ..< 40]), "\(type)")
            #expect(joined.nullCount == joined.values.filter(\.isNull).count)
        }
        #expect(throws: ArrowError.self) { try ArrowArray.concatenate([.int64([1]), .int32([1])]) }
    }

    @Test func fastConstructorsAndTypedAccess() {
        let ints = ArrowArray.int64([10, 20, 30, 40], validity: [true, false, true, true])
        #expect(ints.nullCount == 1 && ints.isNull(1))
        #expect(ints.slice(2 ..< 4).withValues(as: Int64.self) { Array($0) } == [30, 40])
        let doubles = ArrowArray.float64([1.5, 2.5])
        #expect(doubles.withValues(as: Double.self) { $0.reduce(0, +) } == 4)
        let strings = ArrowArray.utf8(["x", nil, "日本"])
        #expect(strings.string(at: 2) == "日本" && strings.string(at: 1) == nil)
        #expect(ArrowArray.binary([[1, 2], nil]).bytes(at: 0) == [1, 2])
        #expect(ArrowArray.boolean([true, false]).value(at: 1) == .bool(false))
    }

    @Test func recordBatchChecksItsColumns() throws {
        let schema = ArrowSchema([ArrowField("a", .int64, nullable: false), ArrowField("b", .utf8)])
        #expect(throws: ArrowError.self) { try RecordBatch(schema: schema, columns: [.int64([1])]) }
        #expect(throws: ArrowError.self) { try RecordBatch(schema: schema, columns: [.int64([1]), .utf8(["x", "y"])]) }
        #expect(throws: ArrowError.self) { try RecordBatch(schema: schema, columns: [.int32([1]), .utf8(["x"])]) }
        #expect(throws: ArrowError.self) {
            try RecordBatch(schema: schema, columns: [.int64([1], validity: [false]), .utf8(["x"])])
        }
        let batch = try RecordBatch(schema: schema, columns: [.int64([1, 2, 3]), .utf8(["x", nil, "z"])])
        let joined = try RecordBatch.concatenate([batch.slice(1 ..< 3), batch.take([2, 0])])
        #expect(joined.length == 4)
        #expect(joined.column(named: "b")!.values == [.null, .string("z"), .string("z"), .string("x")])
    }

    @Test func writerDrainsInPiecesThatConcatenateToOneStream() throws {
        let batch = try SampleData.batch(rows: 10)
        var writer = ArrowStreamWriter(schema: batch.schema)
        var pieces = writer.drain()
        try writer.write(batch)
        pieces += writer.drain()
        try writer.write(batch.slice(3 ..< 7))
        pieces += writer.finish()
        #expect(throws: ArrowError.self) { try writer.write(batch) }
        let (_, batches) = try ArrowStreamReader.decode(pieces)
        #expect(batches.map(\.length) == [10, 4])
        #expect(batches[1].columns.map(\.values) == batch.slice(3 ..< 7).columns.map(\.values))
    }
}
