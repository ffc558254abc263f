//! The `trove` binary: parses the command line and runs it (see [`cli`]). The command line
//! lives in the binary target, so the library cannot depend on it.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
