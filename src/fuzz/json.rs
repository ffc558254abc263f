//! Structure-aware JSON inputs: a seed object from the recorded API responses, changed by a
//! generated list of [`Mutation`]s. Each mutation picks a node by its pre-order number (modulo
//! the node count), so every generated list applies to every seed.

use bolero::generator::TypeGenerator;
use serde_json::{json, Value};

/// Type names the flatteners branch on besides the Notion block types
/// ([`trove_fakes::notion::BLOCK_TYPES`]): child pages and databases, properties, rich text,
/// mentions, and monday column types.
const OTHER_TYPES: &[&str] = &[
    "child_page",
    "child_database",
    "title",
    "rich_text",
    "number",
    "select",
    "multi_select",
    "status",
    "date",
    "people",
    "files",
    "checkbox",
    "url",
    "email",
    "phone_number",
    "formula",
    "relation",
    "rollup",
    "created_time",
    "created_by",
    "last_edited_time",
    "last_edited_by",
    "unique_id",
    "verification",
    "button",
    "text",
    "mention",
    "user",
    "page",
    "database",
    "template_mention",
    "array",
    "string",
    "boolean",
    "long_text",
    "board_relation",
    "mirror",
    "dropdown",
    "timeline",
    "doc",
    "subtasks",
    "color",
    "tags",
    "numbers",
    "location",
    "world_clock",
];

/// A `type` a mutation may give any object: a block type or one of [`OTHER_TYPES`].
fn type_name(n: u8) -> &'static str {
    let blocks = trove_fakes::notion::BLOCK_TYPES;
    let n = usize::from(n) % (blocks.len() + OTHER_TYPES.len());
    blocks
        .get(n)
        .unwrap_or_else(|| &OTHER_TYPES[n - blocks.len()])
}

/// One change to a JSON value.
#[derive(Debug, Clone, TypeGenerator)]
pub enum Mutation {
    SetString(u16, String),
    SetNumber(u16, i64),
    SetFloat(u16, f64),
    SetBool(u16, bool),
    SetNull(u16),
    SetType(u16, u8),
    RemoveKey(u16, u8),
    EmptyArray(u16),
    EmptyObject(u16),
    WrapInArray(u16),
    Duplicate(u16),
}

/// Applies `mutations` to a copy of `seed`.
pub fn mutate(seed: &Value, mutations: &[Mutation]) -> Value {
    let mut v = seed.clone();
    for m in mutations {
        apply(&mut v, m);
    }
    v
}

fn apply(root: &mut Value, m: &Mutation) {
    let count = count_nodes(root).max(1);
    let at = |n: u16| usize::from(n) % count;
    match m {
        Mutation::SetString(n, s) => with_node(root, at(*n), &mut |v| *v = json!(s)),
        Mutation::SetNumber(n, x) => with_node(root, at(*n), &mut |v| *v = json!(x)),
        Mutation::SetFloat(n, x) => with_node(root, at(*n), &mut |v| *v = json!(x)),
        Mutation::SetBool(n, b) => with_node(root, at(*n), &mut |v| *v = json!(b)),
        Mutation::SetNull(n) => with_node(root, at(*n), &mut |v| *v = Value::Null),
        Mutation::SetType(n, t) => with_node(root, at(*n), &mut |v| {
            if let Some(o) = v.as_object_mut() {
                o.insert("type".into(), json!(type_name(*t)));
            }
        }),
        Mutation::RemoveKey(n, k) => with_node(root, at(*n), &mut |v| {
            if let Some(o) = v.as_object_mut() {
                if let Some(key) = o.keys().nth(usize::from(*k) % o.len().max(1)).cloned() {
                    o.remove(&key);
                }
            }
        }),
        Mutation::EmptyArray(n) => with_node(root, at(*n), &mut |v| *v = json!([])),
        Mutation::EmptyObject(n) => with_node(root, at(*n), &mut |v| *v = json!({})),
        Mutation::WrapInArray(n) => with_node(root, at(*n), &mut |v| *v = json!([v.take()])),
        Mutation::Duplicate(n) => with_node(root, at(*n), &mut |v| {
            if let Some(a) = v.as_array_mut() {
                if let Some(first) = a.first().cloned() {
                    a.push(first);
                }
            }
        }),
    }
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Calls `f` on the node numbered `target` in pre-order; returns the nodes counted.
fn with_node(v: &mut Value, target: usize, f: &mut dyn FnMut(&mut Value)) {
    fn walk(v: &mut Value, target: usize, seen: &mut usize, f: &mut dyn FnMut(&mut Value)) -> bool {
        if *seen == target {
            f(v);
            return true;
        }
        *seen += 1;
        let children: Vec<&mut Value> = match v {
            Value::Array(a) => a.iter_mut().collect(),
            Value::Object(o) => o.values_mut().collect(),
            _ => Vec::new(),
        };
        children.into_iter().any(|c| walk(c, target, seen, f))
    }
    walk(v, target, &mut 0, f);
}

/// Every JSON file under the fixtures folder `rel`, parsed (unparsable files left out).
pub fn fixture_values(rel: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut dirs = vec![trove_fakes::fixtures::path(rel)];
    while let Some(dir) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "json") {
                if let Ok(v) = std::fs::read_to_string(&p).map(|t| serde_json::from_str(&t)) {
                    out.extend(v.ok());
                }
            }
        }
    }
    out
}

/// Every object under `v` (itself included) for which `keep` holds, looking inside strings
/// that hold JSON too (recorded cassettes keep response bodies as text).
pub fn objects_where(v: &Value, keep: &dyn Fn(&Value) -> bool, out: &mut Vec<Value>) {
    if v.is_object() && keep(v) {
        out.push(v.clone());
    }
    match v {
        Value::Array(a) => a.iter().for_each(|c| objects_where(c, keep, out)),
        Value::Object(o) => o.values().for_each(|c| objects_where(c, keep, out)),
        Value::String(s) if s.trim_start().starts_with(['{', '[']) => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                objects_where(&inner, keep, out);
            }
        }
        _ => {}
    }
}
