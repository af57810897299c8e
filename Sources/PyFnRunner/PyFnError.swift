/// What can go wrong between an operator and its Python workers. Every case carries a message written for
/// the person running the job: what failed, and where.
public enum PyFnError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A function description or bundle descriptor that cannot be run.
    case invalidDescriptor(String)
    /// A worker could not be started or did not connect in time.
    case workerStartFailed(String)
    /// A worker went away while it had work; the message says which worker and how it ended.
    case workerLost(String)
    /// A Python function raised, or returned what its declared type cannot hold; the message comes from the
    /// worker and names the function, the row and the Python traceback.
    case functionFailed(String)
    /// The other side broke the Fn API contract.
    case protocolViolation(String)

    /// The message shown to users.
    public var description: String {
        switch self {
        case .invalidDescriptor(let m): return "invalid function description: \(m)"
        case .workerStartFailed(let m): return "Python worker failed to start: \(m)"
        case .workerLost(let m): return "Python worker lost: \(m)"
        case .functionFailed(let m): return m
        case .protocolViolation(let m): return "Fn API protocol violation: \(m)"
        }
    }
}
