//! [`NotionBuilder`]: writes pages, blocks and users into a fake Notion [`Workspace`] for the
//! company generator. Ids are derived from stable keys ([`super::uuid_for`]), so a page keeps
//! its id whatever else the workspace holds, and page bodies come from [`super::markup`].

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::cast::PEOPLE;
use super::markup::{self, Line, Node, Span};
use super::uuid_for;
use crate::notion::text::{rt_bold, rt_date, rt_equation, rt_link, rt_page, rt_text, rt_user};
use crate::notion::{Block, Page, Parent, Workspace};

/// Builds the company's Notion workspace.
pub struct NotionBuilder {
    pub ws: Workspace,
    /// Page key → (id, title), registered before content so mentions can point forward.
    keys: HashMap<String, (String, String)>,
    /// Person name → Notion user id.
    users: HashMap<&'static str, String>,
    /// Synced-block originals by key.
    synced: HashMap<String, String>,
}

/// Minutes since the Unix epoch at 09:00 UTC of `day` (`YYYY-MM-DD`).
pub fn minutes(day: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .map(|t| t.and_utc().timestamp() / 60)
        .unwrap_or(29_400_000)
}

impl NotionBuilder {
    /// An empty workspace with one user per person, the integration's bot and another bot.
    pub fn new() -> NotionBuilder {
        let mut b = NotionBuilder {
            ws: Workspace::default(),
            keys: HashMap::new(),
            users: HashMap::new(),
            synced: HashMap::new(),
        };
        for p in PEOPLE {
            let id = uuid_for(&format!("user/{}", p.name));
            b.ws.users
                .push(json!({"object": "user", "id": id, "name": p.name,
                "avatar_url": null, "type": "person",
                "person": {"email": p.email(), "email_verified": true}}));
            b.users.insert(p.name, id);
        }
        let bot = uuid_for("user/trove-bot");
        b.ws.users
            .push(json!({"object": "user", "id": bot, "name": "trove",
            "avatar_url": null, "type": "bot",
            "bot": {"owner": {"type": "workspace", "workspace": true},
                    "workspace_name": "Kestrel Labs", "workspace_id": uuid_for("workspace"),
                    "workspace_limits": {"max_file_upload_size_in_bytes": 5_242_880}}}));
        b.ws.bot_id = bot;
        b
    }

    /// The Notion user id of `name` (the bot for unknown names).
    pub fn user_id(&self, name: &str) -> String {
        self.users
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.ws.bot_id.clone())
    }

    /// The full user object of `name`, for people properties and mentions.
    pub fn user_json(&self, name: &str) -> Value {
        let id = self.user_id(name);
        self.ws
            .users
            .iter()
            .find(|u| u["id"] == id.as_str())
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Reserves the id of page `key` and its title (for `[[key]]` mentions).
    pub fn register(&mut self, key: &str, title: &str) -> String {
        let id = uuid_for(&format!("page/{key}"));
        self.keys
            .insert(key.to_string(), (id.clone(), title.to_string()));
        id
    }

    /// The id of a registered page key.
    pub fn id_of(&self, key: &str) -> Option<String> {
        self.keys.get(key).map(|(id, _)| id.clone())
    }

    /// Creates page `key` under `parent` with `properties` (title included) by `author` at
    /// minute `at`, and appends it to the parent's children.
    pub fn page(
        &mut self,
        key: &str,
        parent: Parent,
        title_key: &str,
        properties: Map<String, Value>,
        author: &str,
        at: i64,
    ) -> String {
        let title = properties
            .get(title_key)
            .and_then(|t| t["title"].as_array())
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i["plain_text"].as_str())
                    .collect::<String>()
            })
            .unwrap_or_default();
        let id = self.register(key, &title);
        let by = self.user_id(author);
        self.ws.insert_page(Page {
            id: id.clone(),
            parent: parent.clone(),
            title_key: title_key.into(),
            properties,
            icon: Value::Null,
            created: at,
            edited: at + 45,
            created_by: by.clone(),
            edited_by: by,
            children: Vec::new(),
            in_trash: false,
            shared: true,
            in_search: true,
        });
        match parent {
            Parent::Page(p) | Parent::Block(p) => self.ws.push_child(&p, &id),
            _ => {}
        }
        id
    }

    /// A plain page (only a title) under `parent`.
    pub fn plain_page(
        &mut self,
        key: &str,
        parent: Parent,
        title: &str,
        author: &str,
        at: i64,
    ) -> String {
        let mut props = Map::new();
        props.insert(
            "title".into(),
            json!({"id": "title", "type": "title", "title": [rt_text(title)]}),
        );
        self.page(key, parent, "title", props, author, at)
    }

    /// Appends a block to `parent` (a page or block id) and returns its id.
    pub fn block(&mut self, parent: &str, kind: &str, payload: Value) -> String {
        let n = self.ws.blocks.len();
        let id = uuid_for(&format!("block/{parent}/{n}"));
        let (parent_ref, page) = match self.ws.blocks.get(parent) {
            Some(b) => (Parent::Block(parent.to_string()), b.page.clone()),
            None => (Parent::Page(parent.to_string()), parent.to_string()),
        };
        let (at, by) = self
            .ws
            .pages
            .get(&page)
            .map(|p| (p.edited, p.edited_by.clone()))
            .unwrap_or((self.ws.clock, self.ws.bot_id.clone()));
        self.ws.insert_block(Block {
            id: id.clone(),
            parent: parent_ref,
            page,
            kind: kind.to_string(),
            payload,
            children: Vec::new(),
            created: at,
            edited: at,
            created_by: by.clone(),
            edited_by: by,
            in_trash: false,
        });
        self.ws.push_child(parent, &id);
        id
    }

    /// Appends the blocks of a markup body to `parent`.
    pub fn content(&mut self, parent: &str, src: &str) {
        for node in markup::parse(src) {
            self.node(parent, &node);
        }
    }

    fn node(&mut self, parent: &str, node: &Node) {
        let id = self.line(parent, &node.line);
        let holder = id.unwrap_or_else(|| parent.to_string());
        for child in &node.children {
            self.node(&holder, child);
        }
    }

    /// Rich text for inline markup.
    pub fn rich(&self, s: &str) -> Vec<Value> {
        markup::spans(s)
            .into_iter()
            .map(|span| match span {
                Span::Plain(t) => rt_text(&t),
                Span::Bold(t) => rt_bold(&t),
                Span::User(name) => rt_user(&self.user_json(&name)),
                Span::Page(key) => match self.keys.get(&key) {
                    Some((id, title)) => rt_page(id, title),
                    None => rt_text(&key),
                },
                Span::Date(d) => rt_date(&d),
                Span::Equation(e) => rt_equation(&e),
                Span::Link { text, url } => rt_link(&text, &url),
            })
            .collect()
    }

    /// Adds the block(s) of one line; returns the block that takes the line's children.
    fn line(&mut self, parent: &str, line: &Line) -> Option<String> {
        let rich = |b: &Self, t: &str| json!({"rich_text": b.rich(t), "color": "default"});
        Some(match line {
            Line::Text { kind, text } if kind.starts_with("heading") => {
                let p = json!({"rich_text": self.rich(text), "is_toggleable": false, "color": "default"});
                self.block(parent, kind, p)
            }
            Line::Text { kind, text } => {
                let p = rich(self, text);
                self.block(parent, kind, p)
            }
            Line::Todo { checked, text } => {
                let p =
                    json!({"rich_text": self.rich(text), "checked": checked, "color": "default"});
                self.block(parent, "to_do", p)
            }
            Line::Callout { emoji, text } => {
                let p = json!({"rich_text": self.rich(text),
                    "icon": {"type": "emoji", "emoji": emoji}, "color": "gray_background"});
                self.block(parent, "callout", p)
            }
            Line::Code { language, body } => self.block(
                parent,
                "code",
                json!({"caption": [], "rich_text": [rt_text(body)], "language": language}),
            ),
            Line::Equation(e) => self.block(parent, "equation", json!({"expression": e})),
            Line::Table(rows) => self.table(parent, rows),
            Line::Divider => self.block(parent, "divider", json!({})),
            Line::Directive { name, args } => return self.directive(parent, name, args),
        })
    }

    fn table(&mut self, parent: &str, rows: &[Vec<String>]) -> String {
        let width = rows.iter().map(Vec::len).max().unwrap_or(1);
        let id = self.block(
            parent,
            "table",
            json!({"table_width": width, "has_column_header": true, "has_row_header": false}),
        );
        for row in rows {
            let cells: Vec<Value> = (0..width)
                .map(|i| json!(self.rich(row.get(i).map(String::as_str).unwrap_or(""))))
                .collect();
            self.block(&id, "table_row", json!({ "cells": cells }));
        }
        id
    }

    /// `@name args` lines: media, links and structural blocks.
    fn directive(&mut self, parent: &str, name: &str, args: &str) -> Option<String> {
        let (url, caption) = args.split_once(' ').unwrap_or((args, ""));
        let cap = json!(self.rich(caption));
        let payload = match name {
            "bookmark" | "embed" => json!({"caption": cap, "url": url}),
            "image" | "video" | "pdf" | "audio" => {
                json!({"caption": cap, "type": "external", "external": {"url": url}})
            }
            "file" => json!({"caption": [], "type": "external", "external": {"url": url},
                "name": caption}),
            "link_preview" => json!({ "url": args }),
            "toc" => {
                return Some(self.block(parent, "table_of_contents", json!({"color": "default"})))
            }
            "breadcrumb" => return Some(self.block(parent, "breadcrumb", json!({}))),
            "columns" => return Some(self.block(parent, "column_list", json!({}))),
            "column" => return Some(self.block(parent, "column", json!({"width_ratio": 0.5}))),
            "template" => json!({ "rich_text": self.rich(args) }),
            "unsupported" => json!({ "block_type": args }),
            "page" => {
                let target = self.id_of(args)?;
                json!({"type": "page_id", "page_id": target})
            }
            "synced" => {
                let id = self.block(parent, "synced_block", json!({"synced_from": null}));
                self.synced.insert(args.to_string(), id.clone());
                return Some(id);
            }
            "synced_ref" => {
                let orig = self.synced.get(args)?.clone();
                json!({"synced_from": {"type": "block_id", "block_id": orig}})
            }
            _ => return None,
        };
        let kind = match name {
            "synced_ref" => "synced_block",
            "page" => "link_to_page",
            other => other,
        };
        Some(self.block(parent, kind, payload))
    }
}
