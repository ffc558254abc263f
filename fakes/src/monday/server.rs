//! The `POST /v2` handler: auth → `API-Version` → parse → validate → complexity cap →
//! injected faults and rate limits → per-minute budget → execution → response envelope.
//! Each step answers with monday's real status, headers and body (../shared/docs/monday-api.md §1, §3).

use std::sync::{Arc, Mutex, MutexGuard};

use async_graphql_parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::complexity::{cost, Budget, ComplexityInfo, MAX_QUERY_COMPLEXITY};
use super::cursors::Cursors;
use super::errors::{self, Era, GqlError};
use super::exec::{const_value, Exec, Out};
use super::faults::{FaultKind, Faults};
use super::model::Account;
use super::validate::{coerce_variables, root_type, select_operation, validate, Vars};
use super::Stats;

/// The version served when the request names none.
pub const DEFAULT_VERSION: &str = "2026-01";

/// Everything the server mutates, behind one lock.
#[derive(Debug)]
pub struct Shared {
    pub account: Account,
    pub cursors: Cursors,
    pub budget: Budget,
    pub faults: Faults,
    pub stats: Stats,
    pub token: String,
    pub budget_per_minute: u64,
}

/// The shared state handle given to axum.
pub type SharedState = Arc<Mutex<Shared>>;

/// Locks the state, surviving a poisoned lock (a panicking test must not wedge the server).
pub fn lock(s: &SharedState) -> MutexGuard<'_, Shared> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// An HTTP answer under construction.
struct Reply {
    status: StatusCode,
    body: Out,
    version: Option<String>,
    request_id: Option<String>,
    retry_after: Option<u64>,
    html: Option<&'static str>,
}

impl Reply {
    fn new(status: StatusCode, body: impl Into<Out>) -> Self {
        Reply {
            status,
            body: body.into(),
            version: None,
            request_id: None,
            retry_after: None,
            html: None,
        }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        let mut put = |k: &'static str, v: &str| {
            if let Ok(v) = HeaderValue::from_str(v) {
                headers.insert(k, v);
            }
        };
        put("x-monday-rgn", "use1");
        if let Some(v) = &self.version {
            put("api-version", v);
        }
        if let Some(id) = &self.request_id {
            put("x-request-id", id);
        }
        if let Some(s) = self.retry_after {
            put("retry-after", &s.to_string());
        }
        if let Some(html) = self.html {
            put("content-type", "text/html");
            return (self.status, headers, html).into_response();
        }
        // Real monday: `application/json` on answers, `; charset=utf-8` on 401s.
        let charset = self.status == StatusCode::UNAUTHORIZED;
        put(
            "content-type",
            if charset {
                "application/json; charset=utf-8"
            } else {
                "application/json"
            },
        );
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        (self.status, headers, body).into_response()
    }
}

/// A request-id-shaped UUID, deterministic per request number.
fn request_id(n: u64) -> String {
    let a = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5219_a698_c461_9ba7;
    let b = a.rotate_left(29).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// `POST /v2`.
pub async fn graphql(State(st): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let mut s = lock(&st);
    s.stats.requests += 1;
    let reply = handle(&mut s, &headers, &body);
    if reply.status.is_success()
        && !reply.body.has_key("errors")
        && !reply.body.has_key("error_code")
    {
        s.stats.ok += 1;
    } else {
        s.stats.errors += 1;
    }
    reply.into_response()
}

fn handle(s: &mut Shared, headers: &HeaderMap, body: &[u8]) -> Reply {
    let rid = request_id(s.stats.requests);
    if !authenticated(s, headers) {
        s.stats.unauthenticated += 1;
        return Reply::new(StatusCode::UNAUTHORIZED, errors::not_authenticated());
    }
    let version = match api_version(headers, &rid) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let req: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let body = json!({"errors": [{"message": format!("Unexpected token in JSON: {e}")}]});
            return with_ids(Reply::new(StatusCode::BAD_REQUEST, body), None, &rid);
        }
    };
    let query = req.get("query").and_then(Value::as_str).unwrap_or_default();
    let doc = match async_graphql_parser::parse_query(query) {
        Ok(d) => d,
        Err(e) => {
            let pos = e.positions().next().unwrap_or_default();
            return validation_reply(vec![GqlError::validation(syntax_message(&e), pos)], &rid);
        }
    };
    match validated(&doc, &req) {
        Ok((op, vars)) => {
            count_root_fields(s, &op.selection_set.node);
            execute(s, &doc, op, &vars, &version, &rid)
        }
        Err(errs) => validation_reply(errs, &rid),
    }
}

/// Raw token or `Bearer <token>` (any case) in `Authorization`.
fn authenticated(s: &Shared, headers: &HeaderMap) -> bool {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let token = match auth.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => auth.trim(),
    };
    !token.is_empty() && token == s.token
}

/// The version to serve, or the `InvalidVersionException` reply for a malformed header.
fn api_version(headers: &HeaderMap, rid: &str) -> Result<String, Reply> {
    let Some(header) = headers.get("api-version") else {
        return Ok(DEFAULT_VERSION.to_string());
    };
    let v = header.to_str().unwrap_or("?").trim();
    served_version(v).ok_or_else(|| {
        with_ids(
            Reply::new(StatusCode::OK, errors::invalid_version(v)),
            None,
            rid,
        )
    })
}

/// The operation to run and its coerced variables, or every validation error.
fn validated<'d>(
    doc: &'d ExecutableDocument,
    req: &Value,
) -> Result<(&'d OperationDefinition, Vars), Vec<GqlError>> {
    let op_name = req.get("operationName").and_then(Value::as_str);
    let op = &select_operation(doc, op_name).map_err(|e| vec![e])?.node;
    let errs = validate(doc, op);
    if !errs.is_empty() {
        return Err(errs);
    }
    let empty = serde_json::Map::new();
    let json_vars = req
        .get("variables")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    Ok((op, coerce_variables(op, json_vars)?))
}

/// graphql-js style `Syntax Error: Expected …` from the parser's multi-line message.
fn syntax_message(e: &async_graphql_parser::Error) -> String {
    let text = e.to_string();
    let last = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or(text.trim());
    let mut chars = last.chars();
    let first = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    format!("Syntax Error: {first}{}.", chars.as_str())
}

/// The version served for an `API-Version` header: itself for a release (`yyyy-01/04/07/10`)
/// or `dev`, Current for an unknown `yyyy-mm` (docs "Version Behavior"), `None` when malformed.
fn served_version(v: &str) -> Option<String> {
    let b = v.as_bytes();
    if v == "dev" {
        return Some(v.to_string());
    }
    let month: u8 = v
        .get(5..)
        .and_then(|m| m.parse().ok())
        .filter(|m| (1..=12).contains(m))?;
    let well_formed = b.len() == 7 && b[4] == b'-' && v[..4].parse::<u16>().is_ok();
    match (well_formed, month % 3) {
        (false, _) => None,
        (true, 1) => Some(v.to_string()),
        (true, _) => Some(DEFAULT_VERSION.to_string()),
    }
}

fn with_ids(mut r: Reply, version: Option<&str>, rid: &str) -> Reply {
    r.version = version.map(str::to_string);
    r.request_id = Some(rid.to_string());
    r
}

/// Validation errors: HTTP 200, no `Api-Version` header, `extensions.request_id` in the body.
fn validation_reply(errs: Vec<GqlError>, rid: &str) -> Reply {
    let errors = Out::List(errs.iter().map(GqlError::to_out).collect());
    let ext = Out::Val(json!({ "request_id": rid }));
    Reply::new(
        StatusCode::OK,
        Out::obj([("errors", errors), ("extensions", ext)]),
    )
}

fn count_root_fields(s: &mut Shared, set: &SelectionSet) {
    for sel in &set.items {
        if let Selection::Field(f) = &sel.node {
            *s.stats
                .root_fields
                .entry(f.node.name.node.to_string())
                .or_default() += 1;
        }
    }
}

fn execute(
    s: &mut Shared,
    doc: &ExecutableDocument,
    op: &OperationDefinition,
    vars: &Vars,
    version: &str,
    rid: &str,
) -> Reply {
    let (info, fault) = match admit(s, doc, op, vars, version, rid) {
        Ok(admitted) => admitted,
        Err(reply) => return reply,
    };
    let unauthorized = s.faults.unauthorized_boards.clone();
    let subitem_state_errors = s.faults.subitem_state_errors;
    let Shared {
        account, cursors, ..
    } = s;
    let mut ex = Exec {
        acc: account,
        cursors,
        doc,
        vars,
        complexity: info,
        version: version.to_string(),
        expire_cursor: fault == Some(FaultKind::CursorExpired),
        unauthorized_boards: &unauthorized,
        subitem_state_errors,
        partial_errors: vec![],
    };
    let body = match ex.run(op) {
        Ok(data) if ex.partial_errors.is_empty() => Out::obj([("data", data)]),
        Ok(data) => {
            let errors = Out::List(ex.partial_errors.iter().map(GqlError::to_out).collect());
            Out::obj([("data", data), ("errors", errors)])
        }
        Err(e) if Era::of(version) == Era::Legacy && e.message == errors::CURSOR_EXPIRED => {
            Out::Val(errors::cursor_expired_legacy())
        }
        Err(e) => Out::obj([("data", Out::Null), ("errors", Out::List(vec![e.to_out()]))]),
    };
    with_ids(
        Reply::new(StatusCode::OK, envelope(body, version, rid, account.id)),
        Some(version),
        rid,
    )
}

/// Complexity cap, request rate, injected faults and budget, in that order: either the
/// charged complexity (and a fault to apply during execution) or the rejecting reply.
fn admit(
    s: &mut Shared,
    doc: &ExecutableDocument,
    op: &OperationDefinition,
    vars: &Vars,
    version: &str,
    rid: &str,
) -> Result<(ComplexityInfo, Option<FaultKind>), Reply> {
    let points = cost(doc, &op.selection_set.node, root_type(op), vars);
    if points > MAX_QUERY_COMPLEXITY {
        let body = errors::query_too_complex(points, MAX_QUERY_COMPLEXITY);
        return Err(with_ids(
            Reply::new(StatusCode::OK, body),
            Some(version),
            rid,
        ));
    }
    let token = s.token.clone();
    if let Some(limit) = s.faults.requests_per_minute {
        if let Err(retry) = s.budget.count_request(&token, limit) {
            return Err(too_many(errors::rate_limited(retry), retry, version, rid));
        }
    }
    let fault = draw_fault(s, passes_cursor(doc, &op.selection_set.node, vars, 0));
    if let Some(reply) = fault.and_then(|f| fault_reply(f, s, version, rid)) {
        return Err(reply);
    }
    let per_minute = s.budget_per_minute;
    let info = s
        .budget
        .charge(&token, points, per_minute)
        .map_err(|c| budget_exhausted(c, per_minute, version, rid, s.account.id))?;
    s.stats.complexity_spent += points;
    Ok((info, fault))
}

/// Counts the call against the daily limit and draws this request's fault, if any.
fn draw_fault(s: &mut Shared, uses_cursor: bool) -> Option<FaultKind> {
    s.stats.calls += 1;
    let over_daily = s
        .faults
        .daily_call_limit
        .is_some_and(|max| s.stats.calls > max);
    let fault = if over_daily {
        Some(FaultKind::DailyLimit)
    } else {
        s.faults.draw(s.stats.requests, uses_cursor)
    };
    if fault.is_some() {
        s.stats.faults_injected += 1;
    }
    fault
}

fn budget_exhausted(
    c: ComplexityInfo,
    limit: u64,
    version: &str,
    rid: &str,
    account_id: u64,
) -> Reply {
    let retry = c.reset_in_x_seconds;
    let (status, body) =
        errors::complexity_exhausted_for(Era::of(version), c.before, c.query, limit, retry);
    if status == 200 {
        let body = envelope(body, version, rid, account_id);
        return with_ids(Reply::new(StatusCode::OK, body), Some(version), rid);
    }
    too_many(body, retry, version, rid)
}

/// Adds `extensions.request_id` (2025-07 and later) or the legacy `account_id`.
fn envelope(body: impl Into<Out>, version: &str, rid: &str, account_id: u64) -> Out {
    let mut kv = body.into().into_pairs();
    if version == "dev" || version >= "2025-07" {
        kv.push(("extensions".into(), Out::Val(json!({ "request_id": rid }))));
    } else {
        kv.push(("account_id".into(), Out::Val(json!(account_id))));
    }
    Out::Obj(kv)
}

fn too_many(body: Value, retry: u64, version: &str, rid: &str) -> Reply {
    let mut r = with_ids(
        Reply::new(StatusCode::TOO_MANY_REQUESTS, body),
        Some(version),
        rid,
    );
    r.retry_after = Some(retry);
    r
}

/// The reply for an injected fault; `None` for faults applied during execution.
fn fault_reply(f: FaultKind, s: &Shared, version: &str, rid: &str) -> Option<Reply> {
    Some(match f {
        FaultKind::RateLimit => {
            let secs = s.faults.rate_limit_retry_seconds.unwrap_or(30);
            too_many(errors::rate_limited(secs), secs, version, rid)
        }
        FaultKind::ComplexityExhausted => {
            let c = ComplexityInfo {
                reset_in_x_seconds: 20,
                ..ComplexityInfo::default()
            };
            budget_exhausted(c, s.budget_per_minute, version, rid, s.account.id)
        }
        FaultKind::DailyLimit => {
            let secs = 86_400 - s.account.now.timestamp().rem_euclid(86_400) as u64;
            too_many(errors::daily_limit_exceeded(secs), secs, version, rid)
        }
        FaultKind::Http500 => {
            Reply::new(StatusCode::INTERNAL_SERVER_ERROR, errors::http_500_legacy())
        }
        FaultKind::Http502 => {
            let mut r = Reply::new(StatusCode::BAD_GATEWAY, Value::Null);
            r.html = Some("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>");
            r
        }
        FaultKind::InternalError => {
            let body = envelope(errors::internal_error_in_200(), version, rid, s.account.id);
            with_ids(Reply::new(StatusCode::OK, body), Some(version), rid)
        }
        FaultKind::CursorExpired => return None,
    })
}

/// Whether any field of the operation gets a non-null `cursor` argument.
fn passes_cursor(doc: &ExecutableDocument, set: &SelectionSet, vars: &Vars, depth: usize) -> bool {
    depth < 20
        && set.items.iter().any(|sel| match &sel.node {
            Selection::Field(f) => {
                f.node.arguments.iter().any(|(n, v)| {
                    n.node == "cursor"
                        && !matches!(
                            const_value(&v.node, vars),
                            async_graphql_value::ConstValue::Null
                        )
                }) || passes_cursor(doc, &f.node.selection_set.node, vars, depth + 1)
            }
            Selection::InlineFragment(fr) => {
                passes_cursor(doc, &fr.node.selection_set.node, vars, depth + 1)
            }
            Selection::FragmentSpread(sp) => doc
                .fragments
                .get(&sp.node.fragment_name.node)
                .is_some_and(|fr| passes_cursor(doc, &fr.node.selection_set.node, vars, depth + 1)),
        })
}
