// Each worker's credential: 32 random bytes as hex, made when the worker is announced, sent by the worker on
// every Fn API call, and compared in constant time. Worker ids are guessable (they show in `ps`); secrets are not.

/// A worker's secret credential. Its description never shows the value, so it cannot leak into logs or errors.
public struct WorkerSecret: Sendable, CustomStringConvertible {
    /// The header a worker sends it in.
    public static let header = "pyfn-worker-secret"
    /// The secret as 64 lowercase hex digits (256 bits from the system's cryptographic random source).
    public let value: String

    /// A fresh random secret.
    public init() {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        for _ in 0..<4 {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        value = bytes.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined()
    }

    /// Whether `candidate` is this secret, in time that depends only on the candidate's length.
    public func matches(_ candidate: String) -> Bool {
        let expected = Array(value.utf8), given = Array(candidate.utf8)
        var difference = UInt8(expected.count == given.count ? 0 : 1)
        for index in 0..<given.count {
            difference |= given[index] ^ expected[index % expected.count]
        }
        return difference == 0
    }

    /// "<secret>": the value is never printed.
    public var description: String { "<secret>" }
}
