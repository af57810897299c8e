import Foundation

/// The few functions of libpython3 that embedded mode calls, loaded at run time with `dlopen` from the
/// installation of the configured interpreter (`python.executable`), as process mode runs that interpreter.
///
/// Loading at run time rather than linking keeps libpython out of the build: the runner needs no Python headers,
/// works with whichever Python the job names, and only a job that asks for embedded mode loads one. The library is
/// opened with `RTLD_GLOBAL`, so extension modules (numpy, pyarrow) find its symbols as they would in `python`.
/// Every function here is a real exported function of CPython's C API (no macros), so its signature is enough.
struct LibPython: @unchecked Sendable {
    /// A `PyObject *`.
    typealias Object = OpaquePointer

    let Py_DecodeLocale: @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<Int>?) -> UnsafeMutablePointer<wchar_t>?
    let Py_SetProgramName: @convention(c) (UnsafePointer<wchar_t>) -> Void
    let Py_InitializeEx: @convention(c) (Int32) -> Void
    let Py_IsInitialized: @convention(c) () -> Int32
    let PyEval_SaveThread: @convention(c) () -> OpaquePointer?
    let PyGILState_Ensure: @convention(c) () -> Int32
    let PyGILState_Release: @convention(c) (Int32) -> Void
    let PyImport_ImportModule: @convention(c) (UnsafePointer<CChar>) -> Object?
    let PyObject_GetAttrString: @convention(c) (Object, UnsafePointer<CChar>) -> Object?
    let PyObject_CallObject: @convention(c) (Object, Object?) -> Object?
    let PyObject_Str: @convention(c) (Object) -> Object?
    let PyTuple_New: @convention(c) (Int) -> Object?
    let PyTuple_SetItem: @convention(c) (Object, Int, Object) -> Int32
    let PyUnicode_FromStringAndSize: @convention(c) (UnsafePointer<CChar>?, Int) -> Object?
    let PyUnicode_AsUTF8AndSize: @convention(c) (Object, UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>?
    let PyBytes_FromStringAndSize: @convention(c) (UnsafePointer<CChar>?, Int) -> Object?
    let PyBytes_AsStringAndSize: @convention(c) (Object, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, UnsafeMutablePointer<Int>) -> Int32
    let PyLong_FromUnsignedLongLong: @convention(c) (UInt64) -> Object?
    let Py_DecRef: @convention(c) (Object?) -> Void
    let PyErr_Fetch: @convention(c) (UnsafeMutablePointer<Object?>, UnsafeMutablePointer<Object?>, UnsafeMutablePointer<Object?>) -> Void

    /// Opens the library at `path` and resolves every function; throws naming the library and the missing symbol.
    init(path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw PyFnError.workerStartFailed("embedded mode cannot load libpython '\(path)': \(reason)")
        }
        func symbol<T>(_ name: String) throws -> T {
            guard let address = dlsym(handle, name) else {
                throw PyFnError.workerStartFailed("libpython '\(path)' has no '\(name)'; embedded mode needs CPython 3.8 or later")
            }
            return unsafeBitCast(address, to: T.self)
        }
        Py_DecodeLocale = try symbol("Py_DecodeLocale")
        Py_SetProgramName = try symbol("Py_SetProgramName")
        Py_InitializeEx = try symbol("Py_InitializeEx")
        Py_IsInitialized = try symbol("Py_IsInitialized")
        PyEval_SaveThread = try symbol("PyEval_SaveThread")
        PyGILState_Ensure = try symbol("PyGILState_Ensure")
        PyGILState_Release = try symbol("PyGILState_Release")
        PyImport_ImportModule = try symbol("PyImport_ImportModule")
        PyObject_GetAttrString = try symbol("PyObject_GetAttrString")
        PyObject_CallObject = try symbol("PyObject_CallObject")
        PyObject_Str = try symbol("PyObject_Str")
        PyTuple_New = try symbol("PyTuple_New")
        PyTuple_SetItem = try symbol("PyTuple_SetItem")
        PyUnicode_FromStringAndSize = try symbol("PyUnicode_FromStringAndSize")
        PyUnicode_AsUTF8AndSize = try symbol("PyUnicode_AsUTF8AndSize")
        PyBytes_FromStringAndSize = try symbol("PyBytes_FromStringAndSize")
        PyBytes_AsStringAndSize = try symbol("PyBytes_AsStringAndSize")
        PyLong_FromUnsignedLongLong = try symbol("PyLong_FromUnsignedLongLong")
        Py_DecRef = try symbol("Py_DecRef")
        PyErr_Fetch = try symbol("PyErr_Fetch")
    }

    /// Where an interpreter's libpython is, and the interpreter path to give it as its program name (a venv's
    /// `bin/python`, so that the venv's site-packages are on `sys.path`). Asks the interpreter itself.
    static func locate(interpreter: String) throws -> (library: String, programName: String) {
        let script = """
            import os, sys, sysconfig
            print(sys.executable)
            print(sysconfig.get_config_var("Py_ENABLE_SHARED") or 0)
            print(os.path.join(sysconfig.get_config_var("LIBDIR") or "", sysconfig.get_config_var("INSTSONAME") or ""))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw PyFnError.workerStartFailed("cannot run '\(interpreter)' (python.executable) to find its libpython: \(error)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = output.split(separator: "\n").map(String.init)
        guard process.terminationStatus == 0, lines.count >= 3 else {
            throw PyFnError.workerStartFailed("'\(interpreter)' (python.executable) could not say where its libpython is: \(output)")
        }
        guard lines[1] == "1" else {
            throw PyFnError.workerStartFailed("embedded mode needs a Python built with a shared libpython; '\(interpreter)' (python.executable) has none — use process mode or a shared build")
        }
        return (lines[2], lines[0])
    }
}
