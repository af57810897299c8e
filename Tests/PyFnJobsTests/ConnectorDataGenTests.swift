import Foundation
import Testing
import PyFnArrow
import PyFnRunner
@testable import PyFnJobs

@Suite("datagen connector")
struct ConnectorDataGenTests {
    func source(_ columns: [SQLField], _ options: [String: String]) throws -> DataGenSource {
        try DataGenSource(TableDefinition(name: "gen", columns: columns, options: ["connector": "datagen"].merging(options) { $1 },
                                          baseDirectory: "/tmp"))
    }

    @Test func sequencesAreInclusiveAndBoundTheRowCount() async throws {
        let gen = try source([SQLField("id", .int), SQLField("seq", .string), SQLField("price", .decimal(6, 2))], [
            "fields.id.kind": "sequence", "fields.id.start": "5", "fields.id.end": "14",
            "fields.seq.kind": "sequence", "fields.seq.start": "100", "fields.seq.end": "1000",
            "fields.price.kind": "sequence", "fields.price.start": "1", "fields.price.end": "20",
        ])
        #expect(gen.isBounded && gen.rowCount == 10)
        let rows = try await connectorRows(gen, batchSize: 3)
        #expect(rows.map { $0[0] } == (5...14).map { ArrowValue.int($0) })
        #expect(rows.map { $0[1] } == (100...109).map { ArrowValue.string(String($0)) })
        #expect(rows.map { $0[2] } == (1...10).map { ArrowValue.decimal(unscaled: Int128($0) * 100, scale: 2) })
    }

    @Test func randomValuesStayInRangeAndFollowTheSeed() async throws {
        let columns = [SQLField("small", .tinyint), SQLField("big", .bigint), SQLField("x", .double), SQLField("f", .float),
                       SQLField("name", .string), SQLField("code", .string), SQLField("flag", .boolean), SQLField("at", .timestamp(3)),
                       SQLField("day", .date), SQLField("t", .time(0)), SQLField("maybe", .int)]
        let options = ["number-of-rows": "2500", "seed": "42",
                       "fields.small.min": "-3", "fields.small.max": "3", "fields.big.min": "1000", "fields.big.max": "1000000",
                       "fields.x.min": "-1.5", "fields.x.max": "2.5", "fields.code.length": "5",
                       "fields.at.max-past": "1h", "fields.maybe.null-rate": "0.5"]
        let gen = try source(columns, options)
        let before = Int64(Date().timeIntervalSince1970 * 1_000_000)
        let rows = try await connectorRows(gen, batchSize: 1000)
        let after = Int64(Date().timeIntervalSince1970 * 1_000_000)
        #expect(rows.count == 2500)
        var nulls = 0
        for row in rows {
            guard case .int(let small) = row[0], case .int(let big) = row[1], case .float(let x) = row[2], case .float(let f) = row[3],
                  case .string(let name) = row[4], case .string(let code) = row[5], case .bool = row[6],
                  case .timestamp(let at, _) = row[7], case .date = row[8], case .time(let t, _) = row[9] else {
                Issue.record("unexpected row \(row)")
                return
            }
            #expect((-3...3).contains(small) && (1000...1_000_000).contains(big) && (-1.5...2.5).contains(x) && (0...1).contains(f))
            #expect(name.count == 100 && code.count == 5 && (name + code).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(at >= before - 3_600_000_000 && at <= after)
            #expect(t % 1_000_000 == 0 && t >= 0 && t < 86_400_000_000, "TIME(0) has whole seconds")
            if row[10] == .null { nulls += 1 }
        }
        #expect(Set(rows.map { $0[0] }).count == 7, "every small value shows up")
        #expect((1000...1500).contains(nulls), "about half NULL: \(nulls)")
        let again = try await connectorRows(try source(columns, options), batchSize: 700)
        #expect(again.map { Array($0[0...6]) } == rows.map { Array($0[0...6]) }, "the same seed gives the same rows, whatever the batch size")
    }

    @Test func unboundedWithoutARowCountAndPacedByRowsPerSecond() async throws {
        let unbounded = try source([SQLField("v", .bigint)], [:])
        #expect(!unbounded.isBounded)
        var seen = 0
        for try await batch in unbounded.batches(batchSize: 500) {
            seen += batch.length
            if seen >= 2000 { break }
        }
        #expect(seen == 2000)

        let paced = try source([SQLField("v", .int)], ["number-of-rows": "30", "rows-per-second": "200"])
        let clock = ContinuousClock()
        let start = clock.now
        let rows = try await connectorRows(paced, batchSize: 1000)
        let elapsed = clock.now - start
        #expect(rows.count == 30)
        #expect(elapsed >= .milliseconds(90) && elapsed < .seconds(2), "30 rows at 200/s in batches of 20: the second is due at 100 ms (\(elapsed))")
    }

    @Test func rejectsBadFieldOptions() async {
        var message = await connectorErrorMessage { _ = try source([SQLField("id", .int)], ["fields.id.kind": "sequence", "fields.id.start": "1"]) }
        #expect(message.contains("column 'id'") && message.contains("'fields.id.end'"))
        message = await connectorErrorMessage { _ = try source([SQLField("id", .int)], ["fields.id.length": "3"]) }
        #expect(message.contains("unsupported option 'fields.id.length'"))
        message = await connectorErrorMessage { _ = try source([SQLField("id", .tinyint)], ["fields.id.max": "1000"]) }
        #expect(message.contains("'fields.id.max'"))
        message = await connectorErrorMessage { _ = try source([SQLField("tags", .array(.string))], [:]) }
        #expect(message.contains("column 'tags'"))
    }
}
