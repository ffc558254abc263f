//! Test mutations of a [`Workspace`]: edit text, append content, add pages, trash, unshare,
//! delete. Every content change advances the fake clock by one minute so the new
//! `last_edited_time` is strictly later than all earlier ones (timestamps are
//! minute-precision, notion-api.md §0).
//!
//! Trash, unshare and delete cascade to sub-pages and child databases (with their rows), as
//! they do in Notion: access and trash state are inherited down the page tree.

use serde_json::{json, Map, Value};

use super::model::{Block, Page, Parent, Workspace};
use super::text::{rt_text, Rng};

impl Workspace {
    /// Replaces a text block's rich text; bumps the block's and its page's
    /// `last_edited_time`. False for unknown ids or blocks without rich text.
    pub fn edit_block_text(&mut self, block_id: &str, text: &str) -> bool {
        let has_text = self
            .blocks
            .get(block_id)
            .is_some_and(|b| b.payload.get("rich_text").is_some());
        if !has_text {
            return false;
        }
        let now = self.tick();
        let Some(b) = self.blocks.get_mut(block_id) else {
            return false;
        };
        b.payload["rich_text"] = json!([rt_text(text)]);
        b.edited = now;
        let page = b.page.clone();
        self.touch_page(&page, now);
        true
    }

    /// Appends a paragraph to a page or block; bumps the page. Returns the new block id.
    pub fn append_paragraph(&mut self, parent: &str, text: &str) -> Option<String> {
        let page = match (self.pages.get(parent), self.blocks.get(parent)) {
            (Some(p), _) => p.id.clone(),
            (None, Some(b)) => b.page.clone(),
            (None, None) => return None,
        };
        let now = self.tick();
        let id = self.fresh_id();
        let parent_ref = if self.pages.contains_key(parent) {
            Parent::Page(parent.to_string())
        } else {
            Parent::Block(parent.to_string())
        };
        self.insert_block(self.paragraph_block(&id, parent_ref, &page, text, now));
        self.push_child(parent, &id);
        self.touch_page(&page, now);
        Some(id)
    }

    /// Adds a shared, searchable page titled `title` with one paragraph `text`, under
    /// `parent` (a page id) or at the top level. Returns its id.
    pub fn add_page(&mut self, parent: Option<&str>, title: &str, text: &str) -> Option<String> {
        if parent.is_some_and(|p| !self.pages.contains_key(p)) {
            return None;
        }
        let now = self.tick();
        let (id, block_id) = (self.fresh_id(), self.fresh_id());
        let parent_ref = parent.map_or(Parent::Workspace, |p| Parent::Page(p.to_string()));
        let mut properties = Map::new();
        properties.insert(
            "title".into(),
            json!({"id": "title", "type": "title", "title": [rt_text(title)]}),
        );
        self.insert_page(Page {
            id: id.clone(),
            parent: parent_ref,
            title_key: "title".into(),
            properties,
            icon: Value::Null,
            created: now,
            edited: now,
            created_by: self.bot_id.clone(),
            edited_by: self.bot_id.clone(),
            children: vec![block_id.clone()],
            in_trash: false,
            shared: true,
            in_search: true,
        });
        let block = self.paragraph_block(&block_id, Parent::Page(id.clone()), &id, text, now);
        self.insert_block(block);
        if let Some(p) = parent {
            self.push_child(p, &id);
            self.touch_page(p, now);
        }
        Some(id)
    }

    /// Moves a page (and its sub-pages and child databases) to the trash: still readable
    /// with `in_trash: true`, gone from listings and search.
    pub fn trash_page(&mut self, page_id: &str) -> bool {
        if !self.pages.contains_key(page_id) {
            return false;
        }
        let now = self.tick();
        let (pages, databases) = self.subtree(page_id);
        for id in pages {
            if let Some(p) = self.pages.get_mut(&id) {
                p.in_trash = true;
                p.edited = now;
            }
        }
        for id in databases {
            if let Some(d) = self.databases.get_mut(&id) {
                d.in_trash = true;
                d.edited = now;
            }
        }
        true
    }

    /// Revokes the integration's access to a page and everything below it: 404s, and
    /// gone from search.
    pub fn unshare_page(&mut self, page_id: &str) -> bool {
        self.set_shared(page_id, false)
    }

    /// Gives access back (undoes [`Workspace::unshare_page`]).
    pub fn share_page(&mut self, page_id: &str) -> bool {
        self.set_shared(page_id, true)
    }

    fn set_shared(&mut self, page_id: &str, shared: bool) -> bool {
        if !self.pages.contains_key(page_id) {
            return false;
        }
        let (pages, databases) = self.subtree(page_id);
        for id in pages {
            if let Some(p) = self.pages.get_mut(&id) {
                p.shared = shared;
            }
        }
        for id in databases {
            if let Some(d) = self.databases.get_mut(&id) {
                d.shared = shared;
            }
        }
        true
    }

    /// Deletes a page and everything below it for good (404 everywhere).
    pub fn delete_page(&mut self, page_id: &str) -> bool {
        if !self.pages.contains_key(page_id) {
            return false;
        }
        let (pages, databases) = self.subtree(page_id);
        for id in &pages {
            self.pages.remove(id);
        }
        let gone: std::collections::HashSet<&String> = pages.iter().collect();
        self.blocks.retain(|_, b| !gone.contains(&b.page));
        for db in &databases {
            if let Some(d) = self.databases.remove(db) {
                for ds in d.data_sources {
                    self.data_sources.remove(&ds);
                }
            }
        }
        for ds in self.data_sources.values_mut() {
            ds.rows.retain(|r| !gone.contains(r));
        }
        true
    }

    /// The page itself plus every page and database below it (rows included).
    pub fn subtree(&self, page_id: &str) -> (Vec<String>, Vec<String>) {
        let (mut pages, mut databases) = (Vec::new(), Vec::new());
        let mut stack = vec![page_id.to_string()];
        while let Some(id) = stack.pop() {
            if let Some(p) = self.pages.get(&id) {
                pages.push(id);
                stack.extend(p.children.iter().cloned());
            } else if let Some(b) = self.blocks.get(&id) {
                stack.extend(b.children.iter().cloned());
            } else if let Some(d) = self.databases.get(&id) {
                databases.push(id);
                for ds in d
                    .data_sources
                    .iter()
                    .filter_map(|s| self.data_sources.get(s))
                {
                    stack.extend(ds.rows.iter().cloned());
                }
            }
        }
        (pages, databases)
    }

    /// Makes every page's `last_edited_time` at least that of its newest block, as in
    /// Notion (editing content edits the page).
    pub fn settle_page_times(&mut self) {
        for b in self.blocks.values() {
            if let Some(p) = self.pages.get_mut(&b.page) {
                p.edited = p.edited.max(b.edited);
            }
        }
    }

    fn touch_page(&mut self, page: &str, now: i64) {
        if let Some(p) = self.pages.get_mut(page) {
            p.edited = now;
        }
    }

    /// A new id, deterministic given the workspace's history.
    fn fresh_id(&mut self) -> String {
        let salt = (self.pages.len() as u64) << 32 ^ self.blocks.len() as u64;
        loop {
            let id = Rng::new(self.clock as u64 ^ salt ^ self.id_counter ^ super::text::SEED_SALT)
                .uuid();
            self.id_counter += 1;
            if self.node(&id).is_none() {
                return id;
            }
        }
    }

    fn paragraph_block(&self, id: &str, parent: Parent, page: &str, text: &str, now: i64) -> Block {
        Block {
            id: id.to_string(),
            parent,
            page: page.to_string(),
            kind: "paragraph".into(),
            payload: json!({"rich_text": [rt_text(text)], "color": "default"}),
            children: Vec::new(),
            created: now,
            edited: now,
            created_by: self.bot_id.clone(),
            edited_by: self.bot_id.clone(),
            in_trash: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::generate::{generate, GenSpec};

    #[test]
    fn edits_move_the_clock_a_minute_each() {
        let mut ws = generate(&GenSpec::default());
        let page = ws.markers.wide_page.clone().unwrap_or_default();
        let block = ws.visible_children(&page)[0].clone();
        let before = ws.pages[&page].edited;
        assert!(ws.edit_block_text(&block, "one"));
        let first = ws.pages[&page].edited;
        assert!(ws.edit_block_text(&block, "two"));
        assert!(first > before);
        assert_eq!(ws.pages[&page].edited, first + 1);
    }

    #[test]
    fn unshare_and_trash_cascade_to_sub_pages() {
        let mut ws = generate(&GenSpec::default());
        let deepest = ws.deepest_page_id().unwrap_or_default();
        let mut top = deepest.clone();
        while let Some(p) = ws.parent_page_of(&top) {
            top = p;
        }
        assert!(ws.unshare_page(&top));
        assert!(!ws.page_visible(&deepest));
        assert!(ws.share_page(&top));
        assert!(ws.trash_page(&top));
        assert!(ws.pages[&deepest].in_trash);
        assert!(ws.delete_page(&top));
        assert!(!ws.pages.contains_key(&deepest));
    }

    #[test]
    fn appended_and_added_content_is_listed() {
        let mut ws = generate(&GenSpec::default());
        let page = ws.page_ids()[0].clone();
        let block = ws.append_paragraph(&page, "new words").unwrap_or_default();
        assert_eq!(ws.visible_children(&page).last(), Some(&block));
        let child = ws
            .add_page(Some(&page), "Child", "text")
            .unwrap_or_default();
        assert!(ws.visible_children(&page).contains(&child));
        assert!(ws.search_lists_page(&child));
    }
}
