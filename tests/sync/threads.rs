//! End-to-end tests of everything people wrote around the records (issue 12): Notion comments,
//! every monday.com update and reply, and `trove rebuild --reflatten`. The real binary syncs
//! the fakes over loopback HTTP; the tests read `trove export`, `trove status` and searches.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::notion_harness as harness;
use crate::util::{self, Trove};
use trove::Document;
use trove_fakes::monday::{generate as monday_generate, reply_marker, update_marker, GenSpec};
use trove_fakes::notion::{generate, GenSpec as NotionSpec, Workspace};

/// `trove.toml` for the Notion fake with extra source keys.
fn notion_config(s: &harness::Setup, extra: &str) {
    let toml = format!(
        "[[sources]]\nname = \"notion\"\nkind = \"notion\"\ntoken_env = \"{}\"\n\
         api_url = \"{}\"\nrequests_per_second = 0\n{extra}\n",
        harness::TOKEN_ENV,
        s.fake.url()
    );
    std::fs::write(&s.config, toml).expect("write trove.toml");
}

/// The text of a comment as the document shows it (rich text joined, trimmed).
fn comment_text(c: &trove_fakes::notion::Comment) -> String {
    let text: String = c
        .rich_text
        .iter()
        .filter_map(|t| t["plain_text"].as_str())
        .collect();
    text.trim().to_owned()
}

/// The page a comment belongs to (its own page, or the page of its block).
fn page_of(ws: &Workspace, c: &trove_fakes::notion::Comment) -> String {
    if c.on_page {
        c.parent.clone()
    } else {
        ws.blocks[&c.parent].page.clone()
    }
}

fn comments_requests(s: &harness::Setup) -> u64 {
    s.fake.requests().endpoint("GET /v1/comments")
}

/// Every unresolved comment of a readable page (its blocks' included) is in that page's
/// document with its author; nothing of trashed pages or resolved comments is anywhere.
fn assert_comments_exported(ws: &Workspace, docs: &BTreeMap<String, Document>) -> usize {
    let mut checked = 0;
    let all_bodies: String = docs.values().map(|d| d.body.as_str()).collect();
    for c in &ws.comments {
        let page = &ws.pages[&page_of(ws, c)];
        let text = comment_text(c);
        if c.resolved || page.in_trash || !page.shared {
            assert!(
                !all_bodies.contains(&text),
                "{text:?} should not be indexed"
            );
            continue;
        }
        let doc = &docs[&harness::did(&page.id)];
        assert!(doc.body.contains(&text), "{text:?} missing from {}", doc.id);
        checked += 1;
    }
    checked
}

/// Issue 12, Notion comments: a first sync reads every comment (pages and blocks, > 100 on
/// one page, mentions and links), nothing of a trashed page; new comments follow the policy
/// (hot pages every sync, the rest by the rolling sweep, `0s` every sync); a missing
/// capability is one skip entry and not a failed sync; a reflatten of a stale store gives
/// what a fresh crawl gives.
#[test]
fn notion_comments_every_one_exported_and_new_ones_follow_the_policy() {
    let mut ws = generate(&NotionSpec::default());
    ws.clock_follows_wall_time = true;
    let long = ws
        .comments
        .iter()
        .map(|c| c.parent.clone())
        .max_by_key(|p| ws.comments_on(p).len())
        .expect("a commented page");
    assert!(ws.comments_on(&long).len() > 100);
    assert!(ws.comments.iter().any(|c| !c.on_page));
    assert!(ws.comments.iter().any(|c| c.resolved));
    let s = harness::Setup::new(ws);
    notion_config(&s, "comments_blocks = true");
    // A commented page goes to the trash before anything is synced.
    let ws = s.fake.workspace();
    let trashed = ws
        .comments
        .iter()
        .filter(|c| c.on_page && c.parent != long)
        .map(|c| c.parent.clone())
        .find(|p| !ws.subtree(p).0.contains(&long))
        .expect("a second commented page, apart from the long one");
    assert!(s.fake.trash_page(&trashed));

    s.sync(&[]);
    let first = s.fake.requests();
    let ws = s.fake.workspace();
    let docs = harness::export(&s.trove);
    let checked = assert_comments_exported(&ws, &docs);
    assert!(checked > 130, "{checked}");
    assert!(!docs.contains_key(&harness::did(&trashed)));
    let body = &docs[&harness::did(&long)].body;
    assert!(body.contains("\nComments\n"), "{body}");
    let author = ws.comments_on(&long)[1];
    let name = ws
        .users
        .iter()
        .find(|u| u["id"] == author.created_by.as_str());
    let name = name.and_then(|u| u["name"].as_str()).expect("author");
    assert!(body.contains(&format!("{name} (")), "author missing");
    let pages = docs.values().filter(|d| d.kind != "database").count() as u64;
    let blocks: u64 = docs
        .values()
        .filter_map(|d| d.raw.get("blocks").and_then(|b| b.as_array()))
        .map(|b| b.len() as u64)
        .sum();
    eprintln!(
        "NUMBERS: first sync {} requests, {} of them comments for {pages} pages and {blocks} \
         blocks (comments_blocks = true; pages alone: {pages} + 1 per extra 100 comments)",
        first.total,
        first.endpoint("GET /v1/comments")
    );

    // Default policy: a page edited now is hot; a page edited long ago waits for the sweep.
    let commented: Vec<String> = ws
        .comments
        .iter()
        .filter(|c| c.on_page && !ws.pages[&c.parent].in_trash)
        .map(|c| c.parent.clone())
        .collect();
    let hot = commented[0].clone();
    let cold = commented.iter().max().expect("cold page").clone();
    assert_ne!(hot, cold);
    notion_config(&s, "");
    let block = ws.blocks_of_page(&hot)[0].clone();
    assert!(s.fake.edit_block_text(&block, "edited just now"));
    s.fake
        .add_comment(&hot, "fresh hotcomment zqhotword")
        .expect("comment");
    s.fake
        .add_comment(&cold, "late coldcomment zqcoldword")
        .expect("comment");
    s.fake.reset_requests();
    s.sync(&[]);
    let incremental = comments_requests(&s);
    assert_eq!(
        harness::found(&s.trove, "zqhotword"),
        vec![harness::did(&hot)]
    );
    assert!(
        harness::found(&s.trove, "zqcoldword").is_empty(),
        "not its turn yet"
    );
    eprintln!(
        "NUMBERS: incremental sync, default policy: {incremental} comment requests \
         (1 hot page + the sweep's share of {pages} pages for the time since the last sync)"
    );

    // `comments_every = "0s"`: every page every sync.
    notion_config(&s, "comments_every = \"0s\"");
    s.fake.reset_requests();
    s.sync(&[]);
    let every = comments_requests(&s);
    assert_eq!(
        harness::found(&s.trove, "zqcoldword"),
        vec![harness::did(&cold)]
    );
    assert!(every >= pages, "{every}");
    eprintln!("NUMBERS: incremental sync, comments_every = 0s: {every} comment requests");

    // No Read comments capability: one skip entry, the sync succeeds, comments stay.
    s.fake.set_comments_forbidden(true);
    s.sync(&[]);
    s.sync(&[]);
    let skipped = s.trove.ok(&["status", "--skipped"]);
    let lines = skipped
        .lines()
        .filter(|l| l.contains("comments not readable: enable the Read comments capability"))
        .count();
    assert_eq!(lines, 1, "{skipped}");
    assert_eq!(
        harness::found(&s.trove, "zqhotword"),
        vec![harness::did(&hot)]
    );
    s.fake.set_comments_forbidden(false);
    s.sync(&[]);
    let skipped = s.trove.ok(&["status", "--skipped"]);
    assert!(!skipped.contains("comments not readable"), "{skipped}");

    assert_reflatten_matches_fresh_crawl(&s.trove, || {
        let (t, config) = s.second_folder();
        harness::sync_ok(s.sync_cmd(&t, &config, harness::TOKEN, &[]));
        t
    });
}

/// Issue 12, monday: every update and reply of an item with 60–130 updates is exported; new
/// updates and replies, a reply to an update months old included, appear after the next
/// sync; a reflatten of a stale store gives what a fresh crawl gives.
#[test]
fn monday_every_update_and_reply_including_replies_to_old_updates() {
    let env = crate::monday_harness::Env::with_spec(&GenSpec::small());
    env.sync_ok();
    let first = env.fake.stats();
    let acc = env.account();
    let visible = crate::monday_harness::visible_items(&acc);
    let docs = env.export();
    let mut per_item: BTreeMap<u64, usize> = BTreeMap::new();
    for u in acc.updates.iter() {
        if !visible.contains(&format!("monday:{}", u.item_id)) {
            continue;
        }
        *per_item.entry(u.item_id).or_default() += 1;
        let body = &crate::monday_harness::find(&docs, u.item_id).body;
        assert!(
            body.contains(&update_marker(u.id)),
            "update {} missing",
            u.id
        );
        for r in &u.replies {
            assert!(body.contains(&reply_marker(r.id)), "reply {} missing", r.id);
        }
    }
    let (&busy, &n) = per_item.iter().max_by_key(|(_, n)| **n).expect("updates");
    assert!((60..=130).contains(&n), "{n}");
    crate::monday_harness::report("first sync", &first, visible.len(), 0.0);

    // A new update on the busy item (read back by id, all pages), a reply to an update
    // months old, and a new update elsewhere.
    let now = env.fake.now();
    let old = acc
        .updates
        .iter()
        .filter(|u| u.item_id != busy && visible.contains(&format!("monday:{}", u.item_id)))
        .find(|u| u.created_at < now - chrono::Duration::days(60))
        .expect("an update older than 60 days");
    env.fake.advance_clock(Duration::from_secs(3600));
    env.fake
        .add_update(&busy.to_string(), "<p>zqbusyupdate</p>")
        .expect("update");
    env.fake
        .add_reply(&old.id.to_string(), "<p>zqlatereply to an old thread</p>")
        .expect("reply");
    env.fake.reset_stats();
    env.sync_ok();
    let inc = env.fake.stats();
    crate::monday_harness::assert_finds(&env, "zqbusyupdate", busy);
    crate::monday_harness::assert_finds(&env, "zqlatereply", old.item_id);
    let after = env.export();
    let busy_doc = crate::monday_harness::find(&after, busy);
    assert_eq!(busy_doc.body.matches("Update by").count(), n + 1);
    crate::monday_harness::assert_same_docs(&after, &env.clean_export(), "incremental vs clean");
    eprintln!(
        "NUMBERS: incremental sync (busy item with {} updates refetched, one old reply): {} requests, {} complexity",
        n + 1,
        inc.requests,
        inc.complexity_spent
    );

    assert_reflatten_matches_fresh_crawl(&env.t, || {
        let t = Trove::new();
        let config = crate::monday_harness::write_config(&t, &env.fake.url());
        let out = t
            .cmd()
            .arg("--config")
            .arg(&config)
            .arg("sync")
            .env(
                crate::monday_harness::TOKEN_ENV,
                crate::monday_harness::TOKEN,
            )
            .output()
            .expect("sync");
        assert!(out.status.success(), "{}", util::stderr(&out));
        t
    });
}

/// A store whose flattened fields are stale (as an older flattener left them) and an index
/// built from them: `rebuild --reflatten` gives the export and search results of a fresh
/// crawl into a new folder.
fn assert_reflatten_matches_fresh_crawl(t: &Trove, fresh: impl FnOnce() -> Trove) {
    let before = t.ok(&["export"]);
    let store = t.data().join("store.sqlite3");
    let conn = rusqlite::Connection::open(&store).expect("open store");
    let stale = conn
        .execute(
            "UPDATE documents SET body = 'stale', authors = '[]', hash = 0",
            [],
        )
        .expect("make the store stale");
    assert!(stale > 10);
    drop(conn);
    t.ok(&["rebuild"]);
    assert_ne!(t.ok(&["export"]), before, "the store went stale");
    let out = t.ok(&["rebuild", "--reflatten"]);
    assert!(out.contains("reflattened"), "{out}");
    let fresh = fresh();
    assert_same_export(&t.ok(&["export"]), &fresh.ok(&["export"]));
    let docs: Vec<Document> = t
        .ok(&["export"])
        .lines()
        .map(|l| serde_json::from_str(l).expect("export line"))
        .collect();
    for d in docs.iter().step_by(7) {
        let word = d
            .body
            .split_whitespace()
            .rfind(|w| w.len() > 8 && w.chars().all(char::is_alphanumeric));
        let Some(word) = word else { continue };
        let mut a = util::hit_ids(&t.search(word, &["--limit", "50"]));
        let mut b = util::hit_ids(&fresh.search(word, &["--limit", "50"]));
        a.sort();
        b.sort();
        assert_eq!(a, b, "search {word}");
    }
}

/// Two exports are the same, document for document (the first difference is shown).
fn assert_same_export(got: &str, want: &str) {
    let parse = |s: &str| -> BTreeMap<String, serde_json::Value> {
        s.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("export line"))
            .map(|v| (v["id"].as_str().unwrap_or_default().to_owned(), v))
            .collect()
    };
    let (got, want) = (parse(got), parse(want));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "reflatten vs fresh crawl: ids"
    );
    for (id, w) in &want {
        let g = &got[id];
        for (k, wv) in w.as_object().into_iter().flatten() {
            assert_eq!(&g[k], wv, "reflatten vs fresh crawl: {id} differs in {k}");
        }
    }
}

#[test]
fn fake_monday_generates_busy_items() {
    let acc = monday_generate(&GenSpec::default());
    let mut per_item: BTreeMap<u64, usize> = BTreeMap::new();
    for u in &acc.updates {
        *per_item.entry(u.item_id).or_default() += 1;
    }
    let busy = per_item.values().filter(|n| **n >= 60).count();
    assert!(busy >= 3, "{busy}");
    assert!(per_item.values().all(|n| *n <= 135));
}
