import ArgumentParser
import Foundation
import Logging
import PyFnArrow
import PyFnJobs

/// `pyfn run JOB.sql`: runs a job with a live progress line on stderr and a summary at the end.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a job.")

    @OptionGroup var options: JobFileOptions

    @Option(name: .long, help: "Lowest level of runner and Python log records shown: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    @Flag(name: .long, help: "No progress line (it is shown only when stderr is a terminal).")
    var quiet = false

    @Option(name: .long, help: "Rows of each result table shown at the end (0: none).")
    var show = 40

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let job = try options.loadJob()
        let progress = JobProgress()
        let live = !quiet && isatty(STDERR_FILENO) == 1
        let ticker = !live ? nil : Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                FileHandle.standardError.write(Data("\r\(progress.line)".utf8))
            }
        }
        do {
            try await job.run(parallelism: options.parallelism, progress: progress)
            ticker?.cancel()
        } catch {
            ticker?.cancel()
            FileHandle.standardError.write(Data("\nerror: \(error)\n".utf8))
            throw ExitCode.failure
        }
        if live { FileHandle.standardError.write(Data("\r\(progress.line)\n".utf8)) }
        let counts = progress.snapshot
        print(String(format: "job finished in %.2f s: %d rows read, %d rows written%@", progress.elapsedSeconds, counts.rowsIn, counts.rowsOut,
                     counts.rowsSkipped > 0 ? ", \(counts.rowsSkipped) unparsable rows skipped" : ""))
        if show > 0 {
            for plan in job.plans { try await printTable(plan.sink) }
        }
    }

    /// Reads a result table back (where its connector can) and prints it as a text table.
    private func printTable(_ table: TableDefinition) async throws {
        guard ["sqlite", "filesystem"].contains(table.options["connector"] ?? ""), let source = try? Connectors.source(table) else { return }
        var rows: [[String]] = []
        var total = 0
        for try await batch in source.batches(batchSize: 10_000) {
            total += batch.length
            for row in 0..<batch.length where rows.count < show {
                rows.append(batch.columns.map { column in ResultTable.text(column.value(at: row)) })
            }
        }
        print("\n\(table.name) (\(total) rows\(total > rows.count ? ", first \(rows.count) shown" : ""))")
        print(ResultTable.render(header: table.columns.map(\.name), rows: rows))
    }
}

/// Text tables for the terminal.
enum ResultTable {
    static func text(_ value: ArrowValue) -> String {
        switch value {
        case .null: return "NULL"
        case .string(let s): return s
        case .int(let v): return String(v)
        case .float(let v): return String(format: "%.6g", v)
        case .bool(let v): return v ? "TRUE" : "FALSE"
        default: return "\(value)"
        }
    }

    static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            "| " + zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: " | ") + " |"
        }
        let rule = "+-" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "-+"
        return ([rule, line(header), rule] + rows.map(line) + [rule]).joined(separator: "\n")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
