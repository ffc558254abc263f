//! Column value semantics: how a cell's display `text` maps to its JSON `value`, per column
//! type, following ../shared/docs/monday-api.md §2.3 (real `text`/`value` pairs).
//!
//! [`cell_from_text`] is used both by the generator and by the `set_column_text` mutation, so
//! generated and edited cells always agree. Empty cells come from [`empty_cell`]: `text` is
//! `""` for most types and `null` for status, dropdown, mirror, board_relation, dependency and
//! subtasks; `value` is `null`. [`value_type_name`] gives the `…Value` GraphQL type of a column.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

use super::model::{fmt_time, Account, Cell, Column};
use super::vocab::{CITIES, COUNTRIES};

/// Column types whose `text` is `null` when empty (or always, for the linked types).
const NULL_TEXT_TYPES: &[&str] = &[
    "status",
    "dropdown",
    "color_picker",
    "mirror",
    "board_relation",
    "dependency",
    "subtasks",
];

/// The `ColumnValue` implementation served for a column type.
pub fn value_type_name(col_type: &str) -> &'static str {
    match col_type {
        "text" => "TextValue",
        "long_text" => "LongTextValue",
        "numbers" => "NumbersValue",
        "status" => "StatusValue",
        "dropdown" => "DropdownValue",
        "date" => "DateValue",
        "people" => "PeopleValue",
        "email" => "EmailValue",
        "phone" => "PhoneValue",
        "link" => "LinkValue",
        "checkbox" => "CheckboxValue",
        "timeline" => "TimelineValue",
        "tags" => "TagsValue",
        "rating" => "RatingValue",
        "country" => "CountryValue",
        "hour" => "HourValue",
        "location" => "LocationValue",
        "world_clock" => "WorldClockValue",
        "week" => "WeekValue",
        "file" => "FileValue",
        "mirror" => "MirrorValue",
        "board_relation" => "BoardRelationValue",
        "dependency" => "DependencyValue",
        "formula" => "FormulaValue",
        "subtasks" => "SubtasksValue",
        _ => "TextValue",
    }
}

/// The cell of an empty column of type `col_type`.
pub fn empty_cell(col_type: &str) -> Cell {
    let text = (!NULL_TEXT_TYPES.contains(&col_type)).then(String::new);
    let display_value = matches!(
        col_type,
        "mirror" | "board_relation" | "dependency" | "formula" | "subtasks"
    )
    .then(String::new);
    Cell {
        text,
        display_value,
        ..Cell::default()
    }
}

fn cell(text: &str, value: Value) -> Option<Cell> {
    Some(Cell {
        text: Some(text.to_string()),
        value: Some(value),
        ..Cell::default()
    })
}

/// Builds the cell a column of `col`'s type shows for display text `text`, or `None` when the
/// text is not valid for the type (unknown status label, bad date, …) or the type is computed
/// (mirror, relations, formula, subtasks). An empty `text` empties the cell.
pub fn cell_from_text(
    acc: &mut Account,
    col: &Column,
    text: &str,
    now: DateTime<Utc>,
) -> Option<Cell> {
    if text.is_empty() {
        return Some(empty_cell(&col.col_type));
    }
    let at = fmt_time(now);
    match col.col_type.as_str() {
        "text" => cell(text, json!(text)),
        "numbers" => {
            text.parse::<f64>().ok()?;
            cell(text, json!(text))
        }
        "long_text" => cell(text, json!({"text": text, "changed_at": at})),
        "email" => cell(text, json!({"email": text, "text": text, "changed_at": at})),
        "phone" => cell(
            text,
            json!({"phone": text, "countryShortName": "US", "changed_at": at}),
        ),
        "world_clock" => cell(text, json!({"timezone": text, "changed_at": at})),
        "status" => status_cell(col, text, &at),
        "dropdown" => dropdown_cell(col, text, &at),
        "people" => people_cell(acc, text, &at),
        "tags" => tags_cell(acc, text),
        "date" => {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
            cell(text, json!({"date": text, "icon": null, "changed_at": at}))
        }
        "timeline" => {
            let (from, to) = date_range(text)?;
            cell(
                text,
                json!({"from": from, "to": to, "visualization_type": null, "changed_at": at}),
            )
        }
        "week" => {
            let (from, to) = date_range(text)?;
            cell(text, json!({"week": {"startDate": from, "endDate": to}}))
        }
        other => cell_from_text_misc(other, text, &at),
    }
}

fn cell_from_text_misc(col_type: &str, text: &str, at: &str) -> Option<Cell> {
    match col_type {
        "checkbox" => {
            (text == "v").then(|| cell(text, json!({"checked": "true", "changed_at": at})))?
        }
        "rating" => {
            let r: u8 = text.parse().ok().filter(|r| (1..=5).contains(r))?;
            cell(text, json!({"rating": r, "changed_at": at}))
        }
        "hour" => {
            let (h, m) = text.split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            cell(text, json!({"hour": h, "minute": m, "changed_at": at}))
        }
        "country" => {
            let (code, name) = COUNTRIES.iter().find(|(_, n)| *n == text)?;
            cell(
                text,
                json!({"countryCode": code, "countryName": name, "changed_at": at}),
            )
        }
        "location" => {
            let (lat, lng) = CITIES
                .iter()
                .find(|(name, ..)| text.starts_with(name))
                .map(|(_, lat, lng, _)| (*lat, *lng))
                .unwrap_or((0.0, 0.0));
            let v = json!({"lat": lat.to_string(), "lng": lng.to_string(), "address": text, "placeId": null, "changed_at": at});
            cell(text, v)
        }
        "link" => {
            let (url, label) = text.split_once(" - ").unwrap_or((text, text));
            cell(text, json!({"url": url, "text": label, "changed_at": at}))
        }
        "file" => file_cell(text),
        _ => None,
    }
}

fn date_range(text: &str) -> Option<(String, String)> {
    let (a, b) = text.split_once(" - ")?;
    NaiveDate::parse_from_str(a, "%Y-%m-%d").ok()?;
    NaiveDate::parse_from_str(b, "%Y-%m-%d").ok()?;
    Some((a.to_string(), b.to_string()))
}

fn status_cell(col: &Column, text: &str, at: &str) -> Option<Cell> {
    let labels = col.settings.get("labels")?.as_object()?;
    let (index, _) = labels.iter().find(|(_, l)| l.as_str() == Some(text))?;
    let index: u64 = index.parse().ok()?;
    cell(
        text,
        json!({"index": index, "post_id": null, "changed_at": at}),
    )
}

/// The status label of `index` in `col`'s settings.
pub fn status_label(col: &Column, index: u64) -> Option<String> {
    let labels = col.settings.get("labels")?;
    labels.get(index.to_string())?.as_str().map(str::to_string)
}

fn dropdown_cell(col: &Column, text: &str, at: &str) -> Option<Cell> {
    let options = col.settings.get("labels")?.as_array()?;
    let ids = text
        .split(", ")
        .map(|name| {
            let opt = options.iter().find(|o| o["name"].as_str() == Some(name))?;
            opt["id"].as_u64()
        })
        .collect::<Option<Vec<u64>>>()?;
    cell(text, json!({"ids": ids, "changed_at": at}))
}

fn people_cell(acc: &Account, text: &str, at: &str) -> Option<Cell> {
    let persons = text
        .split(", ")
        .map(|name| {
            let u = acc.users.iter().find(|u| u.name == name)?;
            Some(json!({"id": u.id, "kind": "person"}))
        })
        .collect::<Option<Vec<Value>>>()?;
    cell(text, json!({"changed_at": at, "personsAndTeams": persons}))
}

fn tags_cell(acc: &mut Account, text: &str) -> Option<Cell> {
    let mut ids = vec![];
    for name in text.split(", ") {
        let id = match acc.tags.iter().find(|t| t.name == name) {
            Some(t) => t.id,
            None => {
                let id = acc.new_id();
                acc.tags.push(super::model::Tag {
                    id,
                    name: name.to_string(),
                });
                id
            }
        };
        ids.push(id);
    }
    cell(text, json!({"tag_ids": ids}))
}

fn file_cell(text: &str) -> Option<Cell> {
    let files: Vec<Value> = text
        .split(", ")
        .map(|url| {
            let name = url.rsplit('/').next().unwrap_or(url);
            let asset = url
                .rsplit('/')
                .find_map(|seg| seg.parse::<u64>().ok())
                .unwrap_or(1);
            json!({"name": name, "assetId": asset, "isImage": "false", "fileType": "ASSET"})
        })
        .collect();
    cell(text, json!({"files": files}))
}

/// A board_relation / dependency cell linking `linked` items (id, name): `text` null,
/// `display_value` the names joined by `, `.
pub fn relation_cell(linked: &[(u64, String)], at: &str) -> Cell {
    let ids: Vec<Value> = linked
        .iter()
        .map(|(id, _)| json!({"linkedPulseId": id}))
        .collect();
    Cell {
        text: None,
        value: (!linked.is_empty()).then(|| json!({"changed_at": at, "linkedPulseIds": ids})),
        display_value: Some(join_names(linked)),
        linked_item_ids: linked.iter().map(|(id, _)| *id).collect(),
    }
}

/// A subtasks (subitems) column cell.
pub fn subtasks_cell(subitems: &[(u64, String)], at: &str) -> Cell {
    let mut c = relation_cell(subitems, at);
    c.linked_item_ids.clear();
    c
}

/// A mirror cell: `text` and `value` null, the mirrored texts in `display_value`.
pub fn mirror_cell(display: &str) -> Cell {
    Cell {
        display_value: Some(display.to_string()),
        ..Cell::default()
    }
}

/// A formula cell: `value` null, `text` empty, the result in `display_value`.
pub fn formula_cell(display: &str) -> Cell {
    Cell {
        text: Some(String::new()),
        display_value: Some(display.to_string()),
        ..Cell::default()
    }
}

fn join_names(linked: &[(u64, String)]) -> String {
    linked
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Plain text of an update body, as monday's `text_body`: tags dropped, block ends become
/// spaces, common entities decoded, the BOM kept out.
pub fn html_to_text(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "p",
        "br",
        "li",
        "ul",
        "ol",
        "div",
        "h1",
        "h2",
        "h3",
        "blockquote",
    ];
    let mut out = String::new();
    let mut tag: Option<String> = None;
    for ch in html.chars() {
        match (&mut tag, ch) {
            (None, '<') => tag = Some(String::new()),
            (Some(t), '>') => {
                let name: String = t
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect();
                if BLOCKS.contains(&name.to_ascii_lowercase().as_str()) {
                    out.push(' ');
                }
                tag = None;
            }
            (Some(t), c) => t.push(c),
            (None, '\u{feff}') => {}
            (None, c) => out.push(c),
        }
    }
    let out = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_is_null_for_status_and_linked_types() {
        assert_eq!(empty_cell("status").text, None);
        assert_eq!(empty_cell("mirror").text, None);
        assert_eq!(empty_cell("text").text.as_deref(), Some(""));
        assert_eq!(empty_cell("numbers").value, None);
    }

    #[test]
    fn html_to_text_strips_tags_and_bom() {
        let t = html_to_text(
            "<p>\u{feff}Hi <b>there</b> &amp; <a href=\"x\">@Ann</a></p><ul><li>one</li></ul>",
        );
        assert_eq!(t, "Hi there & @Ann one");
    }
}
