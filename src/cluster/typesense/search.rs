//! Searching the cluster: a [`SearchRequest`] is parsed by trove's own parser, translated by
//! [`super::query`], sent as one `GET /collections/{c}/documents/search`, and the answer is
//! mapped into the same [`SearchResponse`] the local index gives: hits with snippets cut by
//! tantivy's snippet generator from the pushed body (trove's analyzer, `<b>` highlights; only
//! a window around the first likely match is analyzed, see `Snippets`),
//! `found` as the total, and facet counts by source, kind and tag.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::DateTime;
use reqwest::Method;
use serde_json::Value;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;

use super::query::{translate, Params};
use super::{enc, Retry, Typesense, TypesenseError};
use crate::search::query::{parse, QueryError};
use crate::search::{
    check_length, lead, snippet, Facets, Hit, Mode, SearchRequest, SearchResponse,
};

/// Fields a search brings back (the readable ones, not the shadow or `doc` fields).
const HIT_FIELDS: &str = "id,source,kind,title,path,url,updated_at,body";
/// Typesense's largest page.
const MAX_PER_PAGE: usize = 250;

/// A search failure: the query (400) or the cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterSearchError {
    #[error(transparent)]
    BadQuery(#[from] QueryError),
    #[error(transparent)]
    Cluster(#[from] TypesenseError),
    /// Semantic or hybrid search: the cluster holds no vectors (the request's fault: 400).
    #[error(
        "`mode={}` is not available when searching the cluster (`--engine typesense`): it \
         answers keyword searches only; leave `mode` out or use `mode=keyword`",
        .0.as_str()
    )]
    ModeUnavailable(Mode),
}

impl Typesense {
    /// Runs `req` against `collection` (usually the alias).
    pub async fn search(
        &self,
        collection: &str,
        req: &SearchRequest,
    ) -> Result<SearchResponse, ClusterSearchError> {
        let start = Instant::now();
        check_length(&req.query)?;
        if let Some(m) = req.mode.filter(|m| *m != Mode::Keyword) {
            return Err(ClusterSearchError::ModeUnavailable(m));
        }
        let params = translate(&parse(&req.query)?, req, &self.schema)?;
        let limit = req.limit.clamp(1, crate::search::MAX_LIMIT);
        let (page, per_page, skip) = paging(req.offset, limit)?;
        let mut pairs = params.pairs(req, HIT_FIELDS);
        set(&mut pairs, "page", page.to_string());
        set(&mut pairs, "per_page", per_page.to_string());
        let v = self.search_raw(collection, &pairs).await?;
        let hits = hits(&v, &params, self, skip, limit);
        Ok(SearchResponse {
            mode: Mode::Keyword,
            total: v["found"].as_u64().unwrap_or(0),
            // Typesense counts every match.
            total_is_exact: true,
            // The cluster answers keyword searches only.
            embeddings_pending: 0,
            took_ms: start.elapsed().as_millis() as u64,
            hits,
            facets: req.facets.then(|| facets(&v)),
        })
    }

    /// One search request with the given parameters; the JSON answer.
    pub async fn search_raw(
        &self,
        collection: &str,
        pairs: &[(&str, String)],
    ) -> Result<Value, TypesenseError> {
        let qs: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect();
        let path = format!(
            "/collections/{}/documents/search?{}",
            enc(collection),
            qs.join("&")
        );
        let retry = Retry::read(self.client.node_count());
        let r = self.client.send(Method::GET, &path, None, retry).await?;
        super::parse_ok("a search", r)
    }
}

fn set(pairs: &mut [(&'static str, String)], key: &str, value: String) {
    if let Some(p) = pairs.iter_mut().find(|(k, _)| *k == key) {
        p.1 = value;
    }
}

/// Typesense pages by `page`/`per_page`; trove by `offset`/`limit`. Returns the page, its
/// size and how many of its hits to skip, choosing the smallest page size that covers
/// `offset..offset + limit` in one request.
fn paging(offset: usize, limit: usize) -> Result<(usize, usize, usize), QueryError> {
    (limit..=MAX_PER_PAGE)
        .find(|p| (offset / p) * p + p >= offset + limit)
        .map(|p| (offset / p + 1, p, offset - (offset / p) * p))
        .ok_or_else(|| {
            QueryError(format!(
                "offset {offset} with limit {limit} cannot be fetched from Typesense in one page; \
                 use an offset that is a multiple of the limit"
            ))
        })
}

fn hits(v: &Value, params: &Params, ts: &Typesense, skip: usize, limit: usize) -> Vec<Hit> {
    let snippets = Snippets::new(params, ts);
    v["hits"]
        .as_array()
        .map(|a| a.iter().skip(skip).take(limit))
        .into_iter()
        .flatten()
        .map(|h| hit(h, snippets.as_ref()))
        .collect()
}

/// Cuts the snippets of one search's hits from the bodies the cluster sent back, with trove's
/// analyzer and highlighting. Typesense is asked for no highlights (they cost it time), so the
/// place to look is found here: the first word of the body that starts like one of the query's
/// stems (a byte search, no tokenizing), and the generator then runs on a window around it
/// ([`snippet::window`]), as the local engine does around the first position its index gives.
/// When no word starts like a stem (a stem that is not a prefix of its word, such as `happi`
/// from "happy"), or the window holds no real match, the whole body is analyzed as before.
struct Snippets {
    generator: SnippetGenerator,
    /// What a matching word starts with, lowercase: the stems, less a final `i` that the
    /// stemmer may have made from a `y`.
    probes: Vec<String>,
}

impl Snippets {
    fn new(params: &Params, ts: &Typesense) -> Option<Snippets> {
        Some(Snippets::of(ts.schema.analyzer("en")?, &params.highlight))
    }

    /// Snippets highlighting `stems` (analyzed by `en`, trove's English analyzer).
    fn of(en: TextAnalyzer, stems: &[String]) -> Snippets {
        let terms: BTreeMap<String, f32> = stems.iter().map(|t| (t.clone(), 1.0)).collect();
        let probes = stems
            .iter()
            .map(|t| match t.strip_suffix('i') {
                Some(p) if p.len() >= 3 => p.to_owned(),
                _ => t.clone(),
            })
            .filter(|p| !p.is_empty())
            .collect();
        let generator =
            SnippetGenerator::new(terms, en, Field::from_field_id(0), snippet::FRAGMENT_CHARS);
        Snippets { generator, probes }
    }

    /// The snippet of `body`, if a query term is in it.
    fn cut(&self, body: &str) -> Option<snippet::Cut> {
        if let Some(at) = first_word_starting(body, &self.probes) {
            let sn = self.generator.snippet(snippet::window(body, at));
            if !sn.is_empty() {
                return Some(snippet::to_cut(&sn));
            }
        }
        let sn = self.generator.snippet(body);
        (!sn.is_empty()).then(|| snippet::to_cut(&sn))
    }
}

/// The byte offset of the first word of `text` that starts with one of `probes` (lowercase),
/// comparing ASCII letters without case.
fn first_word_starting(text: &str, probes: &[String]) -> Option<usize> {
    // ASCII lowercasing keeps every byte offset (and the text valid UTF-8).
    let lower = text.to_ascii_lowercase();
    probes
        .iter()
        .filter_map(|p| {
            lower.match_indices(p.as_str()).map(|(i, _)| i).find(|&i| {
                lower[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            })
        })
        .min()
}

fn hit(h: &Value, snippets: Option<&Snippets>) -> Hit {
    let d = &h["document"];
    let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
    let body = s("body");
    let (snippet, snippet_plain) = snippets
        .and_then(|g| g.cut(&body))
        .unwrap_or_else(|| lead(&body));
    Hit {
        id: s("id"),
        source: s("source"),
        kind: s("kind"),
        title: s("title"),
        path: s("path"),
        url: s("url"),
        snippet,
        score: h["text_match"].as_u64().unwrap_or(0) as f32,
        updated_at: d["updated_at"]
            .as_i64()
            .and_then(DateTime::from_timestamp_micros),
        snippet_plain,
    }
}

fn facets(v: &Value) -> Facets {
    let mut f = Facets::default();
    for fc in v["facet_counts"].as_array().into_iter().flatten() {
        let counts: Vec<(String, u64)> = fc["counts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some((c["value"].as_str()?.to_owned(), c["count"].as_u64()?)))
            .collect();
        match fc["field_name"].as_str() {
            Some("source") => f.source = counts.into_iter().take(20).collect(),
            Some("kind") => f.kind = counts.into_iter().take(20).collect(),
            Some("tags") => f.tags = counts,
            _ => {}
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_covers_any_offset_in_one_request() {
        assert_eq!(paging(0, 10).unwrap(), (1, 10, 0));
        assert_eq!(paging(20, 10).unwrap(), (3, 10, 0));
        for (offset, limit) in [(5, 10), (13, 7), (95, 100), (1, 100)] {
            let (page, per, skip) = paging(offset, limit).unwrap();
            assert_eq!((page - 1) * per + skip, offset, "{offset} {limit}");
            assert!(skip + limit <= per);
        }
        assert!(paging(1, 250).is_err());
    }

    fn snippets(stems: &[&str]) -> Snippets {
        let schema = super::super::CollectionSchema::builtin().unwrap();
        let stems: Vec<String> = stems.iter().map(|s| s.to_string()).collect();
        Snippets::of(schema.analyzer("en").unwrap(), &stems)
    }

    #[test]
    fn a_snippet_deep_in_a_long_body_highlights_what_the_whole_body_gives() {
        let filler = "Nothing to see in this sentence at all. ".repeat(2_000);
        let body = format!("{filler}The Orion launch is blocked by the Releases audit. {filler}");
        let s = snippets(&["releas", "audit"]);
        let marked = |plain: &str, ranges: &[std::ops::Range<usize>]| -> Vec<String> {
            ranges.iter().map(|r| plain[r.clone()].to_owned()).collect()
        };
        let whole = s.generator.snippet(&body);
        let (html, (plain, ranges)) = s.cut(&body).unwrap();
        assert!(html.contains("<b>Releases</b> <b>audit</b>"), "{html}");
        assert!(plain.contains("The Orion launch is blocked by the Releases audit."));
        assert_eq!(
            marked(&plain, &ranges),
            marked(whole.fragment(), whole.highlighted())
        );
    }

    #[test]
    fn stems_that_are_not_prefixes_and_words_inside_words_still_find_their_match() {
        // "happi" is the stem of "happy"; "audited" inside "preaudited" is not a word start.
        let body = format!("preaudited {} A happy customer.", "x ".repeat(3_000));
        let (html, _) = snippets(&["happi"]).cut(&body).unwrap();
        assert!(html.contains("<b>happy</b>"), "{html}");
        assert!(snippets(&["audit"]).cut(&body).is_none());
        assert_eq!(
            first_word_starting("preaudited audit", &["audit".into()]),
            Some(11)
        );
        assert_eq!(
            first_word_starting("Zürich AUDIT", &["audit".into()]),
            Some(8)
        );
    }

    #[test]
    fn facets_map_by_field() {
        let v: Value = serde_json::from_str(
            r#"{"facet_counts":[{"field_name":"tags","counts":[{"count":3,"value":"stuck"}]},
                {"field_name":"source","counts":[{"count":5,"value":"notion"}]}]}"#,
        )
        .unwrap();
        let f = facets(&v);
        assert_eq!(f.tags, vec![("stuck".to_owned(), 3)]);
        assert_eq!(f.source, vec![("notion".to_owned(), 5)]);
    }
}
