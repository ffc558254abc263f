//! Renders [`Workspace`] objects as the JSON Notion returns, for one [`ApiVersion`].
//!
//! Shapes follow the recorded fixtures: pages `F:sdkpy/test_pages_retrieve.json`, blocks
//! `F:hkob/retrieve_block_children_block_test_page.json`, database containers
//! `F:sdkpy/test_databases_retrieve.json`, data sources `F:hkob/retrieve_data_source_*.json`.

use serde_json::{json, Map, Value};

use super::model::{Node, Page, Parent, Workspace};
use super::text::{page_url, rt_text, ts, ts_offset};

/// Property values in page objects carry at most this many references (notion-api.md §1.5).
const REFERENCE_CAP: usize = 25;

/// The `Notion-Version` a request pinned; decides version-dependent fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    /// `2022-06-28` and older: `archived`, database parents.
    V2022,
    /// `2025-09-03`: data sources; `in_trash` plus deprecated `archived`.
    V2025,
    /// `2026-03-11` and newer: `archived` removed.
    V2026,
}

impl ApiVersion {
    /// Maps a header value; anything from 2026-03-11 on counts as the newest.
    pub fn parse(v: &str) -> ApiVersion {
        let v = v.trim();
        if v >= "2026-03-11" {
            ApiVersion::V2026
        } else if v >= "2025-09-03" {
            ApiVersion::V2025
        } else {
            ApiVersion::V2022
        }
    }

    fn has_archived(self) -> bool {
        self != ApiVersion::V2026
    }
}

fn user_ref(id: &str) -> Value {
    json!({"object": "user", "id": id})
}

/// The `parent` object.
pub fn parent_json(p: &Parent, v: ApiVersion) -> Value {
    match p {
        Parent::Workspace => json!({"type": "workspace", "workspace": true}),
        Parent::Page(id) => json!({"type": "page_id", "page_id": id}),
        Parent::Block(id) => json!({"type": "block_id", "block_id": id}),
        Parent::Database(id) => json!({"type": "database_id", "database_id": id}),
        Parent::DataSource { database, .. } if v == ApiVersion::V2022 => {
            json!({"type": "database_id", "database_id": database})
        }
        Parent::DataSource {
            data_source,
            database,
        } => {
            json!({"type": "data_source_id", "data_source_id": data_source, "database_id": database})
        }
    }
}

fn set_trash(o: &mut Map<String, Value>, in_trash: bool, v: ApiVersion) {
    o.insert("in_trash".into(), json!(in_trash));
    if v.has_archived() {
        o.insert("archived".into(), json!(in_trash));
    }
}

/// A page object (`GET /v1/pages/{id}`, search and query results).
pub fn page(ws: &Workspace, p: &Page, v: ApiVersion) -> Value {
    let mut o = Map::new();
    o.insert("object".into(), json!("page"));
    o.insert("id".into(), json!(p.id));
    o.insert("created_time".into(), json!(ts(p.created)));
    o.insert("last_edited_time".into(), json!(ts(p.edited)));
    o.insert("created_by".into(), user_ref(&p.created_by));
    o.insert("last_edited_by".into(), user_ref(&p.edited_by));
    o.insert("cover".into(), Value::Null);
    o.insert("icon".into(), p.icon.clone());
    o.insert("parent".into(), parent_json(&p.parent, v));
    set_trash(&mut o, p.in_trash, v);
    if v != ApiVersion::V2022 {
        o.insert("is_archived".into(), json!(false));
        o.insert("is_locked".into(), json!(false));
    }
    o.insert("properties".into(), properties(ws, p));
    o.insert("url".into(), json!(page_url(&ws.page_title(&p.id), &p.id)));
    o.insert("public_url".into(), Value::Null);
    Value::Object(o)
}

/// Property values with computed timestamps/editors and the 25-reference cap applied.
fn properties(ws: &Workspace, p: &Page) -> Value {
    let mut props = p.properties.clone();
    for value in props.values_mut() {
        let kind = value["type"].as_str().unwrap_or("").to_string();
        match kind.as_str() {
            "created_time" => value["created_time"] = json!(ts(p.created)),
            "last_edited_time" => value["last_edited_time"] = json!(ts(p.edited)),
            "created_by" => value["created_by"] = full_user(ws, &p.created_by),
            "last_edited_by" => value["last_edited_by"] = full_user(ws, &p.edited_by),
            "title" | "rich_text" | "people" => {
                cap(value, &kind);
            }
            "relation" => {
                let more = cap(value, &kind);
                value["has_more"] = json!(more);
            }
            _ => {}
        }
    }
    Value::Object(props)
}

/// Truncates `value[kind]` to the reference cap; true when something was cut.
fn cap(value: &mut Value, kind: &str) -> bool {
    match value[kind].as_array_mut() {
        Some(items) if items.len() > REFERENCE_CAP => {
            items.truncate(REFERENCE_CAP);
            true
        }
        _ => false,
    }
}

/// The full user object for an id (partial reference if unknown).
pub fn full_user(ws: &Workspace, id: &str) -> Value {
    ws.users
        .iter()
        .find(|u| u["id"] == id)
        .cloned()
        .unwrap_or_else(|| user_ref(id))
}

/// A block object for any node reachable through `/v1/blocks/{id}`.
pub fn block(ws: &Workspace, node: &Node<'_>, v: ApiVersion) -> Value {
    let (id, parent, created, edited, by, eby, in_trash, kind, payload) = match node {
        Node::Block(b) => (
            &b.id,
            &b.parent,
            b.created,
            b.edited,
            &b.created_by,
            &b.edited_by,
            b.in_trash,
            b.kind.as_str(),
            b.payload.clone(),
        ),
        Node::Page(p) => (
            &p.id,
            &p.parent,
            p.created,
            p.edited,
            &p.created_by,
            &p.edited_by,
            p.in_trash,
            "child_page",
            json!({"title": ws.page_title(&p.id)}),
        ),
        Node::Database(d) => (
            &d.id,
            &d.parent,
            d.created,
            d.edited,
            &ws.bot_id,
            &ws.bot_id,
            d.in_trash,
            "child_database",
            json!({"title": d.title}),
        ),
    };
    let mut o = Map::new();
    o.insert("object".into(), json!("block"));
    o.insert("id".into(), json!(id));
    o.insert("parent".into(), parent_json(parent, v));
    o.insert("created_time".into(), json!(ts(created)));
    o.insert("last_edited_time".into(), json!(ts(edited)));
    o.insert("created_by".into(), user_ref(by));
    o.insert("last_edited_by".into(), user_ref(eby));
    o.insert("has_children".into(), json!(ws.has_children(id)));
    set_trash(&mut o, in_trash, v);
    o.insert("type".into(), json!(kind));
    o.insert(kind.to_string(), payload);
    Value::Object(o)
}

/// A database container (2025-09-03 shape; timestamps in the `+00:00` format).
pub fn database(ws: &Workspace, id: &str, v: ApiVersion) -> Option<Value> {
    let d = ws.databases.get(id)?;
    let sources: Vec<Value> = d
        .data_sources
        .iter()
        .filter_map(|s| ws.data_sources.get(s))
        .map(|s| json!({"id": s.id, "name": s.title}))
        .collect();
    let mut o = Map::new();
    o.insert("object".into(), json!("database"));
    o.insert("id".into(), json!(d.id));
    o.insert("title".into(), json!([rt_text(&d.title)]));
    o.insert("description".into(), json!([]));
    o.insert("parent".into(), parent_json(&d.parent, v));
    o.insert("is_inline".into(), json!(d.is_inline));
    o.insert("is_locked".into(), json!(false));
    o.insert("created_time".into(), json!(ts_offset(d.created)));
    o.insert("last_edited_time".into(), json!(ts_offset(d.edited)));
    o.insert("data_sources".into(), json!(sources));
    o.insert("icon".into(), Value::Null);
    o.insert("cover".into(), Value::Null);
    o.insert("url".into(), json!(page_url("", &d.id)));
    o.insert("public_url".into(), Value::Null);
    set_trash(&mut o, d.in_trash, v);
    if v == ApiVersion::V2022 {
        // Old shape: the schema lives on the database itself.
        if let Some(ds) = d.data_sources.first().and_then(|s| ws.data_sources.get(s)) {
            o.insert("properties".into(), Value::Object(ds.properties.clone()));
        }
    }
    Some(Value::Object(o))
}

/// A data source object (schema included).
pub fn data_source(ws: &Workspace, id: &str, v: ApiVersion) -> Option<Value> {
    let ds = ws.data_sources.get(id)?;
    let db = ws.databases.get(&ds.database)?;
    let mut o = Map::new();
    o.insert("object".into(), json!("data_source"));
    o.insert("id".into(), json!(ds.id));
    o.insert("cover".into(), Value::Null);
    o.insert("icon".into(), Value::Null);
    o.insert("created_time".into(), json!(ts(ds.created)));
    o.insert("created_by".into(), user_ref(&ws.bot_id));
    o.insert("last_edited_by".into(), user_ref(&ws.bot_id));
    o.insert("last_edited_time".into(), json!(ts(ds.edited)));
    o.insert("title".into(), json!([rt_text(&ds.title)]));
    o.insert("description".into(), json!([]));
    o.insert("is_inline".into(), json!(db.is_inline));
    o.insert(
        "parent".into(),
        json!({"type": "database_id", "database_id": db.id}),
    );
    o.insert("database_parent".into(), parent_json(&db.parent, v));
    o.insert("url".into(), json!(page_url("", &db.id)));
    o.insert("public_url".into(), Value::Null);
    set_trash(&mut o, db.in_trash, v);
    o.insert("properties".into(), Value::Object(ds.properties.clone()));
    Some(Value::Object(o))
}

/// The list envelope: `{"object":"list","results",...,"type":t,t:{}}`.
pub fn list(results: Vec<Value>, next: Option<String>, kind: &str) -> Value {
    let mut o = Map::new();
    o.insert("object".into(), json!("list"));
    o.insert("results".into(), Value::Array(results));
    o.insert("has_more".into(), json!(next.is_some()));
    o.insert("next_cursor".into(), json!(next));
    o.insert("type".into(), json!(kind));
    o.insert(kind.to_string(), json!({}));
    Value::Object(o)
}
