// Runs a Python program's job request end to end: build, run, stream collect rows, and say how it ended.
import Foundation
import Logging
import PyFnRunner
import Synchronization

/// `pyfn submit` without its process plumbing: the request's bytes in, collect rows to a file descriptor, a
/// status out.
public enum Submission {
    /// Builds and runs the job of `requestBytes`, writing a collect query's rows as an Arrow IPC stream to
    /// `resultsDescriptor`; never throws — every failure is a ``SubmissionStatus/failed(_:)`` with its kind and
    /// the program's location.
    public static func run(_ requestBytes: Data, resultsDescriptor: Int32, logger: Logger = Logger(label: "pyfn.worker")) async -> SubmissionStatus {
        let dataStream: DataStreamJob?
        do {
            dataStream = try DataStreamSubmission.job(fromRequest: requestBytes)
        } catch {
            return .failed(SubmissionError(.validation, "\(error)", at: (error as? DataStreamError)?.submissionLocation))
        }
        if let dataStream { return await run(dataStream, resultsDescriptor: resultsDescriptor, logger: logger) }
        let submitted: SubmittedJob
        do {
            submitted = try SubmittedJob(try SubmissionRequest.decode(requestBytes))
        } catch let error as SubmissionError {
            return .failed(error)
        } catch {
            return .failed(SubmissionError(.validation, "\(error)"))
        }
        let progress = JobProgress()
        guard let job = submitted.job else { return .succeeded(seconds: progress.elapsedSeconds, rowsIn: 0, rowsOut: 0, rowsSkipped: 0) }
        let sink = job.collectPlan.map { _ in ArrowStreamSink(descriptor: resultsDescriptor, changelog: submitted.streaming) }
        let current = Mutex<InsertPlan?>(nil)
        do {
            try await job.run(parallelism: submitted.parallelism, progress: progress, logger: logger, collectInto: sink,
                              onPlanStart: { plan in current.withLock { $0 = plan } })
            try await sink?.finish()
        } catch {
            let location = current.withLock { $0 }.flatMap { submitted.location(of: $0) }
            return .failed(SubmissionError(.execution, "\(error)", at: location))
        }
        let counts = progress.snapshot
        return .succeeded(seconds: progress.elapsedSeconds, rowsIn: counts.rowsIn, rowsOut: counts.rowsOut, rowsSkipped: counts.rowsSkipped)
    }

    /// Runs a DataStream program's job (a request with `"datastream"`).
    private static func run(_ job: DataStreamJob, resultsDescriptor: Int32, logger: Logger) async -> SubmissionStatus {
        let progress = JobProgress()
        do {
            try await DataStreamSubmission.run(job, resultsDescriptor: resultsDescriptor, progress: progress, logger: logger)
        } catch {
            return .failed(SubmissionError(.execution, (error as? DataStreamError)?.message ?? "\(error)",
                                           at: (error as? DataStreamError)?.submissionLocation))
        }
        let counts = progress.snapshot
        return .succeeded(seconds: progress.elapsedSeconds, rowsIn: counts.rowsIn, rowsOut: counts.rowsOut, rowsSkipped: 0)
    }
}

extension DataStreamError {
    /// Where the program made the node concerned, as a submission status names it.
    var submissionLocation: SubmissionRequest.Location? { location.map { .init(file: $0.file, line: $0.line) } }
}
