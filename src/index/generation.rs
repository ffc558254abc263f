//! [`Generations`]: the index folders under `<data>/index/` and the `CURRENT` pointer.
//!
//! `CURRENT` names the live generation (`gen-000003`). It is replaced by writing a temporary file
//! and renaming it over the old one, which is atomic: a reader sees the old or the new
//! generation, never a half-built one. A swapped-out generation is marked `RETIRED` and kept
//! for `RETIRE_GRACE`, so processes still reading it (a server between two polls of
//! `CURRENT`) keep working; later rebuilds delete it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{io_err, Result, WriterLock};

const CURRENT: &str = "CURRENT";
const LOCK: &str = "writer.lock";
/// Marker file in a generation that has been swapped out.
const RETIRED: &str = "RETIRED";
/// How long a swapped-out generation stays readable (processes poll `CURRENT` far more often).
pub const RETIRE_GRACE: std::time::Duration = std::time::Duration::from_secs(60);
/// An unfinished generation older than the current one is a crashed rebuild after this long.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Time since `path` was last modified, if it exists.
fn age(path: &Path) -> Option<std::time::Duration> {
    std::fs::metadata(path)
        .ok()?
        .modified()
        .ok()?
        .elapsed()
        .ok()
}

/// The generation folders of one data folder.
#[derive(Debug, Clone)]
pub struct Generations {
    data_dir: PathBuf,
    root: PathBuf,
}

impl Generations {
    pub fn new(data_dir: &Path) -> Self {
        Generations {
            data_dir: data_dir.to_owned(),
            root: data_dir.join("index"),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The live generation folder, if one exists.
    pub fn current(&self) -> Result<Option<PathBuf>> {
        let path = self.root.join(CURRENT);
        match std::fs::read_to_string(&path) {
            Ok(name) => {
                let name = name.trim();
                let valid = name.starts_with("gen-") && !name.contains(['/', '\\']);
                Ok(valid.then(|| self.root.join(name)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// Creates the folder of the next generation number (empty).
    pub fn create_next(&self) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        let next = self.numbers()?.into_iter().max().unwrap_or(0) + 1;
        let dir = self.root.join(format!("gen-{next:06}"));
        std::fs::create_dir(&dir).map_err(io_err(&dir))?;
        Ok(dir)
    }

    /// Points `CURRENT` at `dir` atomically.
    pub fn set_current(&self, dir: &Path) -> Result<()> {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let tmp = self.root.join("CURRENT.tmp");
        let mut f = File::create(&tmp).map_err(io_err(&tmp))?;
        f.write_all(name.as_bytes()).map_err(io_err(&tmp))?;
        f.sync_all().map_err(io_err(&tmp))?;
        let cur = self.root.join(CURRENT);
        std::fs::rename(&tmp, &cur).map_err(io_err(&cur))?;
        Ok(())
    }

    /// Marks `dir` as no longer current (it was just swapped out). Readers that still hold it
    /// get `RETIRE_GRACE` to follow `CURRENT` before [`remove_old`](Self::remove_old) deletes it.
    pub fn retire(&self, dir: &Path) -> Result<()> {
        let marker = dir.join(RETIRED);
        File::create(&marker).map_err(io_err(&marker))?;
        Ok(())
    }

    /// Deletes generations retired more than `RETIRE_GRACE` ago, and unfinished builds older
    /// than the current generation that nothing has written to for an hour (a crashed rebuild).
    pub fn remove_old(&self) -> Result<()> {
        let Some(current) = self.current()? else {
            return Ok(());
        };
        let current_n = current
            .file_name()
            .and_then(|n| n.to_str()?.strip_prefix("gen-")?.parse::<u64>().ok())
            .unwrap_or(0);
        for n in self.numbers()? {
            let dir = self.root.join(format!("gen-{n:06}"));
            if dir == current {
                continue;
            }
            let retired_long_ago = age(&dir.join(RETIRED)).is_some_and(|a| a > RETIRE_GRACE);
            let abandoned = n < current_n
                && !dir.join(RETIRED).exists()
                && age(&dir).is_some_and(|a| a > ABANDONED_AFTER);
            if retired_long_ago || abandoned {
                // Best effort: whatever is not removed now is removed by a later rebuild.
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
        Ok(())
    }

    fn numbers(&self) -> Result<Vec<u64>> {
        let rd = match std::fs::read_dir(&self.root) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&self.root)(e)),
        };
        Ok(rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_prefix("gen-")?.parse().ok())
            .collect())
    }

    fn lock_file(&self) -> Result<File> {
        std::fs::create_dir_all(&self.root).map_err(io_err(&self.root))?;
        let path = self.root.join(LOCK);
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))
    }

    /// Takes the writer lock, waiting for other writers.
    pub fn lock(&self) -> Result<WriterLock> {
        let f = self.lock_file()?;
        f.lock().map_err(io_err(&self.root))?;
        Ok(WriterLock(f))
    }

    /// Takes the writer lock if it is free.
    pub fn try_lock(&self) -> Result<Option<WriterLock>> {
        let f = self.lock_file()?;
        match f.try_lock() {
            Ok(()) => Ok(Some(WriterLock(f))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io_err(&self.root)(e)),
        }
    }
}
