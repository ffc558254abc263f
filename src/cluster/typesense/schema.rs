//! [`CollectionSchema`]: the Typesense collection derived from `schema/trove.toml`, and
//! [`CollectionSchema::to_json`], the document trove pushes for each stored [`Document`].
//!
//! Typesense 0.24 has no stemming and its own tokenizer, so trove analyzes text itself: every
//! `text` field of the schema gets a shadow `<name>_stems` field holding the tokens of trove's
//! analyzer (`en`: lowercased, folded, stemmed), and queries are analyzed the same way (see
//! [`super::query`]). That keeps "transfers" finding "transfer" as the local index does. The
//! readable fields are stored unindexed for hits and snippets; `fast` string fields become
//! facets, the `fast` date becomes a sortable `int64` (microseconds, like the local index);
//! `doc` carries the whole document (raw JSON included) for `/documents/{id}`.

use serde_json::{json, Map, Value};
use tantivy::tokenizer::{TextAnalyzer, TokenizerManager};

use super::TypesenseError;
use crate::document::Document;
use crate::index::schema::{FieldDef, FieldType, SchemaDef};

/// Suffix of the analyzed shadow field of a text field.
pub const STEMS: &str = "_stems";
/// Field holding the whole document as JSON.
pub const DOC_FIELD: &str = "doc";
/// Fields that hold lists in a [`Document`].
const LIST_FIELDS: &[&str] = &["authors", "tags"];

/// The collection's fields and the analyzers that fill the shadow fields.
#[derive(Clone)]
pub struct CollectionSchema {
    def: SchemaDef,
    analyzers: TokenizerManager,
}

impl std::fmt::Debug for CollectionSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CollectionSchema")
            .field("version", &self.def.version)
            .finish()
    }
}

impl CollectionSchema {
    /// The schema compiled into this build.
    pub fn builtin() -> Result<CollectionSchema, TypesenseError> {
        let def = SchemaDef::builtin().map_err(|e| TypesenseError::Config(e.to_string()))?;
        Self::new(def)
    }

    pub fn new(def: SchemaDef) -> Result<CollectionSchema, TypesenseError> {
        let analyzers = TokenizerManager::default();
        def.register_tokenizers(&analyzers)
            .map_err(|e| TypesenseError::Config(e.to_string()))?;
        Ok(CollectionSchema { def, analyzers })
    }

    /// The analyzer named `name` in `schema/trove.toml`.
    pub fn analyzer(&self, name: &str) -> Option<TextAnalyzer> {
        self.analyzers.get(name)
    }

    /// The `POST /collections` body for a collection named `name`.
    pub fn collection(&self, name: &str) -> Value {
        let mut fields: Vec<Value> = self
            .def
            .document_fields()
            .filter(|f| f.name != "id")
            .flat_map(field_json)
            .collect();
        fields.push(json!({"name": DOC_FIELD, "type": "string", "index": false, "optional": true}));
        json!({"name": name, "fields": fields})
    }

    /// Fields searched by free text, with Typesense weights from the schema's boosts.
    pub fn query_by(&self) -> Vec<(String, u32)> {
        self.def
            .document_fields()
            .filter(|f| f.ty == FieldType::Text && f.indexed)
            .map(|f| (format!("{}{STEMS}", f.name), weight(f.boost)))
            .collect()
    }

    /// The Typesense document for `doc`.
    pub fn to_json(&self, doc: &Document) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(doc.id));
        for f in self.def.document_fields().filter(|f| f.name != "id") {
            self.put_field(&mut m, f, doc);
        }
        m.insert(
            DOC_FIELD.into(),
            json!(serde_json::to_string(doc).unwrap_or_default()),
        );
        Value::Object(m)
    }

    fn put_field(&self, m: &mut Map<String, Value>, f: &FieldDef, doc: &Document) {
        let values = field_values(doc, &f.name);
        match f.ty {
            FieldType::Date => {
                if let Some(t) = field_time(doc, &f.name) {
                    m.insert(f.name.clone(), json!(t));
                }
            }
            FieldType::String => {
                m.insert(f.name.clone(), one_or_list(&f.name, values));
            }
            FieldType::Text => {
                let analyzer = f.tokenizer.as_deref().and_then(|t| self.analyzer(t));
                let Some(mut analyzer) = analyzer else {
                    return;
                };
                let stems: Vec<String> = values.iter().map(|v| analyze(&mut analyzer, v)).collect();
                if f.fast {
                    // A facet: the analyzed value, as the local index counts it.
                    m.insert(f.name.clone(), one_or_list(&f.name, stems.clone()));
                } else {
                    m.insert(f.name.clone(), one_or_list(&f.name, values.clone()));
                }
                if f.indexed {
                    let en = self.analyzer("en").map(|mut a| {
                        values
                            .iter()
                            .map(|v| analyze(&mut a, v))
                            .collect::<Vec<_>>()
                    });
                    let shadow = if f.fast { en.unwrap_or(stems) } else { stems };
                    m.insert(format!("{}{STEMS}", f.name), one_or_list(&f.name, shadow));
                }
            }
        }
    }
}

/// The Typesense field(s) for one schema field.
fn field_json(f: &FieldDef) -> Vec<Value> {
    let list = LIST_FIELDS.contains(&f.name.as_str());
    let string_type = if list { "string[]" } else { "string" };
    match f.ty {
        FieldType::Date => vec![json!({
            "name": f.name, "type": "int64", "optional": true,
            "index": f.indexed || f.fast, "sort": f.fast,
        })],
        FieldType::String => vec![json!({
            "name": f.name, "type": string_type, "optional": true,
            "index": f.indexed || f.fast, "facet": f.fast,
        })],
        FieldType::Text => {
            let mut out = vec![json!({
                "name": f.name, "type": string_type, "optional": true,
                "index": f.fast, "facet": f.fast,
            })];
            if f.indexed {
                out.push(json!({
                    "name": format!("{}{STEMS}", f.name), "type": string_type, "optional": true,
                }));
            }
            out
        }
    }
}

/// A schema boost (title 1.25, body 1.0, …) as a Typesense integer weight.
fn weight(boost: f32) -> u32 {
    ((boost * 4.0).round() as u32).clamp(1, 100)
}

fn one_or_list(name: &str, mut values: Vec<String>) -> Value {
    if LIST_FIELDS.contains(&name) {
        values.retain(|v| !v.is_empty());
        json!(values)
    } else {
        json!(values.pop().unwrap_or_default())
    }
}

/// The text values of a document field.
fn field_values(doc: &Document, name: &str) -> Vec<String> {
    match name {
        "source" => vec![doc.source.clone()],
        "kind" => vec![doc.kind.clone()],
        "title" => vec![doc.title.clone()],
        "body" => vec![doc.body.clone()],
        "path" => vec![doc.breadcrumb()],
        "url" => vec![doc.url.clone()],
        "authors" => doc.authors.clone(),
        "tags" => doc.tags.clone(),
        _ => Vec::new(),
    }
}

/// A date field in microseconds since the epoch.
fn field_time(doc: &Document, name: &str) -> Option<i64> {
    match name {
        "created_at" => doc.created_at,
        "updated_at" => doc.updated_at,
        _ => None,
    }
    .map(|t| t.timestamp_micros())
}

/// The analyzer's tokens of `text`, space-separated.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> String {
    analyze_tokens(analyzer, text).join(" ")
}

/// The analyzer's tokens of `text`.
pub fn analyze_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> CollectionSchema {
        CollectionSchema::builtin().unwrap()
    }

    fn field<'a>(c: &'a Value, name: &str) -> &'a Value {
        c["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    #[test]
    fn facets_and_sort_come_from_the_schema_file() {
        let c = schema().collection("trove_1");
        for name in ["source", "kind", "tags"] {
            assert_eq!(field(&c, name)["facet"], true, "{name}");
        }
        assert_eq!(field(&c, "tags")["type"], "string[]");
        assert_eq!(field(&c, "updated_at")["sort"], true);
        assert_eq!(field(&c, "updated_at")["type"], "int64");
        assert_eq!(field(&c, "body")["index"], false);
        assert_eq!(field(&c, "body_stems")["type"], "string");
        assert_eq!(field(&c, "doc")["index"], false);
    }

    #[test]
    fn weights_follow_boosts() {
        let q = schema().query_by();
        let w = |n: &str| q.iter().find(|(f, _)| f == n).unwrap().1;
        assert!(w("title_stems") > w("body_stems"));
        assert!(w("body_stems") > w("authors_stems"));
    }

    #[test]
    fn documents_carry_stems_facets_and_the_whole_document() {
        let mut d = Document::new("notion:1", "Heat Transfers", "Running tests");
        d.tags = vec!["Working on it".into(), "Blocked".into()];
        d.updated_at = chrono::DateTime::from_timestamp(1_700_000_000, 0);
        let j = schema().to_json(&d);
        assert_eq!(j["title"], "Heat Transfers");
        assert_eq!(j["title_stems"], "heat transfer");
        assert_eq!(j["body_stems"], "run test");
        assert_eq!(j["tags"], json!(["working on it", "blocked"]));
        assert_eq!(j["tags_stems"], json!(["work on it", "block"]));
        assert_eq!(j["updated_at"], 1_700_000_000_000_000i64);
        let back: Document = serde_json::from_str(j["doc"].as_str().unwrap()).unwrap();
        assert_eq!(back, d);
    }
}
