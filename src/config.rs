//! Configuration: [`Config`] holds the [`SourceConfig`]s read from `trove.toml` (or, without a
//! file, from `NOTION_TOKEN` / `MONDAY_TOKEN` in the environment).
//!
//! Tokens are [`Secret`]s: read from the file or, preferably, from the environment variable the
//! file names (`token_env`, `auth_token_env`), so they never appear on a command line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::cluster::config::{EngineKind, RawCluster};
use crate::cluster::ClusterConfig;
use crate::document::SourceKind;
use crate::secret::Secret;

/// Default Notion API base URL.
pub const NOTION_API_URL: &str = "https://api.notion.com";
/// Default monday.com API endpoint.
pub const MONDAY_API_URL: &str = "https://api.monday.com/v2";
/// Pinned monday.com API version.
pub const MONDAY_API_VERSION: &str = "2026-01";
/// Notion's documented average request rate per integration.
pub const NOTION_REQUESTS_PER_SECOND: f64 = 3.0;

/// A configuration problem; the message names the key to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{context}: {message}")]
    Invalid { context: String, message: String },
}

/// One configured connection.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Unique name; prefixes document ids.
    pub name: String,
    pub kind: SourceKind,
    pub token: Secret,
    /// Records last changed before this instant are not synced.
    pub start_date: Option<DateTime<Utc>>,
    /// API base URL (Notion: without `/v1`; monday: the full GraphQL endpoint).
    pub api_url: String,
    /// Client-side average request rate (requests per second); `0` disables the limiter.
    pub requests_per_second: f64,
    /// monday.com `API-Version` header (ignored for Notion).
    pub api_version: String,
}

/// The search-engine part of the config: top-level `engine` and the `[typesense]` table.
#[derive(Debug, Clone, Default)]
pub struct ClusterSetting {
    /// The `[typesense]` cluster kept in step with the store, if any.
    pub typesense: Option<ClusterConfig>,
    /// The engine `serve` answers from.
    pub engine: EngineKind,
}

/// The whole configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub sources: Vec<SourceConfig>,
    /// The `[typesense]` cluster kept in step with the store, if any.
    pub typesense: Option<ClusterConfig>,
    /// The engine `serve` answers from (top-level `engine`).
    pub engine: EngineKind,
    /// `[embeddings] model_dir`: the sentence-embedding model folder for semantic search.
    pub model_dir: Option<PathBuf>,
    /// Where the configuration came from, for messages.
    pub origin: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    sources: Vec<RawSource>,
    engine: Option<EngineKind>,
    typesense: Option<RawCluster>,
    #[serde(default)]
    embeddings: RawEmbeddings,
}

/// The `[embeddings]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmbeddings {
    model_dir: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: String,
    kind: String,
    token: Option<String>,
    token_env: Option<String>,
    auth_token: Option<String>,
    auth_token_env: Option<String>,
    start_date: Option<String>,
    api_url: Option<String>,
    requests_per_second: Option<f64>,
    api_version: Option<String>,
}

impl Config {
    /// Loads `path` if given or if `./trove.toml` exists; otherwise derives sources from the
    /// environment (`NOTION_TOKEN`, `MONDAY_TOKEN`).
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let env = |k: &str| std::env::var(k).ok();
        match path {
            Some(p) => Self::from_file(p, &env),
            None if Path::new("trove.toml").exists() => {
                Self::from_file(Path::new("trove.toml"), &env)
            }
            None => Self::from_env(&env),
        }
    }

    /// Parses a config file; `env` looks up environment variables.
    pub fn from_file(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut cfg = Self::parse(&text, env).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_owned(),
                message,
            },
            ConfigError::Invalid { context, message } => ConfigError::Invalid {
                context: format!("{}: {context}", path.display()),
                message,
            },
            other => other,
        })?;
        cfg.origin = path.display().to_string();
        Ok(cfg)
    }

    /// Only `[embeddings] model_dir` of the config file at `path` (or `./trove.toml` when it
    /// exists), without resolving sources: searching needs no source tokens.
    pub fn model_dir_setting(path: Option<&Path>) -> Result<Option<PathBuf>, ConfigError> {
        Ok(read_raw(path)?.and_then(|(_, raw)| raw.embeddings.model_dir))
    }

    /// Only `engine` and `[typesense]` of the config file at `path` (or `./trove.toml` when it
    /// exists), without resolving sources: `serve`, `status`, `push` and the push after
    /// `import` or `rebuild` need no source tokens.
    pub fn cluster_setting(path: Option<&Path>) -> Result<ClusterSetting, ConfigError> {
        let Some((path, raw)) = read_raw(path)? else {
            return Ok(ClusterSetting::default());
        };
        let env = |k: &str| std::env::var(k).ok();
        cluster_setting(raw.engine, raw.typesense, &env).map_err(|e| match e {
            ConfigError::Invalid { context, message } => ConfigError::Invalid {
                context: format!("{}: {context}", path.display()),
                message,
            },
            other => other,
        })
    }

    /// Parses config text.
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::new(),
            message: e.message().to_owned() + &span_hint(text, e.span()),
        })?;
        let mut names = HashSet::new();
        let mut sources = Vec::new();
        for (i, rs) in std::mem::take(&mut raw.sources).into_iter().enumerate() {
            let src = resolve(rs, i, env)?;
            if !names.insert(src.name.clone()) {
                return Err(invalid(
                    format!("sources[{i}]"),
                    format!(
                        "`name` = \"{}\" is used by two sources; names must be unique",
                        src.name
                    ),
                ));
            }
            sources.push(src);
        }
        let ClusterSetting { typesense, engine } = cluster_setting(raw.engine, raw.typesense, env)?;
        Ok(Config {
            sources,
            typesense,
            engine,
            model_dir: raw.embeddings.model_dir,
            origin: String::new(),
        })
    }

    /// Sources defined by `NOTION_TOKEN` / `MONDAY_TOKEN` (plus `*_START_DATE`, `*_API_URL`).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut sources = Vec::new();
        for (kind, prefix) in [
            (SourceKind::Notion, "NOTION"),
            (SourceKind::Monday, "MONDAY"),
        ] {
            let Some(token) = env(&format!("{prefix}_TOKEN")).filter(|t| !t.trim().is_empty())
            else {
                continue;
            };
            let ctx = format!("environment ({prefix}_TOKEN)");
            let start_date = env(&format!("{prefix}_START_DATE"))
                .map(|d| {
                    parse_start_date(&d)
                        .map_err(|m| invalid(&ctx, format!("{prefix}_START_DATE: {m}")))
                })
                .transpose()?;
            let mut src = defaults(kind.as_str().to_owned(), kind, Secret::new(token.trim()));
            src.start_date = start_date;
            if let Some(url) = env(&format!("{prefix}_API_URL")) {
                src.api_url = url;
            }
            sources.push(src);
        }
        Ok(Config {
            sources,
            origin: "environment".into(),
            ..Config::default()
        })
    }

    /// The sources named in `names` (all when empty); an unknown name is an error.
    pub fn select(&self, names: &[String]) -> Result<Vec<SourceConfig>, ConfigError> {
        if names.is_empty() {
            return Ok(self.sources.clone());
        }
        names
            .iter()
            .map(|n| {
                self.sources
                    .iter()
                    .find(|s| &s.name == n)
                    .cloned()
                    .ok_or_else(|| {
                        let known: Vec<_> = self.sources.iter().map(|s| s.name.as_str()).collect();
                        invalid(
                            "--source",
                            format!(
                                "no source named `{n}` (configured: {})",
                                if known.is_empty() {
                                    "none".into()
                                } else {
                                    known.join(", ")
                                }
                            ),
                        )
                    })
            })
            .collect()
    }
}

fn defaults(name: String, kind: SourceKind, token: Secret) -> SourceConfig {
    let (api_url, rps) = match kind {
        SourceKind::Notion => (NOTION_API_URL, NOTION_REQUESTS_PER_SECOND),
        // monday paces by complexity budget; the request rate is a safety net only.
        SourceKind::Monday => (MONDAY_API_URL, 5.0),
    };
    SourceConfig {
        name,
        kind,
        token,
        start_date: None,
        api_url: api_url.to_owned(),
        requests_per_second: rps,
        api_version: MONDAY_API_VERSION.to_owned(),
    }
}

fn resolve(
    rs: RawSource,
    i: usize,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SourceConfig, ConfigError> {
    let ctx = format!("sources[{i}] (name = \"{}\")", rs.name);
    if rs.name.is_empty() || rs.name.contains(':') || rs.name.contains(char::is_whitespace) {
        return Err(invalid(
            &ctx,
            "`name` must be non-empty without `:` or spaces",
        ));
    }
    let kind: SourceKind = rs
        .kind
        .parse()
        .map_err(|m: String| invalid(&ctx, format!("`kind`: {m}")))?;
    let (key, env_key, wrong, wrong_env) = match kind {
        SourceKind::Notion => ("token", "token_env", &rs.auth_token, &rs.auth_token_env),
        SourceKind::Monday => ("auth_token", "auth_token_env", &rs.token, &rs.token_env),
    };
    if wrong.is_some() || wrong_env.is_some() {
        return Err(invalid(
            &ctx,
            format!("a {kind} source takes `{key}` or `{env_key}`"),
        ));
    }
    let (direct, via_env) = match kind {
        SourceKind::Notion => (rs.token, rs.token_env),
        SourceKind::Monday => (rs.auth_token, rs.auth_token_env),
    };
    let token = match (direct, via_env) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                &ctx,
                format!("set `{key}` or `{env_key}`, not both"),
            ))
        }
        (Some(t), None) => t,
        (None, Some(var)) => env(&var).ok_or_else(|| {
            invalid(
                &ctx,
                format!("`{env_key}` names ${var}, which is not set in the environment"),
            )
        })?,
        (None, None) => {
            return Err(invalid(
                &ctx,
                format!("missing `{key}` (or `{env_key}` naming an environment variable)"),
            ))
        }
    };
    if token.trim().is_empty() {
        return Err(invalid(&ctx, format!("`{key}` is empty")));
    }
    let mut src = defaults(rs.name, kind, Secret::new(token.trim()));
    if let Some(d) = rs.start_date {
        src.start_date =
            Some(parse_start_date(&d).map_err(|m| invalid(&ctx, format!("`start_date`: {m}")))?);
    }
    if let Some(url) = rs.api_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(invalid(
                &ctx,
                format!("`api_url` must start with http:// or https://, got `{url}`"),
            ));
        }
        src.api_url = url.trim_end_matches('/').to_owned();
    }
    if let Some(rps) = rs.requests_per_second {
        if !(rps >= 0.0 && rps.is_finite()) {
            return Err(invalid(
                &ctx,
                "`requests_per_second` must be a number ≥ 0 (0 turns the limiter off)",
            ));
        }
        src.requests_per_second = rps;
    }
    if let Some(v) = rs.api_version {
        if kind != SourceKind::Monday {
            return Err(invalid(
                &ctx,
                "`api_version` applies to monday sources only",
            ));
        }
        src.api_version = v;
    }
    Ok(src)
}

/// Parses an ISO 8601 date (`2024-01-01`) or date-time (`2024-01-01T10:00:00Z`).
pub fn parse_start_date(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if let Some(dt) = d.and_hms_opt(0, 0, 0) {
            return Ok(dt.and_utc());
        }
    }
    Err(format!(
        "`{s}` is not an ISO 8601 date (2024-01-01) or date-time (2024-01-01T09:30:00Z)"
    ))
}

fn invalid(ctx: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        context: ctx.into(),
        message: message.into(),
    }
}

/// The config file at `path` (or `./trove.toml` when it exists) parsed but not resolved;
/// `None` without a file.
fn read_raw(path: Option<&Path>) -> Result<Option<(PathBuf, RawFile)>, ConfigError> {
    let path = match path {
        Some(p) => p,
        None if Path::new("trove.toml").exists() => Path::new("trove.toml"),
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let raw: RawFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.message().to_owned() + &span_hint(&text, e.span()),
    })?;
    Ok(Some((path.to_owned(), raw)))
}

/// Resolves `engine` and `[typesense]` (the API key from `env`).
fn cluster_setting(
    engine: Option<EngineKind>,
    typesense: Option<RawCluster>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ClusterSetting, ConfigError> {
    let typesense = typesense
        .map(|t| t.resolve(env).map_err(|m| invalid("[typesense]", m)))
        .transpose()?;
    let engine = engine.unwrap_or_default();
    if engine == EngineKind::Typesense && typesense.is_none() {
        return Err(invalid(
            "engine",
            "`engine = \"typesense\"` needs a [typesense] table with the cluster's nodes",
        ));
    }
    Ok(ClusterSetting { typesense, engine })
}

fn span_hint(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(r) => format!(
            " (line {})",
            text[..r.start.min(text.len())].lines().count().max(1)
        ),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_notion_and_monday_sources() {
        let env = |k: &str| (k == "NT").then(|| "ntn_x".to_owned());
        let cfg = Config::parse(
            r#"
[[sources]]
name = "notion"
kind = "notion"
token_env = "NT"
start_date = "2024-01-01"
api_url = "http://127.0.0.1:9/"

[[sources]]
name = "monday"
kind = "monday"
auth_token = "abc"
"#,
            &env,
        )
        .unwrap();
        assert_eq!(cfg.sources.len(), 2);
        assert_eq!(cfg.sources[0].token.expose(), "ntn_x");
        assert_eq!(cfg.sources[0].api_url, "http://127.0.0.1:9");
        assert_eq!(cfg.sources[1].api_url, MONDAY_API_URL);
    }

    #[test]
    fn embeddings_model_dir_is_read_and_unknown_keys_in_it_are_named() {
        let cfg = Config::parse("[embeddings]\nmodel_dir = \"/models/minilm\"\n", &no_env).unwrap();
        assert_eq!(cfg.model_dir, Some(PathBuf::from("/models/minilm")));
        assert_eq!(Config::parse("", &no_env).unwrap().model_dir, None);
        let err = Config::parse("[embeddings]\nmodel = \"x\"\n", &no_env).unwrap_err();
        assert!(err.to_string().contains("model"), "{err}");
    }

    #[test]
    fn unknown_key_is_named() {
        let e = Config::parse(
            "[[sources]]\nname='n'\nkind='notion'\ntoken='t'\ntokn='x'\n",
            &no_env,
        )
        .unwrap_err();
        assert!(e.to_string().contains("tokn"), "{e}");
    }

    #[test]
    fn missing_token_is_named() {
        let e = Config::parse("[[sources]]\nname='n'\nkind='notion'\n", &no_env).unwrap_err();
        assert!(e.to_string().contains("missing `token`"), "{e}");
    }

    #[test]
    fn bad_date_is_named() {
        let e = Config::parse(
            "[[sources]]\nname='n'\nkind='monday'\nauth_token='t'\nstart_date='yesterday'\n",
            &no_env,
        )
        .unwrap_err();
        assert!(e.to_string().contains("start_date"), "{e}");
    }

    #[test]
    fn env_defines_default_sources() {
        let env = |k: &str| match k {
            "NOTION_TOKEN" => Some("ntn_1".to_owned()),
            "NOTION_START_DATE" => Some("2024-05-01T00:00:00Z".to_owned()),
            _ => None,
        };
        let cfg = Config::from_env(&env).unwrap();
        assert_eq!(cfg.sources.len(), 1);
        assert_eq!(cfg.sources[0].name, "notion");
        assert!(cfg.sources[0].start_date.is_some());
    }

    #[test]
    fn typesense_table_and_engine() {
        let text = "engine = \"typesense\"\n[typesense]\nnodes = [\"http://127.0.0.1:8108\"]\n";
        let env = |k: &str| (k == "TYPESENSE_API_KEY").then(|| "k3y".to_owned());
        let c = Config::parse(text, &env).unwrap();
        assert_eq!(c.engine, EngineKind::Typesense);
        assert_eq!(c.typesense.unwrap().collection, "trove");
        let e = Config::parse("engine = \"typesense\"\n", &env).unwrap_err();
        assert!(e.to_string().contains("[typesense]"), "{e}");
        let e = Config::parse(text, &no_env).unwrap_err();
        assert!(e.to_string().contains("TYPESENSE_API_KEY"), "{e}");
    }

    #[test]
    fn cluster_setting_needs_no_source_token() {
        // `status`, `serve` and `push` read the cluster part only: a source whose token is not
        // in this environment must not stop them (it stops `sync`).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trove.toml");
        std::fs::write(
            &path,
            "[[sources]]\nname = 'm'\nkind = 'monday'\nauth_token_env = 'TROVE_TEST_UNSET_TOKEN'\n\
             [typesense]\nnodes = ['http://127.0.0.1:8108']\napi_key_env = 'PATH'\n",
        )
        .unwrap();
        let c = Config::cluster_setting(Some(&path)).unwrap();
        assert_eq!(c.typesense.unwrap().nodes, ["http://127.0.0.1:8108"]);
        assert_eq!(c.engine, EngineKind::Tantivy);
        let e = Config::from_file(&path, &no_env).unwrap_err();
        assert!(e.to_string().contains("TROVE_TEST_UNSET_TOKEN"), "{e}");
        std::fs::write(&path, "engine = 'typesense'\n").unwrap();
        let e = Config::cluster_setting(Some(&path)).unwrap_err();
        assert!(e.to_string().contains("trove.toml: engine"), "{e}");
    }

    #[test]
    fn debug_never_shows_token() {
        let cfg = Config::parse(
            "[[sources]]\nname='n'\nkind='notion'\ntoken='ntn_topsecret'\n",
            &no_env,
        )
        .unwrap();
        assert!(!format!("{cfg:?}").contains("topsecret"));
    }
}
