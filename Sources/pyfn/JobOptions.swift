import ArgumentParser
import Foundation
import PyFnJobs

/// Options shared by `run` and `explain`.
struct JobFileOptions: ParsableArguments {
    @Argument(help: "The SQL job file.")
    var job: String

    @Option(name: .long, help: "Python workers per Python operator; rows are spread across them and GROUP BY is partitioned by key.")
    var parallelism = 1

    @Option(name: .customLong("set"), parsing: .unconditionalSingleValue,
            help: "A setting that wins over the job file's SET, as key=value (e.g. python.fn-execution.bundle.size=10000).")
    var settings: [String] = []

    /// The `--set` values as a dictionary; throws for one without '='.
    func overrides() throws -> [String: String] {
        var result: [String: String] = [:]
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else {
                throw ValidationError("--set takes key=value, not '\(setting)'")
            }
            result[String(setting[..<equals]).trimmingCharacters(in: .whitespaces)] = String(setting[setting.index(after: equals)...])
        }
        return result
    }

    func validate() throws {
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1") }
    }

    /// Loads the job (with `extra` settings over the `--set` ones), printing a job-file error the way compilers do
    /// and exiting non-zero. `headStart`: start the job's Python while it is loaded, to run it next.
    func loadJob(extra: [String: String] = [:], headStart: Bool = false) throws -> Job {
        do {
            return try Job.load(path: job, overrides: try overrides().merging(extra) { $1 }, headStart: headStart)
        } catch let error as SQLError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
