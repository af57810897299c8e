import Foundation
import PyFnJobs
import PyFnTestSupport
import Testing

/// Built-in and Python aggregates in one GROUP BY, and a GROUP BY over the rows of another (the outer Python
/// aggregates take back the inner groups' old values with `retract`): real workers, results checked against sums
/// computed here from the same rows.
@Suite(.serialized) struct MixedAndNestedGroupByTests {
    typealias Base = PythonAggregateJobTests

    /// The input's rows as (category, word, n), n nil for an empty field.
    static var inputRows: [(category: String, word: String, n: Int64?)] {
        Base.input.split(separator: "\n").map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return (fields[0], fields[1], Int64(fields[2]))
        }
    }

    @Test(arguments: [1, 2]) func builtInsAndPythonAggregatesShareOneGroupBy(parallelism: Int) async throws {
        let (job, folder) = try Base.job(
            "SELECT category, COUNT(*), SUM(n), py_total(n), MIN(n), MAX(word), AVG(n), COUNT(n), longest(word) FROM src GROUP BY category",
            csv: Base.input,
            sinkColumns: "category STRING, c BIGINT, s BIGINT, t BIGINT, lo BIGINT, hi STRING, av DOUBLE, cn BIGINT, l STRING")
        #expect(job.explain().contains("python  aggregate operator by 1 key"), "\(job.explain())")
        try await job.run(parallelism: parallelism)
        var expected: [String] = []
        for category in Set(Self.inputRows.map(\.category)).sorted() {
            let rows = Self.inputRows.filter { $0.category == category }
            let numbers = rows.compactMap(\.n)
            let words = rows.map(\.word)
            let longest = words.reduce("") { $1.count > $0.count ? $1 : $0 }
            let average = Double(numbers.reduce(0, +)) / Double(numbers.count)
            expected.append("\(category),\(rows.count),\(numbers.reduce(0, +)),\(numbers.reduce(0, +)),\(numbers.min()!),\(words.max()!),"
                            + "\(average),\(numbers.count),\(longest)")
        }
        #expect(try Base.rows(folder) == expected.sorted())
    }

    /// The words' totals change bundle after bundle; each change moves a word from one bucket to another, which the
    /// outer aggregates take back from the old bucket. Buckets left empty are not in the result.
    @Test(arguments: [1, 2]) func anAggregateOfAnAggregateTakesBackTheOldValues(parallelism: Int) async throws {
        let (job, folder) = try Base.job(
            "SELECT total % 500 AS bucket, COUNT(*), py_rsum(total), SUM(total), MAX(total) FROM "
                + "(SELECT word, py_total(n) AS total FROM src GROUP BY word) GROUP BY bucket",
            csv: Base.input, sinkColumns: "bucket BIGINT, words BIGINT, s BIGINT, s2 BIGINT, hi BIGINT", bundleSize: 300)
        try await job.run(parallelism: parallelism)
        var totals: [String: Int64] = [:]
        for row in Self.inputRows { totals[row.word, default: 0] += row.n ?? 0 }
        var buckets: [Int64: [Int64]] = [:]
        for total in totals.values { buckets[total % 500, default: []].append(total) }
        let expected = buckets.map { bucket, values in
            "\(bucket),\(values.count),\(values.reduce(0, +)),\(values.reduce(0, +)),\(values.max()!)"
        }
        #expect(try Base.rows(folder) == expected.sorted())
    }

    /// A worker killed mid-job (at the first row of value 13) is replaced; the bundles it had not finished are run
    /// again from the state the runner committed, so no row counts twice and none is lost.
    @Test(arguments: [1, 2]) func aWorkerKilledMidJobLeavesTheResultsExact(parallelism: Int) async throws {
        let marker = try TestPython.temporaryFolder()
        let files = Base.udfs + "," + TestPython.repositoryRoot.appendingPathComponent("Tests/PyFnRunnerTests/python").path
        let (job, folder) = try Base.job(
            "SELECT category, COUNT(*), crash_total(n), SUM(n) FROM src GROUP BY category", csv: Base.input,
            sinkColumns: "category STRING, c BIGINT, t BIGINT, s BIGINT", bundleSize: 200,
            settings: """
                SET 'python.files' = '\(files)';
                SET 'pipeline.global-job-parameters' = 'marker_dir:\(marker.path)';
                CREATE FUNCTION crash_total AS 'aggregate_udfs.crash_once_total' LANGUAGE PYTHON;
                """)
        try await job.run(parallelism: parallelism)
        #expect(FileManager.default.fileExists(atPath: marker.appendingPathComponent("crashed").path))
        var expected: [String] = []
        for category in Set(Self.inputRows.map(\.category)).sorted() {
            let rows = Self.inputRows.filter { $0.category == category }
            let sum = rows.compactMap(\.n).reduce(0, +)
            expected.append("\(category),\(rows.count),\(sum),\(sum)")
        }
        #expect(try Base.rows(folder) == expected.sorted())
    }

    @Test func aPythonAggregateWithoutRetractOverGroupedRowsIsRefusedNamingItAndItsLine() throws {
        var message = ""
        do {
            _ = try Base.job("SELECT total % 2 AS parity, py_total(total), 'x' FROM "
                                + "(SELECT word, py_total(n) AS total FROM src GROUP BY word) GROUP BY parity",
                             csv: Base.input)
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("the Python aggregate 'py_total' (") && message.contains("udfs_aggregates.py:"), "\(message)")
        #expect(message.contains("has no retract()") && message.lowercased().contains("'py_total(total)'"), "\(message)")
        #expect(message.contains("job.sql:"), "\(message)")
    }
}
