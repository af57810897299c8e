import ArgumentParser
import PyFnJobs

/// `pyfn explain JOB.sql`: the operator plan, and which functions run in which Python worker.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Show the operator plan of a job without running it.")

    @OptionGroup var options: JobFileOptions

    func run() async throws {
        let job = try options.loadJob()
        print(job.explain(parallelism: options.parallelism))
    }
}
