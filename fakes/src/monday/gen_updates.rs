//! Update (comment) generation for [`super::generate()`]: HTML bodies in the shapes monday
//! produces (paragraphs, bold, lists, links, user mentions, images, a BOM), `text_body` from
//! [`cells::html_to_text`], and replies, each carrying its unique marker word.

use chrono::Duration;

use super::cells;
use super::generate::Gen;
use super::model::{reply_marker, update_marker, Reply, Update};
use super::vocab::{LINK_SITES, NOUNS, SENTENCES};

impl Gen {
    /// `n` updates on random top-level items, oldest first, with replies.
    pub(super) fn updates(&mut self, n: usize, replies: (usize, usize)) {
        let top = self.top_items();
        if top.is_empty() {
            return;
        }
        let end = self.acc.now - Duration::days(1);
        let mut made = vec![];
        for _ in 0..n {
            let item_id = *self.rng.pick(&top);
            let created = self.created(item_id);
            made.push(self.one_update(item_id, created, end, replies));
        }
        made.sort_by_key(|u| (u.created_at, u.id));
        self.acc.updates = made;
    }

    /// Long threads: `n` top-level items get 60–130 updates each (after [`Gen::updates`], so
    /// the rest of the account is as before).
    pub(super) fn busy_threads(&mut self, n: usize, replies: (usize, usize)) {
        let top = self.top_items();
        if top.is_empty() {
            return;
        }
        let end = self.acc.now - Duration::days(1);
        for k in 0..n {
            let item_id = top[(k * 7 + 3) % top.len()];
            let created = self.created(item_id);
            for _ in 0..self.rng.range(60, 130) {
                let update = self.one_update(item_id, created, end, replies);
                self.acc.updates.push(update);
            }
        }
        self.acc.updates.sort_by_key(|u| (u.created_at, u.id));
    }

    /// Ids of the items that are not subitems.
    fn top_items(&self) -> Vec<u64> {
        let items = self.acc.items.values();
        items
            .filter(|i| i.parent_id.is_none())
            .map(|i| i.id)
            .collect()
    }

    /// When an item was created (the account's start for an unknown id).
    fn created(&self, item_id: u64) -> chrono::DateTime<chrono::Utc> {
        self.acc.item(item_id).map_or(self.start, |i| i.created_at)
    }

    /// One update on `item_id` created between `from` and `end`, with its replies.
    fn one_update(
        &mut self,
        item_id: u64,
        from: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
        replies: (usize, usize),
    ) -> Update {
        let created_at = self.time_between(from, end);
        self.next_update += 1 + self.rng.below(50) as u64;
        let id = self.next_update;
        let body = self.update_body(&update_marker(id));
        let creator_id = self.acc.users[self.rng.below(self.acc.users.len())].id;
        let mut update = Update {
            id,
            item_id,
            creator_id,
            text_body: cells::html_to_text(&body),
            body,
            created_at,
            replies: vec![],
        };
        for _ in 0..self.rng.range(replies.0, replies.1) {
            self.next_update += 1;
            let rid = self.next_update;
            let body = format!("<p>{} {}</p>", self.rng.pick(SENTENCES), reply_marker(rid));
            let created_at = self.time_between(created_at, end + Duration::hours(12));
            let creator_id = self.acc.users[self.rng.below(self.acc.users.len())].id;
            update.replies.push(Reply {
                id: rid,
                creator_id,
                text_body: cells::html_to_text(&body),
                body,
                created_at,
            });
        }
        update
    }

    fn update_body(&mut self, marker: &str) -> String {
        let users = &self.acc.users;
        let u = &users[self.rng.below(users.len())];
        let mention = format!(
            "<a class=\"user_mention_editor router\" href=\"https://acme.monday.com/users/{}\" data-mention-type=\"User\" data-mention-id=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">@{}</a>",
            u.id, u.id, u.name
        );
        let (s1, s2) = (self.rng.pick(SENTENCES), self.rng.pick(SENTENCES));
        let (n1, n2) = (
            NOUNS[self.rng.below(NOUNS.len())],
            NOUNS[self.rng.below(NOUNS.len())],
        );
        let (n1, n2) = (html_escape(n1), html_escape(n2));
        let (url, label) = self.rng.pick(LINK_SITES);
        match self.rng.below(6) {
            0 => format!("<p>{s1}</p><p>Ref {marker}</p>"),
            1 => format!("<p>Hi {mention}, {s1}</p><p>{marker}</p>"),
            2 => format!("<p><b>Status:</b> {s1}</p><ul><li>{n1}</li><li>{n2}</li></ul><p>{marker}</p>"),
            3 => format!("<p>\u{feff}{s1} See <a href=\"{url}\" target=\"_blank\" rel=\"noopener noreferrer\">{label}</a> &amp; {marker}</p>"),
            4 => format!("<p><img width=\"200\" src=\"https://acme.monday.com/protected_static/24308083/resources/{}/cat.jpg\" data-asset_id=\"{}\"></p><p>{marker}</p>", 919_077_184 + self.next_update, 919_077_184 + self.next_update),
            _ => format!("<p>{s2}</p><ol><li><i>{n1}</i></li><li>{n2}</li></ol><p><br></p><p>{marker}</p>"),
        }
    }
}

/// Escapes text for an HTML update body, as monday's editor does.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
