//! Block builders for the generator: text blocks, random blocks for ordinary pages, and the
//! showcase page that holds one block of every type of notion-api.md §2 (payload shapes copied
//! from `F:hkob/retrieve_block_*.json`), including synced blocks whose original is unshared.

use serde_json::{json, Value};

use super::generate::Gen;
use super::model::Parent;
use super::text::{self, rt_bold, rt_date, rt_equation, rt_link, rt_page, rt_text, rt_user};

const LANGUAGES: &[&str] = &["rust", "python", "shell", "sql", "javascript", "plain text"];
const EMOJIS: &[&str] = &["💡", "✅", "⚠️", "📌", "🚀"];

impl Gen<'_> {
    /// `{"rich_text": rt, "color": "default"}`.
    pub(super) fn rich(rt: Vec<Value>) -> Value {
        json!({"rich_text": rt, "color": "default"})
    }

    /// A paragraph with plain text.
    pub(super) fn paragraph(&mut self, parent: &str, s: &str) -> String {
        self.add_block(parent, "paragraph", Self::rich(vec![rt_text(s)]))
    }

    /// A block whose payload is just rich text + color (lists, quote, toggle).
    pub(super) fn text_block(&mut self, parent: &str, kind: &str, s: &str) -> String {
        self.add_block(parent, kind, Self::rich(vec![rt_text(s)]))
    }

    /// Rich text mixing plain, bold, link, user/page/date mentions and an equation.
    fn mixed_rich_text(&mut self) -> Vec<Value> {
        let user = self.ws.users[self.rng.below(self.ws.users.len().max(1))].clone();
        let mut rt = vec![
            rt_text(&format!("{} ", text::sentence(&mut self.rng, 3, 7))),
            rt_bold(text::word(&mut self.rng)),
            rt_text(" with "),
            rt_user(&user),
            rt_text(", see "),
        ];
        if let Some(target) = self.random_page() {
            let title = self.ws.page_title(&target);
            rt.push(rt_page(&target, &title));
        }
        let day = text::date(self.ws.clock + self.rng.below(40_000) as i64);
        rt.extend([
            rt_text(" due "),
            rt_date(&day),
            rt_text(", where "),
            rt_equation("E = mc^2"),
            rt_text(" and "),
            rt_link("the docs", "https://example.com/docs"),
            rt_text("."),
        ]);
        rt
    }

    fn random_page(&mut self) -> Option<String> {
        if self.ws.page_order.is_empty() {
            return None;
        }
        Some(self.rng.pick(&self.ws.page_order).clone())
    }

    /// One random block (with children when `depth` allows).
    pub(super) fn random_block(&mut self, parent: &str, depth: usize) -> String {
        let s = text::sentence(&mut self.rng, 4, 16);
        let roll = self.rng.below(100);
        match roll {
            0..=29 => self.paragraph(parent, &s),
            30..=34 => {
                let rt = self.mixed_rich_text();
                self.add_block(parent, "paragraph", Self::rich(rt))
            }
            35..=43 => {
                let kind = ["heading_1", "heading_2", "heading_3"][self.rng.below(3)];
                let t = text::title(&mut self.rng);
                let payload =
                    json!({"rich_text": [rt_text(&t)], "is_toggleable": false, "color": "default"});
                self.add_block(parent, kind, payload)
            }
            44..=53 => self.text_block(parent, "bulleted_list_item", &s),
            54..=60 => self.text_block(parent, "numbered_list_item", &s),
            61..=66 => {
                let checked = self.rng.chance(0.5);
                let payload =
                    json!({"rich_text": [rt_text(&s)], "checked": checked, "color": "default"});
                self.add_block(parent, "to_do", payload)
            }
            67..=73 => self.nested(parent, "toggle", &s, depth),
            74..=77 => self.text_block(parent, "quote", &s),
            78..=81 => {
                let emoji = *self.rng.pick(EMOJIS);
                let payload = json!({"rich_text": [rt_text(&s)],
                    "icon": {"type": "emoji", "emoji": emoji}, "color": "gray_background"});
                self.add_block(parent, "callout", payload)
            }
            82..=85 => self.code(parent),
            86..=87 => self.add_block(
                parent,
                "bookmark",
                json!({"caption": [rt_text(&s)], "url": "https://example.com/article"}),
            ),
            88..=89 => self.image(parent, &s),
            90..=93 => self.add_block(parent, "divider", json!({})),
            94..=95 => self.table(parent, 3),
            96..=97 => self.nested(parent, "bulleted_list_item", &s, depth),
            _ => self.add_block(parent, "equation", json!({"expression": "a^2 + b^2 = c^2"})),
        }
    }

    /// A container block with one to three random children (when `depth` < 2).
    fn nested(&mut self, parent: &str, kind: &str, s: &str, depth: usize) -> String {
        let id = self.text_block(parent, kind, s);
        if depth < 2 {
            for _ in 0..1 + self.rng.below(3) {
                self.random_block(&id, depth + 1);
            }
        }
        id
    }

    fn code(&mut self, parent: &str) -> String {
        let lang = *self.rng.pick(LANGUAGES);
        let w = text::word(&mut self.rng);
        let body = format!("fn {w}() -> u32 {{\n    42\n}}");
        let caption = format!("Example {w} snippet");
        self.add_block(
            parent,
            "code",
            json!({"caption": [rt_text(&caption)], "rich_text": [rt_text(&body)], "language": lang}),
        )
    }

    fn image(&mut self, parent: &str, caption: &str) -> String {
        self.add_block(
            parent,
            "image",
            json!({"caption": [rt_text(caption)], "type": "external",
                   "external": {"url": "https://example.com/picture.png"}}),
        )
    }

    fn table(&mut self, parent: &str, rows: usize) -> String {
        let id = self.add_block(
            parent,
            "table",
            json!({"table_width": 2, "has_column_header": true, "has_row_header": false}),
        );
        for _ in 0..rows {
            let a = text::word(&mut self.rng).to_string();
            let b = text::word(&mut self.rng).to_string();
            self.add_block(
                &id,
                "table_row",
                json!({"cells": [[rt_text(&a)], [rt_text(&b)]]}),
            );
        }
        id
    }

    /// The showcase page: every block type, the database, a sub-page and synced blocks.
    pub(super) fn showcase_page(&mut self) -> String {
        let id = self.new_page(Parent::Workspace, "Showcase of every block");
        let phrase = self.ws.phrases[&id].clone();
        let rt = self.mixed_rich_text();
        self.add_block(&id, "paragraph", Self::rich(rt));
        self.headings(&id);
        self.lists_and_todos(&id);
        self.containers(&id);
        self.media(&id);
        self.structural(&id, &phrase);
        self.synced(&id);
        self.database(&id);
        let sub = self.new_page(Parent::Page(id.clone()), "Showcase child page");
        self.fill_page(&sub, 3);
        self.add_block(
            &id,
            "link_to_page",
            json!({"type": "page_id", "page_id": sub}),
        );
        id
    }

    fn headings(&mut self, page: &str) {
        for (i, kind) in ["heading_1", "heading_2", "heading_3"].iter().enumerate() {
            let t = format!("Heading {} {}", i + 1, text::title(&mut self.rng));
            let flat =
                json!({"rich_text": [rt_text(&t)], "is_toggleable": false, "color": "default"});
            self.add_block(page, kind, flat);
            let t = format!("Toggle heading {} {}", i + 1, text::title(&mut self.rng));
            let toggle =
                json!({"rich_text": [rt_text(&t)], "is_toggleable": true, "color": "default"});
            let h = self.add_block(page, kind, toggle);
            let s = text::sentence(&mut self.rng, 4, 10);
            self.paragraph(&h, &s);
        }
    }

    fn lists_and_todos(&mut self, page: &str) {
        let s = text::sentence(&mut self.rng, 3, 8);
        let b = self.text_block(page, "bulleted_list_item", &s);
        let s = text::sentence(&mut self.rng, 3, 8);
        self.text_block(&b, "bulleted_list_item", &s);
        let s = text::sentence(&mut self.rng, 3, 8);
        self.text_block(page, "numbered_list_item", &s);
        for checked in [true, false] {
            let s = text::sentence(&mut self.rng, 3, 8);
            let payload =
                json!({"rich_text": [rt_text(&s)], "checked": checked, "color": "default"});
            self.add_block(page, "to_do", payload);
        }
    }

    fn containers(&mut self, page: &str) {
        let s = text::sentence(&mut self.rng, 3, 8);
        let t = self.text_block(page, "toggle", &s);
        let s = text::sentence(&mut self.rng, 3, 8);
        self.paragraph(&t, &s);
        let s = text::sentence(&mut self.rng, 3, 8);
        self.text_block(page, "quote", &s);
        let s = text::sentence(&mut self.rng, 3, 8);
        let c = self.add_block(
            page,
            "callout",
            json!({"rich_text": [rt_text(&s)], "icon": {"type": "emoji", "emoji": "💡"},
                   "color": "gray_background"}),
        );
        let s = text::sentence(&mut self.rng, 3, 8);
        self.paragraph(&c, &s);
        self.code(page);
        self.add_block(
            page,
            "equation",
            json!({"expression": "x = \\frac{-b\\pm\\sqrt{b^2-4ac}}{2a}"}),
        );
        self.table(page, 3);
        let cols = self.add_block(page, "column_list", json!({}));
        for _ in 0..2 {
            let col = self.add_block(&cols, "column", json!({"width_ratio": 0.5}));
            let s = text::sentence(&mut self.rng, 3, 8);
            self.paragraph(&col, &s);
        }
        let s = text::sentence(&mut self.rng, 3, 6);
        let tpl = self.add_block(page, "template", json!({"rich_text": [rt_text(&s)]}));
        self.paragraph(&tpl, "Template item");
    }

    fn media(&mut self, page: &str) {
        let cap = |s: &str| json!([rt_text(s)]);
        self.add_block(
            page,
            "bookmark",
            json!({"caption": cap("Bookmark caption"), "url": "https://example.com/bookmark"}),
        );
        self.add_block(
            page,
            "embed",
            json!({"caption": cap("Embed caption"), "url": "https://twitter.com/notion/status/1"}),
        );
        self.add_block(
            page,
            "image",
            json!({"caption": cap("External image caption"),
            "type": "external", "external": {"url": "https://example.com/a.png"}}),
        );
        self.add_block(page, "image", json!({"caption": [], "type": "file",
            "file": {"url": "https://s3.us-west-2.amazonaws.com/secure.notion-static.com/x/a.png?X-Amz-Expires=3600",
                     "expiry_time": "2030-01-01T00:00:00.000Z"}}));
        self.add_block(page, "file", json!({"caption": cap("File caption"), "type": "file",
            "file": {"url": "https://s3.us-west-2.amazonaws.com/secure.notion-static.com/x/sample.txt?X-Amz-Expires=3600",
                     "expiry_time": "2030-01-01T00:00:00.000Z"}, "name": "sample.txt"}));
        for (kind, url) in [
            ("pdf", "https://example.com/a.pdf"),
            ("video", "https://youtu.be/gp2yhkVw0z4"),
            ("audio", "https://example.com/a.mp3"),
        ] {
            let c = format!("{kind} caption");
            self.add_block(
                page,
                kind,
                json!({"caption": cap(&c), "type": "external",
                "external": {"url": url}}),
            );
        }
        self.add_block(
            page,
            "link_preview",
            json!({"url": "https://github.com/hkob/notion_ruby_mapping"}),
        );
    }

    fn structural(&mut self, page: &str, phrase: &str) {
        self.add_block(page, "divider", json!({}));
        self.add_block(page, "breadcrumb", json!({}));
        self.add_block(page, "table_of_contents", json!({"color": "default"}));
        self.add_block(page, "unsupported", json!({"block_type": "button"}));
        let s = text::sentence(&mut self.rng, 3, 8);
        self.paragraph(page, &format!("{s} {phrase}"));
    }

    /// Original + reference on this page, and a reference to an original on an unshared page.
    fn synced(&mut self, page: &str) {
        let orig = self.add_block(page, "synced_block", json!({"synced_from": null}));
        let s = text::sentence(&mut self.rng, 4, 8);
        self.paragraph(&orig, &format!("Synced content {s}"));
        self.add_block(
            page,
            "synced_block",
            json!({"synced_from": {"type": "block_id", "block_id": orig}}),
        );
        let hidden = self.new_page(Parent::Workspace, "Private notes");
        let hidden_orig = self.add_block(&hidden, "synced_block", json!({"synced_from": null}));
        let phrase = self.ws.phrases[&hidden].clone();
        self.paragraph(&hidden_orig, &format!("Secret synced content {phrase}"));
        if let Some(p) = self.ws.pages.get_mut(&hidden) {
            p.shared = false;
        }
        self.add_block(
            page,
            "synced_block",
            json!({"synced_from": {"type": "block_id", "block_id": hidden_orig}}),
        );
        self.ws.markers.hidden_page = Some(hidden);
    }
}
