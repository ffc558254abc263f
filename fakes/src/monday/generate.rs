//! Deterministic account generator: [`generate`] turns a [`GenSpec`] (sizes + seed) into an
//! [`Account`] with workspaces, boards carrying every common column type, a big board,
//! subitems on their own `sub_items_board`s, and HTML updates with replies.
//!
//! Text comes from [`super::vocab`]; every item, update and reply also carries a unique marker
//! word ([`item_marker`], [`update_marker`], [`reply_marker`]) so tests can assert that a
//! specific object was indexed. Same spec, same account, byte for byte.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};

use serde_json::json;

use super::cells::{self, formula_cell, mirror_cell, relation_cell, subtasks_cell};
use super::layout::{content_columns, groups};
use super::model::*;
use super::vocab::*;

/// Sizes and seed of a generated account.
#[derive(Debug, Clone)]
pub struct GenSpec {
    pub seed: u64,
    pub users: usize,
    pub workspaces: usize,
    /// Regular boards (subitems boards come on top).
    pub boards: usize,
    pub items_per_board: usize,
    /// Items on the first board (the big one); 0 means `items_per_board`.
    pub big_board_items: usize,
    /// Inclusive range of subitems per top-level item.
    pub subitems_per_item: (usize, usize),
    /// Updates spread over top-level items.
    pub updates: usize,
    /// Inclusive range of replies per update.
    pub replies_per_update: (usize, usize),
}

impl Default for GenSpec {
    /// The full-size account: 3 workspaces, 20 boards, a 1,200-item board, 1,000 updates.
    fn default() -> Self {
        GenSpec {
            seed: 42,
            users: 12,
            workspaces: 3,
            boards: 20,
            items_per_board: 25,
            big_board_items: 1200,
            subitems_per_item: (0, 2),
            updates: 1000,
            replies_per_update: (0, 2),
        }
    }
}

impl GenSpec {
    /// A small account for fast tests: 2 workspaces, 3 boards of 8 items, 20 updates.
    pub fn small() -> Self {
        GenSpec {
            seed: 7,
            users: 5,
            workspaces: 2,
            boards: 3,
            items_per_board: 8,
            big_board_items: 0,
            subitems_per_item: (0, 2),
            updates: 20,
            replies_per_update: (0, 2),
        }
    }
}

pub(crate) use crate::rng::Rng;

/// Mixed into every monday generator seed (keeps the generated worlds as they were).
const SEED_SALT: u64 = 0x9E37_79B9_7F4A_7C15;

/// Id counters and shared state while generating.
pub(super) struct Gen {
    pub(super) rng: Rng,
    pub(super) acc: Account,
    pub(super) start: DateTime<Utc>,
    next_item: u64,
    pub(super) next_update: u64,
}

const DAY: i64 = 86_400;

/// Builds the account described by `spec`.
pub fn generate(spec: &GenSpec) -> Account {
    let start = Utc
        .with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let mut g = Gen {
        rng: Rng::new(spec.seed ^ SEED_SALT),
        acc: Account {
            id: 24_308_083,
            slug: "acme".into(),
            users: vec![],
            workspaces: vec![],
            boards: vec![],
            items: BTreeMap::new(),
            updates: vec![],
            tags: vec![],
            activity_logs: vec![],
            now: start + Duration::days(500),
            wall_clock: false,
            next_id: 90_000_000_000,
        },
        start,
        next_item: 18_000_000_000,
        next_update: 3_300_000_000,
    };
    g.users(spec.users.max(1));
    g.workspaces(spec.workspaces.max(1));
    for b in 0..spec.boards {
        let n = if b == 0 && spec.big_board_items > 0 {
            spec.big_board_items
        } else {
            spec.items_per_board
        };
        g.board(b, n, spec.subitems_per_item);
    }
    g.link_boards();
    g.activity_logs();
    g.updates(spec.updates, spec.replies_per_update);
    g.acc
}

impl Gen {
    pub(super) fn time_between(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
        let span = (to - from).num_seconds().max(1) as usize;
        from + Duration::seconds(self.rng.below(span) as i64)
    }

    fn users(&mut self, n: usize) {
        for i in 0..n {
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 7 + i / FIRST_NAMES.len()) % LAST_NAMES.len()];
            let name = format!("{first} {last}");
            self.acc.users.push(User {
                id: 40_000_001 + i as u64,
                email: format!(
                    "{}.{}@acme.example",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                title: self.rng.pick(JOB_TITLES).to_string(),
                created_at: self.start - Duration::days(300 - i as i64),
                is_admin: i == 0,
                is_guest: i > 0 && i % 9 == 0,
                name,
            });
        }
    }

    fn workspaces(&mut self, n: usize) {
        for i in 0..n {
            let name = WORKSPACE_NAMES[i % WORKSPACE_NAMES.len()];
            self.acc.workspaces.push(Workspace {
                id: 1_000_001 + i as u64,
                name: name.to_string(),
                description: format!("Everything the {name} team tracks"),
                kind: if i % 3 == 2 { "closed" } else { "open" }.into(),
                created_at: self.start - Duration::days(200 - i as i64),
            });
        }
    }

    fn user_name(&mut self) -> String {
        let users = &self.acc.users;
        users[self.rng.below(users.len())].name.clone()
    }

    fn board(&mut self, index: usize, items: usize, subitems: (usize, usize)) {
        let theme = BOARD_THEMES[index % BOARD_THEMES.len()];
        let name = if index < BOARD_THEMES.len() {
            theme.to_string()
        } else {
            format!("{theme} {}", index + 1)
        };
        let ws = &self.acc.workspaces[index % self.acc.workspaces.len()];
        let created_at = self.start + Duration::days(index as i64);
        let board = Board {
            id: 1_800_000_001 + 10 * index as u64,
            description: Some(format!("{name} for the {} workspace", ws.name)),
            name,
            state: State::Active,
            board_kind: if index % 4 == 3 { "private" } else { "public" }.into(),
            board_type: "board".into(),
            workspace_id: Some(ws.id),
            creator_id: self.acc.users[index % self.acc.users.len()].id,
            created_at,
            updated_at: created_at,
            groups: groups(3 + index % 2),
            columns: content_columns(subitems.1 > 0),
            item_ids: vec![],
            parent_board_id: None,
        };
        let board_id = board.id;
        self.acc.boards.push(board);
        let sub_board = (subitems.1 > 0).then(|| self.subitems_board(index, board_id));
        for _ in 0..items {
            let item = self.item(board_id, None);
            if let Some(sb) = sub_board {
                for _ in 0..self.rng.range(subitems.0, subitems.1) {
                    self.item(sb, Some(item));
                }
            }
        }
    }

    fn subitems_board(&mut self, index: usize, parent: u64) -> u64 {
        let Some(p) = self.acc.board(parent).cloned() else {
            return parent;
        };
        let columns = ["status", "person", "date", "text"].map(|id| p.column(id).cloned());
        let mut name_col = p.columns[0].clone();
        name_col.title = "Subitem".into();
        let board = Board {
            id: p.id + 1,
            name: format!("Subitems of {}", p.name),
            description: None,
            board_type: "sub_items_board".into(),
            groups: groups(1),
            columns: std::iter::once(name_col)
                .chain(columns.into_iter().flatten())
                .collect(),
            item_ids: vec![],
            parent_board_id: Some(parent),
            creator_id: self.acc.users[index % self.acc.users.len()].id,
            ..p
        };
        let id = board.id;
        self.acc.boards.push(board);
        id
    }

    /// Creates an item (or a subitem of `parent`) with random cells; returns its id.
    fn item(&mut self, board_id: u64, parent: Option<u64>) -> u64 {
        self.next_item += 1 + self.rng.below(40) as u64;
        let id = self.next_item;
        let Some(board) = self.acc.board(board_id).cloned() else {
            return id;
        };
        let end = self.acc.now - Duration::days(2);
        let created_at = match parent.and_then(|p| self.acc.item(p)) {
            Some(p) => self.time_between(p.created_at, end),
            None => self.time_between(board.created_at, end - Duration::days(30)),
        };
        let updated_at = self.time_between(created_at, end);
        let name = match parent {
            None => format!(
                "{} {} {}",
                self.rng.pick(VERBS),
                self.rng.pick(ADJECTIVES),
                self.rng.pick(NOUNS)
            ),
            Some(_) => format!("{} {}", self.rng.pick(VERBS), self.rng.pick(NOUNS)),
        };
        let mut cells = BTreeMap::new();
        for col in board.columns.iter().skip(1) {
            if let Some(c) = self.random_cell(col, id, updated_at) {
                cells.insert(col.id.clone(), c);
            }
        }
        let group_id = board.groups[self.rng.below(board.groups.len())].id.clone();
        let creator_id = self.acc.users[self.rng.below(self.acc.users.len())].id;
        self.acc.items.insert(
            id,
            Item {
                id,
                board_id,
                group_id,
                name,
                state: State::Active,
                creator_id,
                created_at,
                updated_at,
                cells,
                parent_id: parent,
                subitem_ids: vec![],
            },
        );
        if let Some(b) = self.acc.boards.iter_mut().find(|b| b.id == board_id) {
            b.item_ids.push(id);
            b.updated_at = b.updated_at.max(updated_at);
        }
        if let Some(p) = parent.and_then(|p| self.acc.items.get_mut(&p)) {
            p.subitem_ids.push(id);
        }
        id
    }

    fn random_cell(&mut self, col: &Column, item_id: u64, at: DateTime<Utc>) -> Option<Cell> {
        let always = matches!(col.id.as_str(), "notes" | "text");
        if !always && self.rng.chance(0.15) {
            return None;
        }
        let text = self.random_text(col, item_id)?;
        cells::cell_from_text(&mut self.acc, col, &text, at)
    }

    fn random_text(&mut self, col: &Column, item_id: u64) -> Option<String> {
        let r = &mut self.rng;
        let day = |r: &mut Rng| {
            (Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or_default()
                + Duration::seconds(r.below(700) as i64 * DAY))
            .date_naive()
        };
        Some(match col.col_type.as_str() {
            "text" => format!("{} {}", r.pick(ADJECTIVES), item_marker(item_id)),
            "long_text" => format!(
                "{} {} Ref {}.",
                r.pick(SENTENCES),
                r.pick(SENTENCES),
                item_marker(item_id)
            ),
            "numbers" => format!("{}", r.below(5000) as f64 / 4.0),
            "status" => {
                let labels = col.settings["labels"].as_object()?;
                let keys: Vec<&String> = labels.keys().collect();
                labels[*r.pick(&keys)].as_str()?.to_string()
            }
            "dropdown" => {
                let (a, b) = (
                    r.below(DROPDOWN_LABELS.len()),
                    r.below(DROPDOWN_LABELS.len()),
                );
                if a == b {
                    DROPDOWN_LABELS[a].to_string()
                } else {
                    format!(
                        "{}, {}",
                        DROPDOWN_LABELS[a.min(b)],
                        DROPDOWN_LABELS[a.max(b)]
                    )
                }
            }
            "date" => day(r).to_string(),
            "timeline" | "week" => {
                let mut d = day(r);
                if col.col_type == "week" {
                    // Weeks run Monday to Sunday.
                    d -= Duration::days(i64::from(d.weekday().num_days_from_monday()));
                }
                let len = if col.col_type == "week" {
                    6
                } else {
                    1 + r.below(30) as i64
                };
                format!("{} - {}", d, d + Duration::days(len))
            }
            "people" => return Some(self.user_name()),
            "email" => format!(
                "{}@client{}.example",
                r.pick(FIRST_NAMES).to_lowercase(),
                r.below(90)
            ),
            "phone" => format!("+1415555{:04}", r.below(10_000)),
            "link" => {
                let (u, l) = r.pick(LINK_SITES);
                format!("{u} - {l}")
            }
            "checkbox" if r.chance(0.5) => "v".into(),
            "checkbox" => return None,
            "tags" => r.pick(TAGS).to_string(),
            "rating" => (1 + r.below(5)).to_string(),
            "country" => r.pick(COUNTRIES).1.to_string(),
            "location" => {
                let (city, _, _, country) = r.pick(CITIES);
                format!("{city}, {country}")
            }
            "hour" => format!("{:02}:{:02}", 8 + r.below(10), 15 * r.below(4)),
            "world_clock" => r.pick(TIMEZONES).to_string(),
            "file" => format!(
                "https://acme.monday.com/protected_static/24308083/resources/{}/{}",
                900_000_000 + r.below(1_000_000),
                r.pick(FILE_NAMES)
            ),
            _ => return None,
        })
    }

    /// Second pass: relation, dependency, mirror, formula and subtasks cells, which need
    /// other items to exist.
    fn link_boards(&mut self) {
        let boards: Vec<Board> = self.acc.content_boards().cloned().collect();
        for (i, b) in boards.iter().enumerate() {
            let other = &boards[(i + 1) % boards.len()];
            for item_id in &b.item_ids {
                self.link_item(*item_id, b, other);
            }
        }
    }

    fn link_item(&mut self, id: u64, board: &Board, other: &Board) {
        let Some(item) = self.acc.item(id).cloned() else {
            return;
        };
        let at = fmt_time(item.updated_at);
        let mut new = vec![];
        let linked = self.pick_items(other, 2);
        let mirror: Vec<String> = linked
            .iter()
            .filter_map(|(lid, _)| self.acc.cell_text(*lid, "status").flatten())
            .collect();
        new.push(("relation", relation_cell(&linked, &at)));
        new.push(("mirror", mirror_cell(&mirror.join(", "))));
        let deps = self
            .pick_items(board, 1)
            .into_iter()
            .filter(|(d, _)| *d != id)
            .collect::<Vec<_>>();
        new.push(("dependency", relation_cell(&deps, &at)));
        let hours = item
            .cells
            .get("numbers")
            .and_then(|c| c.text.clone())
            .and_then(|t| t.parse::<f64>().ok());
        new.push((
            "formula",
            formula_cell(&hours.map(|h| format!("{:.2}", h * 1.2)).unwrap_or_default()),
        ));
        let subs: Vec<(u64, String)> = item
            .subitem_ids
            .iter()
            .filter_map(|s| self.acc.item(*s))
            .map(|s| (s.id, s.name.clone()))
            .collect();
        if board.column("subitems").is_some() {
            new.push((
                "subitems",
                if subs.is_empty() {
                    cells::empty_cell("subtasks")
                } else {
                    subtasks_cell(&subs, &at)
                },
            ));
        }
        if let Some(it) = self.acc.items.get_mut(&id) {
            for (col, cell) in new {
                it.cells.insert(col.to_string(), cell);
            }
        }
    }

    /// `create_pulse` at each item's creation and `update_column_value` at its last update.
    fn activity_logs(&mut self) {
        let mut items: Vec<(DateTime<Utc>, DateTime<Utc>, u64)> = self
            .acc
            .items
            .values()
            .map(|i| (i.created_at, i.updated_at, i.id))
            .collect();
        items.sort();
        for (created, updated, id) in items {
            self.acc.log_item_at(id, "create_pulse", json!({}), created);
            if updated > created {
                let status = self
                    .acc
                    .item(id)
                    .and_then(|i| i.cells.get("status"))
                    .and_then(|c| c.value.clone());
                let change =
                    json!({"column_id": "status", "column_type": "status", "value": status});
                self.acc
                    .log_item_at(id, "update_column_value", change, updated);
            }
        }
    }

    fn pick_items(&mut self, board: &Board, max: usize) -> Vec<(u64, String)> {
        if board.item_ids.is_empty() || self.rng.chance(0.3) {
            return vec![];
        }
        let n = 1 + self.rng.below(max);
        let mut ids: Vec<u64> = (0..n).map(|_| *self.rng.pick(&board.item_ids)).collect();
        ids.dedup();
        ids.iter()
            .filter_map(|i| self.acc.item(*i))
            .map(|i| (i.id, i.name.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_spec_meets_the_size_targets() {
        let acc = generate(&GenSpec::default());
        assert!(acc.workspaces.len() >= 3);
        assert!(acc.content_boards().count() >= 20);
        assert!(acc.big_board().map(|b| b.item_ids.len()).unwrap_or(0) >= 1200);
        assert!(acc.updates.len() >= 1000);
        assert!(acc.updates.iter().any(|u| !u.replies.is_empty()));
        assert!(acc.items.values().any(|i| i.parent_id.is_some()));
        assert!(acc.boards.iter().any(|b| b.board_type == "sub_items_board"));
        let types: std::collections::BTreeSet<&str> = acc.boards[0]
            .columns
            .iter()
            .map(|c| c.col_type.as_str())
            .collect();
        for t in [
            "status",
            "people",
            "mirror",
            "board_relation",
            "dependency",
            "subtasks",
            "file",
            "week",
        ] {
            assert!(types.contains(t), "{t}");
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let (a, b) = (generate(&GenSpec::small()), generate(&GenSpec::small()));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let c = generate(&GenSpec {
            seed: 8,
            ..GenSpec::small()
        });
        assert_ne!(format!("{a:?}"), format!("{c:?}"));
    }

    #[test]
    fn markers_are_planted() {
        let acc = generate(&GenSpec::small());
        let item = acc
            .content_boards()
            .next()
            .and_then(|b| acc.board_items(b.id).first().copied())
            .unwrap();
        let notes = acc.cell_text(item.id, "notes").flatten().unwrap();
        assert!(notes.contains(&item_marker(item.id)));
        let u = &acc.updates[0];
        assert!(u.text_body.contains(&update_marker(u.id)));
    }
}
