//! The generated database: one container, one data source whose schema has every property
//! type of notion-api.md §2.1, and `database_rows` row pages (value shapes copied from
//! `F:hkob/query_data_source_limit_2.json`). Row 0 relates to 30 rows, over the 25 cap.

use serde_json::{json, Map, Value};

use super::generate::Gen;
use super::model::{DataSource, Database, Page, Parent};
use super::text::{self, marker, rt_text};

/// (name, type) of every column, title first.
const COLUMNS: &[(&str, &str)] = &[
    ("Name", "title"),
    ("Notes", "rich_text"),
    ("Estimate", "number"),
    ("Priority", "select"),
    ("Status", "status"),
    ("Tags", "multi_select"),
    ("Due", "date"),
    ("Assignees", "people"),
    ("Done", "checkbox"),
    ("Link", "url"),
    ("Email", "email"),
    ("Phone", "phone_number"),
    ("Attachments", "files"),
    ("Score", "formula"),
    ("Related", "relation"),
    ("Tag rollup", "rollup"),
    ("Created by", "created_by"),
    ("Edited by", "last_edited_by"),
    ("Created", "created_time"),
    ("Edited", "last_edited_time"),
    ("ID", "unique_id"),
    ("Verification", "verification"),
    ("Place", "place"),
    ("Action", "button"),
];

const PRIORITIES: &[(&str, &str)] = &[("High", "red"), ("Medium", "yellow"), ("Low", "gray")];
const STATUSES: &[(&str, &str)] = &[
    ("Not started", "default"),
    ("In progress", "blue"),
    ("Done", "green"),
];
const TAGS: &[(&str, &str)] = &[
    ("backend", "purple"),
    ("frontend", "pink"),
    ("infra", "brown"),
    ("docs", "orange"),
];

fn prop_id(i: usize) -> String {
    if i == 0 {
        return "title".into();
    }
    // Real ids are short url-encoded strings such as "%3CnJT".
    format!("p{}%3A{}", text::marker(i).get(2..5).unwrap_or("x"), i)
}

fn option(name: &str, color: &str) -> Value {
    let id = format!("opt-{}", name.to_lowercase().replace(' ', "-"));
    json!({"id": id, "name": name, "color": color})
}

/// A schema option (values omit `description`).
fn schema_option(name: &str, color: &str) -> Value {
    let mut o = option(name, color);
    o["description"] = Value::Null;
    o
}

fn options(list: &[(&str, &str)]) -> Value {
    json!({"options": list.iter().map(|(n, c)| schema_option(n, c)).collect::<Vec<_>>()})
}

impl Gen<'_> {
    /// Creates the database under `page` (a child_database block) with its rows.
    pub(super) fn database(&mut self, page: &str) {
        let db_id = self.rng.uuid();
        let ds_id = self.rng.uuid();
        let (created, edited) = self.stamp();
        let title = "Project tracker".to_string();
        self.ws.databases.insert(
            db_id.clone(),
            Database {
                id: db_id.clone(),
                parent: Parent::Page(page.to_string()),
                title: title.clone(),
                data_sources: vec![ds_id.clone()],
                is_inline: true,
                created,
                edited,
                in_trash: false,
                shared: true,
            },
        );
        self.ws.push_child(page, &db_id);
        let properties = schema(&db_id, &ds_id);
        self.ws.data_sources.insert(
            ds_id.clone(),
            DataSource {
                id: ds_id.clone(),
                database: db_id.clone(),
                title,
                properties,
                rows: Vec::new(),
                created,
                edited,
                in_search: true,
            },
        );
        self.ws.data_source_order.push(ds_id.clone());
        for i in 0..self.spec.database_rows {
            self.row(&db_id, &ds_id, i);
        }
        self.relate(&ds_id);
        self.ws.markers.database = Some(db_id);
        self.ws.markers.data_source = Some(ds_id);
    }

    fn row(&mut self, db: &str, ds: &str, i: usize) {
        let id = self.rng.uuid();
        let (created, edited) = self.stamp();
        let by = self.someone();
        let phrase = marker(self.ws.phrases.len());
        let props = self.row_values(i, &phrase);
        let in_search = !self.rng.chance(self.spec.search_omit_fraction);
        self.ws.phrases.insert(id.clone(), phrase.clone());
        self.ws.insert_page(Page {
            id: id.clone(),
            parent: Parent::DataSource {
                data_source: ds.to_string(),
                database: db.to_string(),
            },
            title_key: "Name".into(),
            properties: props,
            icon: Value::Null,
            created,
            edited,
            created_by: by.clone(),
            edited_by: by,
            children: Vec::new(),
            in_trash: false,
            shared: true,
            in_search,
        });
        if let Some(d) = self.ws.data_sources.get_mut(ds) {
            d.rows.push(id.clone());
        }
        if i.is_multiple_of(3) {
            let s = text::sentence(&mut self.rng, 5, 12);
            self.paragraph(&id, &s);
        }
    }

    fn row_values(&mut self, i: usize, phrase: &str) -> Map<String, Value> {
        let mut props = Map::new();
        for (n, (name, kind)) in COLUMNS.iter().enumerate() {
            let mut v = json!({"id": prop_id(n), "type": kind});
            v[*kind] = self.value(kind, i, phrase);
            if *kind == "relation" {
                v["has_more"] = json!(false);
            }
            props.insert(name.to_string(), v);
        }
        props
    }

    /// A value of one property type for row `i` (some rows get empty values).
    fn value(&mut self, kind: &str, i: usize, phrase: &str) -> Value {
        let empty = i % 7 == 6;
        match kind {
            "title" => json!([rt_text(&format!("Task {i} {}", text::title(&mut self.rng)))]),
            "rich_text" => json!([rt_text(&format!(
                "{} {phrase}",
                text::sentence(&mut self.rng, 3, 9)
            ))]),
            "number" if empty => Value::Null,
            "number" => json!((self.rng.below(1000) as f64) / 4.0),
            "select" if empty => Value::Null,
            "select" => option(PRIORITIES[i % 3].0, PRIORITIES[i % 3].1),
            "status" => option(STATUSES[i % 3].0, STATUSES[i % 3].1),
            "multi_select" => json!((0..i % 3)
                .map(|k| option(TAGS[(i + k) % 4].0, TAGS[(i + k) % 4].1))
                .collect::<Vec<_>>()),
            "date" if empty => Value::Null,
            "date" => {
                json!({"start": text::date(self.time + (i as i64) * 1440), "end": null, "time_zone": null})
            }
            "people" => self.people_value(i),
            "checkbox" => json!(i.is_multiple_of(2)),
            "url" if empty => Value::Null,
            "url" => json!(format!("https://example.com/tasks/{i}")),
            "email" if empty => Value::Null,
            "email" => json!(format!("task{i}@example.com")),
            "phone_number" if empty => Value::Null,
            "phone_number" => json!(format!("+1-555-{:04}", i)),
            "files" => json!([{"name": format!("spec-{i}.pdf"), "type": "external",
                "external": {"url": format!("https://example.com/spec-{i}.pdf")}}]),
            "formula" => json!({"type": "number", "number": (i * 2) as f64}),
            "relation" => json!([]),
            "rollup" => json!({"type": "array", "array": [{"type": "multi_select",
                "multi_select": [option(TAGS[i % 4].0, TAGS[i % 4].1)]}], "function": "show_original"}),
            "created_by" | "last_edited_by" => json!({}),
            "created_time" | "last_edited_time" => json!(""),
            "unique_id" => json!({"prefix": "TSK", "number": i + 1}),
            "verification" => {
                json!({"state": if i.is_multiple_of(2) { "verified" } else { "unverified" },
                "date": null, "verified_by": null})
            }
            "place" if empty => Value::Null,
            "place" => json!({"lat": 48.8566, "lon": 2.3522, "name": "Paris office",
                "address": "1 Rue de Rivoli, Paris"}),
            _ => json!({}),
        }
    }

    fn people_value(&mut self, i: usize) -> Value {
        let people: Vec<Value> = self
            .ws
            .users
            .iter()
            .filter(|u| u["type"] == "person")
            .cloned()
            .collect();
        if people.is_empty() {
            return json!([]);
        }
        json!([people[i % people.len()]])
    }

    /// Row k relates to row k+1; row 0 relates to up to 30 rows (over the 25 cap).
    fn relate(&mut self, ds: &str) {
        let rows = self.ws.data_sources[ds].rows.clone();
        let n = rows.len();
        for (k, row) in rows.iter().enumerate() {
            let targets: Vec<Value> = if k == 0 {
                rows.iter()
                    .skip(1)
                    .take(30)
                    .map(|r| json!({"id": r}))
                    .collect()
            } else if n > 1 {
                vec![json!({"id": rows[(k + 1) % n]})]
            } else {
                vec![]
            };
            if let Some(p) = self.ws.pages.get_mut(row) {
                p.properties["Related"]["relation"] = json!(targets);
            }
        }
    }
}

/// The schema object of the data source.
fn schema(db: &str, ds: &str) -> Map<String, Value> {
    let mut props = Map::new();
    for (n, (name, kind)) in COLUMNS.iter().enumerate() {
        let config = match *kind {
            "number" => json!({"format": "number"}),
            "select" => options(PRIORITIES),
            "status" => options(STATUSES),
            "multi_select" => options(TAGS),
            "formula" => json!({"expression": "prop(\"Estimate\") * 2"}),
            "relation" => json!({"database_id": db, "data_source_id": ds,
                "type": "single_property", "single_property": {}}),
            "rollup" => json!({"rollup_property_name": "Tags", "relation_property_name": "Related",
                "rollup_property_id": prop_id(5), "relation_property_id": prop_id(14),
                "function": "show_original"}),
            "unique_id" => json!({"prefix": "TSK"}),
            _ => json!({}),
        };
        let mut v = json!({"id": prop_id(n), "name": name, "description": null, "type": kind});
        v[*kind] = config;
        props.insert(name.to_string(), v);
    }
    props
}
