//! Where the recorded API responses are: the one way every fixture test of both crates finds
//! them. The folder is `$TROVE_FIXTURES`, by default `../shared/fixtures` beside the workspace
//! (it is not part of the repository). A test that needs it starts with
//! [`require_fixtures!`](crate::require_fixtures): when the folder is missing, the test says so
//! in one line naming the path and returns; under `CI` it fails instead.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable naming the fixtures folder.
pub const ENV: &str = "TROVE_FIXTURES";

/// The fixtures folder: `$TROVE_FIXTURES`, else `<workspace>/../shared/fixtures`.
pub fn dir() -> PathBuf {
    match std::env::var_os(ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"),
    }
}

/// `dir()/rel`.
pub fn path(rel: &str) -> PathBuf {
    dir().join(rel)
}

/// Whether the fixtures folder exists. When it does not, `test` is reported skipped in one
/// line on stderr (written past the test harness's capture, so it shows), or, under `CI`,
/// this panics: there the fixtures are required.
pub fn present(test: &str) -> bool {
    let dir = dir();
    if dir.is_dir() {
        return true;
    }
    let line = format!(
        "{test}: recorded fixtures not found at {} (set {ENV}); skipped",
        dir.display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{line} — under CI they are required");
    }
    let _ = writeln!(std::io::stderr(), "{line}");
    false
}

/// Returns from the calling test when the recorded fixtures are absent (outside CI), after
/// saying so; fails under `CI`. See [`present`].
#[macro_export]
macro_rules! require_fixtures {
    () => {
        if !$crate::fixtures::present(module_path!()) {
            return;
        }
    };
}
