//! [`ClusterConfig`]: the `[typesense]` table of `trove.toml`, and the search engine `serve`
//! answers from ([`EngineKind`], top-level `engine = "…"`).
//!
//! ```toml
//! engine = "typesense"            # serve from the cluster (default: "tantivy", the local index)
//! [typesense]
//! nodes = ["http://10.0.0.1:8108", "http://10.0.0.2:8108", "http://10.0.0.3:8108"]
//! api_key_env = "TYPESENSE_API_KEY"   # default
//! collection = "trove"                # default; an alias onto trove_<timestamp>
//! ```

use serde::Deserialize;

use crate::secret::Secret;

/// Default name of the environment variable holding the API key.
pub const DEFAULT_KEY_ENV: &str = "TYPESENSE_API_KEY";
/// Default alias name.
pub const DEFAULT_COLLECTION: &str = "trove";

/// Which engine answers searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// The local tantivy index.
    #[default]
    Tantivy,
    /// The Typesense cluster of `[typesense]`.
    Typesense,
}

/// A configured Typesense cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// Node base URLs.
    pub nodes: Vec<String>,
    /// The API key (read from `api_key_env`).
    pub api_key: Secret,
    /// The variable it came from, for messages.
    pub api_key_env: String,
    /// The alias searches and pushes use.
    pub collection: String,
}

/// The `[typesense]` table as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    nodes: Vec<String>,
    api_key_env: Option<String>,
    collection: Option<String>,
}

impl RawCluster {
    /// Validates the table; `env` looks up environment variables. Errors name the key to fix.
    pub fn resolve(self, env: &dyn Fn(&str) -> Option<String>) -> Result<ClusterConfig, String> {
        if self.nodes.is_empty() {
            return Err("`nodes` is empty; list the cluster's node URLs, e.g. \
                        [\"http://10.0.0.1:8108\"]"
                .into());
        }
        for n in &self.nodes {
            let ok = reqwest::Url::parse(n)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(format!(
                    "`nodes` entry \"{n}\" is not an http(s) URL such as http://10.0.0.1:8108"
                ));
            }
        }
        let key_env = self.api_key_env.unwrap_or_else(|| DEFAULT_KEY_ENV.into());
        let key = env(&key_env)
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| {
                format!("the API key variable `{key_env}` (`api_key_env`) is not set or empty")
            })?;
        let collection = self.collection.unwrap_or_else(|| DEFAULT_COLLECTION.into());
        if collection.is_empty()
            || !collection
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "`collection` = \"{collection}\" must be letters, digits, `_` or `-`"
            ));
        }
        Ok(ClusterConfig {
            nodes: self.nodes,
            api_key: Secret::new(key),
            api_key_env: key_env,
            collection,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> RawCluster {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn defaults_and_key_from_env() {
        let c = raw(r#"nodes = ["http://127.0.0.1:8108"]"#)
            .resolve(&|k| (k == "TYPESENSE_API_KEY").then(|| "sekrit".to_owned()))
            .unwrap();
        assert_eq!(c.collection, "trove");
        assert_eq!(c.api_key.expose(), "sekrit");
        assert!(!format!("{c:?}").contains("sekrit"));
    }

    #[test]
    fn problems_name_the_key() {
        let none = |_: &str| None;
        let e = raw(r#"nodes = []"#).resolve(&none).unwrap_err();
        assert!(e.contains("`nodes` is empty"));
        let e = raw(r#"nodes = ["10.0.0.1:8108"]"#)
            .resolve(&none)
            .unwrap_err();
        assert!(e.contains("not an http(s) URL"));
        let e = raw(r#"nodes = ["http://a:1"]
api_key_env = "TS_KEY""#)
        .resolve(&none)
        .unwrap_err();
        assert!(e.contains("`TS_KEY`"));
        let some = |_: &str| Some("k".to_owned());
        let e = raw(r#"nodes = ["http://a:1"]
collection = "a b""#)
        .resolve(&some)
        .unwrap_err();
        assert!(e.contains("`collection`"));
    }
}
