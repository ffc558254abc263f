//! `vectors.bin`: a [`VectorIndex`] on disk, written to a temporary file and renamed into
//! place so a reader never sees half a file. Layout (little-endian): magic, model id, dims,
//! watermark, document count, then per document its id, text hash, passage count, spans,
//! scales and int8 values.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::{VectorIndex, MAGIC, VECTORS_FILE};
use crate::store::Quantized;

/// `vectors.bin` could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum VectorFileError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is unreadable ({reason}); `trove rebuild` writes it again")]
    Corrupt { path: PathBuf, reason: String },
}

impl VectorIndex {
    /// Saves the live documents' vectors into `dir/vectors.bin`.
    pub fn save(&self, dir: &Path) -> Result<(), VectorFileError> {
        let path = dir.join(VECTORS_FILE);
        let tmp = dir.join(format!("{VECTORS_FILE}.{}.tmp", std::process::id()));
        let write_err = |source| VectorFileError::Write {
            path: path.clone(),
            source,
        };
        let file = std::fs::File::create(&tmp).map_err(write_err)?;
        let mut w = BufWriter::new(file);
        self.write_to(&mut w).map_err(write_err)?;
        let file = w.into_inner().map_err(|e| write_err(e.into_error()))?;
        file.sync_all().map_err(write_err)?;
        std::fs::rename(&tmp, &path).map_err(write_err)
    }

    fn write_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        w.write_all(MAGIC)?;
        write_str(w, &self.model)?;
        w.write_all(&(self.dims as u32).to_le_bytes())?;
        w.write_all(&self.seq.to_le_bytes())?;
        w.write_all(&(self.by_id.len() as u32).to_le_bytes())?;
        for doc in self.docs.iter().filter(|d| d.alive) {
            let q = self.quantized(doc);
            write_str(w, &doc.id)?;
            w.write_all(&doc.text_hash.to_le_bytes())?;
            w.write_all(&(q.len() as u32).to_le_bytes())?;
            for &(a, b) in &q.spans {
                w.write_all(&a.to_le_bytes())?;
                w.write_all(&b.to_le_bytes())?;
            }
            for s in &q.scales {
                w.write_all(&s.to_le_bytes())?;
            }
            let bytes: Vec<u8> = q.values.iter().map(|&v| v as u8).collect();
            w.write_all(&bytes)?;
        }
        Ok(())
    }

    /// Loads `dir/vectors.bin` when it holds vectors of `model`; `None` when there is no file
    /// or it belongs to another model (the caller starts empty and catches up).
    pub fn load(dir: &Path, model: &str) -> Result<Option<VectorIndex>, VectorFileError> {
        let path = dir.join(VECTORS_FILE);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(corrupt(&path, e)),
        };
        let mut r = BufReader::new(file);
        read_from(&mut r, model).map_err(|e| corrupt(&path, e))
    }
}

fn read_from(r: &mut impl Read, model: &str) -> std::io::Result<Option<VectorIndex>> {
    let mut magic = [0u8; 8];
    r.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(invalid("not a trove vector file"));
    }
    if read_str(r)? != model {
        return Ok(None);
    }
    let dims = read_u32(r)? as usize;
    let mut index = VectorIndex::new(model, dims);
    index.seq = u64::from_le_bytes(read_array(r)?);
    for _ in 0..read_u32(r)? {
        let id = read_str(r)?;
        let hash = i64::from_le_bytes(read_array(r)?);
        let q = read_quantized(r, dims)?;
        index.upsert(&id, hash, &q);
    }
    Ok(Some(index))
}

fn read_quantized(r: &mut impl Read, dims: usize) -> std::io::Result<Quantized> {
    let n = read_u32(r)? as usize;
    if n > 1 << 20 {
        return Err(invalid("implausible passage count"));
    }
    let spans = (0..n)
        .map(|_| Ok((read_u32(r)?, read_u32(r)?)))
        .collect::<std::io::Result<_>>()?;
    let scales = (0..n)
        .map(|_| Ok(f32::from_le_bytes(read_array(r)?)))
        .collect::<std::io::Result<_>>()?;
    let mut bytes = vec![0u8; n * dims];
    r.read_exact(&mut bytes)?;
    let values = bytes.into_iter().map(|b| b as i8).collect();
    Ok(Quantized {
        dims,
        spans,
        scales,
        values,
    })
}

fn write_str(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    w.write_all(&(s.len() as u32).to_le_bytes())?;
    w.write_all(s.as_bytes())
}

fn read_str(r: &mut impl Read) -> std::io::Result<String> {
    let n = read_u32(r)? as usize;
    if n > 1 << 20 {
        return Err(invalid("implausible string length"));
    }
    let mut buf = vec![0u8; n];
    r.read_exact(&mut buf)?;
    String::from_utf8(buf).map_err(|_| invalid("id is not UTF-8"))
}

fn read_u32(r: &mut impl Read) -> std::io::Result<u32> {
    Ok(u32::from_le_bytes(read_array(r)?))
}

fn read_array<const N: usize>(r: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

fn invalid(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_owned())
}

fn corrupt(path: &Path, e: impl std::fmt::Display) -> VectorFileError {
    VectorFileError::Corrupt {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}
