//! The `trove` binary: parses the command line and runs it (see `trove::cli`).

fn main() -> std::process::ExitCode {
    trove::cli::main()
}
