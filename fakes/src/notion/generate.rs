//! Deterministic workspace generator: [`generate`] turns a [`GenSpec`] into a [`Workspace`].
//!
//! Layout: a nesting chain of `max_depth` pages, a wide page with `wide_page_children`
//! blocks, a showcase page with one block of every type (plus a database whose rows carry
//! every property type), an unshared page, and a random page tree filling up to `pages`.
//! Every page gets a unique marker word ([`Workspace::unique_phrase_of`]); search omits a
//! seeded fraction of non-top-level pages. Same spec, same workspace, byte for byte.

use serde_json::{json, Map, Value};

use super::model::{Block, Page, Parent, Workspace};
use super::text::{self, marker, rt_text, Rng};

/// Size and shape of a generated workspace.
#[derive(Clone, Debug, PartialEq)]
pub struct GenSpec {
    /// Regular pages in total (database rows not counted); at least the fixed pages are made.
    pub pages: usize,
    /// Nesting chain length: the deepest page has this many page ancestors.
    pub max_depth: usize,
    /// Direct child blocks of the wide page.
    pub wide_page_children: usize,
    /// Rows of the showcase database.
    pub database_rows: usize,
    pub seed: u64,
    /// Fraction of non-top-level pages and rows that search leaves out.
    pub search_omit_fraction: f64,
    /// Person users besides the integration's bot.
    pub people: usize,
    /// Creation time of the first object, minutes since the Unix epoch.
    pub base_time: i64,
}

impl Default for GenSpec {
    fn default() -> Self {
        GenSpec {
            pages: 40,
            max_depth: 6,
            wide_page_children: 130,
            database_rows: 12,
            seed: 1,
            search_omit_fraction: 0.2,
            people: 5,
            // 2025-01-06T09:00:00Z
            base_time: 28_935_900,
        }
    }
}

impl GenSpec {
    /// The size the acceptance tests ask for: 500 pages, depth 30, 250 children, 150 rows.
    pub fn large() -> GenSpec {
        GenSpec {
            pages: 500,
            max_depth: 30,
            wide_page_children: 250,
            database_rows: 150,
            ..GenSpec::default()
        }
    }
}

/// Builds a workspace from a spec.
pub fn generate(spec: &GenSpec) -> Workspace {
    let mut g = Gen::new(spec);
    g.users();
    let showcase = g.showcase_page();
    g.deep_chain();
    g.wide_page();
    g.page_tree();
    g.ws.markers.showcase_page = Some(showcase);
    g.ws.settle_page_times();
    g.ws
}

/// Generator state; block builders live in `blocks.rs`.
pub(super) struct Gen<'s> {
    pub(super) spec: &'s GenSpec,
    pub(super) rng: Rng,
    pub(super) ws: Workspace,
    pub(super) time: i64,
    /// Pages of the random tree (candidate parents).
    tree: Vec<String>,
}

impl<'s> Gen<'s> {
    fn new(spec: &'s GenSpec) -> Gen<'s> {
        let ws = Workspace {
            clock: spec.base_time,
            ..Workspace::default()
        };
        Gen {
            spec,
            rng: Rng::new(spec.seed ^ text::SEED_SALT),
            ws,
            time: spec.base_time,
            tree: Vec::new(),
        }
    }

    /// Creation and last-edit minutes for a new object; time moves forward.
    pub(super) fn stamp(&mut self) -> (i64, i64) {
        self.time += 1 + self.rng.below(3) as i64;
        let edited = self.time + self.rng.below(90) as i64;
        (self.time, edited)
    }

    /// A random person's id (the bot when there are none).
    pub(super) fn someone(&mut self) -> String {
        let people: Vec<&Value> = self
            .ws
            .users
            .iter()
            .filter(|u| u["type"] == "person")
            .collect();
        if people.is_empty() {
            return self.ws.bot_id.clone();
        }
        let i = self.rng.below(people.len());
        people[i]["id"].as_str().unwrap_or_default().to_string()
    }

    fn users(&mut self) {
        const NAMES: &[&str] = &[
            "Ada Lovelace",
            "Grace Hopper",
            "Alan Turing",
            "Katherine Johnson",
            "Margaret Hamilton",
            "Edsger Dijkstra",
            "Barbara Liskov",
            "Donald Knuth",
        ];
        for i in 0..self.spec.people {
            let name = match NAMES.get(i) {
                Some(n) => n.to_string(),
                None => format!("Person {i}"),
            };
            let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
            let id = self.rng.uuid();
            self.ws
                .users
                .push(json!({"object": "user", "id": id, "name": name,
                "avatar_url": null, "type": "person",
                "person": {"email": email, "email_verified": true}}));
        }
        let bot = self.rng.uuid();
        let workspace_id = self.rng.uuid();
        self.ws
            .users
            .push(json!({"object": "user", "id": bot, "name": "trove",
            "avatar_url": null, "type": "bot",
            "bot": {"owner": {"type": "workspace", "workspace": true},
                    "workspace_name": "Fake Workspace", "workspace_id": workspace_id,
                    "workspace_limits": {"max_file_upload_size_in_bytes": 5_242_880}}}));
        let other = self.rng.uuid();
        self.ws.users.push(
            json!({"object": "user", "id": other, "name": "Other integration",
            "avatar_url": null, "type": "bot", "bot": {}}),
        );
        self.ws.bot_id = bot;
    }

    /// Creates a page under `parent` (inserting its child_page block at a random position
    /// of the parent's children) and gives it a marker word.
    pub(super) fn new_page(&mut self, parent: Parent, title: &str) -> String {
        let id = self.rng.uuid();
        let (created, edited) = self.stamp();
        let by = self.someone();
        let in_search = match parent {
            Parent::Workspace => true,
            _ => !self.rng.chance(self.spec.search_omit_fraction),
        };
        let mut properties = Map::new();
        properties.insert(
            "title".into(),
            json!({"id": "title", "type": "title", "title": [rt_text(title)]}),
        );
        let page = Page {
            id: id.clone(),
            parent: parent.clone(),
            title_key: "title".into(),
            properties,
            icon: Value::Null,
            created,
            edited,
            created_by: by.clone(),
            edited_by: by,
            children: Vec::new(),
            in_trash: false,
            shared: true,
            in_search,
        };
        let n = self.ws.phrases.len();
        self.ws.phrases.insert(id.clone(), marker(n));
        self.ws.insert_page(page);
        self.attach(&parent, &id);
        id
    }

    /// Inserts `child` into the parent's children at a random position.
    fn attach(&mut self, parent: &Parent, child: &str) {
        let pos = self.rng.unit();
        let list = match parent {
            Parent::Page(p) => self.ws.pages.get_mut(p).map(|p| &mut p.children),
            Parent::Block(b) => self.ws.blocks.get_mut(b).map(|b| &mut b.children),
            _ => None,
        };
        if let Some(list) = list {
            let at = (pos * (list.len() + 1) as f64) as usize;
            list.insert(at.min(list.len()), child.to_string());
        }
    }

    /// Appends a block of `kind` to `parent` (a page or block id) and returns its id.
    pub(super) fn add_block(&mut self, parent: &str, kind: &str, payload: Value) -> String {
        let id = self.rng.uuid();
        let (created, edited) = self.stamp();
        let by = self.someone();
        let (parent_ref, page) = match self.ws.blocks.get(parent) {
            Some(b) => (Parent::Block(parent.to_string()), b.page.clone()),
            None => (Parent::Page(parent.to_string()), parent.to_string()),
        };
        self.ws.insert_block(Block {
            id: id.clone(),
            parent: parent_ref,
            page,
            kind: kind.to_string(),
            payload,
            children: Vec::new(),
            created,
            edited,
            created_by: by.clone(),
            edited_by: by,
            in_trash: false,
        });
        self.ws.push_child(parent, &id);
        id
    }

    /// The nesting chain; the deepest page hides its marker three toggles down.
    fn deep_chain(&mut self) {
        let mut parent = Parent::Workspace;
        let mut last = String::new();
        for depth in 0..=self.spec.max_depth {
            let title = format!("Level {depth} {}", text::title(&mut self.rng));
            last = self.new_page(parent, &title);
            let phrase = self.ws.phrases[&last].clone();
            if depth < self.spec.max_depth {
                let s = text::sentence(&mut self.rng, 5, 12);
                self.paragraph(&last, &format!("{s} {phrase}"));
            }
            parent = Parent::Page(last.clone());
        }
        let phrase = self.ws.phrases[&last].clone();
        let mut holder = last.clone();
        for _ in 0..3 {
            let t = text::title(&mut self.rng);
            holder = self.add_block(&holder, "toggle", Self::rich(vec![rt_text(&t)]));
        }
        let s = text::sentence(&mut self.rng, 4, 9);
        self.paragraph(&holder, &format!("{s} deepest block {phrase}"));
        self.ws.markers.deepest_page = Some(last);
    }

    /// A top-level page with `wide_page_children` direct children; marker in the last one.
    fn wide_page(&mut self) {
        let id = self.new_page(Parent::Workspace, "Wide page of many blocks");
        let n = self.spec.wide_page_children.max(1);
        for i in 0..n - 1 {
            let s = text::sentence(&mut self.rng, 4, 14);
            match i % 5 {
                0 | 1 => self.paragraph(&id, &format!("{i}. {s}")),
                2 => self.text_block(&id, "bulleted_list_item", &s),
                3 => self.text_block(&id, "numbered_list_item", &s),
                _ => self.random_block(&id, 1),
            };
        }
        let phrase = self.ws.phrases[&id].clone();
        self.paragraph(&id, &format!("Last block of the wide page {phrase}"));
        self.ws.markers.wide_page = Some(id);
    }

    /// Random pages up to `spec.pages`; parents are earlier tree pages, toggles or the root.
    fn page_tree(&mut self) {
        let missing = self.spec.pages.saturating_sub(self.regular_pages());
        for _ in 0..missing {
            let parent = self.tree_parent();
            let title = text::title(&mut self.rng);
            let id = self.new_page(parent, &title);
            let n = 2 + self.rng.below(9);
            self.fill_page(&id, n);
            self.tree.push(id);
        }
    }

    /// Regular pages made so far (rows excluded).
    fn regular_pages(&self) -> usize {
        self.ws
            .pages
            .values()
            .filter(|p| !matches!(p.parent, Parent::DataSource { .. }))
            .count()
    }

    fn tree_parent(&mut self) -> Parent {
        if self.tree.is_empty() || self.rng.chance(0.08) {
            return Parent::Workspace;
        }
        let page = self.rng.pick(&self.tree).clone();
        if self.rng.chance(0.1) {
            let toggle = self.ws.pages[&page]
                .children
                .iter()
                .find(|c| self.ws.blocks.get(*c).is_some_and(|b| b.kind == "toggle"))
                .cloned();
            if let Some(t) = toggle {
                return Parent::Block(t);
            }
        }
        Parent::Page(page)
    }

    /// `n` random blocks; the page's marker goes into one of the text blocks.
    pub(super) fn fill_page(&mut self, page: &str, n: usize) {
        let marker_at = self.rng.below(n);
        for i in 0..n {
            if i == marker_at {
                let phrase = self.ws.phrases[page].clone();
                let s = text::sentence(&mut self.rng, 4, 12);
                self.paragraph(page, &format!("{s} {phrase}"));
            } else {
                self.random_block(page, 0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_workspace_other_seed_differs() {
        let spec = GenSpec::default();
        assert_eq!(generate(&spec), generate(&spec));
        let other = generate(&GenSpec {
            seed: 2,
            ..spec.clone()
        });
        assert_ne!(generate(&spec).page_ids(), other.page_ids());
    }

    #[test]
    fn page_count_and_depth_follow_spec() {
        let spec = GenSpec {
            pages: 80,
            max_depth: 12,
            ..GenSpec::default()
        };
        let ws = generate(&spec);
        let regular = ws
            .pages
            .values()
            .filter(|p| !matches!(p.parent, Parent::DataSource { .. }))
            .count();
        assert_eq!(regular, 80);
        let deepest = ws.deepest_page_id().unwrap_or_default();
        assert_eq!(ws.page_depth(&deepest), 12);
    }

    #[test]
    fn stress_depth_thousand_is_possible() {
        let ws = generate(&GenSpec {
            pages: 10,
            max_depth: 1000,
            ..GenSpec::default()
        });
        let deepest = ws.deepest_page_id().unwrap_or_default();
        assert_eq!(ws.page_depth(&deepest), 1000);
    }

    #[test]
    fn large_spec_meets_acceptance_sizes() {
        let ws = generate(&GenSpec::large());
        let rows = ws.data_sources.values().map(|d| d.rows.len()).max();
        assert!(ws.page_ids().len() >= 500 + 150);
        assert!(rows >= Some(150));
        let deepest = ws.deepest_page_id().unwrap_or_default();
        assert!(ws.page_depth(&deepest) >= 30);
        let wide = ws.markers.wide_page.clone().unwrap_or_default();
        assert!(ws.visible_children(&wide).len() >= 250);
        assert!(!ws.omitted_from_search().is_empty());
    }

    #[test]
    fn showcase_has_every_block_type() {
        let ws = generate(&GenSpec::default());
        let page = ws.markers.showcase_page.clone().unwrap_or_default();
        let kinds: std::collections::HashSet<String> = ws
            .blocks_of_page(&page)
            .iter()
            .map(|b| ws.blocks[b].kind.clone())
            .collect();
        for k in [
            "paragraph",
            "heading_1",
            "heading_2",
            "heading_3",
            "bulleted_list_item",
            "numbered_list_item",
            "to_do",
            "toggle",
            "code",
            "quote",
            "callout",
            "equation",
            "table",
            "table_row",
            "column_list",
            "column",
            "bookmark",
            "embed",
            "image",
            "file",
            "pdf",
            "video",
            "audio",
            "link_to_page",
            "synced_block",
            "divider",
            "breadcrumb",
            "table_of_contents",
            "link_preview",
            "unsupported",
            "template",
        ] {
            assert!(kinds.contains(k), "missing {k}");
        }
        let children = ws.visible_children(&page);
        assert!(
            children.iter().any(|c| ws.pages.contains_key(c)),
            "child_page"
        );
        assert!(
            children.iter().any(|c| ws.databases.contains_key(c)),
            "child_database"
        );
    }

    #[test]
    fn every_page_phrase_is_in_its_content() {
        let ws = generate(&GenSpec::default());
        for id in ws.page_ids() {
            let phrase = ws.unique_phrase_of(&id).unwrap_or_default();
            let text: String = ws
                .blocks_of_page(&id)
                .iter()
                .map(|b| ws.blocks[b].payload.to_string())
                .chain(ws.pages[&id].properties.values().map(|v| v.to_string()))
                .collect();
            assert!(text.contains(&phrase), "page {id} lacks {phrase}");
        }
    }
}
