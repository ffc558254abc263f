//! Harness of tests/notion_sync.rs: a fake Notion server on its own runtime plus a trove data
//! folder configured for it, export comparisons, in-process search, and workspace lookups.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use tokio::runtime::Runtime;
use trove::index::TroveIndex;
use trove::search::{SearchRequest, Searcher};
use trove::store::Store;
use trove::Document;
use trove_fakes::notion::{generate, FakeNotion, FakeNotionOptions, Faults, GenSpec, Workspace};

use crate::util::{hit_ids, stderr, stdout, Trove};

pub const TOKEN: &str = "ntn_e2e_secret_0123456789abcdef";
pub const TOKEN_ENV: &str = "NOTION_TEST_TOKEN";

/// A fake Notion server (on its own runtime) and a trove data folder configured for it.
pub struct Setup {
    pub fake: FakeNotion,
    pub trove: Trove,
    pub config: PathBuf,
    // Declared last: dropped after the server handle.
    _rt: Runtime,
}

impl Setup {
    pub fn new(ws: Workspace) -> Setup {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let fake = rt
            .block_on(FakeNotion::start(FakeNotionOptions {
                workspace: ws,
                token: TOKEN.into(),
                rate_limit_per_minute: None,
                faults: Faults::none(),
                addr: None,
            }))
            .expect("fake notion starts");
        let trove = Trove::new();
        let config = write_config(&trove, &fake.url());
        Setup {
            fake,
            trove,
            config,
            _rt: rt,
        }
    }

    /// Another data folder pointed at the same server.
    pub fn second_folder(&self) -> (Trove, PathBuf) {
        let t = Trove::new();
        let c = write_config(&t, &self.fake.url());
        (t, c)
    }

    pub fn sync_cmd(&self, t: &Trove, config: &PathBuf, token: &str, args: &[&str]) -> Command {
        let mut c = t.cmd();
        c.arg("--config").arg(config).arg("sync").args(args);
        c.env(TOKEN_ENV, token);
        c
    }

    /// `trove sync` in the main folder; asserts success and that the token never shows.
    pub fn sync(&self, args: &[&str]) -> String {
        let out = sync_ok(self.sync_cmd(&self.trove, &self.config, TOKEN, args));
        eprint!("sync {args:?}: {out}");
        out
    }
}

pub fn write_config(t: &Trove, url: &str) -> PathBuf {
    crate::util::write_source_config(t, "notion", TOKEN_ENV, url)
}

pub fn run(mut c: Command) -> Output {
    let out = c.output().expect("run trove");
    assert_no_token(&out);
    out
}

pub fn sync_ok(c: Command) -> String {
    let out = run(c);
    assert!(
        out.status.success(),
        "sync failed: {}\n{}",
        stderr(&out),
        stdout(&out)
    );
    stdout(&out)
}

pub fn assert_no_token(out: &Output) {
    crate::util::assert_no_secret(out, &[TOKEN, "wrong_token_e2e"]);
}

/// Every exported document, by id, for end-state comparisons.
pub fn export(t: &Trove) -> BTreeMap<String, Document> {
    t.ok(&["export"])
        .lines()
        .map(|l| {
            let d: Document = serde_json::from_str(l).expect("export line");
            (d.id.clone(), d)
        })
        .collect()
}

/// Asserts two end states are the same document for document.
pub fn assert_same_docs(got: &BTreeMap<String, Document>, want: &BTreeMap<String, Document>) {
    let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    let mut diffs = Vec::new();
    for (id, w) in want {
        let (g, w) = (json(&got[id]), json(w));
        let fields: Vec<String> = w
            .as_object()
            .map(|o| o.keys().filter(|k| g[*k] != w[*k]).cloned().collect())
            .unwrap_or_default();
        if !fields.is_empty() {
            let shown: Vec<String> = fields
                .iter()
                .filter(|f| *f != "raw")
                .map(|f| format!("{f}: got {} want {}", g[f], w[f]))
                .collect();
            diffs.push(format!(
                "{id} {:?} differs in {fields:?} {shown:?}",
                w["title"]
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} documents differ:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

pub fn json(d: &Document) -> serde_json::Value {
    serde_json::to_value(d).expect("document json")
}

/// Native ids the connector should index: shared, untrashed pages and rows, plus databases.
pub fn expected_ids(ws: &Workspace) -> Vec<String> {
    let mut ids: Vec<String> = ws
        .pages
        .values()
        .filter(|p| p.shared && !p.in_trash)
        .map(|p| format!("notion:{}", p.id))
        .chain(
            ws.databases
                .values()
                .filter(|d| d.shared && !d.in_trash)
                .map(|d| format!("notion:{}", d.id)),
        )
        .collect();
    ids.sort();
    ids
}

/// In-process searcher over a data folder (hundreds of queries in one go).
pub struct Search {
    pub searcher: Searcher,
    pub store: Store,
}

impl Search {
    pub fn open(t: &Trove) -> Search {
        let index = TroveIndex::open(&t.data()).expect("open index");
        Search {
            searcher: Searcher::new(index).expect("searcher"),
            store: Store::open(&t.data()).expect("open store"),
        }
    }

    pub fn ids(&self, query: &str) -> Vec<String> {
        let req = SearchRequest {
            query: query.to_owned(),
            limit: 20,
            ..SearchRequest::default()
        };
        let resp = self.searcher.search(&req, &self.store).expect("search");
        trove::search::ids(&resp)
    }
}

pub fn large() -> Workspace {
    generate(&GenSpec::large())
}

/// A workspace big enough to take a while, small enough for the slower tests.
pub fn medium() -> Workspace {
    generate(&GenSpec {
        pages: 150,
        max_depth: 12,
        wide_page_children: 120,
        database_rows: 60,
        seed: 7,
        ..GenSpec::default()
    })
}

pub fn doc_count(t: &Trove) -> u64 {
    t.status()["documents"].as_u64().expect("documents")
}

/// Native id → `notion:` document id.
pub fn did(native: &str) -> String {
    format!("notion:{native}")
}

/// The nesting chain, top-level page first, deepest page last.
pub fn chain(ws: &Workspace) -> Vec<String> {
    let mut c = vec![ws.deepest_page_id().expect("deepest")];
    while let Some(p) = ws.parent_page_of(c.last().expect("chain")) {
        c.push(p);
    }
    c.reverse();
    c
}

/// A page search omits, with its marker phrase and the block holding it.
pub fn omitted_page_with_marker(ws: &Workspace, avoid: &[String]) -> (String, String, String) {
    ws.omitted_from_search()
        .into_iter()
        .filter(|p| !avoid.contains(p) && ws.pages[p].shared)
        .find_map(|p| {
            let phrase = ws.unique_phrase_of(&p)?;
            let block = ws
                .blocks_of_page(&p)
                .into_iter()
                .find(|b| ws.blocks[b].payload.to_string().contains(&phrase))?;
            Some((p, phrase, block))
        })
        .expect("an omitted page with its marker in a block")
}

pub fn found(t: &Trove, query: &str) -> Vec<String> {
    hit_ids(&t.search(query, &[]))
}

pub fn assert_no_token_in_files(dir: &std::path::Path) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            assert_no_token_in_files(&path);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        for token in [TOKEN, "wrong_token_e2e"] {
            let found = bytes.windows(token.len()).any(|w| w == token.as_bytes());
            assert!(!found, "{} holds a token", path.display());
        }
    }
}

/// Every text block of every readable page shows up in that page's document body.
pub fn assert_block_texts_indexed(ws: &Workspace, docs: &BTreeMap<String, Document>) {
    let mut missing = Vec::new();
    let mut checked = 0;
    for (id, page) in &ws.pages {
        if !page.shared || page.in_trash {
            continue;
        }
        let body = &docs[&format!("notion:{id}")].body;
        for b in ws.blocks_of_page(id) {
            let block = &ws.blocks[&b];
            let text: String = block.payload["rich_text"]
                .as_array()
                .map(|a| a.iter().filter_map(|t| t["plain_text"].as_str()).collect())
                .unwrap_or_default();
            checked += 1;
            if !text.trim().is_empty() && !body.contains(text.trim()) {
                missing.push(format!("{id} {} {:?}", block.kind, text));
            }
        }
    }
    assert!(checked > 3_000, "{checked}");
    assert!(
        missing.is_empty(),
        "{} block texts missing:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
