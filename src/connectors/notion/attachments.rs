//! Files attached to a Notion page: Notion-hosted `file` and `pdf` blocks and `files`
//! properties, downloaded in the same crawl that read their links (they expire after an hour,
//! notion-api.md §2). A link found expired is refreshed by re-reading its block (or, for a
//! property, its page) and the download is retried once. External links (`type: external`)
//! point anywhere on the web and are not fetched, nor are files of types trove does not read
//! (images, office documents).

use serde_json::Value;

use super::client::Client;
use super::errors::{failure_reason, Failure};
use crate::connectors::files::{url_key, FileRef, Got};
use crate::extract::wanted;
use crate::flatten::notion::{normalize_id, BlockEntry};
use crate::ingest::Attachment;

/// Files read per page at most; the rest are not downloaded.
const MAX_FILES_PER_PAGE: usize = 100;

/// Where a file's link came from, and so where a fresh one is read.
#[derive(Debug, Clone, PartialEq)]
enum Origin {
    Block(String),
    Page,
}

/// Downloads and reads every Notion-hosted file of a page. Fails only when the sync must stop.
pub async fn fetch_all(
    client: &Client<'_>,
    page_id: &str,
    page: &Value,
    blocks: &[BlockEntry],
) -> Result<Vec<Attachment>, Failure> {
    if !client.files().enabled() {
        return Ok(Vec::new());
    }
    let mut refs: Vec<(Origin, FileRef)> = property_files(page)
        .into_iter()
        .map(|f| (Origin::Page, f))
        .collect();
    for entry in blocks {
        let block = &entry["block"];
        let id = block.get("id").and_then(Value::as_str).map(normalize_id);
        if let (Some(id), Some(f)) = (id, block_file(block)) {
            refs.push((Origin::Block(id), f));
        }
    }
    refs.retain(|(_, f)| wanted(&f.name));
    refs.truncate(MAX_FILES_PER_PAGE);
    let mut out = Vec::with_capacity(refs.len());
    for (origin, f) in refs {
        out.push(fetch_one(client, page_id, &origin, f).await?);
    }
    client.progress().inc("files", out.len() as u64);
    Ok(out)
}

async fn fetch_one(
    client: &Client<'_>,
    page_id: &str,
    origin: &Origin,
    f: FileRef,
) -> Result<Attachment, Failure> {
    if let Got::Done(a) = client.files().fetch(&f).await {
        return Ok(a);
    }
    let fresh = match refresh(client, page_id, origin, &f.key).await {
        Ok(Some(fresh)) => fresh,
        Ok(None) => return Ok(f.skipped("the link expired and the file is gone from Notion")),
        Err(Failure::Abort(e)) => return Err(Failure::Abort(e)),
        Err(other) => {
            let why = format!(
                "the link expired and could not be renewed ({})",
                failure_reason(&other)
            );
            return Ok(f.skipped(&why));
        }
    };
    Ok(match client.files().fetch(&fresh).await {
        Got::Done(a) => a,
        Got::Expired => f.skipped("the renewed link had expired too"),
    })
}

/// Re-reads the block (or page) for a fresh link to the file with `key`.
async fn refresh(
    client: &Client<'_>,
    page_id: &str,
    origin: &Origin,
    key: &str,
) -> Result<Option<FileRef>, Failure> {
    let found = match origin {
        Origin::Block(id) => block_file(&client.get(&format!("blocks/{id}"), &[]).await?)
            .into_iter()
            .collect::<Vec<_>>(),
        Origin::Page => property_files(&client.get(&format!("pages/{page_id}"), &[]).await?),
    };
    Ok(found.into_iter().find(|f| f.key == key))
}

/// The Notion-hosted file of a `file` or `pdf` block.
fn block_file(block: &Value) -> Option<FileRef> {
    let ty = block.get("type").and_then(Value::as_str)?;
    if !matches!(ty, "file" | "pdf") {
        return None;
    }
    let payload = block.get(ty)?;
    let url = hosted_url(payload)?;
    let name = payload
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| name_from_url(&url));
    Some(file_ref(url, name))
}

/// Notion-hosted files of every `files` property of a page or row.
fn property_files(page: &Value) -> Vec<FileRef> {
    let Some(props) = page.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    props
        .values()
        .filter(|p| p.get("type").and_then(Value::as_str) == Some("files"))
        .filter_map(|p| p.get("files").and_then(Value::as_array))
        .flatten()
        .filter_map(|f| {
            let url = hosted_url(f)?;
            let name = f
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| name_from_url(&url));
            Some(file_ref(url, name))
        })
        .collect()
}

/// `{type: "file", file: {url}}` → the URL; external links give `None`.
fn hosted_url(v: &Value) -> Option<String> {
    (v.get("type").and_then(Value::as_str) == Some("file"))
        .then(|| v.pointer("/file/url").and_then(Value::as_str))
        .flatten()
        .map(str::to_owned)
}

fn file_ref(url: String, name: String) -> FileRef {
    FileRef {
        key: url_key(&url),
        name,
        url,
        size: None,
    }
}

/// The last path segment of a URL (percent-decoding spaces only), for unnamed `pdf` blocks.
fn name_from_url(url: &str) -> String {
    url_key(url)
        .rsplit('/')
        .next()
        .unwrap_or("file")
        .replace("%20", " ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn hosted_files_of_blocks_and_properties_are_found() {
        let fixture = json!({
            "id": "b1", "type": "file",
            "file": {"caption": [], "type": "file", "name": "sample.txt",
                     "file": {"url": "https://prod-files-secure.s3.us-west-2.amazonaws.com/ws/f/sample.txt?X-Amz-Expires=3600", "expiry_time": "2025-09-13T07:47:52.410Z"}}
        });
        let f = block_file(&fixture).expect("file block");
        assert_eq!(f.name, "sample.txt");
        assert_eq!(f.key, "/ws/f/sample.txt");
        let pdf = json!({"type": "pdf", "pdf": {"type": "file", "file": {"url": "https://h/x/My%20Spec.pdf?s=1"}}});
        assert_eq!(block_file(&pdf).unwrap().name, "My Spec.pdf");
        let external = json!({"type": "pdf", "pdf": {"type": "external", "external": {"url": "https://e/x.pdf"}}});
        assert_eq!(block_file(&external), None);
        let page = json!({"properties": {
            "Files": {"type": "files", "files": [
                {"name": "a.csv", "type": "file", "file": {"url": "https://h/ws/1/a.csv?sig"}},
                {"name": "link", "type": "external", "external": {"url": "https://e/"}}
            ]},
            "Name": {"type": "title", "title": []}
        }});
        let files = property_files(&page);
        assert_eq!(files.len(), 1);
        assert_eq!(
            (files[0].name.as_str(), files[0].key.as_str()),
            ("a.csv", "/ws/1/a.csv")
        );
    }
}
