//! The `trove` binary: parses the command line and runs it (see [`cli`]). The command line
//! lives in the binary target, so the library cannot depend on it.

mod cli;

/// mimalloc instead of glibc's malloc. A search's snippets and stored fields allocate many
/// small strings per hit, where glibc's `malloc`/`free` took a quarter of an in-process search
/// under `perf`; with mimalloc the query mix ran 5–15% faster. Embedding allocates tensors of
/// tens of megabytes per layer, which glibc served with a fresh `mmap` each (it needed
/// `mallopt` tuning); mimalloc reuses them, and embedded as fast or faster. Peak memory while
/// indexing went down (`trove bench`: 548 MB against 751 MB).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
