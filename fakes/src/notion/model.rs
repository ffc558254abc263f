//! The fake workspace: [`Workspace`] holds [`Page`]s, [`Block`]s, [`Database`]s,
//! [`DataSource`]s and users, keyed by dashed lowercase UUID.
//!
//! Like real Notion, a `child_page` block *is* the sub-page (same id) and a `child_database`
//! block *is* the database, so a node's `children` list mixes block, page and database ids.
//! JSON rendering lives in `render.rs`; this file is the state and its mutations.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// Where an object hangs in the tree (rendered as Notion's `parent` object).
#[derive(Clone, Debug, PartialEq)]
pub enum Parent {
    Workspace,
    Page(String),
    Block(String),
    Database(String),
    DataSource {
        data_source: String,
        database: String,
    },
}

/// A page: a plain page (only a `title` property) or a data-source row (full properties).
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub id: String,
    pub parent: Parent,
    /// Property name of the title column (`"title"` for plain pages).
    pub title_key: String,
    /// Property values as rendered (the title property included).
    pub properties: Map<String, Value>,
    pub icon: Value,
    pub created: i64,
    pub edited: i64,
    pub created_by: String,
    pub edited_by: String,
    /// Content: ids of blocks, sub-pages and databases, in order.
    pub children: Vec<String>,
    pub in_trash: bool,
    /// Unshared pages answer 404 and vanish from search.
    pub shared: bool,
    /// Whether `POST /v1/search` returns it (search is not exhaustive, notion-api.md §1.3).
    pub in_search: bool,
}

/// A content block; `payload` is the object stored under the block's `type` key.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub id: String,
    pub parent: Parent,
    /// The page whose content this block belongs to (decides access).
    pub page: String,
    pub kind: String,
    pub payload: Value,
    pub children: Vec<String>,
    pub created: i64,
    pub edited: i64,
    pub created_by: String,
    pub edited_by: String,
    pub in_trash: bool,
}

/// A database container (2025-09-03 model): title, parent and its data sources.
#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    pub id: String,
    pub parent: Parent,
    pub title: String,
    pub data_sources: Vec<String>,
    pub is_inline: bool,
    pub created: i64,
    pub edited: i64,
    pub in_trash: bool,
    pub shared: bool,
}

/// A data source: schema plus the ids of its row pages.
#[derive(Clone, Debug, PartialEq)]
pub struct DataSource {
    pub id: String,
    pub database: String,
    pub title: String,
    /// Schema: property name → `{id,name,description,type,<type>:config}`.
    pub properties: Map<String, Value>,
    pub rows: Vec<String>,
    pub created: i64,
    pub edited: i64,
    pub in_search: bool,
}

/// Ids of notable objects, so tests can aim at them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Markers {
    /// The last page of the longest page-nesting chain.
    pub deepest_page: Option<String>,
    /// The page with the most direct child blocks.
    pub wide_page: Option<String>,
    /// A page holding one block of every type.
    pub showcase_page: Option<String>,
    /// An unshared page (holds the original of a synced block referenced elsewhere).
    pub hidden_page: Option<String>,
    pub database: Option<String>,
    pub data_source: Option<String>,
}

/// The whole fake workspace. Cheap enough to clone for snapshots.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Workspace {
    pub pages: HashMap<String, Page>,
    pub blocks: HashMap<String, Block>,
    pub databases: HashMap<String, Database>,
    pub data_sources: HashMap<String, DataSource>,
    /// Full user objects (people and bots), in listing order.
    pub users: Vec<Value>,
    /// The integration's own bot user id (`/v1/users/me`, default editor).
    pub bot_id: String,
    /// Page ids in creation order (search's default order).
    pub page_order: Vec<String>,
    /// Data source ids in creation order.
    pub data_source_order: Vec<String>,
    /// Fake clock, minutes since the Unix epoch; never behind any timestamp.
    pub clock: i64,
    /// One unique marker word per page, present somewhere in its content.
    pub phrases: HashMap<String, String>,
    pub markers: Markers,
    /// Return trashed pages from search (real search sometimes does).
    pub search_includes_trashed: bool,
    /// Feeds ids minted by mutations (keeps them deterministic).
    pub id_counter: u64,
    /// When set, edits are stamped no earlier than the current wall-clock minute (for
    /// clients that compare `last_edited_time` with real time). Off by default, which
    /// keeps timestamps deterministic.
    pub clock_follows_wall_time: bool,
    /// Rows one data-source query may return (`None` = Notion's 10,000); past it the
    /// last page carries `request_status: incomplete`.
    pub query_result_limit: Option<usize>,
}

/// A node addressable through `/v1/blocks/{id}`.
pub enum Node<'a> {
    Block(&'a Block),
    Page(&'a Page),
    Database(&'a Database),
}

impl Workspace {
    /// Looks an id up as a block, page (child_page) or database (child_database).
    pub fn node(&self, id: &str) -> Option<Node<'_>> {
        if let Some(b) = self.blocks.get(id) {
            return Some(Node::Block(b));
        }
        if let Some(p) = self.pages.get(id) {
            return Some(Node::Page(p));
        }
        self.databases.get(id).map(Node::Database)
    }

    /// A page the integration can read (exists and is shared).
    pub fn page_visible(&self, id: &str) -> bool {
        self.pages.get(id).is_some_and(|p| p.shared)
    }

    /// A database the integration can read.
    pub fn database_visible(&self, id: &str) -> bool {
        self.databases.get(id).is_some_and(|d| d.shared)
    }

    /// Whether a block/page/database id can be read through `/v1/blocks`.
    pub fn node_visible(&self, id: &str) -> bool {
        match self.node(id) {
            Some(Node::Block(b)) => self.page_visible(&b.page),
            Some(Node::Page(p)) => p.shared,
            Some(Node::Database(d)) => d.shared,
            None => false,
        }
    }

    /// Children of a node as the API lists them: trashed and deleted ones are left out.
    pub fn visible_children(&self, id: &str) -> Vec<String> {
        let raw: &[String] = match self.node(id) {
            Some(Node::Block(b)) => &b.children,
            Some(Node::Page(p)) => &p.children,
            _ => &[],
        };
        raw.iter()
            .filter(|c| self.child_listed(c))
            .cloned()
            .collect()
    }

    fn child_listed(&self, id: &str) -> bool {
        match self.node(id) {
            Some(Node::Block(b)) => !b.in_trash,
            Some(Node::Page(p)) => !p.in_trash,
            Some(Node::Database(d)) => !d.in_trash,
            None => false,
        }
    }

    /// The original a synced-block reference points at, if `id` is such a reference.
    pub fn synced_original(&self, id: &str) -> Option<String> {
        let b = self.blocks.get(id)?;
        if b.kind != "synced_block" {
            return None;
        }
        b.payload["synced_from"]["block_id"]
            .as_str()
            .map(str::to_string)
    }

    /// `has_children` as Notion reports it.
    pub fn has_children(&self, id: &str) -> bool {
        if let Some(orig) = self.synced_original(id) {
            return !self.visible_children(&orig).is_empty();
        }
        if self.databases.contains_key(id) {
            return false;
        }
        !self.visible_children(id).is_empty()
    }

    /// Plain-text title of a page (`""` when untitled or unknown).
    pub fn page_title(&self, id: &str) -> String {
        let Some(p) = self.pages.get(id) else {
            return String::new();
        };
        plain_text(&p.properties[&p.title_key]["title"])
    }

    /// Advances the fake clock by one minute and returns the new time. Real timestamps have
    /// minute precision, so every edit must move at least one minute to be observable.
    pub fn tick(&mut self) -> i64 {
        let wall = if self.clock_follows_wall_time {
            chrono::Utc::now().timestamp().div_euclid(60)
        } else {
            i64::MIN
        };
        self.clock = (self.clock + 1).max(wall);
        self.clock
    }

    /// Registers a page (keeps `page_order` and the clock consistent).
    pub fn insert_page(&mut self, page: Page) {
        self.clock = self.clock.max(page.edited);
        self.page_order.push(page.id.clone());
        self.pages.insert(page.id.clone(), page);
    }

    /// Registers a block.
    pub fn insert_block(&mut self, block: Block) {
        self.clock = self.clock.max(block.edited);
        self.blocks.insert(block.id.clone(), block);
    }

    /// Appends `child` to the children of `parent` (a page or block id).
    pub fn push_child(&mut self, parent: &str, child: &str) {
        if let Some(p) = self.pages.get_mut(parent) {
            p.children.push(child.to_string());
        } else if let Some(b) = self.blocks.get_mut(parent) {
            b.children.push(child.to_string());
        }
    }

    /// All page ids (rows included) in creation order, deleted ones excluded.
    pub fn page_ids(&self) -> Vec<String> {
        self.page_order
            .iter()
            .filter(|id| self.pages.contains_key(*id))
            .cloned()
            .collect()
    }

    /// Pages that search deliberately leaves out (reachable only through their parent).
    pub fn omitted_from_search(&self) -> Vec<String> {
        self.page_ids()
            .into_iter()
            .filter(|id| !self.pages[id].in_search)
            .collect()
    }

    /// Pages that search returns.
    pub fn searchable_page_ids(&self) -> Vec<String> {
        self.page_ids()
            .into_iter()
            .filter(|id| self.search_lists_page(id))
            .collect()
    }

    /// Whether search lists this page right now.
    pub fn search_lists_page(&self, id: &str) -> bool {
        self.pages.get(id).is_some_and(|p| {
            p.shared && p.in_search && (!p.in_trash || self.search_includes_trashed)
        })
    }

    /// The deepest page of the nesting chain.
    pub fn deepest_page_id(&self) -> Option<String> {
        self.markers.deepest_page.clone()
    }

    /// A word that occurs in this page's content and nowhere else.
    pub fn unique_phrase_of(&self, page_id: &str) -> Option<String> {
        self.phrases.get(page_id).cloned()
    }

    /// Number of page ancestors above a page (0 for a top-level page).
    pub fn page_depth(&self, id: &str) -> usize {
        let mut depth = 0;
        let mut cur = id.to_string();
        while let Some(parent) = self.parent_page_of(&cur) {
            depth += 1;
            cur = parent;
        }
        depth
    }

    /// The page that contains this page (through blocks or a data source), if any.
    pub fn parent_page_of(&self, id: &str) -> Option<String> {
        let parent = match self.pages.get(id) {
            Some(p) => &p.parent,
            None => &self.blocks.get(id)?.parent,
        };
        match parent {
            Parent::Page(p) => Some(p.clone()),
            Parent::Block(b) => self.blocks.get(b).map(|b| b.page.clone()),
            Parent::DataSource { database, .. } | Parent::Database(database) => {
                match &self.databases.get(database)?.parent {
                    Parent::Page(p) => Some(p.clone()),
                    _ => None,
                }
            }
            Parent::Workspace => None,
        }
    }

    /// Ids of every block whose content belongs to a page (nested ones included).
    pub fn blocks_of_page(&self, page_id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack: Vec<String> = self
            .pages
            .get(page_id)
            .map(|p| p.children.clone())
            .unwrap_or_default();
        stack.reverse();
        while let Some(id) = stack.pop() {
            if let Some(b) = self.blocks.get(&id) {
                out.push(id.clone());
                stack.extend(b.children.iter().rev().cloned());
            }
        }
        out
    }
}

/// Concatenates `plain_text` of a rich-text array.
pub fn plain_text(rt: &Value) -> String {
    rt.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["plain_text"].as_str())
                .collect::<String>()
        })
        .unwrap_or_default()
}
