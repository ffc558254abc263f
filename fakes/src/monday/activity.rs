//! Board activity logs (../shared/docs/monday-api.md §2.7): every mutation of the fake appends an
//! [`ActivityLog`] with monday's event name (`create_pulse`, `update_name`,
//! `update_column_value`, `archive_pulse`, `delete_pulse`, `board_archived`, …) and a JSON
//! `data` string, so a crawler can follow changes and deletions the way Estuary does.
//! `created_at` is served as monday's 17-digit string (units of 10⁻⁷ s).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::model::{Account, Item};

/// One activity log entry of a board.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityLog {
    pub id: String,
    pub board_id: u64,
    pub created_at: DateTime<Utc>,
    pub event: String,
    /// `pulse` or `board`.
    pub entity: String,
    pub user_id: u64,
    /// Served JSON-encoded, as the real API does.
    pub data: Value,
}

impl ActivityLog {
    /// The item the entry is about, if any.
    pub fn item_id(&self) -> Option<u64> {
        self.data.get("pulse_id").and_then(Value::as_u64)
    }

    /// The 17-digit `created_at` string.
    pub fn created_at_17(&self) -> String {
        let t = self.created_at;
        format!(
            "{}",
            t.timestamp() * 10_000_000 + i64::from(t.timestamp_subsec_nanos() / 100)
        )
    }
}

/// A UUID-shaped id, deterministic per sequence number.
fn log_id(n: u64) -> String {
    let a = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x25ab_8069_a04e_4cd6;
    let b = a.rotate_left(23).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// The `data` keys every item event carries.
pub fn item_data(item: &Item) -> Value {
    json!({"board_id": item.board_id, "group_id": item.group_id, "pulse_id": item.id, "pulse_name": item.name})
}

impl Account {
    /// Appends an entry about item `item_id`, stamped now.
    pub fn log_item(&mut self, item_id: u64, event: &str, extra: Value) {
        self.log_item_at(item_id, event, extra, self.now);
    }

    /// Appends an entry about item `item_id` at `at` (skipped if the item is unknown).
    pub fn log_item_at(&mut self, item_id: u64, event: &str, extra: Value, at: DateTime<Utc>) {
        let Some(item) = self.item(item_id) else {
            return;
        };
        let mut data = item_data(item);
        if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
            d.extend(e.clone());
        }
        let (board_id, user_id) = (
            item.board_id,
            self.users.first().map(|u| u.id).unwrap_or_default(),
        );
        self.push_log(board_id, event, "pulse", user_id, data, at);
    }

    /// Appends a board-level entry.
    pub fn log_board(&mut self, board_id: u64, event: &str) {
        let user_id = self.users.first().map(|u| u.id).unwrap_or_default();
        let now = self.now;
        self.push_log(
            board_id,
            event,
            "board",
            user_id,
            json!({"board_id": board_id}),
            now,
        );
    }

    fn push_log(
        &mut self,
        board_id: u64,
        event: &str,
        entity: &str,
        user_id: u64,
        data: Value,
        created_at: DateTime<Utc>,
    ) {
        let id = log_id(self.activity_logs.len() as u64 + 1);
        self.activity_logs.push(ActivityLog {
            id,
            board_id,
            created_at,
            event: event.to_string(),
            entity: entity.to_string(),
            user_id,
            data,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_at_has_17_digits() {
        let log = ActivityLog {
            id: log_id(1),
            board_id: 1,
            created_at: DateTime::from_timestamp(1_687_263_183, 741_976_800).unwrap(),
            event: "create_pulse".into(),
            entity: "pulse".into(),
            user_id: 1,
            data: json!({}),
        };
        assert_eq!(log.created_at_17(), "16872631837419768");
        assert_eq!(log_id(1).len(), 36);
    }
}
