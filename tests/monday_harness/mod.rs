//! Shared by `tests/monday_sync.rs`: a fake monday.com server in this process ([`Env`]), the
//! real `trove` binary syncing it through a `trove.toml`, and what to expect of the result
//! (the items the token can see, exports compared without volatile fields).

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use trove::Document;
use trove_fakes::monday::{
    generate, Account, FakeMonday, FakeMondayOptions, Faults, GenSpec, State, Stats,
};

use crate::util::{hit_ids, stderr, stdout, Trove};

/// The token the fake accepts; it must never show up in trove's output.
pub const TOKEN: &str = "mt-Secret-7f3c9a1e5b2d";
pub const TOKEN_ENV: &str = "MONDAY_TEST_TOKEN";
/// A complexity budget no crawl here can exhaust.
pub const NO_LIMIT: u64 = 1 << 50;

/// A fake monday.com account, a data folder, and a `trove.toml` pointing one at the other.
pub struct Env {
    pub fake: FakeMonday,
    pub t: Trove,
    pub config: PathBuf,
    pub token: String,
    // Last: the server task runs on it.
    _rt: tokio::runtime::Runtime,
}

impl Env {
    pub fn start(account: Account, budget: u64, faults: Faults) -> Env {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let fake = rt
            .block_on(FakeMonday::start(FakeMondayOptions {
                account,
                token: TOKEN.into(),
                complexity_budget_per_minute: Some(budget),
                faults,
                ..FakeMondayOptions::default()
            }))
            .expect("start fake monday");
        let t = Trove::new();
        let config = write_config(&t, &fake.url());
        Env {
            fake,
            t,
            config,
            token: TOKEN.into(),
            _rt: rt,
        }
    }

    pub fn with_spec(spec: &GenSpec) -> Env {
        Env::start(generate(spec), NO_LIMIT, Faults::none())
    }

    /// `trove --config trove.toml sync`, token in the environment.
    pub fn sync_cmd(&self) -> Command {
        let mut c = self.t.cmd();
        c.arg("--config").arg(&self.config).arg("sync");
        c.env(TOKEN_ENV, &self.token);
        c
    }

    /// Runs a sync; whatever happens, the token stays out of its output.
    pub fn sync(&self) -> Output {
        let out = self.sync_cmd().output().expect("run trove sync");
        assert_no_token(&out);
        out
    }

    /// Runs a sync that must succeed; returns stdout.
    pub fn sync_ok(&self) -> String {
        let out = self.sync();
        assert!(
            out.status.success(),
            "sync failed: {}\n{}",
            stderr(&out),
            stdout(&out)
        );
        stdout(&out)
    }

    pub fn export(&self) -> Vec<Document> {
        parse_export(&self.t.ok(&["export"]))
    }

    pub fn account(&self) -> Account {
        self.fake.account()
    }

    /// The export of a clean sync of the fake's current account into a new data folder.
    pub fn clean_export(&self) -> Vec<Document> {
        let t = Trove::new();
        let config = write_config(&t, &self.fake.url());
        let out = t
            .cmd()
            .arg("--config")
            .arg(&config)
            .arg("sync")
            .env(TOKEN_ENV, TOKEN)
            .output()
            .expect("run trove sync");
        assert_no_token(&out);
        assert!(out.status.success(), "clean sync: {}", stderr(&out));
        parse_export(&t.ok(&["export"]))
    }
}

/// Writes `trove.toml` with one monday source at `url`; returns its path.
pub fn write_config(t: &Trove, url: &str) -> PathBuf {
    crate::util::write_source_config(t, "monday", TOKEN_ENV, url)
}

pub fn assert_no_token(out: &Output) {
    crate::util::assert_no_secret(out, &[TOKEN]);
}

pub fn parse_export(text: &str) -> Vec<Document> {
    let mut docs: Vec<Document> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("export line"))
        .collect();
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    docs
}

/// An export as comparable JSON: sorted by id, volatile fields left out.
pub fn canonical(docs: &[Document]) -> Vec<Value> {
    let mut v: Vec<Value> = docs
        .iter()
        .map(|d| {
            let mut j = serde_json::to_value(d).expect("doc json");
            if let Some(o) = j.as_object_mut() {
                o.remove("raw");
            }
            j
        })
        .collect();
    v.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    v
}

pub fn assert_same_docs(got: &[Document], want: &[Document], what: &str) {
    let (got, want) = (canonical(got), canonical(want));
    let ids = |v: &[Value]| -> BTreeSet<String> {
        v.iter()
            .filter_map(|d| d["id"].as_str().map(str::to_owned))
            .collect()
    };
    let (gi, wi) = (ids(&got), ids(&want));
    assert_eq!(gi.len(), got.len(), "{what}: duplicate ids in the export");
    assert!(
        gi == wi,
        "{what}: missing {:?}, extra {:?}",
        wi.difference(&gi).take(10).collect::<Vec<_>>(),
        gi.difference(&wi).take(10).collect::<Vec<_>>()
    );
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{what}: documents differ");
    }
}

/// Native ids of every item and subitem the token can see: active, on an active board, under
/// an active parent.
pub fn visible_items(acc: &Account) -> BTreeSet<String> {
    let visible = |id: u64| -> bool {
        let mut cur = acc.item(id);
        while let Some(item) = cur {
            let board_ok = acc
                .board(item.board_id)
                .is_some_and(|b| b.state == State::Active && b.board_type != "document");
            if item.state != State::Active || !board_ok {
                return false;
            }
            let Some(p) = item.parent_id else {
                return true;
            };
            cur = acc.item(p);
        }
        false
    };
    acc.items
        .keys()
        .filter(|id| visible(**id))
        .map(|id| format!("monday:{id}"))
        .collect()
}

/// Document ids of board `board`'s items and their subitems.
pub fn board_items_and_subitems(acc: &Account, board: u64) -> BTreeSet<String> {
    acc.board_items(board)
        .iter()
        .flat_map(|i| std::iter::once(i.id).chain(i.subitem_ids.iter().copied()))
        .map(|id| format!("monday:{id}"))
        .collect()
}

pub fn doc_ids(docs: &[Document]) -> BTreeSet<String> {
    docs.iter().map(|d| d.id.clone()).collect()
}

pub fn find(docs: &[Document], native: u64) -> &Document {
    let id = format!("monday:{native}");
    docs.iter()
        .find(|d| d.id == id)
        .unwrap_or_else(|| panic!("{id} not exported"))
}

/// Searching `word` finds `want` (by native id).
pub fn assert_finds(env: &Env, word: &str, want: u64) {
    let v = env.t.search(word, &["--limit", "20"]);
    let id = format!("monday:{want}");
    assert!(
        hit_ids(&v).contains(&id),
        "searching {word} should find {id}: {v}"
    );
}

pub fn assert_finds_nothing(env: &Env, word: &str) {
    let v = env.t.search(word, &[]);
    assert!(hit_ids(&v).is_empty(), "{word} should be gone: {v}");
}

/// Every `Column title: text` line the fake says an item carries is in its body.
pub fn assert_columns(acc: &Account, doc: &Document, native: u64) {
    for (title, text) in acc.column_texts(native) {
        let line = format!("{title}: {}", text.trim());
        assert!(
            doc.body.contains(&line),
            "{}: `{line}` missing from the body:\n{}",
            doc.id,
            doc.body
        );
    }
}

/// A middle-sized account: the big board has several pages, everything else is small.
pub fn medium_spec() -> GenSpec {
    GenSpec {
        seed: 11,
        users: 6,
        workspaces: 2,
        boards: 4,
        items_per_board: 10,
        big_board_items: 600,
        subitems_per_item: (0, 2),
        updates: 150,
        replies_per_update: (0, 2),
    }
}

/// The export of a clean, fault-free sync of [`medium_spec`] (computed once).
pub fn medium_reference() -> &'static [Document] {
    static REF: OnceLock<Vec<Document>> = OnceLock::new();
    REF.get_or_init(|| {
        let env = Env::with_spec(&medium_spec());
        env.sync_ok();
        eprintln!("[monday e2e] medium reference: {:?}", env.fake.stats());
        let docs = env.export();
        assert_eq!(doc_ids(&docs), visible_items(&env.account()));
        docs
    })
}

pub fn per_thousand(x: u64, items: usize) -> f64 {
    x as f64 * 1000.0 / items.max(1) as f64
}

pub fn report(what: &str, s: &Stats, items: usize, secs: f64) {
    eprintln!(
        "[monday e2e] {what}: {items} items, {} requests ({:.1}/1k items), {} complexity ({:.0}/1k items), {:.1}s ({:.0} items/s)",
        s.requests,
        per_thousand(s.requests, items),
        s.complexity_spent,
        per_thousand(s.complexity_spent, items),
        secs,
        items as f64 / secs.max(1e-3)
    );
}

/// Starts a sync and SIGKILLs it once `ready` holds; returns whether it was still running.
pub fn kill_when(env: &Env, ready: impl Fn(&Stats) -> bool) -> bool {
    let mut child = env
        .sync_cmd()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sync");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready(&env.fake.stats()) && Instant::now() < deadline {
        if child.try_wait().expect("try_wait").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let running = child.try_wait().expect("try_wait").is_none();
    child.kill().expect("kill");
    child.wait().expect("wait");
    running
}
