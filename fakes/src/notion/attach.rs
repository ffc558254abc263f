//! Attached files in the fake workspace: `file` and `pdf` blocks and `files` properties whose
//! URLs are placeholders signed per response (`crate::files`), and the download routes.
//! [`Workspace::add_attachment_showcase`] adds one page holding every kind of file a test
//! needs (PDF, text, Markdown, CSV, oversize, encrypted, corrupt, expiring, redirected in and
//! out of the host) plus a `files` property on a data-source row.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{json, Value};

use super::model::Workspace;
use super::{lock, Shared};
use crate::files::{self, expiry_time, placeholder, Behaviour, FakeFile};

/// Ids and unique words of the showcase, for tests to aim at.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttachmentShowcase {
    /// The page holding the file blocks.
    pub page: String,
    /// The row holding the `files` property (when the workspace has a data source).
    pub row: Option<String>,
    /// Unique word → the file name whose text holds it; each must be found.
    pub readable: Vec<(String, String)>,
    /// File names that must be skipped, with a word of the expected reason.
    pub skipped: Vec<(String, String)>,
    /// Text inside files that must never be indexed.
    pub hidden_words: Vec<String>,
}

impl Workspace {
    /// Appends a Notion-hosted `file` or `pdf` block for `file` (stored under `key`) to a
    /// page. Returns the block id.
    pub fn add_file_block(
        &mut self,
        page: &str,
        kind: &str,
        key: &str,
        file: FakeFile,
    ) -> Option<String> {
        let id = self.append_paragraph(page, "")?;
        let mut payload = json!({
            "caption": [],
            "type": "file",
            "file": {"url": placeholder(key), "expiry_time": expiry_time()},
        });
        if kind == "file" {
            payload["name"] = json!(file.name);
        }
        let block = self.blocks.get_mut(&id)?;
        block.kind = kind.to_owned();
        block.payload = payload;
        self.files.insert(key.to_owned(), file);
        Some(id)
    }

    /// Sets a `files` property on a row (adding it to the data source's schema).
    pub fn set_files_property(
        &mut self,
        row: &str,
        prop: &str,
        files: Vec<(String, FakeFile)>,
    ) -> bool {
        let entries: Vec<Value> = files
            .iter()
            .map(|(key, f)| {
                json!({"name": f.name, "type": "file",
                       "file": {"url": placeholder(key), "expiry_time": expiry_time()}})
            })
            .collect();
        let Some(page) = self.pages.get_mut(row) else {
            return false;
        };
        page.properties.insert(
            prop.to_owned(),
            json!({"id": "fIl3", "type": "files", "files": entries}),
        );
        if let super::model::Parent::DataSource { data_source, .. } = page.parent.clone() {
            if let Some(ds) = self.data_sources.get_mut(&data_source) {
                ds.properties.insert(
                    prop.to_owned(),
                    json!({"id": "fIl3", "name": prop, "description": "", "type": "files", "files": {}}),
                );
            }
        }
        self.files.extend(files);
        true
    }

    /// Adds the attachment showcase (see the module docs) as a new top-level page.
    pub fn add_attachment_showcase(&mut self) -> Option<AttachmentShowcase> {
        let page = self.add_page(None, "Attachment showcase", "files attached below")?;
        let mut sc = AttachmentShowcase {
            page: page.clone(),
            ..Default::default()
        };
        let readable = [
            (
                "pdf",
                "spec.pdf",
                "application/pdf",
                files::pdf(&[
                    "Quarterly zanzibarite forecast",
                    "second page vortiquant margins",
                ]),
                Behaviour::Plain,
                &["zanzibarite", "vortiquant"][..],
            ),
            (
                "file",
                "notes.txt",
                "text/plain",
                b"plain notes mention glorbulent rivers".to_vec(),
                Behaviour::ExpireFirstUrl,
                &["glorbulent"][..],
            ),
            (
                "file",
                "readme.md",
                "text/markdown",
                b"# Heading\n\nmarkdown talks about quillfeather lamps".to_vec(),
                Behaviour::SameHostRedirect,
                &["quillfeather"][..],
            ),
            (
                "file",
                "table.csv",
                "text/csv",
                b"name,notes\nwidget,\"shiny, trombulate parts\"\n".to_vec(),
                Behaviour::Plain,
                &["trombulate"][..],
            ),
        ];
        for (i, (kind, name, ct, bytes, behaviour, words)) in readable.into_iter().enumerate() {
            let key = format!("sc-{i}-{name}");
            let f = FakeFile::new(name, ct, bytes).with(behaviour);
            self.add_file_block(&page, kind, &key, f)?;
            sc.readable
                .extend(words.iter().map(|w| (w.to_string(), name.to_owned())));
        }
        let big = vec![b'a'; 3 * 1024 * 1024];
        let skipped = [
            ("big.txt", "text/plain", big, Behaviour::Plain, "limit"),
            (
                "locked.pdf",
                "application/pdf",
                files::encrypted_pdf("hushwhisper inside", "pw"),
                Behaviour::Plain,
                "encrypted",
            ),
            (
                "broken.pdf",
                "application/pdf",
                b"%PDF-1.4 garbage that is not a pdf".to_vec(),
                Behaviour::Plain,
                "unreadable",
            ),
            (
                "elsewhere.txt",
                "text/plain",
                b"offsite blorptastic text".to_vec(),
                Behaviour::ForeignRedirect,
                "redirect",
            ),
        ];
        for (i, (name, ct, bytes, behaviour, why)) in skipped.into_iter().enumerate() {
            let key = format!("sk-{i}-{name}");
            let kind = if name.ends_with(".pdf") {
                "pdf"
            } else {
                "file"
            };
            self.add_file_block(
                &page,
                kind,
                &key,
                FakeFile::new(name, ct, bytes).with(behaviour),
            )?;
            sc.skipped.push((name.to_owned(), why.to_owned()));
        }
        sc.hidden_words = vec!["hushwhisper".into(), "blorptastic".into()];
        let row = self
            .markers
            .data_source
            .as_ref()
            .and_then(|ds| self.data_sources.get(ds))
            .and_then(|ds| ds.rows.first().cloned());
        if let Some(row) = &row {
            let f = FakeFile::new(
                "brief.md",
                "text/markdown",
                b"row brief on snorkelwick".to_vec(),
            );
            self.set_files_property(row, "Files", vec![("row-brief".into(), f)]);
            sc.readable.push(("snorkelwick".into(), "brief.md".into()));
        }
        sc.row = row;
        Some(sc)
    }
}

/// Middleware: signs the file placeholders in every JSON response (on the request's host).
pub async fn sign(State(sh): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let base = files::base_of(req.headers());
    let resp = next.run(req).await;
    files::rewrite(resp, |v| {
        let ws = sh.ws();
        let mut stats = lock(&sh.file_stats);
        files::sign_json(v, &base, &ws.files, &mut stats);
    })
    .await
}

/// `GET /__fake/files/{key}/{name}`: a signed download.
pub async fn download(
    State(sh): State<Arc<Shared>>,
    Path((key, _name)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    serve(&sh, &key, &q, &headers, false)
}

/// `GET /__fake/storage/{key}`: the storage leg of a same-host redirect.
pub async fn storage(
    State(sh): State<Arc<Shared>>,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    serve(&sh, &key, &q, &headers, true)
}

fn serve(
    sh: &Shared,
    key: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    redirected: bool,
) -> Response {
    let ws = sh.ws();
    let mut stats = lock(&sh.file_stats);
    files::serve(
        &ws.files,
        &mut stats,
        files::Download {
            key,
            query: q,
            headers,
            redirected,
        },
    )
}
