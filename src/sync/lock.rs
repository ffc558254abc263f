//! [`SyncLock`]: one sync per data folder at a time. `<data>/sync.lock` is held with an
//! advisory lock (`flock`) for the whole sync and records who holds it (pid, host, start), so a
//! second `trove sync` (or a server's `--sync-every` round) says who is syncing and where,
//! instead of waiting on SQLite and failing with "database is locked". The kernel drops the
//! lock when the holder exits, however it exits, so a killed sync never leaves a stale lock.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// File name of the sync lock inside the data folder.
pub const SYNC_LOCK_FILE: &str = "sync.lock";

/// Taking the sync lock failed.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another sync is running on this data folder ({holder}; lock file {}): wait for it to finish, or stop it",
        path.display()
    )]
    Busy { path: PathBuf, holder: String },
    #[error("cannot use the sync lock file {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held for the duration of one sync; dropping it releases the lock.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

impl SyncLock {
    /// Takes the lock of `data_dir` (which must exist), or says who holds it.
    pub fn acquire(data_dir: &Path) -> Result<SyncLock, LockError> {
        let path = data_dir.join(SYNC_LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, crate::private::FILE_MODE);
        let mut file = opts.open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    holder: holder(&mut file),
                    path,
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", describe_self()).map_err(io)?;
        Ok(SyncLock { _file: file })
    }
}

/// This process as the lock file records it.
fn describe_self() -> String {
    format!(
        "pid {} on host {} since {}",
        std::process::id(),
        hostname(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
    )
}

/// What the holder wrote, or a note that it wrote nothing readable (yet).
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    if text.trim().is_empty() {
        "holder not recorded".to_owned()
    } else {
        text.trim().to_owned()
    }
}

/// The machine's name (Linux: the kernel's; elsewhere `HOSTNAME` or "unknown").
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_concurrent_sync_says_database_is_locked() {
        let tmp = tempfile::tempdir().unwrap();
        let first = SyncLock::acquire(tmp.path()).unwrap();
        let err = SyncLock::acquire(tmp.path()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, LockError::Busy { .. }), "{msg}");
        assert!(msg.contains("another sync is running"), "{msg}");
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        assert!(msg.contains(&format!("host {}", hostname())), "{msg}");
        assert!(msg.contains(SYNC_LOCK_FILE), "{msg}");
        drop(first);
        // Released on drop (the kernel does the same when a sync is killed).
        let again = SyncLock::acquire(tmp.path()).unwrap();
        drop(again);
    }
}
