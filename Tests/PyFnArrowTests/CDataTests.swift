import Testing
@testable import PyFnArrow

@Suite("C Data Interface", .serialized)
struct CDataTests {
    @Test("export → import round trip for every type, whole and sliced; releases free everything")
    func roundTripEveryType() throws {
        let batch = try SampleData.batch(rows: 29)
        for (field, column) in zip(batch.schema.fields, batch.columns) {
            for array in [column, column.slice(3 ..< 20), column.slice(29 ..< 29)] {
                let (schema, exported) = ArrowCData.exportArray(array, field: field)
                let (importedField, imported) = try ArrowCData.importArray(schema: schema, array: exported)
                #expect(exported.pointee.release == nil, "the import moves the array")
                #expect(schema.pointee.release == nil, "the import releases the schema")
                schema.deallocate()
                exported.deallocate()
                #expect(importedField == field)
                #expect(imported.type == array.type)
                #expect(imported.nullCount == array.nullCount, "\(field.name)")
                #expect(imported.values == array.values, "\(field.name)")
                if array.length > 0 { #expect(imported.take([0, 0]).values == array.take([0, 0]).values) }
            }
        }
        #expect(ArrowCData.liveExports.load(ordering: .relaxed) == 0)
    }

    @Test("record batches cross as struct arrays; a kept import holds the export alive")
    func batchRoundTrip() throws {
        let batch = try SampleData.batch(rows: 11).slice(2 ..< 9)
        let (schema, exported) = ArrowCData.exportBatch(batch)
        defer { schema.deallocate(); exported.deallocate() }
        var imported: RecordBatch? = try ArrowCData.importBatch(schema: schema, array: exported)
        #expect(imported!.schema == batch.schema)
        #expect(imported!.columns.map(\.values) == batch.columns.map(\.values))
        #expect(ArrowCData.liveExports.load(ordering: .relaxed) > 0)
        let written = try ArrowStreamWriter.encode([imported!], schema: imported!.schema)
        imported = nil
        #expect(ArrowCData.liveExports.load(ordering: .relaxed) == 0)
        #expect(try ArrowStreamReader.decode(written).1[0].columns.map(\.values) == batch.columns.map(\.values))
    }

    @Test("a consumer that only releases frees the export")
    func releaseWithoutImport() {
        let (schema, array) = ArrowCData.exportArray(.utf8(["a", nil]), field: ArrowField("s", .utf8))
        #expect(ArrowCData.liveExports.load(ordering: .relaxed) == 1)
        array.pointee.release!(array)
        schema.pointee.release!(schema)
        #expect(array.pointee.release == nil && schema.pointee.release == nil)
        #expect(ArrowCData.liveExports.load(ordering: .relaxed) == 0)
        schema.deallocate()
        array.deallocate()
    }
}
