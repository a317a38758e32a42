import AIMSBridge
import ArgumentParser

/// The `aims` command: a thin layer over the AIMSBridge library.
@main
struct AIMS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aims",
        abstract: "Convert AI-governance exports into one canonical ISO/IEC 42001 register.",
        version: "0.1.0",
        subcommands: [Convert.self]
    )
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
