//! Searching the cluster: a [`SearchRequest`] is parsed by trove's own parser, translated by
//! [`super::query`], sent as one `GET /collections/{c}/documents/search`, and the answer is
//! mapped into the same [`SearchResponse`] the local index gives: hits with snippets cut by
//! tantivy's snippet generator over the pushed body (trove's analyzer, `<b>` highlights),
//! `found` as the total, and facet counts by source, kind and tag.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::DateTime;
use reqwest::Method;
use serde_json::Value;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;

use super::query::{translate, Params};
use super::{enc, Retry, Typesense, TypesenseError};
use crate::search::query::{parse, QueryError};
use crate::search::{check_length, lead, Facets, Hit, Mode, SearchRequest, SearchResponse};

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
    let snippets = snippet_generator(params, ts);
    v["hits"]
        .as_array()
        .map(|a| a.iter().skip(skip).take(limit))
        .into_iter()
        .flatten()
        .map(|h| hit(h, snippets.as_ref()))
        .collect()
}

fn snippet_generator(params: &Params, ts: &Typesense) -> Option<SnippetGenerator> {
    let en = ts.schema.analyzer("en")?;
    let terms: BTreeMap<String, f32> = params.highlight.iter().map(|t| (t.clone(), 1.0)).collect();
    Some(SnippetGenerator::new(
        terms,
        en,
        Field::from_field_id(0),
        220,
    ))
}

fn hit(h: &Value, snippets: Option<&SnippetGenerator>) -> Hit {
    let d = &h["document"];
    let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
    let body = s("body");
    let (snippet, snippet_plain) = match snippets.map(|g| g.snippet(&body)) {
        Some(sn) if !sn.is_empty() => (
            sn.to_html(),
            (sn.fragment().to_owned(), sn.highlighted().to_vec()),
        ),
        _ => lead(&body),
    };
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
