//! The `trove` binary: parses the command line and runs it (see [`cli`]). The command line
//! lives in the binary target, so the library cannot depend on it.

mod cli;

fn main() -> std::process::ExitCode {
    keep_large_blocks();
    cli::main()
}

/// Embedding allocates and frees tensors of tens of megabytes per layer. glibc serves blocks
/// above its mmap threshold with a fresh `mmap` and returns them with `munmap`, and trims the
/// heap's free top, so every layer paid for faulting in zeroed pages: a quarter of embedding
/// time under `perf`. Raising both limits keeps freed blocks for reuse (the process keeps its
/// peak heap instead of handing it back).
fn keep_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 512 << 20);
    }
}
