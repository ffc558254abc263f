//! The in-memory monday.com account the fake serves: [`Account`] owns [`User`]s,
//! [`Workspace`]s, [`Board`]s (with [`Group`]s and [`Column`]s), [`Item`]s (with one [`Cell`]
//! per column) and [`Update`]s (with [`Reply`]s).
//!
//! The account also carries the fake's clock ([`Account::now`]): every mutation advances it by
//! at least one second, so `updated_at` strictly increases. Mutations live here too, so the
//! server handle and the `/__fake` control endpoints share one implementation.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use serde_json::{json, Value};

use super::cells;

/// Lifecycle state of a board or item (`State` enum in the schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum State {
    #[default]
    Active,
    Archived,
    Deleted,
}

impl State {
    /// The schema spelling (`active`, `archived`, `deleted`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Archived => "archived",
            State::Deleted => "deleted",
        }
    }
}

/// A user of the account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub title: String,
    pub created_at: DateTime<Utc>,
    pub is_admin: bool,
    pub is_guest: bool,
}

/// A workspace (boards belong to one).
#[derive(Debug, Clone)]
pub struct Workspace {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

/// A group of items on a board.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub title: String,
    pub color: String,
    pub position: String,
}

/// A board column. `col_type` is a `ColumnType` enum value; `settings` is the JSON object
/// served as `settings` and (encoded) as `settings_str`.
#[derive(Debug, Clone)]
pub struct Column {
    pub id: String,
    pub title: String,
    pub col_type: String,
    pub description: Option<String>,
    pub settings: Value,
    pub width: Option<i64>,
}

/// A board: regular (`type: board`) or the subitems board of another (`sub_items_board`).
#[derive(Debug, Clone)]
pub struct Board {
    pub id: u64,
    pub name: String,
    pub description: Option<String>,
    pub state: State,
    pub board_kind: String,
    pub board_type: String,
    pub workspace_id: Option<u64>,
    pub creator_id: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub groups: Vec<Group>,
    /// All columns, the `name` column first (it never appears in `column_values`).
    pub columns: Vec<Column>,
    /// Item ids in board position order.
    pub item_ids: Vec<u64>,
    /// For a subitems board: the board whose items own the subitems.
    pub parent_board_id: Option<u64>,
}

impl Board {
    /// The column called `id`.
    pub fn column(&self, id: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.id == id)
    }

    /// The group called `id`.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }
}

/// One column value as served: display `text`, JSON `value` (encoded to a string on the
/// wire), plus `display_value` / `linked_item_ids` for mirror, relation and dependency columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub text: Option<String>,
    pub value: Option<Value>,
    pub display_value: Option<String>,
    pub linked_item_ids: Vec<u64>,
}

/// An item or a subitem (a subitem lives on its parent board's subitems board).
#[derive(Debug, Clone)]
pub struct Item {
    pub id: u64,
    pub board_id: u64,
    pub group_id: String,
    pub name: String,
    pub state: State,
    pub creator_id: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Column id → cell; columns missing here are empty.
    pub cells: BTreeMap<String, Cell>,
    pub parent_id: Option<u64>,
    pub subitem_ids: Vec<u64>,
}

/// A reply to an update.
#[derive(Debug, Clone)]
pub struct Reply {
    pub id: u64,
    pub creator_id: u64,
    pub body: String,
    pub text_body: String,
    pub created_at: DateTime<Utc>,
}

/// An update (comment) on an item; `body` is HTML, `text_body` its plain text.
#[derive(Debug, Clone)]
pub struct Update {
    pub id: u64,
    pub item_id: u64,
    pub creator_id: u64,
    pub body: String,
    pub text_body: String,
    pub created_at: DateTime<Utc>,
    pub replies: Vec<Reply>,
}

/// A tag (for `tags` columns).
#[derive(Debug, Clone)]
pub struct Tag {
    pub id: u64,
    pub name: String,
}

/// The whole fake account.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: u64,
    pub slug: String,
    pub users: Vec<User>,
    pub workspaces: Vec<Workspace>,
    pub boards: Vec<Board>,
    pub items: BTreeMap<u64, Item>,
    /// In creation order (oldest first).
    pub updates: Vec<Update>,
    pub tags: Vec<Tag>,
    /// Board activity logs in append order ([`super::activity`]).
    pub activity_logs: Vec<super::activity::ActivityLog>,
    /// The fake clock: the time of the latest change.
    pub now: DateTime<Utc>,
    /// When set, mutations are stamped with the wall-clock time (still strictly increasing),
    /// as on real monday; when unset (the default) the clock only moves by mutations, so
    /// every timestamp is deterministic. Generated data always predates the wall clock.
    pub wall_clock: bool,
    /// Next id handed out by [`Account::new_id`].
    pub next_id: u64,
}

/// Formats a timestamp the way monday does: `2025-10-24T18:30:06Z`.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The unique word planted in item (and subitem) `id`'s text, for tests.
pub fn item_marker(id: u64) -> String {
    format!("itemmark{id}")
}

/// The unique word planted in update `id`'s body.
pub fn update_marker(id: u64) -> String {
    format!("updmark{id}")
}

/// The unique word planted in reply `id`'s body.
pub fn reply_marker(id: u64) -> String {
    format!("replymark{id}")
}

impl Account {
    /// Board `id`.
    pub fn board(&self, id: u64) -> Option<&Board> {
        self.boards.iter().find(|b| b.id == id)
    }

    /// Item or subitem `id`.
    pub fn item(&self, id: u64) -> Option<&Item> {
        self.items.get(&id)
    }

    /// User `id`.
    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Workspace `id`.
    pub fn workspace(&self, id: u64) -> Option<&Workspace> {
        self.workspaces.iter().find(|w| w.id == id)
    }

    /// Boards of `type: board` (not subitems boards).
    pub fn content_boards(&self) -> impl Iterator<Item = &Board> {
        self.boards.iter().filter(|b| b.board_type == "board")
    }

    /// The board with the most items.
    pub fn big_board(&self) -> Option<&Board> {
        self.content_boards().max_by_key(|b| b.item_ids.len())
    }

    /// The items of board `id` in position order (all states).
    pub fn board_items(&self, id: u64) -> Vec<&Item> {
        let ids = self.board(id).map(|b| b.item_ids.as_slice()).unwrap_or(&[]);
        ids.iter().filter_map(|i| self.items.get(i)).collect()
    }

    /// The cell text of `column_id` on item `item_id` as the API serves it; `None` when the
    /// item or column does not exist.
    pub fn cell_text(&self, item_id: u64, column_id: &str) -> Option<Option<String>> {
        let item = self.item(item_id)?;
        let col = self.board(item.board_id)?.column(column_id)?;
        Some(self.cell_or_empty(item, col).text)
    }

    /// The cell of `col` on `item`, or the column type's empty cell.
    pub fn cell_or_empty(&self, item: &Item, col: &Column) -> Cell {
        item.cells
            .get(&col.id)
            .cloned()
            .unwrap_or_else(|| cells::empty_cell(&col.col_type))
    }

    /// The active items of board `id` in position order (what `items_page` lists).
    pub fn active_items(&self, id: u64) -> Vec<&Item> {
        let mut v = self.board_items(id);
        v.retain(|i| i.state == State::Active);
        v
    }

    /// The first item (or subitem) named exactly `name`.
    pub fn find_item(&self, name: &str) -> Option<&Item> {
        self.items.values().find(|i| i.name == name)
    }

    /// What a crawler should extract from item `id`'s columns (../shared/docs/monday-api.md §5.8):
    /// `(column title, text or else display_value)` for each non-empty cell, in board order.
    pub fn column_texts(&self, id: u64) -> Vec<(String, String)> {
        let Some(item) = self.item(id) else {
            return vec![];
        };
        let Some(board) = self.board(item.board_id) else {
            return vec![];
        };
        board
            .columns
            .iter()
            .filter(|c| c.col_type != "name")
            .filter_map(|c| {
                let cell = self.cell_or_empty(item, c);
                let text = cell.text.filter(|t| !t.is_empty()).or(cell.display_value)?;
                (!text.is_empty()).then(|| (c.title.clone(), text))
            })
            .collect()
    }

    /// The updates on item `id`, newest first.
    pub fn item_updates(&self, id: u64) -> Vec<&Update> {
        let mut v: Vec<&Update> = self.updates.iter().filter(|u| u.item_id == id).collect();
        v.sort_by_key(|x| std::cmp::Reverse((x.created_at, x.id)));
        v
    }

    /// A fresh id.
    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Advances the clock by at least one second (to the wall clock with
    /// [`Account::wall_clock`]) and returns the new time.
    pub fn tick(&mut self) -> DateTime<Utc> {
        let next = self.now + Duration::seconds(1);
        let wall = Utc::now().with_nanosecond(0).unwrap_or(next);
        self.now = if self.wall_clock {
            next.max(wall)
        } else {
            next
        };
        self.now
    }

    /// Moves the clock forward by `by` (e.g. past a crawler's lag window).
    pub fn advance_clock(&mut self, by: Duration) {
        self.now += by;
    }

    /// Renames item `id` (bumps `updated_at`).
    pub fn rename_item(&mut self, id: u64, name: &str) -> bool {
        let now = self.tick();
        let Some(item) = self.items.get_mut(&id) else {
            return false;
        };
        let previous = std::mem::replace(&mut item.name, name.to_string());
        item.updated_at = now;
        let board = item.board_id;
        self.touch_board(board, now);
        let change = json!({"value": {"name": name}, "previous_value": {"name": previous}});
        self.log_item(id, "update_name", change);
        true
    }

    /// Sets a column from its display text, deriving `value` (bumps `updated_at`). False when
    /// the item or column is unknown, or the text is not valid for the column type.
    pub fn set_column_text(&mut self, id: u64, column_id: &str, text: &str) -> bool {
        let now = self.tick();
        let Some(item) = self.items.get(&id) else {
            return false;
        };
        let Some(col) = self
            .board(item.board_id)
            .and_then(|b| b.column(column_id))
            .cloned()
        else {
            return false;
        };
        let Some(cell) = cells::cell_from_text(self, &col, text, now) else {
            return false;
        };
        let Some(item) = self.items.get_mut(&id) else {
            return false;
        };
        let value = cell.value.clone();
        let previous = item
            .cells
            .insert(col.id.clone(), cell)
            .and_then(|c| c.value);
        item.updated_at = now;
        let board = item.board_id;
        self.touch_board(board, now);
        let change = json!({"column_id": col.id, "column_type": col.col_type, "column_title": col.title, "value": value, "previous_value": previous});
        self.log_item(id, "update_column_value", change);
        true
    }

    fn touch_board(&mut self, id: u64, now: DateTime<Utc>) {
        if let Some(b) = self.boards.iter_mut().find(|b| b.id == id) {
            b.updated_at = now;
        }
    }

    /// Creates an empty item named `name` at the end of board `board_id`'s first group
    /// (`created_at` = `updated_at` = now). Returns its id.
    pub fn create_item(&mut self, board_id: u64, name: &str) -> Option<u64> {
        let group_id = self.board(board_id)?.groups.first()?.id.clone();
        let now = self.tick();
        let id = self.new_id();
        let creator_id = self.users.first().map(|u| u.id).unwrap_or_default();
        let item = Item {
            id,
            board_id,
            group_id,
            name: name.to_string(),
            state: State::Active,
            creator_id,
            created_at: now,
            updated_at: now,
            cells: BTreeMap::new(),
            parent_id: None,
            subitem_ids: vec![],
        };
        self.items.insert(id, item);
        let board = self.boards.iter_mut().find(|b| b.id == board_id)?;
        board.item_ids.push(id);
        board.updated_at = now;
        self.log_item(id, "create_pulse", json!({}));
        Some(id)
    }

    /// Posts an update on item `id`; does NOT bump the item's `updated_at` (see the spec's
    /// open question §7: crawlers must not rely on it). Returns the new update id.
    pub fn add_update(&mut self, item_id: u64, html_body: &str) -> Option<u64> {
        if !self.items.contains_key(&item_id) {
            return None;
        }
        let creator_id = self.users.first().map(|u| u.id).unwrap_or_default();
        let now = self.tick();
        let id = self.new_id();
        self.updates.push(Update {
            id,
            item_id,
            creator_id,
            body: html_body.to_string(),
            text_body: cells::html_to_text(html_body),
            created_at: now,
            replies: vec![],
        });
        Some(id)
    }

    /// Adds a reply to update `update_id`. Returns the new reply id.
    pub fn add_reply(&mut self, update_id: u64, html_body: &str) -> Option<u64> {
        let now = self.tick();
        let id = self.new_id();
        let creator_id = self.users.last().map(|u| u.id).unwrap_or_default();
        let update = self.updates.iter_mut().find(|u| u.id == update_id)?;
        update.replies.push(Reply {
            id,
            creator_id,
            body: html_body.to_string(),
            text_body: cells::html_to_text(html_body),
            created_at: now,
        });
        Some(id)
    }

    /// Sets item `id`'s state (archive / delete), bumping `updated_at`.
    pub fn set_item_state(&mut self, id: u64, state: State) -> bool {
        let now = self.tick();
        let Some(item) = self.items.get_mut(&id) else {
            return false;
        };
        if item.state == State::Deleted {
            return false;
        }
        item.state = state;
        item.updated_at = now;
        let event = if state == State::Deleted {
            "delete_pulse"
        } else {
            "archive_pulse"
        };
        self.log_item(id, event, json!({}));
        true
    }

    /// Sets board `id`'s state (archive / delete).
    pub fn set_board_state(&mut self, id: u64, state: State) -> bool {
        let now = self.tick();
        let Some(b) = self.boards.iter_mut().find(|b| b.id == id) else {
            return false;
        };
        b.state = state;
        b.updated_at = now;
        let event = if state == State::Deleted {
            "board_deleted"
        } else {
            "board_archived"
        };
        self.log_board(id, event);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monday::{generate, GenSpec};

    #[test]
    fn mutations_strictly_advance_the_clock() {
        let mut acc = generate(&GenSpec::small());
        let id = *acc.items.keys().next().unwrap();
        let t0 = acc.now;
        assert!(acc.rename_item(id, "a"));
        let t1 = acc.item(id).unwrap().updated_at;
        assert!(acc.rename_item(id, "b"));
        assert!(t0 < t1 && t1 < acc.item(id).unwrap().updated_at);
    }

    #[test]
    fn wall_clock_mode_stamps_with_real_time() {
        let mut acc = generate(&GenSpec::small());
        acc.wall_clock = true;
        let before = Utc::now().with_nanosecond(0).unwrap();
        assert!(acc.tick() >= before);
        assert!(acc.items.values().all(|i| i.updated_at < before));
    }
}
