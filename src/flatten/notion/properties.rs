//! Page properties → `Name: value` lines and tags (../shared/docs/notion-api.md §2.1).
//!
//! Every documented property type has a rendering; empty values (`null`, `[]`, `""`) produce no
//! line. `select`, `multi_select` and `status` values are also returned as tags. Unknown types are
//! skipped and counted; `button` has no value and is skipped silently.

use serde_json::Value;

use super::{rich_text, str_at, Flat, Lookup};

/// Rendered properties: one `Name: value` line per non-empty property, and tags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Properties {
    pub lines: Vec<String>,
    pub tags: Vec<String>,
}

/// Renders a page's `properties` object. Properties of type `title` are skipped when
/// `skip_title` is set (the title is the document title already).
pub fn flatten_properties(props: &Value, lookup: &Lookup, skip_title: bool) -> Flat<Properties> {
    let mut out = Flat::<Properties>::default();
    let Some(map) = props.as_object() else {
        return out;
    };
    for (name, prop) in map {
        if skip_title && str_at(prop, "type") == Some("title") {
            continue;
        }
        out.value.tags.extend(tags_of(prop));
        let value = property_value(prop, lookup);
        out.unknown += value.unknown;
        if let Some(v) = value.value.filter(|v| !v.trim().is_empty()) {
            out.value.lines.push(format!("{name}: {v}"));
        }
    }
    out
}

/// Select, multi-select and status option names of one property.
fn tags_of(prop: &Value) -> Vec<String> {
    let ty = str_at(prop, "type").unwrap_or("");
    let v = prop.get(ty).unwrap_or(&Value::Null);
    match ty {
        "select" | "status" => str_at(v, "name").map(str::to_owned).into_iter().collect(),
        "multi_select" => option_names(v),
        _ => Vec::new(),
    }
}

fn option_names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| str_at(o, "name").map(str::to_owned))
        .collect()
}

/// The text of one property value (`{type, <type>: …}`), `None` when empty.
pub fn property_value(prop: &Value, lookup: &Lookup) -> Flat<Option<String>> {
    let ty = str_at(prop, "type").unwrap_or("");
    let v = prop.get(ty).unwrap_or(&Value::Null);
    let some = |s: String| Flat {
        value: Some(s),
        unknown: 0,
    };
    match ty {
        "title" | "rich_text" => {
            let t = rich_text(v);
            Flat {
                value: Some(t.value),
                unknown: t.unknown,
            }
        }
        "number" => Flat {
            value: v.as_f64().map(format_number),
            unknown: 0,
        },
        "select" | "status" => Flat {
            value: str_at(v, "name").map(str::to_owned),
            unknown: 0,
        },
        "multi_select" => some(option_names(v).join(", ")),
        "date" => Flat {
            value: date(v),
            unknown: 0,
        },
        "people" => some(people(v, lookup)),
        "created_by" | "last_edited_by" => Flat {
            value: lookup.user_name(v),
            unknown: 0,
        },
        "checkbox" => Flat {
            value: v.as_bool().map(|b| if b { "Yes" } else { "No" }.to_owned()),
            unknown: 0,
        },
        "url" | "email" | "phone_number" | "created_time" | "last_edited_time" => Flat {
            value: v.as_str().map(str::to_owned),
            unknown: 0,
        },
        "files" => some(files(v)),
        "formula" => formula(v),
        "relation" => some(relation(v, lookup)),
        "rollup" => rollup(v, lookup),
        "unique_id" => Flat {
            value: unique_id(v),
            unknown: 0,
        },
        "verification" => Flat {
            value: str_at(v, "state").map(str::to_owned),
            unknown: 0,
        },
        "place" => Flat {
            value: place(v),
            unknown: 0,
        },
        "button" => Flat::default(),
        _ => Flat {
            value: None,
            unknown: 1,
        },
    }
}

/// `1.5` → `1.5`, `3.0` → `3`.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `start` or `start → end`.
fn date(v: &Value) -> Option<String> {
    let start = str_at(v, "start")?;
    Some(match str_at(v, "end") {
        Some(end) => format!("{start} → {end}"),
        None => start.to_owned(),
    })
}

fn people(v: &Value, lookup: &Lookup) -> String {
    let names: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| lookup.user_name(u))
        .collect();
    names.join(", ")
}

fn files(v: &Value) -> String {
    let names: Vec<&str> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| str_at(f, "name"))
        .collect();
    names.join(", ")
}

fn formula(v: &Value) -> Flat<Option<String>> {
    let ty = str_at(v, "type").unwrap_or("");
    let inner = v.get(ty).unwrap_or(&Value::Null);
    let value = match ty {
        "string" => inner.as_str().map(str::to_owned),
        "number" => inner.as_f64().map(format_number),
        "boolean" => inner
            .as_bool()
            .map(|b| if b { "Yes" } else { "No" }.to_owned()),
        "date" => date(inner),
        _ => None,
    };
    let known = matches!(ty, "string" | "number" | "boolean" | "date" | "unsupported");
    Flat {
        value,
        unknown: u64::from(!known),
    }
}

/// Resolved titles of related pages (ids alone are useless to search for).
fn relation(v: &Value, lookup: &Lookup) -> String {
    let titles: Vec<&str> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| str_at(r, "id").and_then(|id| lookup.title(id)))
        .collect();
    titles.join(", ")
}

/// A rollup: a number, a date, or an array of property values (rendered recursively; arrays
/// of property values cannot nest further, so the recursion is one level deep).
fn rollup(v: &Value, lookup: &Lookup) -> Flat<Option<String>> {
    let ty = str_at(v, "type").unwrap_or("");
    let inner = v.get(ty).unwrap_or(&Value::Null);
    match ty {
        "number" => Flat {
            value: inner.as_f64().map(format_number),
            unknown: 0,
        },
        "date" => Flat {
            value: date(inner),
            unknown: 0,
        },
        "array" => {
            let mut out = Flat::<Option<String>>::default();
            let parts: Vec<String> = inner
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| {
                    let p = property_value(item, lookup);
                    out.unknown += p.unknown;
                    p.value.filter(|s| !s.is_empty())
                })
                .collect();
            out.value = Some(parts.join(", "));
            out
        }
        "unsupported" | "incomplete" => Flat::default(),
        _ => Flat {
            value: None,
            unknown: 1,
        },
    }
}

/// `PREFIX-NUM` or `NUM`.
fn unique_id(v: &Value) -> Option<String> {
    let n = v.get("number").and_then(Value::as_i64)?;
    Some(match str_at(v, "prefix") {
        Some(p) if !p.is_empty() => format!("{p}-{n}"),
        _ => n.to_string(),
    })
}

/// A place's name and address.
fn place(v: &Value) -> Option<String> {
    let parts: Vec<&str> = ["name", "address"]
        .iter()
        .filter_map(|k| str_at(v, k))
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}
