//! Notion databases of the company: meeting notes (date, attendees, decisions, related
//! project), OKRs, and the project tracker (owners, target dates, relations to meetings and
//! to other projects). [`Table`] builds one database with its data source; rows are pages
//! whose property values are shaped like `F:hkob/query_data_source_limit_2.json`.

use serde_json::{json, Map, Value};

use super::notion_build::{minutes, NotionBuilder};
use super::uuid_for;
use crate::notion::text::rt_text;
use crate::notion::{DataSource, Database, Parent};

/// A column: name, Notion property type, and options for select-like types.
pub type ColumnSpec = (&'static str, &'static str, &'static [&'static str]);

/// One database with a single data source.
pub struct Table {
    pub db: String,
    pub ds: String,
    columns: Vec<ColumnSpec>,
    rows: usize,
}

const COLORS: &[&str] = &[
    "blue", "green", "yellow", "red", "purple", "gray", "orange", "pink",
];

fn prop_id(i: usize) -> String {
    if i == 0 {
        "title".into()
    } else {
        format!("k{i:02}%3A")
    }
}

/// A select, status or multi-select option value.
pub fn option(name: &str) -> Value {
    let color = COLORS[name.bytes().map(usize::from).sum::<usize>() % COLORS.len()];
    json!({"id": format!("opt-{}", name.to_lowercase().replace(' ', "-")), "name": name, "color": color})
}

fn config(kind: &str, options: &[&str], db: &str, ds: &str, targets: &[(String, String)]) -> Value {
    match kind {
        "select" | "status" | "multi_select" => {
            let opts: Vec<Value> = options
                .iter()
                .map(|o| {
                    let mut v = option(o);
                    v["description"] = Value::Null;
                    v
                })
                .collect();
            json!({ "options": opts })
        }
        "number" => json!({"format": "number"}),
        "relation" => {
            let (tdb, tds) = targets
                .iter()
                .find(|(d, _)| {
                    options
                        .first()
                        .is_some_and(|o| uuid_for(&format!("db/{o}")) == *d)
                })
                .cloned()
                .unwrap_or((db.to_string(), ds.to_string()));
            json!({"database_id": tdb, "data_source_id": tds, "type": "single_property", "single_property": {}})
        }
        "unique_id" => json!({"prefix": options.first().copied().unwrap_or("ID")}),
        _ => json!({}),
    }
}

impl Table {
    /// Creates database `key` titled `title` under page `parent`. For `relation` columns the
    /// first option names the key of the target database (itself when absent).
    pub fn create(
        b: &mut NotionBuilder,
        key: &str,
        parent: &str,
        title: &str,
        columns: &[ColumnSpec],
        day: &str,
    ) -> Table {
        let db = uuid_for(&format!("db/{key}"));
        let ds = uuid_for(&format!("ds/{key}"));
        let at = minutes(day);
        let targets: Vec<(String, String)> = columns
            .iter()
            .filter(|c| c.1 == "relation")
            .filter_map(|c| c.2.first())
            .map(|t| (uuid_for(&format!("db/{t}")), uuid_for(&format!("ds/{t}"))))
            .collect();
        let mut props = Map::new();
        for (i, (name, kind, options)) in columns.iter().enumerate() {
            let mut v = json!({"id": prop_id(i), "name": name, "description": null, "type": kind});
            v[*kind] = config(kind, options, &db, &ds, &targets);
            props.insert(name.to_string(), v);
        }
        b.ws.databases.insert(
            db.clone(),
            Database {
                id: db.clone(),
                parent: Parent::Page(parent.to_string()),
                title: title.to_string(),
                data_sources: vec![ds.clone()],
                is_inline: false,
                created: at,
                edited: at,
                in_trash: false,
                shared: true,
            },
        );
        b.ws.push_child(parent, &db);
        b.ws.data_sources.insert(
            ds.clone(),
            DataSource {
                id: ds.clone(),
                database: db.clone(),
                title: title.to_string(),
                properties: props,
                rows: Vec::new(),
                created: at,
                edited: at,
                in_search: true,
            },
        );
        b.ws.data_source_order.push(ds.clone());
        Table {
            db,
            ds,
            columns: columns.to_vec(),
            rows: 0,
        }
    }

    /// Adds row page `key`. `values` maps column names to the inner value of their type
    /// (`[rich text]`, an option, `{"start": …}`, …); missing columns stay empty.
    pub fn row(
        &mut self,
        b: &mut NotionBuilder,
        key: &str,
        values: Vec<(&str, Value)>,
        author: &str,
        day: &str,
        body: &str,
    ) -> String {
        self.rows += 1;
        let mut props = Map::new();
        for (i, (name, kind, _)) in self.columns.iter().enumerate() {
            let given = values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone());
            let value = match (given, *kind) {
                (Some(v), _) => v,
                (None, "unique_id") => json!({"prefix": self.prefix(), "number": self.rows}),
                (None, "created_by" | "last_edited_by") => json!({}),
                (None, "created_time" | "last_edited_time") => json!(""),
                (None, "multi_select" | "people" | "relation" | "rich_text" | "title") => json!([]),
                (None, "checkbox") => json!(false),
                (None, _) => Value::Null,
            };
            let mut v = json!({"id": prop_id(i), "type": kind});
            v[*kind] = value;
            if *kind == "relation" {
                v["has_more"] = json!(false);
            }
            props.insert(name.to_string(), v);
        }
        let title_col = self.columns[0].0;
        let parent = Parent::DataSource {
            data_source: self.ds.clone(),
            database: self.db.clone(),
        };
        let id = b.page(key, parent, title_col, props, author, minutes(day));
        if let Some(d) = b.ws.data_sources.get_mut(&self.ds) {
            d.rows.push(id.clone());
        }
        b.content(&id, body);
        id
    }

    fn prefix(&self) -> &'static str {
        self.columns
            .iter()
            .find(|c| c.1 == "unique_id")
            .and_then(|c| c.2.first().copied())
            .unwrap_or("ID")
    }
}

/// `[rich text]` of plain text.
pub fn text(s: &str) -> Value {
    json!([rt_text(s)])
}

/// A date value.
pub fn date(day: &str) -> Value {
    json!({"start": day, "end": null, "time_zone": null})
}

/// A people value for these names.
pub fn people(b: &NotionBuilder, names: &[&str]) -> Value {
    Value::Array(names.iter().map(|n| b.user_json(n)).collect())
}

/// A relation value pointing at these page keys.
pub fn relation(keys: &[&str]) -> Value {
    Value::Array(
        keys.iter()
            .map(|k| json!({"id": uuid_for(&format!("page/{k}"))}))
            .collect(),
    )
}

/// A multi-select value.
pub fn multi(names: &[&str]) -> Value {
    Value::Array(names.iter().map(|n| option(n)).collect())
}
