//! [`translate`]: trove's parsed query plus the request's filters → Typesense search
//! parameters ([`Params`]), or a [`QueryError`] naming the syntax Typesense cannot express.
//!
//! What translates faithfully:
//! - free words and `"phrases"` → `q` over the `*_stems` fields, analyzed exactly as the local
//!   index analyzes them (stemming, folding, the same stop-word rule), typos and prefix
//!   matching off;
//! - `+word` / `AND` (every term required) → `q` with `drop_tokens_threshold=0`;
//! - `-word`, `NOT word`, `-"phrase"` → `-token` / `-"phrase"` in `q`;
//! - `source:`, `kind:`, `tags:` → `filter_by` (`+`/plain → `:=`, `-`/`NOT` → `:!=`); as
//!   locally, values of one field are an either-or list and different fields all apply;
//! - `title:`/`body:`/`path:`/`authors:` when every word of the query names the same field;
//! - request filters (source, kind, tags, updated_after/before) → `filter_by`.
//!
//! What does not, and is refused: parentheses and `OR` between different kinds of terms,
//! required words mixed with optional ones, a filter next to optional words (Typesense has no
//! optional term next to a required one or a filter: it would require them), only exclusions,
//! and words restricted to different fields in one query.
//!
//! One known difference remains and is documented: several plain words (`heat transfer`) are
//! "any of these, best first" locally, and "all of these, falling back to fewer when nothing
//! matches" in Typesense; the top hits agree, the totals can differ.

use tantivy::tokenizer::TextAnalyzer;

use super::schema::{analyze_tokens, CollectionSchema, STEMS};
use crate::search::compile::{has_content_word, is_stop};
use crate::search::query::{Node, Occur, ParsedQuery, QueryError};
use crate::search::{SearchRequest, MAX_LIMIT};

/// Typesense search parameters for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub q: String,
    pub query_by: String,
    pub query_by_weights: String,
    pub filter_by: String,
    /// 0 when every term is required; Typesense's default (1) otherwise.
    pub drop_tokens_threshold: u32,
    /// Analyzed positive tokens, for snippets.
    pub highlight: Vec<String>,
}

impl Params {
    /// The query string pairs, including paging and facets for `req`.
    pub fn pairs(&self, req: &SearchRequest, fields: &str) -> Vec<(&'static str, String)> {
        let limit = req.limit.clamp(1, MAX_LIMIT);
        let mut p = vec![
            ("q", self.q.clone()),
            ("query_by", self.query_by.clone()),
            ("query_by_weights", self.query_by_weights.clone()),
            ("num_typos", "0".into()),
            ("typo_tokens_threshold", "0".into()),
            ("prefix", "false".into()),
            ("split_join_tokens", "off".into()),
            (
                "drop_tokens_threshold",
                self.drop_tokens_threshold.to_string(),
            ),
            ("include_fields", fields.to_owned()),
            ("highlight_fields", "none".into()),
            ("per_page", limit.to_string()),
            ("page", (req.offset / limit + 1).to_string()),
        ];
        if !self.filter_by.is_empty() {
            p.push(("filter_by", self.filter_by.clone()));
        }
        if req.facets {
            p.push(("facet_by", "source,kind,tags".into()));
            p.push(("max_facet_values", "30".into()));
        }
        p
    }
}

/// The filter fields a query may name.
const FILTER_FIELDS: &[&str] = &["source", "kind", "tags"];

/// Translates `q` and the filters of `req`.
pub fn translate(
    q: &ParsedQuery,
    req: &SearchRequest,
    schema: &CollectionSchema,
) -> Result<Params, QueryError> {
    let mut t = Translator::new(schema, q)?;
    for (occur, node) in &q.clauses {
        t.clause(*occur, node)?;
    }
    t.request_filters(req)?;
    t.finish(schema)
}

#[derive(Default)]
struct Parts {
    must_text: Vec<String>,
    should_text: Vec<String>,
    not_text: Vec<String>,
    /// `None` for unrestricted text, `Some(field)` for `title:` etc.; one per text clause.
    text_fields: Vec<Option<String>>,
    filters: Vec<String>,
    /// `source:`/`kind:`/`tags:` values that must match, as (field, quoted value).
    positive_filters: Vec<(String, String)>,
    highlight: Vec<String>,
}

struct Translator {
    en: TextAnalyzer,
    keyword: TextAnalyzer,
    keep_stop: bool,
    parts: Parts,
}

fn no_translation(what: &str) -> QueryError {
    QueryError(format!(
        "{what} has no faithful translation for the Typesense engine; rewrite the query or \
         search the local index (`--engine tantivy`)"
    ))
}

impl Translator {
    fn new(schema: &CollectionSchema, q: &ParsedQuery) -> Result<Translator, QueryError> {
        let get = |n: &str| {
            schema
                .analyzer(n)
                .ok_or_else(|| QueryError(format!("schema has no `{n}` analyzer")))
        };
        Ok(Translator {
            en: get("en")?,
            keyword: get("keyword")?,
            keep_stop: !has_content_word(&q.clauses),
            parts: Parts::default(),
        })
    }

    fn clause(&mut self, occur: Occur, node: &Node) -> Result<(), QueryError> {
        match node {
            Node::Group(_) => Err(no_translation(
                "grouping with parentheses (such as `(a OR b) AND c`)",
            )),
            Node::Words { field, text } | Node::Phrase { field, text } => {
                let phrase = matches!(node, Node::Phrase { .. });
                match field.as_deref() {
                    Some(f) if FILTER_FIELDS.contains(&f) => self.filter(occur, f, text),
                    f => self.text(occur, f, text, phrase),
                }
            }
        }
    }

    fn filter(&mut self, occur: Occur, field: &str, value: &str) -> Result<(), QueryError> {
        let value = if field == "tags" {
            analyze_tokens(&mut self.keyword, value.trim())
                .pop()
                .unwrap_or_default()
        } else {
            value.trim().to_owned()
        };
        let v = quote(&value)?;
        match occur {
            Occur::MustNot => self.parts.filters.push(format!("{field}:!=[{v}]")),
            // A filter is not a ranking hint: plain or `+`, it must match (as locally).
            Occur::Must | Occur::Should => self.parts.positive_filters.push((field.to_owned(), v)),
        }
        Ok(())
    }

    fn text(
        &mut self,
        occur: Occur,
        field: Option<&str>,
        text: &str,
        phrase: bool,
    ) -> Result<(), QueryError> {
        let tokens = if phrase {
            analyze_tokens(&mut self.en, text)
        } else {
            free_tokens(&mut self.en, text, self.keep_stop)
        };
        if tokens.is_empty() {
            return Ok(());
        }
        self.parts.text_fields.push(field.map(str::to_owned));
        let terms: Vec<String> = if phrase && tokens.len() > 1 {
            vec![format!("\"{}\"", tokens.join(" "))]
        } else {
            tokens.clone()
        };
        match occur {
            Occur::MustNot => {
                let negated = terms.iter().map(|t| format!("-{t}"));
                self.parts.not_text.extend(negated);
            }
            Occur::Must => {
                self.parts.highlight.extend(tokens);
                self.parts.must_text.extend(terms);
            }
            Occur::Should => {
                self.parts.highlight.extend(tokens);
                self.parts.should_text.extend(terms);
            }
        }
        Ok(())
    }

    fn request_filters(&mut self, req: &SearchRequest) -> Result<(), QueryError> {
        let p = &mut self.parts;
        if let Some(s) = req.source.as_deref().filter(|s| !s.is_empty()) {
            p.filters.push(format!("source:=[{}]", quote(s)?));
        }
        if let Some(k) = req.kind.as_deref().filter(|k| !k.is_empty()) {
            p.filters.push(format!("kind:=[{}]", quote(k)?));
        }
        for t in &req.tags {
            let tag = analyze_tokens(&mut self.keyword, t)
                .pop()
                .unwrap_or_default();
            p.filters.push(format!("tags:=[{}]", quote(&tag)?));
        }
        if let Some(t) = req.updated_after {
            p.filters
                .push(format!("updated_at:>={}", t.timestamp_micros()));
        }
        if let Some(t) = req.updated_before {
            p.filters
                .push(format!("updated_at:<{}", t.timestamp_micros()));
        }
        Ok(())
    }

    fn finish(self, schema: &CollectionSchema) -> Result<Params, QueryError> {
        let mut p = self.parts;
        let has_should = !p.should_text.is_empty();
        if has_should && !p.must_text.is_empty() {
            return Err(no_translation(
                "mixing required words (`+word`, `AND`) with optional ones",
            ));
        }
        if has_should && !p.positive_filters.is_empty() {
            return Err(no_translation(
                "a `source:`/`kind:`/`tags:` filter next to optional words (locally the words \
                 only rank the filtered documents; Typesense would require them: make them \
                 required with `+`)",
            ));
        }
        let mut filters = either_or_filters(&p.positive_filters);
        filters.append(&mut p.filters);
        p.filters = filters;
        let positive: Vec<String> = p.must_text.iter().chain(&p.should_text).cloned().collect();
        if positive.is_empty() && !p.not_text.is_empty() {
            return Err(no_translation("a query of only excluded words"));
        }
        let (query_by, query_by_weights) = query_fields(schema, &p.text_fields)?;
        let q = if positive.is_empty() {
            "*".to_owned()
        } else {
            positive
                .iter()
                .chain(&p.not_text)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        };
        Ok(Params {
            q,
            query_by,
            query_by_weights,
            filter_by: p.filters.join(" && "),
            drop_tokens_threshold: if p.must_text.is_empty() { 1 } else { 0 },
            highlight: p.highlight,
        })
    }
}

/// Positive filters, one either-or list per field in first-seen order (the fields all apply).
fn either_or_filters(positive: &[(String, String)]) -> Vec<String> {
    let mut fields: Vec<(&str, Vec<&str>)> = Vec::new();
    for (field, v) in positive {
        match fields.iter_mut().find(|(f, _)| f == field) {
            Some((_, values)) => values.push(v),
            None => fields.push((field, vec![v])),
        }
    }
    fields
        .into_iter()
        .map(|(f, values)| format!("{f}:=[{}]", values.join(",")))
        .collect()
}

/// `query_by` and its weights: every searchable field, or the one field the query names.
fn query_fields(
    schema: &CollectionSchema,
    fields: &[Option<String>],
) -> Result<(String, String), QueryError> {
    let all = schema.query_by();
    let first = fields.first().cloned().flatten();
    if fields.iter().any(|f| *f != fields[0]) {
        return Err(no_translation(
            "words restricted to a field (`title:x`) next to words of other fields",
        ));
    }
    let chosen: Vec<&(String, u32)> = match &first {
        None => all.iter().collect(),
        Some(f) => all
            .iter()
            .filter(|(name, _)| *name == format!("{f}{STEMS}"))
            .collect(),
    };
    let names: Vec<&str> = chosen.iter().map(|(n, _)| n.as_str()).collect();
    let weights: Vec<String> = chosen.iter().map(|(_, w)| w.to_string()).collect();
    Ok((names.join(","), weights.join(",")))
}

/// A filter value in backticks (Typesense's quoting); a value holding one cannot be quoted.
fn quote(v: &str) -> Result<String, QueryError> {
    if v.contains('`') {
        return Err(no_translation("a filter value containing a backtick"));
    }
    Ok(format!("`{v}`"))
}

/// Words of free text, analyzed, stop words dropped unless `keep_stop` (as the local compiler).
fn free_tokens(en: &mut TextAnalyzer, text: &str, keep_stop: bool) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| keep_stop || !is_stop(w))
        .flat_map(|w| analyze_tokens(en, w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn tr(q: &str) -> Result<Params, QueryError> {
        tr_req(q, SearchRequest::default())
    }

    fn tr_req(q: &str, req: SearchRequest) -> Result<Params, QueryError> {
        let schema = CollectionSchema::builtin().unwrap();
        translate(&parse(q).unwrap(), &req, &schema)
    }

    #[test]
    fn words_are_stemmed_and_stop_words_dropped() {
        let p = tr("the heat transfers of aircraft").unwrap();
        assert_eq!(p.q, "heat transfer aircraft");
        assert_eq!(p.drop_tokens_threshold, 1);
        assert!(p.query_by.starts_with("title_stems,body_stems"));
        assert_eq!(p.filter_by, "");
    }

    #[test]
    fn required_words_phrases_and_exclusions() {
        let p = tr("+launch AND \"release plans\" -draft NOT \"old notes\"").unwrap();
        assert_eq!(p.q, "launch \"releas plan\" -draft -\"old note\"");
        assert_eq!(p.drop_tokens_threshold, 0);
        assert_eq!(p.highlight, vec!["launch", "releas", "plan"]);
    }

    #[test]
    fn filters_from_query_and_request() {
        let req = SearchRequest {
            tags: vec!["Working On It".into()],
            updated_after: chrono::DateTime::from_timestamp(10, 0),
            ..SearchRequest::default()
        };
        let p = tr_req("+deploy +source:notion -kind:page", req).unwrap();
        assert_eq!(p.q, "deploy");
        assert_eq!(
            p.filter_by,
            "source:=[`notion`] && kind:!=[`page`] && tags:=[`working on it`] && updated_at:>=10000000"
        );
    }

    #[test]
    fn only_filters_search_everything() {
        let p = tr("source:notion source:monday").unwrap();
        assert_eq!(p.q, "*");
        assert_eq!(p.filter_by, "source:=[`notion`,`monday`]");
        assert_eq!(tr("-kind:page").unwrap().filter_by, "kind:!=[`page`]");
    }

    #[test]
    fn values_of_one_field_are_alternatives_and_fields_all_apply() {
        // As the local compiler: `+tags:a +tags:b` is tag a or b, never both.
        let p = tr("+tags:urgent +tags:blocked +deploy").unwrap();
        assert_eq!(p.filter_by, "tags:=[`urgent`,`blocked`]");
        assert_eq!(p.q, "deploy");
        let p = tr("source:notion kind:page tags:urgent source:monday").unwrap();
        assert_eq!(
            p.filter_by,
            "source:=[`notion`,`monday`] && kind:=[`page`] && tags:=[`urgent`]"
        );
    }

    #[test]
    fn one_field_narrows_query_by() {
        let p = tr("title:roadmap title:q3").unwrap();
        assert_eq!(p.query_by, "title_stems");
        assert_eq!(p.q, "roadmap q3");
    }

    #[test]
    fn untranslatable_syntax_is_refused_with_a_reason() {
        for (q, needle) in [
            ("(alpha OR beta) AND gamma", "grouping"),
            ("+alpha beta", "mixing required"),
            ("roadmap +source:notion", "only rank the filtered"),
            ("-draft", "only excluded"),
            ("roadmap source:notion", "only rank the filtered"),
            ("title:roadmap body:plan", "restricted to a field"),
        ] {
            let e = tr(q).unwrap_err();
            assert!(e.0.contains(needle), "{q}: {e}");
            assert!(e.0.contains("Typesense"), "{q}: {e}");
        }
    }
}
