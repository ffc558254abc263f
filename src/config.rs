//! Configuration: [`Config`] holds the [`SourceConfig`]s read from `trove.toml` (or, without a
//! file, from `NOTION_TOKEN` / `MONDAY_TOKEN` in the environment).
//!
//! Tokens are [`Secret`]s: read from the file or, preferably, from the environment variable the
//! file names (`token_env`, `auth_token_env`), so they never appear on a command line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
/// How long one request may wait for its answer (monday.com's own limit is 60 s).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one request may take in all, its retries and their waits included: a server that
/// accepts connections but never answers stops a sync after this, not after every retry.
pub const RETRY_BUDGET: Duration = Duration::from_secs(180);

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
    /// Attachment download and extraction bounds (the file's `[attachments]` table).
    pub attachments: crate::extract::Limits,
    /// `request_timeout_secs`: how long one HTTP request may wait for its answer.
    pub request_timeout: Duration,
    /// `retry_budget_secs`: how long one request may take with all its retries.
    pub retry_budget: Duration,
    /// Notion: the comment policy (ignored for monday).
    pub comments: CommentPolicy,
}

/// When a Notion source re-reads comments, which do not change a page's `last_edited_time`:
/// pages edited in the last `hot_days` days on every sync, every other page once per `every`
/// in a rolling sweep (`0s`: every sync); `--full` reads them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentPolicy {
    /// `comments_hot_days` (default 30).
    pub hot_days: u32,
    /// `comments_every` (default 24h).
    pub every: Duration,
    /// `comments_blocks` (default false): also read the inline discussions of every block,
    /// one request per block (the API has no way to tell which blocks have any).
    pub blocks: bool,
}

impl Default for CommentPolicy {
    fn default() -> Self {
        CommentPolicy {
            hot_days: 30,
            every: Duration::from_secs(24 * 3600),
            blocks: false,
        }
    }
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
    /// Problems worth telling the user that do not stop loading (also logged as warnings).
    pub warnings: Vec<String>,
    /// Whether a source's token is written in the file itself (not `token_env`).
    literal_token: bool,
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
    #[serde(default)]
    attachments: RawAttachments,
}

/// The `[attachments]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttachments {
    enabled: Option<bool>,
    max_file_mb: Option<u64>,
    max_pdf_pages: Option<u32>,
    timeout_secs: Option<u64>,
}

impl RawAttachments {
    /// The limits, defaults filled in; zero limits are refused.
    fn limits(&self) -> Result<crate::extract::Limits, ConfigError> {
        let mut l = crate::extract::Limits::default();
        let positive = |key: &str, v: u64| {
            if v == 0 {
                Err(invalid(
                    "[attachments]",
                    format!("`{key}` must be at least 1 (set `enabled = false` to turn attachments off)"),
                ))
            } else {
                Ok(v)
            }
        };
        if let Some(mb) = self.max_file_mb {
            l.max_bytes = positive("max_file_mb", mb)?.saturating_mul(1024 * 1024);
        }
        if let Some(p) = self.max_pdf_pages {
            l.max_pdf_pages = positive("max_pdf_pages", u64::from(p))? as u32;
        }
        if let Some(s) = self.timeout_secs {
            l.timeout = std::time::Duration::from_secs(positive("timeout_secs", s)?);
        }
        l.enabled = self.enabled.unwrap_or(true);
        Ok(l)
    }
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
    comments_hot_days: Option<u32>,
    comments_every: Option<String>,
    comments_blocks: Option<bool>,
    request_timeout_secs: Option<f64>,
    retry_budget_secs: Option<f64>,
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
        if cfg.literal_token {
            if let Some(w) = exposed_token_warning(path) {
                tracing::warn!("{w}");
                cfg.warnings.push(w);
            }
        }
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
        let literal_token = raw
            .sources
            .iter()
            .any(|s| s.token.is_some() || s.auth_token.is_some());
        let mut names = HashSet::new();
        let mut sources = Vec::new();
        let limits = raw.attachments.limits()?;
        for (i, rs) in std::mem::take(&mut raw.sources).into_iter().enumerate() {
            let mut src = resolve(rs, i, env)?;
            src.attachments = limits.clone();
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
            warnings: Vec::new(),
            literal_token,
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

impl SourceConfig {
    /// A source whose API is at `api_url`, unpaced, with every other setting at its default:
    /// the fake servers of the demo, the benchmarks and the tests.
    pub fn unpaced(name: &str, kind: SourceKind, token: Secret, api_url: &str) -> SourceConfig {
        SourceConfig {
            api_url: api_url.to_owned(),
            requests_per_second: 0.0,
            ..defaults(name.to_owned(), kind, token)
        }
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
        comments: CommentPolicy::default(),
        request_timeout: REQUEST_TIMEOUT,
        retry_budget: RETRY_BUDGET,
        attachments: crate::extract::Limits::default(),
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
    let comments = comment_policy(&rs, kind, &ctx)?;
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
    src.comments = comments;
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
    if let Some(t) = rs.request_timeout_secs {
        src.request_timeout = seconds(t, &ctx, "request_timeout_secs")?;
    }
    if let Some(t) = rs.retry_budget_secs {
        src.retry_budget = seconds(t, &ctx, "retry_budget_secs")?;
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

/// A positive number of seconds, at most a day, as a duration.
fn seconds(value: f64, ctx: &str, key: &str) -> Result<Duration, ConfigError> {
    if value > 0.0 && value <= 86_400.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(invalid(
            ctx,
            format!("`{key}` must be a number of seconds above 0 and at most 86400"),
        ))
    }
}

/// The warning for a config file holding a literal token that group or others may read.
fn exposed_token_warning(path: &Path) -> Option<String> {
    let bits = crate::private::shared_bits(path);
    (bits != 0).then(|| {
        format!(
            "{} holds a token and {} can read it; run `chmod 600 {}`, or move the token to \
             an environment variable named by `token_env` / `auth_token_env`",
            path.display(),
            if bits & 0o007 != 0 {
                "every user"
            } else {
                "its group"
            },
            path.display()
        )
    })
}

fn comment_policy(
    rs: &RawSource,
    kind: SourceKind,
    ctx: &str,
) -> Result<CommentPolicy, ConfigError> {
    let mut policy = CommentPolicy::default();
    let set = rs.comments_hot_days.is_some()
        || rs.comments_every.is_some()
        || rs.comments_blocks.is_some();
    if set && kind != SourceKind::Notion {
        return Err(invalid(
            ctx,
            "`comments_hot_days`, `comments_every` and `comments_blocks` apply to notion sources only",
        ));
    }
    if let Some(d) = rs.comments_hot_days {
        policy.hot_days = d;
    }
    policy.blocks = rs.comments_blocks.unwrap_or(false);
    if let Some(e) = &rs.comments_every {
        policy.every = parse_span(e).map_err(|m| invalid(ctx, format!("`comments_every`: {m}")))?;
    }
    Ok(policy)
}

/// Parses a span: `30s`, `15m`, `1h`, `2d`, `1h30m`, `0s` (a bare number is seconds).
pub fn parse_span(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let bad = || format!("`{s}` is not a duration: use e.g. 30s, 15m, 1h or 1h30m");
    if s.is_empty() {
        return Err(bad());
    }
    if let Ok(n) = s.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    let mut total = 0u64;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
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

    #[cfg(unix)]
    #[test]
    fn config_with_a_literal_token_readable_by_others_is_not_flagged() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("trove.toml");
        let set = |m| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(m)).unwrap();
        std::fs::write(
            &path,
            "[[sources]]\nname = \"n\"\nkind = \"notion\"\ntoken = \"secret_abc\"\n",
        )
        .unwrap();
        set(0o644);
        let cfg = Config::from_file(&path, &no_env).unwrap();
        assert_eq!(cfg.warnings.len(), 1, "{:?}", cfg.warnings);
        assert!(cfg.warnings[0].contains("chmod 600"), "{:?}", cfg.warnings);
        assert!(cfg.warnings[0].contains("every user"), "{:?}", cfg.warnings);
        assert!(
            !cfg.warnings[0].contains("secret_abc"),
            "the token never appears"
        );
        set(0o640);
        let cfg = Config::from_file(&path, &no_env).unwrap();
        assert!(cfg.warnings[0].contains("its group"), "{:?}", cfg.warnings);
        set(0o600);
        assert!(Config::from_file(&path, &no_env)
            .unwrap()
            .warnings
            .is_empty());
        // A token read from the environment is not in the file: no warning whatever the mode.
        std::fs::write(
            &path,
            "[[sources]]\nname = \"n\"\nkind = \"notion\"\ntoken_env = \"T\"\n",
        )
        .unwrap();
        set(0o644);
        let env = |k: &str| (k == "T").then(|| "secret_abc".to_owned());
        assert!(Config::from_file(&path, &env).unwrap().warnings.is_empty());
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
    fn attachment_limits_are_read_with_defaults() {
        let src = "[[sources]]\nname='n'\nkind='notion'\ntoken='t'\n";
        let cfg = Config::parse(src, &no_env).unwrap();
        assert_eq!(
            cfg.sources[0].attachments,
            crate::extract::Limits::default()
        );
        let text = format!("[attachments]\nmax_file_mb = 2\nmax_pdf_pages = 9\n{src}");
        let l = &Config::parse(&text, &no_env).unwrap().sources[0].attachments;
        assert_eq!((l.max_bytes, l.max_pdf_pages), (2 * 1024 * 1024, 9));
        let e = Config::parse("[attachments]\nmax_file_mb = 0\n", &no_env).unwrap_err();
        assert!(e.to_string().contains("max_file_mb"), "{e}");
        let e = Config::parse("[attachments]\nmax_pages = 3\n", &no_env).unwrap_err();
        assert!(e.to_string().contains("max_pages"), "{e}");
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

    #[test]
    fn comment_policy_keys_of_notion_sources() {
        let n = "[[sources]]\nname='n'\nkind='notion'\ntoken='ntn_x'\n";
        let cfg = Config::parse(n, &no_env).unwrap();
        assert_eq!(cfg.sources[0].comments, CommentPolicy::default());
        let cfg = Config::parse(
            &format!("{n}comments_hot_days = 7\ncomments_every = '0s'\ncomments_blocks = true\n"),
            &no_env,
        )
        .unwrap();
        let p = cfg.sources[0].comments;
        assert_eq!((p.hot_days, p.every, p.blocks), (7, Duration::ZERO, true));
        let e = Config::parse(&format!("{n}comments_every = 'soon'\n"), &no_env).unwrap_err();
        assert!(
            e.to_string()
                .contains("`comments_every`: `soon` is not a duration"),
            "{e}"
        );
        let m = "[[sources]]\nname='m'\nkind='monday'\nauth_token='t'\ncomments_hot_days = 3\n";
        let e = Config::parse(m, &no_env).unwrap_err();
        assert!(
            e.to_string().contains("apply to notion sources only"),
            "{e}"
        );
    }
}
