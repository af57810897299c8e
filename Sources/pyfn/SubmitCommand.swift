// `pyfn submit`: the runner a Python program starts (docs/job-submission.md). Request on stdin, collect rows as an
// Arrow IPC stream on stdout, log lines and finally the PYFN-STATUS line on stderr.
import ArgumentParser
import Foundation
import Logging
import PyFnJobs

/// `pyfn submit`: runs the job a Python program describes in JSON on stdin.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Run a job sent by a Python program (pyfn.table) as JSON on stdin; results go to stdout as an Arrow IPC stream.")

    @Option(name: .long, help: "Lowest level of runner and Python log records shown: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    func run() async throws {
        // stdout carries only results: keep the real stdout for them and point descriptor 1 at stderr, so nothing
        // else (a print sink, a stray print) can corrupt the Arrow stream. A reader that goes away is an EPIPE
        // error of the results sink, not a SIGPIPE that kills the runner without a status line.
        signal(SIGPIPE, SIG_IGN)
        let results = dup(STDOUT_FILENO)
        guard results >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else {
            FileHandle.standardError.write(Data("error: cannot set up stdout for results: \(String(cString: strerror(errno)))\n".utf8))
            throw ExitCode.failure
        }
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let request = FileHandle.standardInput.readDataToEndOfFile()
        let status = await Submission.run(request, resultsDescriptor: results)
        close(results)
        FileHandle.standardError.write(Data(status.line.utf8))
        if !status.ok { throw ExitCode.failure }
    }
}
