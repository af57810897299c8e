import Foundation

/// A test CA and certificates made by scripts/make-test-certs.sh in a fresh folder, for TLS tests.
public struct TestCertificates: Sendable {
    /// The folder holding ca.pem and NAME.pem / NAME.key.
    public let folder: String

    /// Makes certificates named `names` for 127.0.0.1, localhost and `addresses`, signed by one new CA.
    public init(_ names: [String], addresses: [String] = []) throws {
        folder = try TestPython.temporaryFolder().path
        for name in names {
            let process = Process()
            process.executableURL = TestPython.repositoryRoot.appendingPathComponent("scripts/make-test-certs.sh")
            process.arguments = [folder, name] + addresses
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "make-test-certs.sh failed for \(name)"])
            }
        }
    }

    /// The CA's certificate.
    public var ca: String { folder + "/ca.pem" }
    /// The certificate `name`.
    public func certificate(_ name: String) -> String { folder + "/\(name).pem" }
    /// The private key of certificate `name`.
    public func key(_ name: String) -> String { folder + "/\(name).key" }
}
