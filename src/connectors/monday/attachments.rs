//! Files of monday.com items (file columns and the files gallery, the item's `assets`),
//! downloaded from each asset's `public_url` right after the item was read (the link is valid
//! for an hour). An expired link is refreshed by re-reading the item's assets
//! ([`queries::ITEM_ASSETS`]) and the download retried once. An asset whose `file_size` is
//! over the limit is skipped without downloading. The text joins the item's document; the
//! files, their skips and their text go out with the item's batch ([`Writer::files`]).
//!
//! [`Writer::files`]: super::step::Writer

use serde_json::{json, Value};

use super::errors::ApiFailure;
use super::queries;
use super::step::Step;
use crate::connectors::files::{skips, FileRef, Got};
use crate::document::Document;
use crate::extract::wanted;
use crate::flatten::attachments::append;
use crate::flatten::monday::id_of;
use crate::ingest::{Attached, Attachment};

/// Assets read per item at most.
const MAX_FILES_PER_ITEM: usize = 100;

impl Step<'_, '_> {
    /// Reads the files of `items` into their documents (`docs[i]` is `items[i]`'s) and queues
    /// them for the next commit.
    pub(super) async fn attach_files(&mut self, items: &[&Value], docs: &mut [Document]) {
        if !self.api.files.enabled() {
            return;
        }
        for (item, doc) in items.iter().zip(docs.iter_mut()) {
            let refs = asset_refs(item);
            let mut files = Vec::with_capacity(refs.len());
            for (asset, f) in refs {
                files.push(self.fetch_asset(item, &asset, f).await);
            }
            self.api.progress.inc("files", files.len() as u64);
            append(doc, &files);
            let (skipped, fine) = skips(&files);
            self.w.summary.skipped += skipped.len() as u64;
            let pending = &mut self.w.files;
            pending.skipped.extend(skipped);
            pending.unskipped.extend(fine);
            pending.attachments.push(Attached {
                doc_id: doc.id.clone(),
                files,
            });
        }
    }

    async fn fetch_asset(&mut self, item: &Value, asset: &str, f: FileRef) -> Attachment {
        if let Got::Done(a) = self.api.files.fetch(&f).await {
            return a;
        }
        let fresh = match self.fresh_link(item, asset).await {
            Ok(Some(fresh)) => fresh,
            Ok(None) => return f.skipped("the link expired and the file is gone from monday.com"),
            Err(e) => {
                let why = format!(
                    "the link expired and could not be renewed ({})",
                    self.api.describe(&e)
                );
                return f.skipped(&why);
            }
        };
        match self.api.files.fetch(&fresh).await {
            Got::Done(a) => a,
            Got::Expired => f.skipped("the renewed link had expired too"),
        }
    }

    /// Re-reads an item's assets for a fresh link to `asset`.
    async fn fresh_link(
        &mut self,
        item: &Value,
        asset: &str,
    ) -> Result<Option<FileRef>, ApiFailure> {
        let Some(id) = id_of(item.get("id")) else {
            return Ok(None);
        };
        let resp = self
            .api
            .query(queries::ITEM_ASSETS, json!({ "ids": [id], "limit": 1 }))
            .await?;
        let found = resp
            .data
            .pointer("/items/0")
            .map(asset_refs)
            .unwrap_or_default();
        Ok(found.into_iter().find(|(a, _)| a == asset).map(|(_, f)| f))
    }
}

/// `(asset id, file)` of every asset of an item whose type trove reads.
fn asset_refs(item: &Value) -> Vec<(String, FileRef)> {
    let assets = item.get("assets").and_then(Value::as_array);
    assets
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let id = id_of(a.get("id"))?;
            let name = a.get("name").and_then(Value::as_str)?.to_owned();
            let url = a.get("public_url").and_then(Value::as_str)?.to_owned();
            wanted(&name).then(|| {
                let size = a.get("file_size").and_then(Value::as_u64);
                let key = format!("asset:{id}");
                (
                    id,
                    FileRef {
                        key,
                        name,
                        url,
                        size,
                    },
                )
            })
        })
        .take(MAX_FILES_PER_ITEM)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_assets_become_file_refs() {
        let item = json!({"id": "7", "assets": [
            {"id": "11", "name": "spec.pdf", "url": "https://acme.monday.com/protected_static/1/resources/11/spec.pdf",
             "public_url": "https://files-monday-com.s3.amazonaws.com/1/resources/11/spec.pdf?sig", "file_extension": ".pdf", "file_size": 1234},
            {"id": "12", "name": "photo.png", "public_url": "https://x/y.png", "file_extension": ".png", "file_size": 9},
            {"id": "13", "name": "broken"}
        ]});
        let refs = asset_refs(&item);
        assert_eq!(refs.len(), 1);
        let (id, f) = &refs[0];
        assert_eq!(id, "11");
        assert_eq!(f.key, "asset:11");
        assert_eq!(f.size, Some(1234));
        assert!(f
            .url
            .starts_with("https://files-monday-com.s3.amazonaws.com/"));
    }
}
