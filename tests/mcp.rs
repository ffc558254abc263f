//! End-to-end tests of trove's MCP server with the official clients: the Rust SDK's client
//! (`rmcp`) over stdio (`trove mcp`) and Streamable HTTP (`trove serve`, `/mcp`), and the
//! Python SDK (`tests/mcp/check_clients.py`, installed by `scripts/mcp-python.sh`). The data
//! folder is synced by the real `trove sync` from the fake Notion and monday.com servers, and
//! answers are checked against `trove search --json` and `trove export`.

mod serve_harness;

use std::path::PathBuf;
use std::process::Command;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{ConfigureCommandExt, StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};
use serve_harness::{Data, Server, BIN};
use trove_fakes::{monday as fm, notion as fnn};

const NOTION_TOKEN: &str = "ntn_mcp_e2e_secret_4f2a9c";
const MONDAY_TOKEN: &str = "mt-mcp-e2e-secret-81d3";
const API_KEY: &str = "mcp-k3y-never-in-logs";

/// A data folder synced by `trove sync` from small fake Notion and monday.com workspaces.
fn synced() -> Data {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (notion, monday) = rt.block_on(async {
        let notion = fnn::FakeNotion::start(fnn::FakeNotionOptions {
            token: NOTION_TOKEN.into(),
            rate_limit_per_minute: None,
            ..fnn::FakeNotionOptions::default()
        })
        .await
        .expect("fake notion");
        let monday = fm::FakeMonday::start(fm::FakeMondayOptions {
            token: MONDAY_TOKEN.into(),
            complexity_budget_per_minute: Some(1 << 50),
            ..fm::FakeMondayOptions::default()
        })
        .await
        .expect("fake monday");
        (notion, monday)
    });
    let data = Data {
        dir: tempfile::tempdir().expect("temp dir"),
    };
    let config = data.path().join("trove.toml");
    std::fs::write(
        &config,
        format!(
            "[[sources]]\nname = \"notion\"\nkind = \"notion\"\ntoken_env = \"MCP_NOTION\"\n\
             api_url = \"{}\"\nrequests_per_second = 0\n\n\
             [[sources]]\nname = \"monday\"\nkind = \"monday\"\nauth_token_env = \"MCP_MONDAY\"\n\
             api_url = \"{}\"\nrequests_per_second = 0\n",
            notion.url(),
            monday.url()
        ),
    )
    .expect("write trove.toml");
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(data.path())
        .arg("--config")
        .arg(&config)
        .arg("sync")
        .env("MCP_NOTION", NOTION_TOKEN)
        .env("MCP_MONDAY", MONDAY_TOKEN)
        .output()
        .expect("run trove sync");
    assert!(
        out.status.success(),
        "sync failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    rt.block_on(async {
        notion.shutdown().await;
        monday.shutdown().await;
    });
    data
}

/// Every exported document as JSON, by id.
fn export(data: &Data) -> Vec<Value> {
    data.trove(&["export"])
        .lines()
        .map(|l| serde_json::from_str(l).expect("export line"))
        .collect()
}

/// The first words of the first title of a document from `source_kind` with 3+ words.
fn query_from(docs: &[Value], source_kind: &str, words: usize) -> String {
    let title = docs
        .iter()
        .filter(|d| d["source_kind"] == source_kind)
        .filter_map(|d| d["title"].as_str())
        .find(|t| t.split_whitespace().count() >= 3)
        .unwrap_or_else(|| panic!("no {source_kind} document with a 3-word title"));
    title
        .split_whitespace()
        .take(words)
        .collect::<Vec<_>>()
        .join(" ")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime")
}

type Client = RunningService<RoleClient, ()>;

async fn stdio_client(data: &Data) -> Client {
    let path = data.path().to_owned();
    let transport = TokioChildProcess::new(tokio::process::Command::new(BIN).configure(|c| {
        c.arg("--data-dir").arg(&path).arg("mcp");
    }))
    .expect("spawn trove mcp");
    ().serve(transport).await.expect("MCP handshake over stdio")
}

async fn http_client(srv: &Server, key: Option<&str>) -> Result<Client, String> {
    let mut config =
        StreamableHttpClientTransportConfig::with_uri(format!("http://{}/mcp", srv.addr));
    if let Some(key) = key {
        config = config.auth_header(key);
    }
    let transport = StreamableHttpClientTransport::from_config(config);
    ().serve(transport).await.map_err(|e| e.to_string())
}

async fn call(client: &Client, tool: &'static str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments must be an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: protocol error {e}"))
}

fn text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

fn ids(v: &Value) -> Vec<&str> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id"))
        .collect()
}

/// Lists the tools, runs searches and fetches, and compares them with the CLI.
async fn answers_like_the_cli(client: &Client, data: &Data) {
    let tools = client.list_all_tools().await.expect("tools/list");
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort();
    assert_eq!(names, ["fetch", "search", "status"]);

    let docs = export(data);
    for (args, cli) in [
        (json!({"query": query_from(&docs, "notion", 3)}), vec![]),
        (
            json!({"query": query_from(&docs, "monday", 1), "source": "monday", "limit": 7}),
            vec!["--source", "monday", "--limit", "7"],
        ),
    ] {
        let q = args["query"].as_str().unwrap().to_owned();
        let r = call(client, "search", args.clone()).await;
        assert_eq!(r.is_error, Some(false), "{}", text(&r));
        let got = r.structured_content.clone().expect("structuredContent");
        let mut cli_args = vec!["search", "--json", q.as_str()];
        cli_args.extend(cli);
        let want: Value = serde_json::from_str(&data.trove(&cli_args)).unwrap();
        assert_eq!(ids(&got), ids(&want), "{args}");
        assert_eq!(got["total"], want["total"], "{args}");
        assert!(!ids(&got).is_empty(), "{args} finds nothing");
        let first = &got["hits"][0];
        assert_eq!(first["breadcrumb"], want["hits"][0]["path"]);
        assert!(
            text(&r).contains(first["url"].as_str().unwrap()),
            "{}",
            text(&r)
        );

        let id = first["id"].as_str().unwrap();
        let f = call(client, "fetch", json!({ "id": id })).await;
        let doc = docs.iter().find(|d| d["id"] == id).expect("exported");
        let fetched = f.structured_content.expect("structuredContent");
        assert_eq!(fetched["title"], doc["title"]);
        let body = doc["body"].as_str().unwrap();
        assert_eq!(
            fetched["text"].as_str().unwrap(),
            body.chars().take(20_000).collect::<String>()
        );
    }
}

#[test]
fn rmcp_client_over_stdio_answers_like_the_cli() {
    let data = synced();
    runtime().block_on(async {
        let client = stdio_client(&data).await;
        answers_like_the_cli(&client, &data).await;
        let status = call(&client, "status", json!({})).await;
        let s = status.structured_content.expect("structuredContent");
        let want: Value = serde_json::from_str(&data.trove(&["status", "--json"])).unwrap();
        assert_eq!(s["documents"], want["documents"]);
        let _ = client.cancel().await;
    });
}

#[test]
fn bad_input_is_a_tool_error_and_the_session_goes_on() {
    let data = synced();
    runtime().block_on(async {
        let client = stdio_client(&data).await;
        for (tool, args, needle) in [
            ("fetch", json!({"id": "notion:nope"}), "no document with id"),
            (
                "fetch",
                json!({"id": "notion:nope", "max_chars": 0}),
                "max_chars",
            ),
            ("search", json!({"query": "  "}), "`query` is empty"),
            ("search", json!({"query": "(heat"}), ""),
            (
                "search",
                json!({"query": "x", "limit": 101}),
                "between 1 and 100",
            ),
            ("search", json!({"query": "x", "limit": -1}), "input schema"),
            ("search", json!({"q": "x"}), "unknown field `q`"),
            ("search", json!({"query": "x ".repeat(2000)}), "bytes long"),
            ("status", json!({"verbose": true}), "unknown field"),
        ] {
            let r = call(&client, tool, args.clone()).await;
            assert_eq!(r.is_error, Some(true), "{tool} {args}: {}", text(&r));
            assert!(text(&r).contains(needle), "{tool} {args}: {}", text(&r));
            assert!(r.structured_content.is_none());
        }
        let r = call(&client, "status", json!({})).await;
        assert_eq!(
            r.is_error,
            Some(false),
            "the session survives: {}",
            text(&r)
        );
        let _ = client.cancel().await;
    });
}

#[test]
fn http_transport_needs_the_key_and_never_logs_it() {
    let data = synced();
    let srv = Server::start(
        &data,
        &["--api-key-env", "MCP_TEST_KEY"],
        &[("MCP_TEST_KEY", API_KEY)],
    );
    let url = format!("http://{}/mcp", srv.addr);
    runtime().block_on(async {
        let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}});
        for auth in [None, Some("Bearer wrong"), Some(API_KEY)] {
            let mut req = reqwest::Client::new()
                .post(&url)
                .header("Accept", "application/json, text/event-stream")
                .json(&list);
            if let Some(a) = auth {
                req = req.header("Authorization", a);
            }
            let resp = req.send().await.expect("POST /mcp");
            assert_eq!(resp.status().as_u16(), 401, "auth {auth:?}");
            let body = resp.text().await.unwrap_or_default();
            assert!(body.contains("unauthorized"), "{body}");
        }
        let refused = http_client(&srv, None).await;
        assert!(refused.is_err(), "a client without the key connects");

        let client = http_client(&srv, Some(API_KEY))
            .await
            .expect("with the key");
        answers_like_the_cli(&client, &data).await;
        let _ = client.cancel().await;
    });
    let log = srv.log();
    assert!(log.contains("/mcp"), "requests are logged: {log}");
    for secret in [API_KEY, NOTION_TOKEN, MONDAY_TOKEN] {
        assert!(!log.contains(secret), "a secret leaked into the log: {log}");
    }
}

#[test]
fn trove_mcp_refuses_a_missing_data_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("not-synced");
    let out = Command::new(BIN)
        .arg("mcp")
        .arg("--data-dir")
        .arg(&missing)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run trove mcp");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no trove data folder at") && err.contains("--data-dir"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "stdout is for MCP only");
    assert!(!missing.exists(), "the folder was created");
}

/// The venv `scripts/mcp-python.sh` makes (or `$TROVE_MCP_PYTHON`).
fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TROVE_MCP_PYTHON") {
        return Some(p.into());
    }
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let p = target.parent()?.join("mcp-venv/bin/python");
    p.exists().then_some(p)
}

#[test]
fn python_sdk_over_stdio_and_http_answers_like_the_cli() {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the MCP Python SDK is not installed: run scripts/mcp-python.sh"
        );
        eprintln!("skipped: the MCP Python SDK is not installed (run scripts/mcp-python.sh)");
        return;
    };
    let data = synced();
    let srv = Server::start(
        &data,
        &["--api-key-env", "MCP_TEST_KEY"],
        &[("MCP_TEST_KEY", API_KEY)],
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/check_clients.py");
    let out = Command::new(python)
        .arg(script)
        .args(["--trove", BIN, "--data-dir"])
        .arg(data.path())
        .args(["--url", &format!("http://{}/mcp", srv.addr)])
        .args(["--key", API_KEY])
        .args(["--secret", NOTION_TOKEN, "--secret", MONDAY_TOKEN])
        .env_remove("TROVE_DATA_DIR")
        .env_remove("TROVE_CONFIG")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("passed, 0 failed"), "{stdout}");
    eprintln!("{stdout}");
    assert!(!srv.log().contains(API_KEY), "the key leaked into the log");
}
