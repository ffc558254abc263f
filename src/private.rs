//! Owner-only permissions for what trove writes: the data folder is `0700` and the store's
//! files are `0600` (documents hold everything synced from the workspaces). New files are
//! created that way; an existing data folder or store with looser modes (from an older trove)
//! is tightened when a writer opens it. A folder that cannot be changed (read-only, owned by
//! someone else) is left alone: the permissions are hardening, not a precondition.

use std::path::Path;

/// Mode of the data folder.
pub const DIR_MODE: u32 = 0o700;
/// Mode of the store's files.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its parents) if missing, then makes `dir` itself owner-only.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    tighten(dir, DIR_MODE);
    Ok(())
}

/// Creates an empty owner-only file at `path` unless it exists (SQLite then opens it as a new
/// database, and gives its `-wal` and `-shm` files the same mode); tightens an existing one.
pub fn prepare_file(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, FILE_MODE);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            tighten(path, FILE_MODE);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Removes group and other permissions from `path` if it has any and `mode` is stricter.
/// Failure (a read-only folder, another owner) is logged, not returned.
pub fn tighten(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let current = meta.permissions().mode() & 0o777;
        if current & !mode == 0 {
            return;
        }
        let wanted = std::fs::Permissions::from_mode(current & mode);
        if let Err(e) = std::fs::set_permissions(path, wanted) {
            tracing::debug!(path = %path.display(), error = %e, "cannot restrict permissions");
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// Whether this process may create and change files in `dir` (false on a read-only mount or
/// a folder it may not write, whatever the mode bits say for root). Asks the kernel, writes
/// nothing.
pub fn writable(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
            return false;
        };
        // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
        unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
    }
    #[cfg(not(unix))]
    {
        !std::fs::metadata(dir).is_ok_and(|m| m.permissions().readonly())
    }
}

/// Group/other permission bits of `path` (0 when unknown or not on unix).
pub fn shared_bits(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o077)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_folder_and_file_are_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        prepare_file(&dir.join("f")).unwrap();
        assert_eq!(mode(&dir.join("f")), 0o600);
    }

    #[test]
    fn loose_modes_are_tightened_never_loosened() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("f");
        std::fs::write(&f, b"x").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        prepare_file(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        assert_eq!(std::fs::read(&f).unwrap(), b"x", "contents kept");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o400)).unwrap();
        tighten(&f, FILE_MODE);
        assert_eq!(mode(&f), 0o400, "a stricter mode stays");
    }
}
