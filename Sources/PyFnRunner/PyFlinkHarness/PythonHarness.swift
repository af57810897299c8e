// The `python.harness` setting: which Python worker program runs a job's functions.

/// The Python worker program that runs the functions; it decides the descriptors, coders and capabilities on
/// the wire.
public enum PythonHarness: String, Sendable, CaseIterable {
    /// PyFn's harness (`python -m pyfn.worker`): Arrow batches, every function kind. The default.
    case pyfn
    /// PyFlink 2.3's unmodified worker (`python -m pyflink.fn_execution.beam.beam_boot`): Flink's coders;
    /// scalar, table and Pandas scalar functions written against `pyflink`.
    case pyflink

    /// The harness `settings` ask for; throws naming `python.harness` when its value is neither.
    public init(settings: [String: String]) throws {
        guard let text = settings["python.harness"] else {
            self = .pyfn
            return
        }
        guard let harness = PythonHarness(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw PyFnError.invalidDescriptor("'python.harness' must be 'pyfn' or 'pyflink', not '\(text)'")
        }
        self = harness
    }
}
