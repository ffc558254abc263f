//! trove for AI assistants: a Model Context Protocol server, on the official Rust SDK (`rmcp`).
//!
//! [`TroveMcp`] is the tool handler: `search`, `fetch` and `status` over the same
//! [`AppState`] the HTTP API uses (the live searcher, the pooled store). Two transports serve it:
//! [`serve_stdio`] (`trove mcp`, one assistant talking to a child process) and
//! [`http_service`], the Streamable HTTP transport mounted at `/mcp` by `trove serve` behind its
//! loopback-by-default rule and API-key check.
//!
//! Tool arguments are checked here rather than by the SDK, so that wrong or oversized input is
//! an MCP *tool error* (`isError: true`) whose message tells the model what to change, and never
//! a protocol error or a closed session. Each answer has a short, citation-friendly text in
//! `content` ([`text`]) and the full record in `structuredContent` ([`tools`]).

pub mod text;
pub mod tools;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use rmcp::handler::server::common::{schema_for_input, schema_for_output};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    CallToolResult, ContentBlock, Implementation, JsonObject, ServerCapabilities, ServerConfig,
};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{tool, tool_handler, tool_router, ServerHandler, ServiceExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::data::DataDir;
use crate::http::routes::search_blocking;
use crate::http::{ApiError, AppState};
use crate::search::Budget;
use tools::{FetchInput, FetchOutput, SearchInput, SearchOutput, StatusInput, StatusOutput};

/// What the server tells an assistant when it connects.
const INSTRUCTIONS: &str = "trove is a local full-text index of the team's Notion pages and \
monday.com items. Use `search` to find documents (it returns ranked hits with a link to cite), \
`fetch` to read one document in full by its id, and `status` to see which sources are indexed \
and how fresh they are. Cite documents by their URL.";

const SEARCH: &str = "Search the team's Notion pages and monday.com items indexed by trove. \
Returns ranked hits, each with an id, title, breadcrumb (where it sits in the workspace), URL, \
last edit time and a snippet with the matched words in **bold**. Use specific words; filter by \
source, kind, tags or edit dates when the question implies them. Pass a hit's id to `fetch` to \
read the whole document, and cite hits by URL.";

const FETCH: &str = "Read one document by its id (from a `search` hit): its title, breadcrumb, \
URL, authors, tags, dates and its full text flattened to plain text. Long documents are cut at \
`max_chars` characters (default 20000) with a note giving the `offset` to continue from.";

const STATUS: &str = "What trove has indexed: the number of documents, each source (Notion or \
monday.com) with its document count and when it was last synced, and whether search is up to \
date. Use it when results look stale or empty, or to learn the source names `search` filters \
on.";

/// The MCP tool handler over a data folder's search state.
#[derive(Clone)]
pub struct TroveMcp {
    state: Arc<AppState>,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl TroveMcp {
    pub fn new(state: Arc<AppState>) -> Self {
        TroveMcp {
            state,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = SEARCH,
        input_schema = input_schema::<SearchInput>(),
        output_schema = schema_for_output::<SearchOutput>(),
        annotations(title = "Search Notion and monday.com", read_only_hint = true, open_world_hint = false)
    )]
    async fn search(&self, args: JsonObject) -> CallToolResult {
        self.call("search", args, run_search).await
    }

    #[tool(
        description = FETCH,
        input_schema = input_schema::<FetchInput>(),
        output_schema = schema_for_output::<FetchOutput>(),
        annotations(title = "Read a document", read_only_hint = true, open_world_hint = false)
    )]
    async fn fetch(&self, args: JsonObject) -> CallToolResult {
        self.call("fetch", args, run_fetch).await
    }

    #[tool(
        description = STATUS,
        input_schema = input_schema::<StatusInput>(),
        output_schema = schema_for_output::<StatusOutput>(),
        annotations(title = "What is indexed", read_only_hint = true, open_world_hint = false)
    )]
    async fn status(&self, args: JsonObject) -> CallToolResult {
        self.call("status", args, run_status).await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for TroveMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("trove", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}

/// A tool's answer: the structured record and the text rendered from it.
type Answer = (serde_json::Value, String);

impl TroveMcp {
    /// Parses `args`, runs `work` off the async threads, and turns any failure into a tool error.
    async fn call<I>(
        &self,
        tool: &'static str,
        args: JsonObject,
        work: fn(&AppState, &Budget, I) -> Result<Answer, ApiError>,
    ) -> CallToolResult
    where
        I: DeserializeOwned + Send + 'static,
    {
        let start = Instant::now();
        let outcome = match parse_args::<I>(args) {
            Ok(input) => search_blocking(&self.state, move |st, b| work(st, b, input)).await,
            Err(e) => Err(e),
        };
        let ms = start.elapsed().as_secs_f64() * 1e3;
        match outcome {
            Ok((structured, text)) => {
                tracing::info!(tool, ms, "mcp tool call");
                let mut result = CallToolResult::structured(structured);
                result.content = vec![ContentBlock::text(text)];
                result
            }
            Err(e) => tool_error(tool, ms, &e),
        }
    }
}

/// The input schema of `T`; the types are fixed, so a failure is a bug caught by the tests.
fn input_schema<T: rmcp::schemars::JsonSchema + 'static>() -> Arc<JsonObject> {
    schema_for_input::<T>().unwrap_or_default()
}

/// Deserializes tool arguments; a mismatch is the caller's to fix, so it says how.
fn parse_args<I: DeserializeOwned>(args: JsonObject) -> Result<I, ApiError> {
    serde_json::from_value(serde_json::Value::Object(args)).map_err(|e| {
        ApiError::BadParameter(format!(
            "invalid arguments: {e}; see the tool's input schema for the fields and their types"
        ))
    })
}

fn tool_error(tool: &'static str, ms: f64, e: &ApiError) -> CallToolResult {
    match e {
        ApiError::Internal(detail) => {
            tracing::error!(tool, ms, error = %detail, "mcp tool call failed")
        }
        other => tracing::info!(tool, ms, code = other.meta().1, "mcp tool call refused"),
    }
    CallToolResult::error(vec![ContentBlock::text(e.public_message())])
}

fn answer<T: Serialize>(out: &T, text: String) -> Result<Answer, ApiError> {
    let value = serde_json::to_value(out).map_err(ApiError::internal)?;
    Ok((value, text))
}

fn run_search(st: &AppState, budget: &Budget, input: SearchInput) -> Result<Answer, ApiError> {
    let req = tools::search_request(&input)?;
    let resp = st.with_store(|store| Ok(st.searcher().search_within(&req, store, budget)?))?;
    let out = tools::search_output(&req, &resp);
    answer(&out, text::search(&out))
}

fn run_fetch(st: &AppState, _: &Budget, input: FetchInput) -> Result<Answer, ApiError> {
    let window = tools::fetch_window(&input)?;
    let id = input.id.trim();
    let doc = st
        .with_store(|store| store.get(id).map_err(ApiError::internal))?
        .ok_or_else(|| tools::unknown_id(id))?;
    let out = tools::fetch_output(doc, window)?;
    answer(&out, text::fetch(&out))
}

fn run_status(st: &AppState, _: &Budget, _: StatusInput) -> Result<Answer, ApiError> {
    let searcher = st.searcher();
    let status = st.with_store(|store| {
        DataDir::new(&st.data_dir)
            .status(store, searcher.index())
            .map_err(ApiError::internal)
    })?;
    let out = tools::status_output(status);
    answer(&out, text::status(&out, chrono::Utc::now()))
}

/// `trove mcp`: serves MCP on stdin/stdout until the client closes stdin.
pub async fn serve_stdio(
    data_dir: &Path,
    model_dir: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let state = AppState::open(
        data_dir,
        None,
        model_dir,
        None,
        crate::http::routes::WORK_TIMEOUT,
    )
    .await?;
    tracing::info!(data_dir = %data_dir.display(), "serving MCP on stdio");
    let running = TroveMcp::new(state)
        .serve(rmcp::transport::stdio())
        .await
        .context("starting the MCP session on stdio")?;
    running.waiting().await.context("serving MCP on stdio")?;
    Ok(())
}

/// The Streamable HTTP transport for `/mcp`. `any_host` turns off the SDK's `Host` check
/// (DNS-rebinding protection for loopback servers), needed when trove listens on a public
/// address, where the API key guards it instead. Cancelling `stop` ends every session.
pub fn http_service(
    state: Arc<AppState>,
    any_host: bool,
    stop: CancellationToken,
) -> StreamableHttpService<TroveMcp, LocalSessionManager> {
    let mut config = StreamableHttpServerConfig::default().with_cancellation_token(stop);
    if any_host {
        config = config.disable_allowed_hosts();
    }
    let server = TroveMcp::new(state);
    StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_have_object_schemas_and_descriptions() {
        for t in TroveMcp::tool_router().list_all() {
            let object = serde_json::Value::from("object");
            assert_eq!(t.input_schema.get("type"), Some(&object), "{}", t.name);
            assert!(
                t.output_schema.as_ref().is_some_and(|s| !s.is_empty()),
                "{}",
                t.name
            );
            assert!(
                t.description.as_ref().is_some_and(|d| d.len() > 100),
                "{}",
                t.name
            );
        }
        let search = schema_for_input::<SearchInput>().unwrap();
        assert_eq!(search["required"], serde_json::json!(["query"]));
        assert_eq!(search["additionalProperties"], serde_json::json!(false));
    }

    #[test]
    fn wrong_argument_types_say_what_to_fix() {
        let args = serde_json::json!({"query": "x", "limit": "ten"});
        let serde_json::Value::Object(args) = args else {
            unreachable!()
        };
        let e = parse_args::<SearchInput>(args).unwrap_err();
        assert!(e.to_string().contains("input schema"), "{e}");
        let args = serde_json::json!({"query": "x", "colour": "red"});
        let serde_json::Value::Object(args) = args else {
            unreachable!()
        };
        let e = parse_args::<SearchInput>(args).unwrap_err();
        assert!(e.to_string().contains("unknown field `colour`"), "{e}");
    }
}
