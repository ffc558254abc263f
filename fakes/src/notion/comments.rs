//! Comments (notion-api.md §1.8b): the [`Comment`] model, `GET /v1/comments?block_id=…`, the
//! `/__fake/comments` control routes and the generator's [`seed`].
//!
//! A page id lists the page-level discussion, a block id the inline discussions on that block;
//! only unresolved comments are listed, oldest first, paginated like every list (`page_size` ≤
//! 100). When [`Workspace::comments_forbidden`] is set the endpoint answers 403
//! `restricted_resource`, as Notion does for an integration without the Read comments
//! capability. Adding a comment leaves the page's `last_edited_time` alone (§1.8b).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::gate::Ctx;
use super::model::Workspace;
use super::pagination::{self, page_size};
use super::render;
use super::reply::{finish, json_response, parse_id, ApiError};
use super::text::{self, rt_link, rt_page, rt_text, rt_user, Rng};
use super::Shared;

/// One comment on a page or a block.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub id: String,
    /// The page or block the discussion hangs on.
    pub parent: String,
    /// Whether `parent` is a page (else a block).
    pub on_page: bool,
    pub discussion_id: String,
    pub created: i64,
    pub created_by: String,
    pub rich_text: Vec<Value>,
    /// Resolved comments are not returned by the API.
    pub resolved: bool,
}

/// The `/v1/comments` route.
pub fn api() -> Router<Arc<Shared>> {
    Router::new().route("/v1/comments", get(list))
}

/// The `/__fake/comments` control routes.
///
/// | route | effect |
/// |---|---|
/// | `POST /__fake/comments` `{"block_id", "text", "discussion_id"?}` | add a comment → `{"id", "discussion_id"}` |
/// | `PUT /__fake/comments/forbidden` `{"forbidden": bool}` | answer 403 for comments, or not |
pub fn control() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__fake/comments", post(add))
        .route("/__fake/comments/forbidden", put(forbid))
}

async fn list(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result = (|| {
        let raw = q.get("block_id").ok_or_else(|| {
            ApiError::validation(
                "query failed validation: query.block_id should be defined, instead was `undefined`.",
            )
        })?;
        let id = parse_id("block_id", raw)?;
        let size = ctx.serve_size(page_size(
            q.get("page_size").map(|s| json!(s)).as_ref(),
            "query",
        )?);
        let ws = sh.ws();
        if ws.comments_forbidden {
            return Err(ApiError::new(
                403,
                "restricted_resource",
                "Insufficient permissions for this endpoint.",
            ));
        }
        if !ws.node_visible(&id) {
            return Err(ApiError::not_found("block", &id));
        }
        let ids: Vec<String> = ws
            .comments
            .iter()
            .filter(|c| c.parent == id && !c.resolved)
            .map(|c| c.id.clone())
            .collect();
        let cursor = q.get("start_cursor").map(String::as_str);
        let (slice, next) = pagination::page(&ids, "comments", cursor, size)?;
        let results = slice
            .iter()
            .filter_map(|cid| ws.comments.iter().find(|c| &c.id == cid))
            .map(|c| render_comment(&ws, c))
            .collect();
        Ok(render::list(results, next, "comment"))
    })();
    finish(result, &ctx.request_id)
}

/// A comment as the API renders it (`F:hkob/retrieve_comments_top_page.json`).
pub fn render_comment(ws: &Workspace, c: &Comment) -> Value {
    let parent = if c.on_page {
        json!({"type": "page_id", "page_id": c.parent})
    } else {
        json!({"type": "block_id", "block_id": c.parent})
    };
    let name = ws
        .users
        .iter()
        .find(|u| u["id"] == c.created_by.as_str())
        .and_then(|u| u["name"].as_str())
        .unwrap_or("Unknown user");
    json!({
        "object": "comment",
        "id": c.id,
        "parent": parent,
        "discussion_id": c.discussion_id,
        "created_time": text::ts(c.created),
        "last_edited_time": text::ts(c.created),
        "created_by": {"object": "user", "id": c.created_by},
        "rich_text": c.rich_text,
        "display_name": {"type": "user", "resolved_name": name},
        "attachments": [],
    })
}

#[derive(Deserialize)]
struct NewComment {
    block_id: String,
    text: String,
    #[serde(default)]
    discussion_id: Option<String>,
}

async fn add(State(sh): State<Arc<Shared>>, Json(b): Json<NewComment>) -> Response {
    let added = sh
        .ws()
        .add_comment(&b.block_id, &b.text, b.discussion_id.as_deref());
    match added {
        Some((id, discussion)) => json_response(
            StatusCode::OK,
            json!({"ok": true, "id": id, "discussion_id": discussion}),
        ),
        None => json_response(StatusCode::NOT_FOUND, json!({"ok": false})),
    }
}

#[derive(Deserialize)]
struct Forbid {
    forbidden: bool,
}

async fn forbid(State(sh): State<Arc<Shared>>, Json(b): Json<Forbid>) -> Response {
    sh.ws().comments_forbidden = b.forbidden;
    json_response(StatusCode::OK, json!({"ok": true}))
}

impl Workspace {
    /// Adds a comment by the first person user to a page or block (a new discussion unless
    /// `discussion` names one). Does not touch `last_edited_time`. Returns the comment and
    /// discussion ids, or `None` for an unknown target.
    pub fn add_comment(
        &mut self,
        target: &str,
        text: &str,
        discussion: Option<&str>,
    ) -> Option<(String, String)> {
        let on_page = self.pages.contains_key(target);
        if !on_page && !self.blocks.contains_key(target) {
            return None;
        }
        self.id_counter += 1;
        let mut rng = Rng::new(0xC0_44E7 ^ self.id_counter);
        let id = rng.uuid();
        let discussion = discussion.map_or_else(|| rng.uuid(), str::to_owned);
        let author = self
            .users
            .iter()
            .find(|u| u["type"] == "person")
            .or(self.users.first())
            .and_then(|u| u["id"].as_str())
            .unwrap_or_default()
            .to_owned();
        let created = self.tick();
        self.comments.push(Comment {
            id: id.clone(),
            parent: target.to_owned(),
            on_page,
            discussion_id: discussion.clone(),
            created,
            created_by: author,
            rich_text: vec![rt_text(text)],
            resolved: false,
        });
        Some((id, discussion))
    }

    /// Unresolved comments on `target` (a page or block id), oldest first.
    pub fn comments_on(&self, target: &str) -> Vec<&Comment> {
        self.comments
            .iter()
            .filter(|c| c.parent == target && !c.resolved)
            .collect()
    }
}

/// The unique word of generated comment `n` (letters only, so stemming keeps it whole).
pub fn comment_marker(n: usize) -> String {
    let mut word = String::from("remark");
    let mut n = n;
    for _ in 0..4 {
        word.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    word
}

/// Comments on the pages of a generated workspace, with their own random stream (the rest of
/// the workspace does not change): `long` comments in discussions of up to 5 on the first page
/// of `pages` (more than one page of results), a few on each of the next `others` pages and on
/// one block of each, with user and page mentions, links, and one resolved comment (never
/// listed). Every listed comment holds a unique [`comment_marker`].
pub fn seed(ws: &mut Workspace, pages: &[String], long: usize, others: usize, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x5EED_C0DE);
    let people: Vec<Value> = ws
        .users
        .iter()
        .filter(|u| u["type"] == "person")
        .cloned()
        .collect();
    if people.is_empty() || pages.is_empty() {
        return;
    }
    let mut g = Seeder {
        ws,
        rng: &mut rng,
        people: &people,
        n: 0,
    };
    g.thread(&pages[0], true, long);
    for page in pages.iter().skip(1).take(others) {
        g.thread(page, true, 3);
        if let Some(block) = g.ws.blocks_of_page(page).first().cloned() {
            g.thread(&block, false, 2);
        }
    }
    if let Some(c) = g.ws.comments.iter_mut().find(|c| c.parent == pages[0]) {
        c.resolved = true;
    }
}

struct Seeder<'a> {
    ws: &'a mut Workspace,
    rng: &'a mut Rng,
    people: &'a [Value],
    n: usize,
}

impl Seeder<'_> {
    /// `count` comments on `target`, five to a discussion.
    fn thread(&mut self, target: &str, on_page: bool, count: usize) {
        let mut discussion = self.rng.uuid();
        let created_at = self.ws.clock - 60;
        for i in 0..count {
            if i % 5 == 0 {
                discussion = self.rng.uuid();
            }
            let author = self.rng.pick(self.people).clone();
            let rich_text = self.body(&author);
            self.ws.comments.push(Comment {
                id: self.rng.uuid(),
                parent: target.to_owned(),
                on_page,
                discussion_id: discussion.clone(),
                created: created_at - (count - i) as i64,
                created_by: author["id"].as_str().unwrap_or_default().to_owned(),
                rich_text,
                resolved: false,
            });
        }
    }

    /// Text with a marker word, and sometimes a mention of a person or a page, or a link.
    fn body(&mut self, author: &Value) -> Vec<Value> {
        let marker = comment_marker(self.n);
        self.n += 1;
        let mut rt = vec![rt_text(&format!(
            "{} {marker} ",
            text::sentence(self.rng, 4, 9)
        ))];
        match self.rng.below(4) {
            0 => rt.push(rt_user(self.rng.pick(self.people))),
            1 => {
                let pages = self.ws.page_ids();
                let p = self.rng.pick(&pages).clone();
                let title = self.ws.page_title(&p);
                rt.push(rt_page(&p, &title));
            }
            2 => rt.push(rt_link("the design doc", "https://example.com/design")),
            _ => rt.push(rt_text(&format!(
                "(by {})",
                author["name"].as_str().unwrap_or("")
            ))),
        }
        rt
    }
}
