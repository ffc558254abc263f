//! [`ReadOnlyDir`]: tantivy's memory-mapped directory for an index this process may not
//! write (a read-only mount, a folder owned by someone else). Opening a reader takes tantivy's
//! meta lock, which means creating a lock file; here a lock that cannot be created is taken as
//! granted. The lock only keeps a writer's garbage collection from deleting files the reader is
//! about to open, and a writer elsewhere cannot have a lock file this process could see anyway.

use std::io;
use std::path::Path;
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

/// An [`MmapDirectory`] whose locks are granted when their file cannot be created.
#[derive(Debug, Clone)]
pub struct ReadOnlyDir(MmapDirectory);

impl ReadOnlyDir {
    pub fn open(dir: &Path) -> tantivy::Result<ReadOnlyDir> {
        Ok(ReadOnlyDir(MmapDirectory::open(dir)?))
    }
}

impl Directory for ReadOnlyDir {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.0.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(e)) => {
                tracing::debug!(lock = %lock.filepath.display(), error = %e, "read-only index: lock not taken");
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(watch_callback)
    }
}
