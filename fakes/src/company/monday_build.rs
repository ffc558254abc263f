//! [`MondayBuilder`]: writes users, workspaces, boards (with subitems boards), items, cells
//! and update threads into a fake monday.com [`Account`] for the company generator. Cells go
//! through [`cells::cell_from_text`], so they keep monday's `text`/`value` semantics.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};

use super::cast::PEOPLE;
use crate::monday::cells;
use crate::monday::model::{
    Account, Board, Column, Group, Item, Reply, State, Update, User, Workspace,
};

/// Builds the company's monday.com account.
pub struct MondayBuilder {
    pub acc: Account,
    next_item: u64,
    next_update: u64,
}

/// Noon UTC of `day` (`YYYY-MM-DD`), plus `hours`.
pub fn at(day: &str, hours: i64) -> DateTime<Utc> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or_default();
    Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap_or_default()) + Duration::hours(hours)
}

/// A column; `labels` fill a status column (index 1 is the "done" color) or a dropdown.
pub fn column(id: &str, title: &str, col_type: &str, labels: &[&str]) -> Column {
    let settings = match col_type {
        "status" => {
            let map: serde_json::Map<String, Value> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| (i.to_string(), json!(l)))
                .collect();
            json!({"labels": map, "done_colors": [1], "hide_footer": false})
        }
        "dropdown" => {
            let opts: Vec<Value> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| json!({"id": i + 1, "name": l}))
                .collect();
            json!({ "labels": opts })
        }
        "subtasks" => json!({"allowMultipleItems": true}),
        _ => json!({}),
    };
    Column {
        id: id.into(),
        title: title.into(),
        col_type: col_type.into(),
        description: None,
        settings,
        width: None,
    }
}

impl MondayBuilder {
    /// An account with one user per person and the given workspaces; the clock is `now`.
    pub fn new(workspaces: &[&str], now: &str) -> MondayBuilder {
        let start = at("2025-06-02", 0);
        let users = PEOPLE
            .iter()
            .enumerate()
            .map(|(i, p)| User {
                id: 50_000_001 + i as u64,
                name: p.name.into(),
                email: p.email(),
                title: p.role.into(),
                created_at: start + Duration::days(i as i64),
                is_admin: i == 0,
                is_guest: false,
            })
            .collect();
        let workspaces = workspaces
            .iter()
            .enumerate()
            .map(|(i, name)| Workspace {
                id: 2_000_001 + i as u64,
                name: name.to_string(),
                description: format!("{name} at Kestrel Labs"),
                kind: "open".into(),
                created_at: start,
            })
            .collect();
        MondayBuilder {
            acc: Account {
                id: 31_415_926,
                slug: "kestrel".into(),
                users,
                workspaces,
                boards: vec![],
                items: BTreeMap::new(),
                updates: vec![],
                tags: vec![],
                activity_logs: vec![],
                now: at(now, 0),
                wall_clock: false,
                next_id: 95_000_000_000,
            },
            next_item: 7_100_000_000,
            next_update: 4_400_000_000,
        }
    }

    /// The user id of person `name` (the admin for unknown names).
    pub fn user(&self, name: &str) -> u64 {
        self.acc
            .users
            .iter()
            .find(|u| u.name == name)
            .map(|u| u.id)
            .unwrap_or(50_000_001)
    }

    /// Creates a board (and its subitems board when a `subtasks` column is present).
    pub fn board(
        &mut self,
        workspace: usize,
        name: &str,
        description: &str,
        groups: &[&str],
        columns: Vec<Column>,
        owner: &str,
    ) -> u64 {
        let id = 3_000_000_001 + 10 * self.acc.boards.len() as u64;
        let created_at = at("2025-09-01", 0);
        let groups = groups
            .iter()
            .enumerate()
            .map(|(i, title)| Group {
                id: if i == 0 {
                    "topics".into()
                } else {
                    format!("group_{i}")
                },
                title: title.to_string(),
                color: ["#579bfc", "#00c875", "#fdab3d", "#e2445c", "#a25ddc"][i % 5].into(),
                position: format!("{}.0", 65_536 * (i + 1)),
            })
            .collect();
        let board = Board {
            id,
            name: name.into(),
            description: Some(description.into()),
            state: State::Active,
            board_kind: "public".into(),
            board_type: "board".into(),
            workspace_id: self.acc.workspaces.get(workspace).map(|w| w.id),
            creator_id: self.user(owner),
            created_at,
            updated_at: created_at,
            groups,
            columns,
            item_ids: vec![],
            parent_board_id: None,
        };
        let sub = board.column("subitems").is_some().then(|| Board {
            id: id + 1,
            name: format!("Subitems of {name}"),
            description: None,
            board_type: "sub_items_board".into(),
            groups: vec![board.groups[0].clone()],
            columns: vec![
                column("name", "Subitem", "name", &[]),
                column(
                    "status",
                    "Status",
                    "status",
                    &["Working on it", "Done", "Stuck", "Not started"],
                ),
                column("person", "Owner", "people", &[]),
                column("date", "Date", "date", &[]),
            ],
            item_ids: vec![],
            parent_board_id: Some(id),
            ..board.clone()
        });
        self.acc.boards.push(board);
        self.acc.boards.extend(sub);
        id
    }

    /// Adds an item to group `group` of board `board_id` with cells given as display text
    /// (column id → text); returns its id. Invalid cell texts are left empty.
    pub fn item(
        &mut self,
        board_id: u64,
        group: usize,
        name: &str,
        cells: &[(&str, String)],
        creator: &str,
        day: &str,
    ) -> u64 {
        self.next_item += 17;
        let id = self.next_item;
        let created_at = at(day, 0);
        self.insert_item(board_id, group, id, name, creator, created_at, None);
        self.set_cells(id, cells, created_at);
        id
    }

    /// Adds a subitem under `parent` with status, owner and date.
    pub fn subitem(
        &mut self,
        parent: u64,
        name: &str,
        status: &str,
        owner: &str,
        day: &str,
    ) -> u64 {
        self.next_item += 17;
        let id = self.next_item;
        let Some(p) = self.acc.item(parent).cloned() else {
            return id;
        };
        let sub_board = p.board_id + 1;
        let created_at = p.created_at + Duration::hours(1);
        self.insert_item(sub_board, 0, id, name, owner, created_at, Some(parent));
        let cells = [
            ("status", status.to_string()),
            ("person", owner.to_string()),
            ("date", day.to_string()),
        ];
        self.set_cells(id, &cells, created_at);
        if let Some(it) = self.acc.items.get_mut(&parent) {
            it.subitem_ids.push(id);
        }
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_item(
        &mut self,
        board_id: u64,
        group: usize,
        id: u64,
        name: &str,
        creator: &str,
        created_at: DateTime<Utc>,
        parent: Option<u64>,
    ) {
        let Some(board) = self.acc.boards.iter_mut().find(|b| b.id == board_id) else {
            return;
        };
        let group_id = board.groups[group.min(board.groups.len() - 1)].id.clone();
        board.item_ids.push(id);
        board.updated_at = board.updated_at.max(created_at);
        let creator_id = self.user(creator);
        self.acc.items.insert(
            id,
            Item {
                id,
                board_id,
                group_id,
                name: name.into(),
                state: State::Active,
                creator_id,
                created_at,
                updated_at: created_at,
                cells: BTreeMap::new(),
                parent_id: parent,
                subitem_ids: vec![],
            },
        );
        self.acc
            .log_item_at(id, "create_pulse", json!({}), created_at);
    }

    fn set_cells(&mut self, id: u64, given: &[(&str, String)], when: DateTime<Utc>) {
        let Some(board_id) = self.acc.item(id).map(|i| i.board_id) else {
            return;
        };
        let Some(board) = self.acc.board(board_id).cloned() else {
            return;
        };
        for (col_id, text) in given {
            let Some(col) = board.column(col_id) else {
                continue;
            };
            if let Some(cell) = cells::cell_from_text(&mut self.acc, col, text, when) {
                if let Some(it) = self.acc.items.get_mut(&id) {
                    it.cells.insert(col.id.clone(), cell);
                }
            }
        }
    }

    /// Fills each item's `subitems` column from its subitems (call once at the end).
    pub fn settle_subitems(&mut self) {
        let ids: Vec<u64> = self.acc.items.keys().copied().collect();
        for id in ids {
            let Some(item) = self.acc.item(id).cloned() else {
                continue;
            };
            let has_col = self
                .acc
                .board(item.board_id)
                .is_some_and(|b| b.column("subitems").is_some());
            if !has_col {
                continue;
            }
            let subs: Vec<(u64, String)> = item
                .subitem_ids
                .iter()
                .filter_map(|s| self.acc.item(*s))
                .map(|s| (s.id, s.name.clone()))
                .collect();
            let at = crate::monday::model::fmt_time(item.created_at);
            let cell = if subs.is_empty() {
                cells::empty_cell("subtasks")
            } else {
                cells::subtasks_cell(&subs, &at)
            };
            if let Some(it) = self.acc.items.get_mut(&id) {
                it.cells.insert("subitems".into(), cell);
            }
        }
    }

    /// Posts an update (plain text paragraphs, turned into monday-style HTML) on `item` by
    /// `author`, `hours` after noon of `day`, with replies `(author, text)` an hour apart.
    /// The item's `updated_at` follows its latest update.
    pub fn update(
        &mut self,
        item: u64,
        author: &str,
        day: &str,
        hours: i64,
        text: &str,
        replies: &[(&str, &str)],
    ) {
        self.next_update += 23;
        let created_at = at(day, hours);
        let body = html(text);
        let mut update = Update {
            id: self.next_update,
            item_id: item,
            creator_id: self.user(author),
            text_body: cells::html_to_text(&body),
            body,
            created_at,
            replies: vec![],
        };
        for (i, (who, said)) in replies.iter().enumerate() {
            self.next_update += 3;
            let body = html(said);
            update.replies.push(Reply {
                id: self.next_update,
                creator_id: self.user(who),
                text_body: cells::html_to_text(&body),
                body,
                created_at: created_at + Duration::hours(1 + i as i64),
            });
        }
        let last = update.replies.last().map_or(created_at, |r| r.created_at);
        if let Some(it) = self.acc.items.get_mut(&item) {
            it.updated_at = it.updated_at.max(last);
        }
        self.acc.updates.push(update);
    }

    /// Sorts updates oldest first (the order the fake serves from) and returns the account.
    pub fn finish(mut self) -> Account {
        self.settle_subitems();
        self.acc.updates.sort_by_key(|u| (u.created_at, u.id));
        let latest = self
            .acc
            .items
            .values()
            .map(|i| i.updated_at)
            .chain(self.acc.updates.iter().flat_map(|u| {
                std::iter::once(u.created_at).chain(u.replies.iter().map(|r| r.created_at))
            }))
            .max();
        if let Some(latest) = latest {
            self.acc.now = self.acc.now.max(latest + Duration::hours(1));
        }
        self.acc
    }
}

/// Paragraphs of plain text as the HTML monday's editor produces (escaped, one `<p>` each).
fn html(text: &str) -> String {
    text.split('\n')
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let esc = l
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!("<p>{esc}</p>")
        })
        .collect()
}
