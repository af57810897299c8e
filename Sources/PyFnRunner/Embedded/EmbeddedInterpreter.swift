import Foundation
import Synchronization

/// The CPython interpreter embedded in this process for embedded mode — one per process, as CPython allows.
///
/// It lives on a thread of its own: the interpreter is started there, and every call into Python runs there as a
/// job, taking the GIL for the job and handing it back afterwards (so Python threads of user code run between
/// jobs). Swift tasks never block on the GIL; they await their job.
final class EmbeddedInterpreter: Sendable {
    /// The interpreter it was started as (`python.executable`).
    let interpreter: String
    private let thread = PythonThread()
    /// The loaded library once started, or why it could not start.
    private let state = Mutex<Result<LibPython, PyFnError>?>(nil)

    private static let current = Mutex<EmbeddedInterpreter?>(nil)

    private init(interpreter: String) {
        self.interpreter = interpreter
    }

    /// The process's interpreter, started on first use as `interpreter` (a venv's `bin/python` brings the venv's
    /// packages); throws if it cannot start, or if this process already embeds a different one.
    static func shared(for interpreter: String) throws -> EmbeddedInterpreter {
        let embedded = current.withLock { current -> EmbeddedInterpreter in
            if let current { return current }
            let started = EmbeddedInterpreter(interpreter: interpreter)
            // Its first job, before any other can be submitted.
            started.thread.submit { started.start() }
            current = started
            return started
        }
        guard embedded.interpreter == interpreter else {
            throw PyFnError.workerStartFailed("this process already embeds '\(embedded.interpreter)'; embedded mode runs one Python per process, so '\(interpreter)' (python.executable) cannot start here — use process mode for it")
        }
        return embedded
    }

    /// Runs `body` on the interpreter's thread with the GIL held.
    func run<T: Sendable>(_ body: @escaping @Sendable (PythonCalls) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            thread.submit {
                switch self.state.withLock({ $0 }) {
                case .failure(let error)?:
                    continuation.resume(throwing: error)
                case .success(let api)?:
                    let gil = api.PyGILState_Ensure()
                    defer { api.PyGILState_Release(gil) }
                    continuation.resume(with: Result { try body(PythonCalls(api: api)) })
                case nil:
                    continuation.resume(throwing: PyFnError.workerStartFailed("the embedded interpreter did not start"))
                }
            }
        }
    }

    /// Loads libpython and starts the interpreter (on its thread, first of all jobs).
    private func start() {
        let result: Result<LibPython, PyFnError>
        do {
            result = .success(try load())
        } catch let error as PyFnError {
            result = .failure(error)
        } catch {
            result = .failure(.workerStartFailed("embedded mode cannot start '\(interpreter)': \(error)"))
        }
        state.withLock { $0 = result }
    }

    private func load() throws -> LibPython {
        let (library, programName) = try LibPython.locate(interpreter: interpreter)
        let api = try LibPython(path: library)
        if api.Py_IsInitialized() == 0 {
            // The name must outlive the interpreter: it is never freed.
            guard let name = api.Py_DecodeLocale(programName, nil) else {
                throw PyFnError.workerStartFailed("cannot decode the interpreter path '\(programName)'")
            }
            api.Py_SetProgramName(name)
            api.Py_InitializeEx(0)  // 0: leave this process's signal handlers alone
            _ = api.PyEval_SaveThread()
        }
        return api
    }
}

/// A thread that runs jobs one at a time, in order.
private final class PythonThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    init() {
        let thread = Thread { [self] in serve() }
        thread.name = "pyfn-python"
        thread.stackSize = 16 << 20  // deep Python recursion needs more than a default thread stack
        thread.start()
    }

    func submit(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

/// A Python object the caller owns a reference to; used and released only on the interpreter's thread.
struct PythonObject: @unchecked Sendable {
    fileprivate let pointer: LibPython.Object
}

/// An argument of a call into Python.
enum PythonArgument: Sendable {
    /// A `str`.
    case string(String)
    /// A `bytes`.
    case bytes(Data)
    /// An `int` holding a memory address (of a C Data Interface struct).
    case address(UInt)
}

/// Calls into Python, for jobs on the interpreter's thread (which holds the GIL while they run).
struct PythonCalls {
    let api: LibPython

    /// `import name`.
    func importModule(_ name: String) throws -> PythonObject {
        guard let module = api.PyImport_ImportModule(name) else { throw error("import \(name)") }
        return PythonObject(pointer: module)
    }

    /// `object.attribute(arguments…)`, or `object(arguments…)` without an attribute.
    func call(_ object: PythonObject, _ attribute: String? = nil, _ arguments: [PythonArgument] = []) throws -> PythonObject {
        var callable = object.pointer
        if let attribute {
            guard let found = api.PyObject_GetAttrString(object.pointer, attribute) else { throw error("\(attribute)") }
            callable = found
        }
        defer { if attribute != nil { api.Py_DecRef(callable) } }
        guard let tuple = api.PyTuple_New(arguments.count) else { throw error("building arguments") }
        defer { api.Py_DecRef(tuple) }
        for (index, argument) in arguments.enumerated() {
            guard let value = make(argument) else { throw error("argument \(index + 1) of \(attribute ?? "a call")") }
            _ = api.PyTuple_SetItem(tuple, index, value)  // steals the reference
        }
        guard let result = api.PyObject_CallObject(callable, tuple) else { throw error(attribute ?? "a call") }
        return PythonObject(pointer: result)
    }

    /// The contents of a `bytes`.
    func bytes(_ object: PythonObject) throws -> Data {
        var buffer: UnsafeMutablePointer<CChar>?
        var length = 0
        guard api.PyBytes_AsStringAndSize(object.pointer, &buffer, &length) == 0, let buffer else { throw error("reading bytes") }
        return Data(bytes: buffer, count: length)
    }

    /// The text of a `str`.
    func string(_ object: PythonObject) throws -> String {
        var length = 0
        guard let text = api.PyUnicode_AsUTF8AndSize(object.pointer, &length) else { throw error("reading a str") }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// Gives up the caller's reference.
    func release(_ object: PythonObject) {
        api.Py_DecRef(object.pointer)
    }

    private func make(_ argument: PythonArgument) -> LibPython.Object? {
        switch argument {
        case .string(let text):
            var text = text
            return text.withUTF8 { api.PyUnicode_FromStringAndSize(UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), $0.count) }
        case .bytes(let data):
            return data.withUnsafeBytes { api.PyBytes_FromStringAndSize($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count) }
        case .address(let address):
            return api.PyLong_FromUnsignedLongLong(UInt64(address))
        }
    }

    /// The pending Python exception as `PyFnError.functionFailed("<what> failed: Type: message")`, cleared.
    private func error(_ what: String) -> PyFnError {
        var type: LibPython.Object?
        var value: LibPython.Object?
        var traceback: LibPython.Object?
        api.PyErr_Fetch(&type, &value, &traceback)
        defer {
            api.Py_DecRef(type)
            api.Py_DecRef(value)
            api.Py_DecRef(traceback)
        }
        var text = "unknown error"
        if let type, let name = api.PyObject_GetAttrString(type, "__name__") {
            text = (try? string(PythonObject(pointer: name))) ?? text
            api.Py_DecRef(name)
        }
        if let value, let message = api.PyObject_Str(value) {
            if let body = try? string(PythonObject(pointer: message)), !body.isEmpty { text += ": " + body }
            api.Py_DecRef(message)
        }
        return PyFnError.functionFailed("embedded Python: \(what) failed: \(text)")
    }
}
