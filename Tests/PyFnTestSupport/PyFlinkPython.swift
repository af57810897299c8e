import Foundation

/// The interpreter with PyFlink 2.3 (`apache-flink==2.3.0`) that the python.harness = pyflink tests run
/// PyFlink's own worker with; scripts/pyflink-venv.sh makes it.
public enum PyFlinkPython {
    /// `$PYFN_PYFLINK_PYTHON`, else the repository's `.venv-pyflink/bin/python`; nil when neither exists.
    public static let executable: String? = {
        if let python = ProcessInfo.processInfo.environment["PYFN_PYFLINK_PYTHON"], !python.isEmpty { return python }
        let venv = TestPython.repositoryRoot.appendingPathComponent(".venv-pyflink/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }()

    /// Why the PyFlink tests are skipped when ``executable`` is nil.
    public static let missing = "skipped: no PyFlink 2.3 venv (run scripts/pyflink-venv.sh, or set PYFN_PYFLINK_PYTHON)"
}
