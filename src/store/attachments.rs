//! Table `attachments`: the extracted text of each file attached to a document (or why it has
//! none), keyed by document id and file key, never by the file's expiring URL. A batch's
//! [`Attached`] set replaces the document's rows; deleting a document deletes its rows. A
//! reflatten can append the text again from here without downloading anything.

use rusqlite::{params, Transaction};

use super::{Result, Store};
use crate::ingest::{Attached, Attachment};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS attachments (
    doc_id TEXT NOT NULL,
    file_key TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT,
    skipped TEXT,
    PRIMARY KEY (doc_id, file_key)
);
";

/// Replaces the attachment rows of each document in `sets`.
pub(crate) fn replace_in(tx: &Transaction, sets: &[Attached]) -> Result<()> {
    let mut clear = tx.prepare_cached("DELETE FROM attachments WHERE doc_id = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO attachments(doc_id, file_key, name, text, skipped) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(doc_id, file_key) DO UPDATE SET name = excluded.name,
            text = excluded.text, skipped = excluded.skipped",
    )?;
    for set in sets {
        clear.execute([&set.doc_id])?;
        for f in &set.files {
            insert.execute(params![set.doc_id, f.key, f.name, f.text, f.skipped])?;
        }
    }
    Ok(())
}

/// Drops the rows of documents that no longer exist (after deletes of whole subtrees).
pub(crate) fn drop_orphans_in(tx: &Transaction) -> Result<()> {
    tx.execute(
        "DELETE FROM attachments WHERE doc_id NOT IN (SELECT id FROM documents)",
        [],
    )?;
    Ok(())
}

impl Store {
    /// The stored attachments of one document, in file-key order.
    pub fn attachments(&self, doc_id: &str) -> Result<Vec<Attachment>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT file_key, name, text, skipped FROM attachments WHERE doc_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([doc_id], |r| {
            Ok(Attachment {
                key: r.get(0)?,
                name: r.get(1)?,
                text: r.get(2)?,
                skipped: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::SourceSink;
    use super::*;
    use crate::document::{Document, SourceKind};
    use crate::ingest::{Batch, Sink};

    fn file(key: &str, text: Option<&str>) -> Attachment {
        Attachment {
            key: key.into(),
            name: format!("{key}.txt"),
            text: text.map(str::to_owned),
            skipped: text.is_none().then(|| "over the limit".into()),
        }
    }

    fn commit(s: &mut Store, batch: Batch) {
        SourceSink::new(s, "n", SourceKind::Notion)
            .commit(batch)
            .unwrap();
    }

    #[test]
    fn a_documents_set_is_replaced_and_leaves_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let mut child = Document::new("n:2", "child", "b");
        child.parent_id = Some("n:1".into());
        commit(
            &mut s,
            Batch {
                upserts: vec![Document::new("n:1", "t", "b"), child],
                attachments: vec![
                    Attached {
                        doc_id: "n:1".into(),
                        files: vec![file("a", Some("alpha")), file("b", None)],
                    },
                    Attached {
                        doc_id: "n:2".into(),
                        files: vec![file("c", Some("gamma"))],
                    },
                ],
                ..Batch::default()
            },
        );
        assert_eq!(
            s.attachments("n:1").unwrap(),
            vec![file("a", Some("alpha")), file("b", None)]
        );
        commit(
            &mut s,
            Batch {
                attachments: vec![Attached {
                    doc_id: "n:1".into(),
                    files: vec![file("b", Some("beta"))],
                }],
                ..Batch::default()
            },
        );
        assert_eq!(s.attachments("n:1").unwrap(), vec![file("b", Some("beta"))]);
        commit(
            &mut s,
            Batch {
                deletes: vec!["n:1".into()],
                ..Batch::default()
            },
        );
        assert!(s.attachments("n:1").unwrap().is_empty());
        assert!(s.attachments("n:2").unwrap().is_empty(), "subtree too");
    }
}
