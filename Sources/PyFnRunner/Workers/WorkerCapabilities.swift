/// The Fn API capabilities a worker can declare (Beam's `beam:protocol:*` URNs). A worker's environment
/// declares them (``PythonOptions/workerCapabilities``), and the harness confirms them in the
/// ``header`` of its Control call; the runner uses a protocol feature only when both did, so a harness of
/// another kind behind a `python.executable` wrapper is never sent what it would ignore.
public enum WorkerCapability {
    /// The gRPC metadata header of a Control call listing the capabilities the harness declares, space-separated.
    public static let header = "pyfn-capabilities"

    /// The worker reads a bundle's input from `ProcessBundleRequest.elements` (and may answer with its output
    /// in `ProcessBundleResponse.elements`) instead of the Data stream. Beam's Python harness does not declare
    /// it and waits on the Data stream for input sent that way.
    public static let controlRequestElementsEmbedding = "beam:protocol:control_request_elements_embedding:v1"

    /// What PyFn's own harness (`python -m pyfn.worker`) declares.
    public static let pyfnHarness: Set<String> = [controlRequestElementsEmbedding]
}
