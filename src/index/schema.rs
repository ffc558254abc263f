//! [`SchemaDef`]: the declarative schema in `schema/trove.toml`, and the tantivy [`Schema`] and
//! analyzers built from it. The file is compiled into the binary, so a deployed trove always
//! carries the schema its index was built with.

use std::collections::BTreeMap;

use serde::Deserialize;
use tantivy::schema::{
    DateOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, TokenizerManager,
};

use super::pairs::{CommonWords, Pairs};

/// The schema file shipped with this build.
pub const SCHEMA_TOML: &str = include_str!("../../schema/trove.toml");

/// A field of `schema/trove.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default)]
    pub tokenizer: Option<String>,
    #[serde(default)]
    pub indexed: bool,
    #[serde(default)]
    pub stored: bool,
    #[serde(default)]
    pub fast: bool,
    #[serde(default)]
    pub positions: bool,
    #[serde(default = "one")]
    pub boost: f32,
    /// The field whose text this one indexes again with its own tokenizer (the pair fields):
    /// an index structure, not a part of the document.
    #[serde(default)]
    pub from: Option<String>,
}

fn one() -> f32 {
    1.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Text,
    String,
    Date,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenizerDef {
    pub(crate) tokenizer: String,
    #[serde(default)]
    pub(crate) filters: Vec<String>,
}

/// The parsed schema file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaDef {
    pub version: u32,
    tokenizers: BTreeMap<String, TokenizerDef>,
    pub fields: Vec<FieldDef>,
    /// The words the `pairs` filter pairs: a generation's, not the file's (`index/pairs.rs`).
    #[serde(skip)]
    common: CommonWords,
}

/// An error in the schema file (a build-time mistake, caught by tests).
#[derive(Debug, thiserror::Error)]
#[error("schema/trove.toml: {0}")]
pub struct SchemaError(pub String);

/// Handles of the fields trove's code reads and writes.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub source: Field,
    pub kind: Field,
    pub title: Field,
    pub body: Field,
    /// Adjacent word pairs of the title and body (`index/pairs.rs`).
    pub title_pairs: Field,
    pub body_pairs: Field,
    pub path: Field,
    pub authors: Field,
    pub tags: Field,
    pub url: Field,
    pub created_at: Field,
    pub updated_at: Field,
}

impl SchemaDef {
    /// The schema compiled into this build.
    pub fn builtin() -> Result<SchemaDef, SchemaError> {
        Self::parse(SCHEMA_TOML)
    }

    pub fn parse(text: &str) -> Result<SchemaDef, SchemaError> {
        toml::from_str(text).map_err(|e| SchemaError(e.to_string()))
    }

    /// The tantivy schema and the field handles.
    pub fn build(&self) -> Result<(Schema, Fields), SchemaError> {
        let mut b = Schema::builder();
        for f in &self.fields {
            match f.ty {
                FieldType::Text | FieldType::String => {
                    b.add_text_field(&f.name, self.text_options(f)?);
                }
                FieldType::Date => {
                    let mut o = DateOptions::default();
                    if f.indexed {
                        o = o.set_indexed();
                    }
                    if f.stored {
                        o = o.set_stored();
                    }
                    if f.fast {
                        o = o.set_fast();
                    }
                    b.add_date_field(&f.name, o);
                }
            }
        }
        let schema = b.build();
        let get = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| SchemaError(format!("required field `{name}` is missing")))
        };
        let fields = Fields {
            id: get("id")?,
            source: get("source")?,
            kind: get("kind")?,
            title: get("title")?,
            body: get("body")?,
            title_pairs: get("title_pairs")?,
            body_pairs: get("body_pairs")?,
            path: get("path")?,
            authors: get("authors")?,
            tags: get("tags")?,
            url: get("url")?,
            created_at: get("created_at")?,
            updated_at: get("updated_at")?,
        };
        Ok((schema, fields))
    }

    fn text_options(&self, f: &FieldDef) -> Result<TextOptions, SchemaError> {
        let mut o = TextOptions::default();
        let tokenizer = match f.ty {
            FieldType::String => "raw",
            _ => f.tokenizer.as_deref().ok_or_else(|| {
                SchemaError(format!("text field `{}` needs a `tokenizer`", f.name))
            })?,
        };
        if f.ty == FieldType::Text && !self.tokenizers.contains_key(tokenizer) {
            return Err(SchemaError(format!(
                "field `{}` uses unknown tokenizer `{tokenizer}`",
                f.name
            )));
        }
        if f.indexed {
            let record = if f.positions {
                IndexRecordOption::WithFreqsAndPositions
            } else if f.ty == FieldType::Text {
                IndexRecordOption::WithFreqs
            } else {
                IndexRecordOption::Basic
            };
            o = o.set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(record),
            );
        }
        if f.stored {
            o = o | STORED;
        }
        if f.fast {
            o = o.set_fast(tokenizer);
        }
        Ok(o)
    }

    /// This definition with `common` as the words the `pairs` filter pairs.
    pub fn with_common_words(mut self, common: CommonWords) -> SchemaDef {
        self.common = common;
        self
    }

    /// The words the `pairs` filter pairs (none unless set by [`Self::with_common_words`]).
    pub fn common_words(&self) -> &CommonWords {
        &self.common
    }

    /// Registers the schema's analyzers on an index's tokenizer manager.
    pub fn register_tokenizers(&self, manager: &TokenizerManager) -> Result<(), SchemaError> {
        for (name, def) in &self.tokenizers {
            manager.register(name, analyzer(name, def, &self.common)?);
        }
        Ok(())
    }

    /// Registers the analyzers for indexing, querying and fast fields of `index`.
    pub fn register(&self, index: &tantivy::Index) -> Result<(), SchemaError> {
        self.register_tokenizers(index.tokenizers())?;
        self.register_tokenizers(index.fast_field_tokenizer())
    }

    /// The fields that are parts of a document: all but those indexed `from` another.
    pub fn document_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(|f| f.from.is_none())
    }

    /// The analyzer definition `name`.
    #[cfg(test)]
    pub(crate) fn tokenizer(&self, name: &str) -> Option<&TokenizerDef> {
        self.tokenizers.get(name)
    }

    /// Query-time boost of a field (1.0 when unset).
    pub fn boost(&self, name: &str) -> f32 {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map_or(1.0, |f| f.boost)
    }

    /// Analyzer `name`, as registered.
    pub fn analyzer(&self, name: &str) -> Result<TextAnalyzer, SchemaError> {
        let def = self
            .tokenizers
            .get(name)
            .ok_or_else(|| SchemaError(format!("unknown tokenizer `{name}`")))?;
        analyzer(name, def, &self.common)
    }

    /// The tokens of analyzer `name` where the index has them (offsets and positions), without
    /// the filters that only rewrite a token's text: its tokenizer, and `remove_long` when the
    /// analyzer drops long tokens. Snippets find the query's words in them by position.
    pub fn token_analyzer(&self, name: &str) -> Result<TextAnalyzer, SchemaError> {
        let def = self
            .tokenizers
            .get(name)
            .ok_or_else(|| SchemaError(format!("unknown tokenizer `{name}`")))?;
        let kept = TokenizerDef {
            tokenizer: def.tokenizer.clone(),
            filters: def
                .filters
                .iter()
                .filter(|f| *f == "remove_long")
                .cloned()
                .collect(),
        };
        analyzer(name, &kept, &self.common)
    }
}

/// `def`'s analyzer.
fn analyzer(
    name: &str,
    def: &TokenizerDef,
    common: &CommonWords,
) -> Result<TextAnalyzer, SchemaError> {
    let mut b = match def.tokenizer.as_str() {
        "simple" => TextAnalyzer::builder(SimpleTokenizer::default()).dynamic(),
        "simple_cjk" => TextAnalyzer::builder(super::cjk::CjkTokenizer::default()).dynamic(),
        "raw" => TextAnalyzer::builder(RawTokenizer::default()).dynamic(),
        other => {
            return Err(SchemaError(format!(
                "tokenizer `{name}`: unknown base `{other}`"
            )))
        }
    };
    for (i, filter) in def.filters.iter().enumerate() {
        b = match filter.as_str() {
            "remove_long" => b.filter_dynamic(RemoveLongFilter::limit(40)),
            "lowercase" => b.filter_dynamic(LowerCaser),
            "ascii_folding" => b.filter_dynamic(AsciiFoldingFilter),
            "stem_english" => b.filter_dynamic(Stemmer::new(Language::English)),
            "pairs" if i + 1 == def.filters.len() => b.filter_dynamic(Pairs {
                common: common.clone(),
            }),
            "pairs" => {
                return Err(SchemaError(format!(
                    "tokenizer `{name}`: `pairs` must be the last filter"
                )))
            }
            other => {
                return Err(SchemaError(format!(
                    "tokenizer `{name}`: unknown filter `{other}`"
                )))
            }
        };
    }
    Ok(b.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_schema_builds() {
        let def = SchemaDef::builtin().unwrap();
        let (schema, _) = def.build().unwrap();
        assert!(schema.get_field("title").is_ok());
        assert!(def.boost("title") > def.boost("body"));
    }

    #[test]
    fn en_analyzer_lowercases_folds_and_stems() {
        let def = SchemaDef::builtin().unwrap();
        let m = TokenizerManager::default();
        def.register_tokenizers(&m).unwrap();
        let mut a = m.get("en").unwrap();
        let mut s = a.token_stream("Café TRANSFERS running");
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        assert_eq!(out, vec!["cafe", "transfer", "run"]);
    }

    #[test]
    fn unknown_filter_is_an_error() {
        let bad = SCHEMA_TOML.replace("\"stem_english\"", "\"stem_klingon\"");
        let def = SchemaDef::parse(&bad).unwrap();
        assert!(def
            .register_tokenizers(&TokenizerManager::default())
            .is_err());
    }
}
