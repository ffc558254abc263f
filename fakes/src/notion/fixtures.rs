//! [`Workspace::from_fixtures`]: a small workspace made of the real recorded bodies in
//! `shared/fixtures/notion/hkob-notion_ruby_mapping/` — the top page, the block test page
//! with its 36 blocks (table rows and columns attached), the "Sample table" database with its
//! data source and five rows, and the workspace's users.
//!
//! Blocks whose children were never recorded (toggles, synced blocks, …) end up childless.

use std::fs;
use std::io;
use std::path::Path;

use chrono::DateTime;
use serde_json::{json, Map, Value};

use super::model::{Block, DataSource, Database, Page, Parent, Workspace};

const HKOB: &str = "hkob-notion_ruby_mapping";
const TOP_PAGE: &str = "c01166c6-13ae-45cb-b968-18b4ef2f5a77";

fn load(dir: &Path, name: &str) -> io::Result<Value> {
    let text = fs::read_to_string(dir.join(HKOB).join(format!("{name}.json")))?;
    serde_json::from_str(&text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn minutes(v: &Value) -> i64 {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or(0, |d| d.timestamp().div_euclid(60))
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn parent_of(v: &Value) -> Parent {
    let p = &v["parent"];
    match p["type"].as_str() {
        Some("page_id") => Parent::Page(s(&p["page_id"])),
        Some("block_id") => Parent::Block(s(&p["block_id"])),
        Some("data_source_id") => Parent::DataSource {
            data_source: s(&p["data_source_id"]),
            database: s(&p["database_id"]),
        },
        Some("database_id") => Parent::Database(s(&p["database_id"])),
        _ => Parent::Workspace,
    }
}

/// A page object → [`Page`] (children filled in later).
fn page_from(v: &Value, parent: Parent) -> Page {
    let props = v["properties"].as_object().cloned().unwrap_or_default();
    let title_key = props
        .iter()
        .find(|(_, p)| p["type"] == "title")
        .map_or("title".to_string(), |(k, _)| k.clone());
    Page {
        id: s(&v["id"]),
        parent,
        title_key,
        properties: props,
        icon: v["icon"].clone(),
        created: minutes(&v["created_time"]),
        edited: minutes(&v["last_edited_time"]),
        created_by: s(&v["created_by"]["id"]),
        edited_by: s(&v["last_edited_by"]["id"]),
        children: Vec::new(),
        in_trash: v["in_trash"].as_bool().unwrap_or(false),
        shared: true,
        in_search: true,
    }
}

/// A child_page block without a recorded page object → a titled stub page.
fn stub_page(block: &Value, parent: Parent) -> Page {
    let title = s(&block["child_page"]["title"]);
    let mut props = Map::new();
    props.insert(
        "title".into(),
        json!({"id": "title", "type": "title", "title": [super::text::rt_text(&title)]}),
    );
    Page {
        properties: props,
        ..page_from(block, parent)
    }
}

impl Workspace {
    /// Builds a workspace from the recorded fixtures under `dir` (the
    /// `shared/fixtures/notion` folder).
    pub fn from_fixtures(dir: &Path) -> io::Result<Workspace> {
        let mut ws = Workspace {
            users: load(dir, "retrieve_users_all")?["results"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            bot_id: s(&load(dir, "retrieve_user_token_bot")?["id"]),
            ..Workspace::default()
        };
        let top = load(dir, "retrieve_page_top")?;
        ws.insert_page(page_from(&top, Parent::Workspace));
        let test_page = load(dir, "retrieve_page_block_test_page")?;
        let test_id = s(&test_page["id"]);
        ws.insert_page(page_from(&test_page, parent_of(&test_page)));
        ws.push_child(TOP_PAGE, &test_id);
        ws.add_database(dir)?;
        for list in [
            "retrieve_block_children_block_test_page",
            "retrieve_block_children_table",
            "retrieve_block_children_column_list",
            "retrieve_block_children_column1",
        ] {
            for b in load(dir, list)?["results"].as_array().into_iter().flatten() {
                ws.add_fixture_block(b, &test_id);
            }
        }
        ws.markers.showcase_page = Some(test_id);
        Ok(ws)
    }

    fn add_fixture_block(&mut self, b: &Value, page: &str) {
        let id = s(&b["id"]);
        let parent = parent_of(b);
        let parent_id = match &parent {
            Parent::Page(p) | Parent::Block(p) => p.clone(),
            _ => page.to_string(),
        };
        match b["type"].as_str() {
            Some("child_page") => self.insert_page(stub_page(b, parent)),
            Some("child_database") => self.insert_stub_database(b, parent),
            kind => {
                let kind = kind.unwrap_or("unsupported").to_string();
                self.insert_block(Block {
                    id: id.clone(),
                    parent,
                    page: page.to_string(),
                    payload: b[&kind].clone(),
                    kind,
                    children: Vec::new(),
                    created: minutes(&b["created_time"]),
                    edited: minutes(&b["last_edited_time"]),
                    created_by: s(&b["created_by"]["id"]),
                    edited_by: s(&b["last_edited_by"]["id"]),
                    in_trash: false,
                });
            }
        }
        self.push_child(&parent_id, &id);
    }

    fn insert_stub_database(&mut self, b: &Value, parent: Parent) {
        let id = s(&b["id"]);
        self.databases.insert(
            id.clone(),
            Database {
                id,
                parent,
                title: s(&b["child_database"]["title"]),
                data_sources: Vec::new(),
                is_inline: true,
                created: minutes(&b["created_time"]),
                edited: minutes(&b["last_edited_time"]),
                in_trash: false,
                shared: true,
            },
        );
    }

    /// The "Sample table": container, data source (schema) and the five recorded rows.
    fn add_database(&mut self, dir: &Path) -> io::Result<()> {
        let db = load(dir, "retrieve_database_database")?;
        let ds = load(dir, "retrieve_data_source_data_source")?;
        let (db_id, ds_id) = (s(&db["id"]), s(&ds["id"]));
        let title = super::model::plain_text(&ds["title"]);
        self.databases.insert(
            db_id.clone(),
            Database {
                id: db_id.clone(),
                parent: parent_of(&db),
                title: title.clone(),
                data_sources: vec![ds_id.clone()],
                is_inline: db["is_inline"].as_bool().unwrap_or(true),
                created: minutes(&ds["created_time"]),
                edited: minutes(&ds["last_edited_time"]),
                in_trash: false,
                shared: true,
            },
        );
        self.push_child(TOP_PAGE, &db_id);
        let mut rows = Vec::new();
        for name in [
            "query_data_source_limit_2",
            "query_data_source_next_2",
            "query_data_source_last_2",
        ] {
            for r in load(dir, name)?["results"].as_array().into_iter().flatten() {
                let page = page_from(r, parent_of(r));
                rows.push(page.id.clone());
                self.insert_page(page);
            }
        }
        self.data_sources.insert(
            ds_id.clone(),
            DataSource {
                id: ds_id.clone(),
                database: db_id.clone(),
                title,
                properties: ds["properties"].as_object().cloned().unwrap_or_default(),
                rows,
                created: minutes(&ds["created_time"]),
                edited: minutes(&ds["last_edited_time"]),
                in_search: true,
            },
        );
        self.data_source_order.push(ds_id.clone());
        self.markers.database = Some(db_id);
        self.markers.data_source = Some(ds_id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> std::path::PathBuf {
        crate::fixtures::path("notion")
    }

    #[test]
    fn loads_recorded_pages_blocks_and_rows() {
        crate::require_fixtures!();
        let ws = Workspace::from_fixtures(&dir()).expect("recorded Notion fixtures load");
        let page = "67cf059c-e746-46a0-b72d-481c9ff5d386";
        assert_eq!(ws.visible_children(page).len(), 36);
        assert_eq!(
            ws.visible_children("ba612e8b-c858-4569-9822-ccca7ab4c709")
                .len(),
            3
        );
        let ds = ws.markers.data_source.clone().unwrap_or_default();
        assert_eq!(ws.data_sources[&ds].rows.len(), 5);
        assert_eq!(ws.users.len(), 19);
    }
}
