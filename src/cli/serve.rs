//! `trove serve [--addr ADDR] [--api-key-env NAME] [--sync-every 15m]`: the HTTP search API and
//! search page (see [`trove::http`]).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use super::Ctx;
use trove::cluster::config::EngineKind;
use trove::config::Config;
use trove::http::cluster::ClusterServe;
use trove::http::ServeOptions;
use trove::secret::Secret;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but loopback requires --api-key-env.
    #[arg(long, default_value = "127.0.0.1:7700")]
    pub addr: SocketAddr,
    /// Name of the environment variable holding the API key; requests then need
    /// `Authorization: Bearer <key>` (the page and /health excepted).
    #[arg(long, value_name = "NAME")]
    pub api_key_env: Option<String>,
    /// Sync every configured source this often while serving (`30s`, `15m`, `1h`, `1h30m`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub sync_every: Option<Duration>,
    /// How long one search may run before the client gets a `timeout` error and the search
    /// stops (`500ms`, `10s`, `1m`).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    pub query_timeout: Duration,
    /// Answer searches from the local index (`tantivy`) or the `[typesense]` cluster
    /// [default: `engine` in the config, else tantivy].
    #[arg(long, value_enum)]
    pub engine: Option<EngineKind>,
}

pub fn run(ctx: &Ctx, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let api_key = match &args.api_key_env {
        Some(name) => Some(Secret::new(std::env::var(name).with_context(|| {
            format!("--api-key-env {name}: the environment variable `{name}` is not set")
        })?)),
        None => None,
    };
    let opts = ServeOptions {
        addr: args.addr,
        data_dir: ctx.data_dir.clone(),
        config: ctx.config.clone(),
        api_key,
        sync_every: args.sync_every,
        cluster: cluster(ctx, args.engine)?,
        model_dir: ctx.model_dir()?,
        query_timeout: args.query_timeout,
    };
    opts.check()?;
    let rt = trove::http::runtime().context("starting the async runtime")?;
    rt.block_on(trove::http::serve(opts))?;
    Ok(ExitCode::SUCCESS)
}

/// The cluster to report on and, with the typesense engine, to search.
fn cluster(ctx: &Ctx, engine: Option<EngineKind>) -> anyhow::Result<Option<ClusterServe>> {
    let config = Config::cluster_setting(ctx.config.as_deref())?;
    let engine = engine.unwrap_or(config.engine);
    match (config.typesense, engine) {
        (None, EngineKind::Typesense) => anyhow::bail!(
            "--engine typesense needs a [typesense] table with the cluster's nodes in the config \
             (see README, \"Moving search to a cluster\")"
        ),
        (None, _) => Ok(None),
        (Some(config), engine) => Ok(Some(ClusterServe {
            config,
            search: engine == EngineKind::Typesense,
        })),
    }
}

/// Parses `30s`, `15m`, `1h`, `2d`, `1h30m` (a bare number is seconds). At least one second.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    check_min(trove::config::parse_span(s)?, s.trim())
}

/// Parses a timeout: `500ms`, or anything [`parse_duration`] takes. At least 10 ms.
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let d = match t.strip_suffix("ms") {
        Some(ms) => ms
            .parse::<u64>()
            .map(Duration::from_millis)
            .map_err(|_| format!("`{t}` is not a duration: use e.g. 500ms, 10s or 1m"))?,
        None => trove::config::parse_span(t)?,
    };
    if d < Duration::from_millis(10) {
        return Err(format!(
            "`{t}` is too short: a timeout must be at least 10ms"
        ));
    }
    Ok(d)
}

fn check_min(d: Duration, s: &str) -> Result<Duration, String> {
    if d < Duration::from_secs(1) {
        return Err(format!(
            "`{s}` is too short: the period must be at least 1s"
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: ServeArgs,
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        for bad in [
            "",
            "m",
            "15x",
            "1.5h",
            "10m5",
            "0s",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_timeout("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_timeout("1m"), Ok(Duration::from_secs(60)));
        for bad in ["", "5ms", "ms", "1.5s", "10x"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        let t = T::parse_from(["t", "--query-timeout", "250ms"]);
        assert_eq!(t.a.query_timeout, Duration::from_millis(250));
        assert_eq!(
            T::parse_from(["t"]).a.query_timeout,
            Duration::from_secs(10)
        );
    }

    #[test]
    fn flags_parse() {
        let t = T::parse_from([
            "t",
            "--addr",
            "0.0.0.0:8080",
            "--api-key-env",
            "K",
            "--sync-every",
            "15m",
        ]);
        assert_eq!(t.a.addr.port(), 8080);
        assert_eq!(t.a.api_key_env.as_deref(), Some("K"));
        assert_eq!(t.a.sync_every, Some(Duration::from_secs(900)));
        let d = T::parse_from(["t"]);
        assert_eq!(d.a.addr.to_string(), "127.0.0.1:7700");
        assert!(T::try_parse_from(["t", "--addr", "nope"]).is_err());
    }
}
