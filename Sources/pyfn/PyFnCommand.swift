import ArgumentParser

/// `pyfn`: runs SQL job files whose functions are written in Python.
@main
struct PyFnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pyfn",
        abstract: "Run Flink-style SQL jobs whose user-defined functions are written in Python.",
        subcommands: [RunCommand.self, ExplainCommand.self, SubmitCommand.self])
}
