//! Files of `file` columns, served like monday.com's S3 uploads: an asset's `public_url` is a
//! placeholder signed per response on the server's own host (`crate::files`), valid for an
//! hour. Files registered with [`Account::add_file_asset`] are served as given (any
//! [`crate::files::Behaviour`]); every other asset of a generated account gets content made
//! from its name, so crawls read real text: `.pdf` a PDF, `.txt`/`.md`/`.csv` text, each
//! holding `assetmark<id>`; other types are served as opaque bytes.

use std::collections::HashMap;

use axum::extract::{Path, Query, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::cells::file_cell_value;
use super::model::{Account, Cell};
use super::server::{lock, SharedState};
use crate::files::{self, FakeFile, Files};

/// The file key of asset `id`.
pub fn asset_key(id: u64) -> String {
    format!("asset-{id}")
}

/// The unique word in a generated asset's content.
pub fn asset_marker(id: u64) -> String {
    format!("assetmark{id}")
}

impl Account {
    /// Adds `file` to item `item`'s `file` column `column` as a new asset; returns its id.
    pub fn add_file_asset(&mut self, item: u64, column: &str, file: FakeFile) -> Option<u64> {
        let id = self.new_id();
        let item = self.items.get_mut(&item)?;
        let cell = item.cells.entry(column.to_owned()).or_insert_with(|| Cell {
            text: None,
            value: None,
            display_value: None,
            linked_item_ids: vec![],
        });
        let url = format!(
            "https://{}.monday.com/protected_static/{}/resources/{id}/{}",
            self.slug, self.id, file.name
        );
        let text = match cell.text.take().filter(|t| !t.is_empty()) {
            Some(t) => format!("{t}, {url}"),
            None => url,
        };
        cell.value = Some(json!({ "files": file_cell_value(&text) }));
        cell.text = Some(text);
        self.files.insert(asset_key(id), file);
        Some(id)
    }

    /// The file served for asset `key`: registered, or made from the asset's name.
    fn served_file(&self, key: &str) -> Option<FakeFile> {
        if let Some(f) = self.files.get(key) {
            return Some(f.clone());
        }
        let id: u64 = key.strip_prefix("asset-")?.parse().ok()?;
        let name = self
            .items
            .values()
            .flat_map(|i| i.cells.values())
            .find_map(|c| {
                let files = c.value.as_ref()?.get("files")?.as_array()?;
                files
                    .iter()
                    .find(|f| f.get("assetId").and_then(|a| a.as_u64()) == Some(id))
                    .and_then(|f| f.get("name")?.as_str().map(str::to_owned))
            })?;
        Some(generated(id, &name))
    }

    /// Size in bytes of asset `id` as `file_size` reports it.
    pub fn asset_size(&self, id: u64) -> Option<u64> {
        self.files.get(&asset_key(id)).map(|f| f.bytes.len() as u64)
    }
}

/// Content made from an asset's name (see the module docs).
fn generated(id: u64, name: &str) -> FakeFile {
    let words = format!("{name} attached file {}", asset_marker(id));
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => FakeFile::new(name, "application/pdf", files::pdf(&[&words])),
        "txt" | "md" => FakeFile::new(name, "text/plain", words.into_bytes()),
        "csv" => FakeFile::new(
            name,
            "text/csv",
            format!("file,marker\n{words}\n").into_bytes(),
        ),
        _ => FakeFile::new(
            name,
            "application/octet-stream",
            vec![0x50, 0x4b, 3, 4, 0, 0],
        ),
    }
}

/// Middleware: signs the file placeholders in every JSON response.
pub async fn sign(State(st): State<SharedState>, req: Request, next: Next) -> Response {
    let base = files::base_of(req.headers());
    let resp = next.run(req).await;
    files::rewrite(resp, |v| {
        let mut sh = lock(&st);
        let sh = &mut *sh;
        let known: Files = referenced(v)
            .into_iter()
            .filter_map(|k| sh.account.served_file(&k).map(|f| (k, f)))
            .collect();
        files::sign_json(v, &base, &known, &mut sh.file_stats);
    })
    .await
}

/// Keys of the placeholders in a response.
fn referenced(v: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::String(s) => {
                if let Some(k) = s.strip_prefix(files::PLACEHOLDER) {
                    out.push(k.to_owned());
                }
            }
            serde_json::Value::Array(a) => stack.extend(a),
            serde_json::Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    out
}

/// `GET /__fake/files/{key}/{name}`: a signed download.
pub async fn download(
    State(st): State<SharedState>,
    Path((key, _name)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    serve(&st, &key, &q, &headers, false)
}

/// `GET /__fake/storage/{key}`: the storage leg of a same-host redirect.
pub async fn storage(
    State(st): State<SharedState>,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    serve(&st, &key, &q, &headers, true)
}

fn serve(
    st: &SharedState,
    key: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    redirected: bool,
) -> Response {
    let mut sh = lock(st);
    let sh = &mut *sh;
    let one: Files = sh
        .account
        .served_file(key)
        .map(|f| (key.to_owned(), f))
        .into_iter()
        .collect();
    files::serve(
        &one,
        &mut sh.file_stats,
        files::Download {
            key,
            query: q,
            headers,
            redirected,
        },
    )
}
