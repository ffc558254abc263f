//! What the three tools take and give: [`SearchInput`] → [`SearchOutput`], [`FetchInput`] →
//! [`FetchOutput`], and [`StatusOutput`]. The doc comments on the fields become the JSON schema
//! descriptions a model reads, so they say what a value looks like and when to use it.
//!
//! The functions here are pure: they validate input into a [`SearchRequest`] or a text window
//! and turn engine answers into outputs. Running them against the store and index is
//! [`super::TroveMcp`]'s job; rendering the short text for `content` is [`super::text`]'s.

use chrono::{DateTime, Utc};
use rmcp::schemars::{self, JsonSchema};
use serde::{Deserialize, Serialize};

use crate::data::Status;
use crate::document::Document;
use crate::http::routes::{clip, date};
use crate::http::ApiError;
use crate::search::{Hit, SearchRequest, SearchResponse, MAX_LIMIT, MAX_QUERY_BYTES};

/// Hits returned when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 10;
/// Deepest `offset` a search may page to (as `/search`).
pub const MAX_OFFSET: u32 = crate::http::routes::MAX_OFFSET as u32;
/// Characters of text `fetch` returns when `max_chars` is not given.
pub const DEFAULT_FETCH_CHARS: u32 = 20_000;
/// Most characters one `fetch` call returns.
pub const MAX_FETCH_CHARS: u32 = 100_000;

/// Arguments of the `search` tool.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchInput {
    /// What to look for. Plain words match any field (title words count most); "quoted
    /// phrases" match exactly; AND, OR, NOT and -word combine or exclude; field:value
    /// restricts a word to one field (title, body, path, authors, source, kind, tags).
    pub query: String,
    /// Only documents from this source: a source name as listed by the `status` tool.
    #[serde(default)]
    pub source: Option<String>,
    /// Only documents of this kind: `page` or `database_row` (Notion), `item` or `subitem`
    /// (monday.com).
    #[serde(default)]
    pub kind: Option<String>,
    /// Only documents that carry every one of these tags (statuses, select options, labels).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only documents last edited at or after this time: a date (2024-05-01) or an RFC 3339
    /// time (2024-05-01T12:00:00Z).
    #[serde(default)]
    pub updated_after: Option<String>,
    /// Only documents last edited before this time: a date (2024-05-01) or an RFC 3339 time.
    #[serde(default)]
    pub updated_before: Option<String>,
    /// How many hits to return, 1 to 100 (default 10).
    #[serde(default)]
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
    /// How many hits to skip, to get the next page (default 0, at most 10000).
    #[serde(default)]
    #[schemars(range(max = 10000))]
    pub offset: Option<u32>,
    /// `keyword` (the exact words), `semantic` (by meaning, for questions worded differently
    /// from the pages that answer them) or `hybrid` (both, fused). Default: hybrid when trove
    /// has an embedding model, else keyword.
    #[serde(default)]
    #[schemars(regex(pattern = "^(keyword|semantic|hybrid)$"))]
    pub mode: Option<String>,
}

/// One ranked hit of the `search` tool.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchHit {
    /// Position in the whole result list, from 1.
    pub rank: u32,
    /// Pass this to `fetch` to read the whole document.
    pub id: String,
    pub title: String,
    /// Where the document sits in its workspace, outermost first (`Workspace › Parent`).
    pub breadcrumb: String,
    /// Link to the original in Notion or monday.com: cite this.
    pub url: String,
    /// Source name (see `status`).
    pub source: String,
    /// `page`, `database_row`, `item`, `subitem`, …
    pub kind: String,
    /// Last edit time (RFC 3339), when the source reports one.
    pub updated_at: Option<String>,
    /// Text around the matched words, which are wrapped in `**`.
    pub snippet: String,
    /// Relevance score (higher is better; only comparable within one result list).
    pub score: f32,
}

/// Result of the `search` tool.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchOutput {
    /// The query as run.
    pub query: String,
    /// How many documents match in all (hits holds at most `limit` of them).
    pub total: u64,
    /// How many hits were skipped before the first one here.
    pub offset: u32,
    /// Pass as `offset` to get the next page; absent on the last page.
    pub next_offset: Option<u32>,
    pub hits: Vec<SearchHit>,
}

/// Arguments of the `fetch` tool.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FetchInput {
    /// A document id from a search hit, e.g. `notion:59833787-2cf9-4fdf-8782-e53db20768a5`.
    pub id: String,
    /// Most characters of text to return, 1 to 100000 (default 20000). Longer documents are
    /// cut, and the answer says where to continue.
    #[serde(default)]
    #[schemars(range(min = 1, max = 100000))]
    pub max_chars: Option<u32>,
    /// Character position to start reading from, to continue a cut document (default 0).
    #[serde(default)]
    pub offset: Option<u32>,
}

/// Result of the `fetch` tool: the document's metadata and (part of) its flattened text.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FetchOutput {
    pub id: String,
    pub title: String,
    pub breadcrumb: String,
    /// Link to the original: cite this.
    pub url: String,
    pub source: String,
    /// `notion` or `monday`; absent for imported documents.
    pub source_kind: Option<String>,
    pub kind: String,
    /// Id of the parent document, when the parent is itself a document.
    pub parent_id: Option<String>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// The flattened text, from character `offset`, at most `max_chars` characters.
    pub text: String,
    /// Character position of the first character of `text` in the whole text.
    pub offset: u64,
    /// Length of the whole text, in characters.
    pub total_chars: u64,
    /// Whether text continues after this part.
    pub truncated: bool,
    /// Pass as `offset` to read on; absent when nothing follows.
    pub next_offset: Option<u64>,
}

/// One source in the `status` tool's answer.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SourceInfo {
    /// The name to pass as `source` to `search`.
    pub name: String,
    /// `notion`, `monday` or `import`.
    pub kind: String,
    pub documents: u64,
    /// `never synced`, `running`, `ok` or `failed`.
    pub status: String,
    /// When the last sync finished (RFC 3339).
    pub last_sync_at: Option<String>,
    /// Why the last sync failed, when it did.
    pub last_error: Option<String>,
    /// Records the last syncs skipped (not shared with trove, unreadable, …).
    pub skipped: u64,
}

/// Result of the `status` tool: what is indexed, from where, and how fresh.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StatusOutput {
    /// Documents in the store.
    pub documents: u64,
    /// Documents searchable right now.
    pub indexed_documents: u64,
    /// Changes written to the store that search does not show yet (a sync is running).
    pub changes_pending: u64,
    pub sources: Vec<SourceInfo>,
}

/// Arguments of the `status` tool (none).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {}

/// Checks `input` and turns it into the engine's request.
pub fn search_request(input: &SearchInput) -> Result<SearchRequest, ApiError> {
    let query = input.query.trim();
    if query.is_empty() {
        return Err(bad("`query` is empty: give the words to look for"));
    }
    if query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::BadQuery(format!(
            "the query is {} bytes long; the limit is {MAX_QUERY_BYTES}: use fewer, more specific words",
            query.len()
        )));
    }
    let limit = input.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit as usize > MAX_LIMIT {
        return Err(bad(format!(
            "`limit` must be between 1 and {MAX_LIMIT}, not {limit}: page with `offset` for more"
        )));
    }
    let offset = input.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(bad(format!(
            "`offset` is at most {MAX_OFFSET}: narrow the query with words or filters instead"
        )));
    }
    Ok(SearchRequest {
        query: query.to_owned(),
        limit: limit as usize,
        offset: offset as usize,
        source: non_empty(&input.source),
        kind: non_empty(&input.kind),
        tags: input
            .tags
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        updated_after: optional_date("updated_after", &input.updated_after)?,
        updated_before: optional_date("updated_before", &input.updated_before)?,
        facets: false,
        mode: match input.mode.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(m) => Some(m.parse().map_err(|e: String| bad(format!("`mode`: {e}")))?),
        },
    })
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadParameter(message.into())
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn optional_date(key: &str, v: &Option<String>) -> Result<Option<DateTime<Utc>>, ApiError> {
    non_empty(v).map(|v| date(key, &v)).transpose()
}

/// The `search` tool's answer to `resp`, which ran `req`.
pub fn search_output(req: &SearchRequest, resp: &SearchResponse) -> SearchOutput {
    let shown = req.offset + resp.hits.len();
    SearchOutput {
        query: req.query.clone(),
        total: resp.total,
        offset: req.offset as u32,
        next_offset: ((shown as u64) < resp.total && !resp.hits.is_empty()).then_some(shown as u32),
        hits: resp
            .hits
            .iter()
            .enumerate()
            .map(|(i, h)| search_hit(req.offset + i + 1, h))
            .collect(),
    }
}

fn search_hit(rank: usize, h: &Hit) -> SearchHit {
    SearchHit {
        rank: rank as u32,
        id: h.id.clone(),
        title: h.title.clone(),
        breadcrumb: h.path.clone(),
        url: h.url.clone(),
        source: h.source.clone(),
        kind: h.kind.clone(),
        updated_at: h.updated_at.map(rfc3339),
        snippet: h.snippet_marked("**", "**"),
        score: h.score,
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The window of text a `fetch` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: u64,
    pub max_chars: u64,
}

/// Checks `input`: a non-empty id and a window within bounds.
pub fn fetch_window(input: &FetchInput) -> Result<Window, ApiError> {
    if input.id.trim().is_empty() {
        return Err(bad(
            "`id` is empty: pass the `id` of a search hit (like `notion:59833787-…`)",
        ));
    }
    let max_chars = input.max_chars.unwrap_or(DEFAULT_FETCH_CHARS);
    if max_chars == 0 || max_chars > MAX_FETCH_CHARS {
        return Err(bad(format!(
            "`max_chars` must be between 1 and {MAX_FETCH_CHARS}, not {max_chars}: read long \
             documents in parts with `offset`"
        )));
    }
    Ok(Window {
        offset: u64::from(input.offset.unwrap_or(0)),
        max_chars: u64::from(max_chars),
    })
}

/// The error for an id the store does not hold.
pub fn unknown_id(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "no document with id `{}`: ids come from the `id` of search hits; search again if the \
         document may have been deleted since",
        clip(id)
    ))
}

/// The `fetch` tool's answer: `doc`'s metadata and the asked-for window of its text.
pub fn fetch_output(doc: Document, window: Window) -> Result<FetchOutput, ApiError> {
    let total_chars = doc.body.chars().count() as u64;
    if window.offset > 0 && window.offset >= total_chars {
        return Err(bad(format!(
            "`offset` {} is past the end of the text ({total_chars} characters)",
            window.offset
        )));
    }
    let text: String = doc
        .body
        .chars()
        .skip(window.offset as usize)
        .take(window.max_chars as usize)
        .collect();
    let end = window.offset + text.chars().count() as u64;
    let truncated = end < total_chars;
    Ok(FetchOutput {
        breadcrumb: doc.path.join(" › "),
        source_kind: doc.source_kind.map(|k| k.as_str().to_owned()),
        created_at: doc.created_at.map(rfc3339),
        updated_at: doc.updated_at.map(rfc3339),
        id: doc.id,
        title: doc.title,
        url: doc.url,
        source: doc.source,
        kind: doc.kind,
        parent_id: doc.parent_id,
        authors: doc.authors,
        tags: doc.tags,
        text,
        offset: window.offset,
        total_chars,
        truncated,
        next_offset: truncated.then_some(end),
    })
}

/// The `status` tool's answer: the data folder's status without its local details (path,
/// segments, generation), which mean nothing to an assistant.
pub fn status_output(status: Status) -> StatusOutput {
    StatusOutput {
        documents: status.documents,
        indexed_documents: status.index.documents,
        changes_pending: status
            .index
            .store_seq
            .saturating_sub(status.index.applied_seq),
        sources: status
            .sources
            .into_iter()
            .map(|s| SourceInfo {
                name: s.name,
                kind: s.kind,
                documents: s.documents,
                status: s.status,
                last_sync_at: s.last_sync_at.map(rfc3339),
                last_error: s.last_error,
                skipped: s.skipped,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(query: &str) -> SearchInput {
        SearchInput {
            query: query.into(),
            ..SearchInput::default()
        }
    }

    #[test]
    fn search_defaults_and_filters() {
        let mut input = search("  heat transfer ");
        input.source = Some(" ".into());
        input.kind = Some("page".into());
        input.tags = vec!["Done".into(), "".into()];
        input.updated_after = Some("2024-05-01".into());
        let req = search_request(&input).unwrap();
        assert_eq!(req.query, "heat transfer");
        assert_eq!((req.limit, req.offset), (10, 0));
        assert_eq!(req.source, None);
        assert_eq!(req.kind.as_deref(), Some("page"));
        assert_eq!(req.tags, ["Done"]);
        assert_eq!(
            req.updated_after.map(rfc3339).as_deref(),
            Some("2024-05-01T00:00:00Z")
        );
    }

    #[test]
    fn bad_search_input_names_the_field_and_the_fix() {
        let cases: Vec<(SearchInput, &str)> = vec![
            (search(" "), "`query` is empty"),
            (search(&"word ".repeat(500)), "bytes long"),
            (
                SearchInput {
                    limit: Some(500),
                    ..search("x")
                },
                "`limit` must be between 1 and 100",
            ),
            (
                SearchInput {
                    limit: Some(0),
                    ..search("x")
                },
                "`limit`",
            ),
            (
                SearchInput {
                    offset: Some(20_000),
                    ..search("x")
                },
                "`offset` is at most",
            ),
            (
                SearchInput {
                    updated_before: Some("last week".into()),
                    ..search("x")
                },
                "`updated_before` must be a date",
            ),
        ];
        for (input, want) in cases {
            let e = search_request(&input).unwrap_err();
            assert!(e.to_string().contains(want), "{want}: {e}");
        }
    }

    fn doc(body: &str) -> Document {
        let mut d = Document::new("notion:abc", "Title", body);
        d.path = vec!["Space".into(), "Parent".into()];
        d
    }

    fn window(offset: u64, max_chars: u64) -> Window {
        Window { offset, max_chars }
    }

    #[test]
    fn fetch_cuts_at_the_window_and_says_where_to_go_on() {
        let out = fetch_output(doc("ééééé12345"), window(0, 4)).unwrap();
        assert_eq!(out.text, "éééé");
        assert!(out.truncated);
        assert_eq!((out.total_chars, out.next_offset), (10, Some(4)));
        assert_eq!(out.breadcrumb, "Space › Parent");
        let rest = fetch_output(doc("ééééé12345"), window(4, 100)).unwrap();
        assert_eq!(rest.text, "é12345");
        assert!(!rest.truncated);
        assert_eq!(rest.next_offset, None);
        let e = fetch_output(doc("short"), window(5, 10)).unwrap_err();
        assert!(e.to_string().contains("past the end"), "{e}");
        let empty = fetch_output(doc(""), window(0, 10)).unwrap();
        assert_eq!((empty.text.as_str(), empty.truncated), ("", false));
    }

    #[test]
    fn bad_fetch_input_is_refused() {
        let input = |id: &str, max_chars| FetchInput {
            id: id.into(),
            max_chars,
            offset: None,
        };
        assert!(fetch_window(&input(" ", None)).is_err());
        let e = fetch_window(&input("a:b", Some(MAX_FETCH_CHARS + 1))).unwrap_err();
        assert!(e.to_string().contains("`max_chars`"), "{e}");
        assert_eq!(
            fetch_window(&input("a:b", None)).unwrap(),
            window(0, u64::from(DEFAULT_FETCH_CHARS))
        );
    }
}
