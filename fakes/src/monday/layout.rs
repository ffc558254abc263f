//! Layout of generated boards: their groups and columns (one column of every common type,
//! with monday-style ids and `settings`). Pure data builders used by [`super::generate()`].

use serde_json::{json, Value};

use super::model::{Column, Group};
use super::vocab::{DROPDOWN_LABELS, GROUPS, PRIORITY_LABELS, STATUS_LABELS};

/// The first `n` groups (the first one has monday's default id `topics`).
pub fn groups(n: usize) -> Vec<Group> {
    GROUPS
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, (title, color))| Group {
            id: if i == 0 {
                "topics".into()
            } else {
                format!("group_{}", title.to_lowercase().replace(' ', "_"))
            },
            title: title.to_string(),
            color: color.to_string(),
            position: format!("{}.0", 65_536 * (i + 1)),
        })
        .collect()
}

fn column(id: &str, title: &str, col_type: &str, settings: Value) -> Column {
    Column {
        id: id.into(),
        title: title.into(),
        col_type: col_type.into(),
        description: None,
        settings,
        width: None,
    }
}

fn status_settings(labels: &[&str]) -> Value {
    let map: serde_json::Map<String, Value> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), json!(l)))
        .collect();
    json!({"labels": map, "done_colors": [1], "hide_footer": false})
}

/// The columns of a regular board: `name` first, then one of every common type.
pub fn content_columns(with_subitems: bool) -> Vec<Column> {
    let dropdown: Vec<Value> = DROPDOWN_LABELS
        .iter()
        .enumerate()
        .map(|(i, l)| json!({"id": i + 1, "name": l}))
        .collect();
    let mut cols = vec![
        column("name", "Name", "name", json!({})),
        column("status", "Status", "status", status_settings(STATUS_LABELS)),
        column(
            "priority",
            "Priority",
            "status",
            status_settings(PRIORITY_LABELS),
        ),
        column("person", "Owner", "people", json!({})),
        column("date", "Due date", "date", json!({})),
        column("timeline", "Timeline", "timeline", json!({})),
        column("text", "Reference", "text", json!({})),
        column("notes", "Notes", "long_text", json!({})),
        column(
            "numbers",
            "Estimate (h)",
            "numbers",
            json!({"unit": {"symbol": "h"}}),
        ),
        column(
            "dropdown",
            "Platform",
            "dropdown",
            json!({"labels": dropdown}),
        ),
        column("tags", "Tags", "tags", json!({})),
        column("email", "Contact email", "email", json!({})),
        column("phone", "Phone", "phone", json!({})),
        column("link", "Link", "link", json!({})),
        column("checkbox", "Approved", "checkbox", json!({})),
        column("rating", "Rating", "rating", json!({"limit": 5})),
        column("country", "Country", "country", json!({})),
        column("location", "Office", "location", json!({})),
        column("hour", "Meeting time", "hour", json!({})),
        column("world_clock", "Time zone", "world_clock", json!({})),
        column("week", "Week", "week", json!({})),
        column("files", "Files", "file", json!({})),
        column(
            "relation",
            "Related items",
            "board_relation",
            json!({"allowMultipleItems": true}),
        ),
        column(
            "mirror",
            "Related status",
            "mirror",
            json!({"relation_column": {"relation": true}}),
        ),
        column("dependency", "Depends on", "dependency", json!({})),
        column(
            "formula",
            "Estimate with buffer",
            "formula",
            json!({"formula": "{numbers}*1.2"}),
        ),
    ];
    if with_subitems {
        cols.insert(
            1,
            column(
                "subitems",
                "Subitems",
                "subtasks",
                json!({"allowMultipleItems": true}),
            ),
        );
    }
    cols[7].description = Some("Free-form notes".into());
    cols
}
