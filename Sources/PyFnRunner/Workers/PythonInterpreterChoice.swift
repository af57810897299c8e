// Which Python runs the workers when python.executable is not set, and a check that it has the worker package.
import Foundation

/// The interpreter a job's workers run, and where it was found, in this order: `python.executable`;
/// `$PYFN_PYTHON` (the `.venv/bin/pyfn` launcher sets it to its own venv's python); the `python` beside the `pyfn`
/// binary when that lives in a venv's `bin/`; the active venv (`$VIRTUAL_ENV/bin/python`); the nearest
/// `.venv/bin/python` above the working directory; else `python3` on the PATH.
public struct PythonInterpreterChoice: Sendable {
    /// The interpreter (a path, or `python3` to be looked up on the PATH).
    public let python: String
    /// How it was chosen, for messages (e.g. "the active venv ($VIRTUAL_ENV)").
    public let origin: String

    /// The choice for `options` in this process's environment.
    public init(options: PythonOptions) {
        let environment = ProcessInfo.processInfo.environment
        let files = FileManager.default
        func venvPython(_ folder: URL) -> String? {
            let python = folder.appendingPathComponent("bin/python").path
            return files.isExecutableFile(atPath: python) ? python : nil
        }
        if let executable = options.executable {
            (python, origin) = (executable, "python.executable")
        } else if let fromEnvironment = environment["PYFN_PYTHON"], !fromEnvironment.isEmpty {
            (python, origin) = (fromEnvironment, "$PYFN_PYTHON")
        } else if let binary = Self.executableFolder, files.fileExists(atPath: binary.deletingLastPathComponent().appendingPathComponent("pyvenv.cfg").path),
                  let beside = venvPython(binary.deletingLastPathComponent()) {
            (python, origin) = (beside, "the venv the pyfn binary is in")
        } else if let active = environment["VIRTUAL_ENV"], !active.isEmpty, let inVenv = venvPython(URL(fileURLWithPath: active)) {
            (python, origin) = (inVenv, "the active venv ($VIRTUAL_ENV)")
        } else if let nearest = Self.nearestVenvPython(from: URL(fileURLWithPath: files.currentDirectoryPath)) {
            (python, origin) = (nearest, "the nearest .venv above the working directory")
        } else {
            (python, origin) = ("python3", "python3 on the PATH (no python.executable, no venv found)")
        }
    }

    /// The folder of the running binary (resolved through symlinks).
    private static var executableFolder: URL? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
        }
        return URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    private static func nearestVenvPython(from start: URL) -> String? {
        var folder = start
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(".venv/bin/python").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    /// Throws ``PyFnError/workerStartFailed(_:)`` naming the interpreter, how it was chosen and how to fix it when
    /// `path` (this choice, located) cannot import the `pyfn` package. Costs one interpreter start (about 20 ms):
    /// `importlib.util.find_spec` only, nothing of the package runs.
    public func checkWorkerPackage(at path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('pyfn') else 3)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw PyFnError.workerStartFailed("cannot run the Python interpreter '\(path)' (chosen from \(origin)): \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus != 0 else { return }
        throw PyFnError.workerStartFailed(
            "the Python interpreter '\(path)' (chosen from \(origin)) has no 'pyfn' package, so it cannot run PyFn's workers. "
            + "Activate the venv that scripts/setup.sh made (source .venv/bin/activate), set 'python.executable' to a Python "
            + "that has the package, or install it into this one: '\(path)' -m pip install -e <pyfn checkout>/worker")
    }
}
