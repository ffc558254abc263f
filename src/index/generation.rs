//! [`Generations`]: the index folders under `<data>/index/` and the `CURRENT` pointer.
//!
//! `CURRENT` names the live generation (`gen-000003`). It is replaced by writing a temporary file
//! and renaming it over the old one, which is atomic: a reader sees the old or the new
//! generation, never a half-built one. A swapped-out generation is marked `RETIRED` and kept
//! for `RETIRE_GRACE`, so processes still reading it (a server between two polls of
//! `CURRENT`) keep working; later rebuilds delete it.
//!
//! A generation being built holds a `BUILDING` marker file locked (`flock`) by the rebuild
//! ([`Building`]). The kernel drops that lock when the rebuild dies, so the next writer to take
//! the writer lock sees an unlocked marker and deletes the partial generation at once. No
//! reader ever opened it: it was never named by `CURRENT`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{io_err, Result, WriterLock};

const CURRENT: &str = "CURRENT";
const LOCK: &str = "writer.lock";
/// Marker file in a generation that has been swapped out.
const RETIRED: &str = "RETIRED";
/// Marker file, locked while a rebuild fills the generation.
const BUILDING: &str = "BUILDING";
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

    /// Creates the next generation folder with a locked `BUILDING` marker. Call it holding the
    /// writer lock, so a writer cleaning up never sees the folder before its marker is locked.
    pub fn create_building(&self) -> Result<(PathBuf, Building)> {
        let dir = self.create_next()?;
        let marker = dir.join(BUILDING);
        let file = File::create(&marker).map_err(io_err(&marker))?;
        file.lock().map_err(io_err(&marker))?;
        Ok((dir, Building { file, marker }))
    }

    /// Marks `dir` as no longer current (it was just swapped out). Readers that still hold it
    /// get `RETIRE_GRACE` to follow `CURRENT` before [`remove_old`](Self::remove_old) deletes it.
    /// A generation that is gone already (`CURRENT` named a missing folder) needs no marker.
    pub fn retire(&self, dir: &Path) -> Result<()> {
        if !dir.is_dir() {
            return Ok(());
        }
        let marker = dir.join(RETIRED);
        File::create(&marker).map_err(io_err(&marker))?;
        Ok(())
    }

    /// Deletes generations retired more than `RETIRE_GRACE` ago, crashed builds (see
    /// [`remove_crashed_builds`](Self::remove_crashed_builds)), and unfinished folders older
    /// than the current generation that nothing has written to for an hour (left by a rebuild
    /// killed between its swap and its marking, before markers were locked).
    pub fn remove_old(&self) -> Result<()> {
        let Some(current) = self.current()? else {
            return Ok(());
        };
        self.remove_crashed_builds()?;
        let current_n = gen_number(&current);
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

    /// Deletes generations whose `BUILDING` marker nobody holds: their rebuild died. Never the
    /// current generation (a rebuild killed right after its swap only leaves a stale marker,
    /// removed here) nor a retired one. Runs whenever a writer takes the writer lock; best
    /// effort, since a read-only folder or a file in use only delays the cleanup.
    pub fn remove_crashed_builds(&self) -> Result<()> {
        let current = self.current()?;
        for n in self.numbers()? {
            let dir = self.root.join(format!("gen-{n:06}"));
            let marker = dir.join(BUILDING);
            if dir.join(RETIRED).exists() || !marker_is_free(&marker) {
                continue;
            }
            if Some(&dir) == current.as_ref() {
                let _ = std::fs::remove_file(&marker);
            } else {
                tracing::info!(dir = %dir.display(), "removing the partial generation of a rebuild that did not finish");
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

    /// Takes the writer lock, waiting for other writers, and clears crashed builds.
    pub fn lock(&self) -> Result<WriterLock> {
        let f = self.lock_file()?;
        f.lock().map_err(io_err(&self.root))?;
        self.remove_crashed_builds()?;
        Ok(WriterLock(f))
    }

    /// Takes the writer lock if it is free.
    pub fn try_lock(&self) -> Result<Option<WriterLock>> {
        let f = self.lock_file()?;
        match f.try_lock() {
            Ok(()) => {
                self.remove_crashed_builds()?;
                Ok(Some(WriterLock(f)))
            }
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io_err(&self.root)(e)),
        }
    }
}

/// A generation being built: holds its `BUILDING` marker locked until [`finish`](Self::finish)
/// (or until the process dies, which is how a writer recognises a crashed build).
#[derive(Debug)]
pub struct Building {
    file: File,
    marker: PathBuf,
}

impl Building {
    /// The generation is complete (and current): drops the marker.
    pub fn finish(self) {
        let _ = std::fs::remove_file(&self.marker);
        drop(self.file);
    }
}

/// Whether `marker` exists and no process holds its lock.
fn marker_is_free(marker: &Path) -> bool {
    let Ok(f) = File::open(marker) else {
        return false;
    };
    f.try_lock().is_ok()
}

/// The number of a `gen-NNNNNN` folder (0 for anything else).
fn gen_number(dir: &Path) -> u64 {
    dir.file_name()
        .and_then(|n| n.to_str()?.strip_prefix("gen-")?.parse::<u64>().ok())
        .unwrap_or(0)
}
