import AIMSBridge
import ArgumentParser
import Foundation

/// The `aims` command: a thin layer over the AIMSBridge library.
@main
struct AIMS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aims",
        abstract: "Convert AI-governance exports into one canonical ISO/IEC 42001 register, merge registers, and build management-system reports.",
        version: "0.1.0",
        subcommands: [Convert.self, MergeCommand.self, ReportCommand.self, BatchCommand.self, CrosswalkCommand.self, ProfilesCommand.self]
    )

    /// Runs the command, reporting usage errors with exit code 2 (ArgumentParser uses 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                let message = fullMessage(for: error)
                FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// Exit codes, documented in the README.
enum ExitStatus: Int32 {
    /// Everything converted.
    case success = 0
    /// Converted with rejected records (or with warnings under `--strict`).
    case rejects = 1
    /// The command line was wrong.
    case usage = 2
    /// An input could not be read or parsed at all.
    case unreadable = 3
}
