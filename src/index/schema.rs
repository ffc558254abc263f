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
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

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
struct TokenizerDef {
    tokenizer: String,
    #[serde(default)]
    filters: Vec<String>,
}

/// The parsed schema file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaDef {
    pub version: u32,
    tokenizers: BTreeMap<String, TokenizerDef>,
    pub fields: Vec<FieldDef>,
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

    /// Registers the schema's analyzers on an index's tokenizer manager.
    pub fn register_tokenizers(&self, manager: &TokenizerManager) -> Result<(), SchemaError> {
        for (name, def) in &self.tokenizers {
            manager.register(name, build_analyzer(name, def)?);
        }
        Ok(())
    }

    /// Registers the analyzers for indexing, querying and fast fields of `index`.
    pub fn register(&self, index: &tantivy::Index) -> Result<(), SchemaError> {
        self.register_tokenizers(index.tokenizers())?;
        self.register_tokenizers(index.fast_field_tokenizer())
    }

    /// Query-time boost of a field (1.0 when unset).
    pub fn boost(&self, name: &str) -> f32 {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map_or(1.0, |f| f.boost)
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
        analyzer(name, &kept, None)
    }

    /// The analyzer `name`, for highlighting only the terms whose first characters are
    /// `initials`: tokens starting otherwise are blanked before stemming. A stemmer only
    /// rewrites a word's ending, never its first character, so a blanked token could not have
    /// matched; stemming every word of every snippet window was a third of a rare word's
    /// search at 100,000 documents.
    pub fn highlight_analyzer(
        &self,
        name: &str,
        initials: Vec<char>,
    ) -> Result<TextAnalyzer, SchemaError> {
        let def = self
            .tokenizers
            .get(name)
            .ok_or_else(|| SchemaError(format!("unknown tokenizer `{name}`")))?;
        analyzer(name, def, Some(Initials(initials.into())))
    }
}

fn build_analyzer(name: &str, def: &TokenizerDef) -> Result<TextAnalyzer, SchemaError> {
    analyzer(name, def, None)
}

/// `def`'s analyzer; with `gate`, the tokens that do not start with one of its characters are
/// blanked: just before the stemmer when it is the last filter (it keeps first characters),
/// else at the end, where a token's text is what a term is compared with.
fn analyzer(
    name: &str,
    def: &TokenizerDef,
    mut gate: Option<Initials>,
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
    let stems_last = def.filters.last().is_some_and(|f| f == "stem_english");
    for (i, filter) in def.filters.iter().enumerate() {
        if stems_last && i + 1 == def.filters.len() {
            if let Some(g) = gate.take() {
                b = b.filter_dynamic(g);
            }
        }
        b = match filter.as_str() {
            "remove_long" => b.filter_dynamic(RemoveLongFilter::limit(40)),
            "lowercase" => b.filter_dynamic(LowerCaser),
            "ascii_folding" => b.filter_dynamic(AsciiFoldingFilter),
            "stem_english" => b.filter_dynamic(Stemmer::new(Language::English)),
            other => {
                return Err(SchemaError(format!(
                    "tokenizer `{name}`: unknown filter `{other}`"
                )))
            }
        };
    }
    if let Some(g) = gate {
        b = b.filter_dynamic(g);
    }
    Ok(b.build())
}

/// The token filter of [`SchemaDef::highlight_analyzer`]: clears the text of tokens that do not
/// start with one of its characters (offsets stay, so fragments are cut the same).
#[derive(Clone)]
struct Initials(std::sync::Arc<[char]>);

impl TokenFilter for Initials {
    type Tokenizer<T: Tokenizer> = InitialsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> InitialsFilter<T> {
        InitialsFilter {
            initials: self.0,
            inner,
        }
    }
}

#[derive(Clone)]
struct InitialsFilter<T> {
    initials: std::sync::Arc<[char]>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for InitialsFilter<T> {
    type TokenStream<'a> = InitialsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        InitialsStream {
            initials: &self.initials,
            tail: self.inner.token_stream(text),
        }
    }
}

struct InitialsStream<'a, T> {
    initials: &'a [char],
    tail: T,
}

impl<T: TokenStream> TokenStream for InitialsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if !token
            .text
            .chars()
            .next()
            .is_some_and(|c| self.initials.contains(&c))
        {
            token.text.clear();
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
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
