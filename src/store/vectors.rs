//! Passage vectors in the store, keyed by the passage text's hash and the model id, so an
//! unchanged document is never embedded twice, a rebuild reuses what is there, and vectors of
//! two models never mix.
//!
//! Vectors are kept as int8 with one f32 scale per passage ([`Quantized`]): a quarter of the
//! f32 size (100k documents ≈ 120 MB instead of 460 MB) and exactly what the vector index
//! searches, so a rebuild copies them without touching the model. Each model has an embedding
//! watermark: every document with a change sequence at or below it has vectors.

use rusqlite::{params, OptionalExtension};

use super::{Result, Store, StoreError};

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS passage_vectors (
    text_hash INTEGER NOT NULL,
    model TEXT NOT NULL,
    spans BLOB NOT NULL,
    scales BLOB NOT NULL,
    vectors BLOB NOT NULL,
    PRIMARY KEY (text_hash, model)
) WITHOUT ROWID;
";

/// The passages of one document text: byte spans in the body and int8 vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantized {
    pub dims: usize,
    /// `(start, end)` byte range in the body, one per passage.
    pub spans: Vec<(u32, u32)>,
    /// One scale per passage: `value = i8 * scale`.
    pub scales: Vec<f32>,
    /// Passages × dims values, row-major.
    pub values: Vec<i8>,
}

impl Quantized {
    /// Quantizes f32 vectors (each scaled so its largest component maps to ±127).
    pub fn from_f32(dims: usize, spans: Vec<(u32, u32)>, vectors: &[Vec<f32>]) -> Quantized {
        let mut scales = Vec::with_capacity(vectors.len());
        let mut values = Vec::with_capacity(vectors.len() * dims);
        for v in vectors {
            debug_assert_eq!(v.len(), dims);
            let max = v
                .iter()
                .fold(0f32, |m, x| m.max(x.abs()))
                .max(f32::MIN_POSITIVE);
            let scale = max / 127.0;
            scales.push(scale);
            values.extend(
                v.iter()
                    .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8),
            );
        }
        Quantized {
            dims,
            spans,
            scales,
            values,
        }
    }

    /// Number of passages.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Passage `i` as int8 values.
    pub fn row(&self, i: usize) -> &[i8] {
        &self.values[i * self.dims..(i + 1) * self.dims]
    }

    fn spans_blob(&self) -> Vec<u8> {
        let flat = self.spans.iter().flat_map(|&(a, b)| [a, b]);
        flat.flat_map(u32::to_le_bytes).collect()
    }

    fn decode(id: i64, spans: &[u8], scales: &[u8], values: Vec<u8>) -> Result<Quantized> {
        let n = scales.len() / 4;
        let dims = values.len().checked_div(n).unwrap_or(0);
        if spans.len() != n * 8 || !scales.len().is_multiple_of(4) || values.len() != n * dims {
            return Err(StoreError::Corrupt {
                id: format!("vectors of text {id:x}"),
                message: "blob sizes do not match".into(),
            });
        }
        let words: Vec<u32> = spans
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Quantized {
            dims,
            spans: words.chunks_exact(2).map(|p| (p[0], p[1])).collect(),
            scales: scales
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            values: values.into_iter().map(|b| b as i8).collect(),
        })
    }
}

/// A document waiting for vectors.
#[derive(Debug, Clone)]
pub struct Unembedded {
    pub id: String,
    pub seq: u64,
    pub title: String,
    pub path: Vec<String>,
    pub body: String,
}

fn watermark_key(model: &str) -> String {
    format!("embedded_seq:{model}")
}

impl Store {
    /// Vectors stored for a text hash under `model`.
    pub fn vectors(&self, text_hash: i64, model: &str) -> Result<Option<Quantized>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT spans, scales, vectors FROM passage_vectors WHERE text_hash = ?1 AND model = ?2",
        )?;
        let row = stmt
            .query_row(params![text_hash, model], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?, r.get(2)?))
            })
            .optional()?;
        row.map(|(spans, scales, values)| Quantized::decode(text_hash, &spans, &scales, values))
            .transpose()
    }

    /// Whether vectors exist for a text hash under `model`.
    pub fn has_vectors(&self, text_hash: i64, model: &str) -> Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM passage_vectors WHERE text_hash = ?1 AND model = ?2")?;
        Ok(stmt.exists(params![text_hash, model])?)
    }

    /// Saves vectors and moves `model`'s watermark to `watermark`, in one transaction, so an
    /// interrupted run resumes after the last saved batch.
    pub fn put_vectors(
        &mut self,
        model: &str,
        items: &[(i64, Quantized)],
        watermark: u64,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT OR REPLACE INTO passage_vectors (text_hash, model, spans, scales, vectors)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (hash, q) in items {
                let scales: Vec<u8> = q.scales.iter().flat_map(|s| s.to_le_bytes()).collect();
                let values: Vec<u8> = q.values.iter().map(|&v| v as u8).collect();
                put.execute(params![hash, model, q.spans_blob(), scales, values])?;
            }
            tx.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![watermark_key(model), watermark.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every document with a change sequence at or below this has vectors under `model`.
    pub fn embedded_upto(&self, model: &str) -> Result<u64> {
        let v = self.meta(&watermark_key(model))?;
        Ok(v.and_then(|s| s.parse().ok()).unwrap_or(0))
    }

    /// Documents changed after `model`'s watermark (waiting for vectors).
    pub fn pending_vectors(&self, model: &str) -> Result<u64> {
        let after = self.embedded_upto(model)? as i64;
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM documents WHERE seq > ?1",
            [after],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Number of passage vectors stored under `model`.
    pub fn passage_vectors(&self, model: &str) -> Result<u64> {
        let n: Option<i64> = self.conn.query_row(
            "SELECT SUM(length(scales)) / 4 FROM passage_vectors WHERE model = ?1",
            [model],
            |r| r.get(0),
        )?;
        Ok(n.unwrap_or(0) as u64)
    }

    /// Number of distinct document texts with vectors under `model`.
    pub fn vector_texts(&self, model: &str) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM passage_vectors WHERE model = ?1",
            [model],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Up to `limit` documents with sequence in `(after, upto]`, oldest change first.
    pub fn unembedded(&self, after: u64, upto: u64, limit: usize) -> Result<Vec<Unembedded>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, seq, title, path, body FROM documents
             WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![after as i64, upto as i64, limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get(2)?,
                r.get::<_, String>(3)?,
                r.get(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, seq, title, path, body) = row?;
            let path = super::parse_list(&id, path)?;
            out.push(Unembedded {
                id,
                seq: seq as u64,
                title,
                path,
                body,
            });
        }
        Ok(out)
    }

    /// Ids deleted with sequence in `(after, upto]`.
    pub fn deleted_between(&self, after: u64, upto: u64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM tombstones WHERE seq > ?1 AND seq <= ?2")?;
        let rows = stmt.query_map(params![after as i64, upto as i64], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
