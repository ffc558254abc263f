//! End-to-end tests of `trove sync` against the fake Notion server: the real binary, a real
//! data folder, real HTTP on loopback. The fake runs in-process on its own tokio runtime while
//! the test thread runs `trove` commands.
//!
//! Covers: a full sync of a large generated workspace (every page, row and database; depth,
//! width, pages search never returns), edits, trash and unshare at the next sync, a sync
//! through 10% injected faults, a killed sync resumed, and a rejected token.

mod util;

#[path = "notion_sync/harness.rs"]
mod harness;

use std::process::Stdio;
use std::time::{Duration, Instant};

use harness::*;
use trove::store::Store;
use trove_fakes::notion::{generate, FaultKind, Faults, GenSpec, Workspace};
use util::{hit_ids, stderr};

// ---- 1–3: full sync, edit, trash, unshare; numbers ------------------------------------------

#[test]
fn large_workspace_full_sync_then_edits_trash_and_unshare() {
    let s = Setup::new(large());
    let ws = s.fake.workspace();
    let deepest = ws.deepest_page_id().expect("deepest page");
    assert!(ws.page_depth(&deepest) >= 30);

    // Full sync.
    let started = Instant::now();
    s.sync(&[]);
    let took = started.elapsed();
    let full_requests = s.fake.requests().total;
    let want = expected_ids(&ws);
    let got: Vec<String> = export(&s.trove).into_keys().collect();
    assert_eq!(got, want, "indexed documents differ from the workspace");
    assert_block_texts_indexed(&ws, &export(&s.trove));
    let status = s.trove.status();
    assert_eq!(status["documents"].as_u64(), Some(want.len() as u64));
    assert_eq!(
        status["index"]["documents"].as_u64(),
        Some(want.len() as u64)
    );

    // Every page's unique phrase finds that page, pages search omits included.
    let search = Search::open(&s.trove);
    let omitted = ws.omitted_from_search();
    assert!(omitted.len() > 50, "{}", omitted.len());
    let mut unfound = Vec::new();
    for id in ws.page_ids().iter().filter(|id| ws.pages[*id].shared) {
        let phrase = ws.unique_phrase_of(id).expect("phrase");
        if !search.ids(&phrase).contains(&format!("notion:{id}")) {
            unfound.push((id.clone(), phrase));
        }
    }
    assert!(unfound.is_empty(), "phrases not found: {unfound:?}");
    drop(search);
    for id in omitted.iter().take(3) {
        let phrase = ws.unique_phrase_of(id).expect("phrase");
        assert_eq!(found(&s.trove, &phrase), vec![did(id)], "{phrase}");
    }

    // The deepest block, three toggles down in the deepest page, through the CLI.
    let phrase = ws.unique_phrase_of(&deepest).expect("phrase");
    let v = s.trove.search(&format!("\"deepest block {phrase}\""), &[]);
    assert_eq!(hit_ids(&v), vec![format!("notion:{deepest}")], "{v}");
    // Its breadcrumb names every ancestor, though search omits some of them.
    let path = v["hits"][0]["path"].as_str().unwrap_or_default();
    assert_eq!(path.split(" › ").count(), ws.page_depth(&deepest), "{path}");

    // An unchanged workspace costs a fraction of the full sync.
    s.fake.reset_requests();
    let out = s.sync(&[]);
    assert!(out.contains("0 added, 0 updated, 0 deleted"), "{out}");
    let incremental_requests = s.fake.requests().total;
    let pages = ws.pages.values().filter(|p| p.shared).count() as f64;
    eprintln!(
        "NUMBERS: {} readable pages+rows, {} documents; full sync {} requests ({:.2}/page) in {:.1}s \
         ({:.0} pages/s); unchanged incremental {} requests ({:.3}/page)",
        pages,
        want.len(),
        full_requests,
        full_requests as f64 / pages,
        took.as_secs_f64(),
        pages / took.as_secs_f64(),
        incremental_requests,
        incremental_requests as f64 / pages,
    );
    assert!(incremental_requests * 20 < full_requests);
    assert_eq!(doc_count(&s.trove), want.len() as u64);

    edit_trash_unshare(&s, &ws);
}

/// Edits blocks, trashes two subtrees (one holding the 150-row database), unshares a third,
/// and checks that store and index follow.
fn edit_trash_unshare(s: &Setup, ws: &Workspace) {
    let chain = chain(ws);
    let deepest = chain.last().expect("deepest").clone();
    assert!(ws.search_lists_page(&deepest));

    // An edit of the deepest block (its page is listed by search) …
    let old = ws.unique_phrase_of(&deepest).expect("phrase");
    let block = ws
        .blocks_of_page(&deepest)
        .into_iter()
        .find(|b| ws.blocks[b].payload.to_string().contains("deepest block"))
        .expect("deepest block");
    assert!(s.fake.edit_block_text(&block, "rewritten zqxylophone text"));
    // … and one of a page search omits (the listing cannot see it: `--full` below).
    let (hidden, hidden_old, hidden_block) = omitted_page_with_marker(ws, &chain);
    assert!(s.fake.edit_block_text(&hidden_block, "zqhiddenedit text"));

    let out = s.sync(&[]);
    assert!(out.contains("0 added, 1 updated, 0 deleted"), "{out}");
    assert_eq!(found(&s.trove, "zqxylophone"), vec![did(&deepest)]);
    assert!(found(&s.trove, &old).is_empty(), "old text still found");

    let pre_full = export(&s.trove);
    s.sync(&["--full"]);
    let post_full = export(&s.trove);
    let hidden_parent = ws.parent_page_of(&hidden).expect("hidden page's parent");
    for (id, d) in &pre_full {
        let was = (&d.title, &d.body, &d.path, &d.parent_id);
        let now = &post_full[id];
        if *id == did(&hidden) {
            assert!(now.body.contains("zqhiddenedit"), "{}", now.body);
        } else if *id == did(&hidden_parent) || *id == did(&chain[chain.len() - 2]) {
            // Their raw JSON holds the edited child's `child_page` block and its timestamp.
            assert_eq!(was, (&now.title, &now.body, &now.path, &now.parent_id));
        } else {
            assert_eq!(now, d, "--full changed {id}");
        }
    }
    assert_eq!(found(&s.trove, "zqhiddenedit"), vec![did(&hidden)]);
    assert!(
        found(&s.trove, &hidden_old).is_empty(),
        "old text still found"
    );
    let before = export(&s.trove);

    // Trash part of the chain, and the showcase page with its database and rows.
    let trashed = chain[chain.len() - 3..].to_vec();
    let showcase = ws.markers.showcase_page.clone().expect("showcase");
    let database = ws.markers.database.clone().expect("database");
    let source = ws.markers.data_source.clone().expect("data source");
    let rows = ws.data_sources[&source].rows.clone();
    assert!(rows.len() >= 150);
    assert!(before.contains_key(&did(&database)) && before.contains_key(&did(&rows[0])));
    assert!(s.fake.trash_page(&trashed[0]));
    assert!(s.fake.trash_page(&showcase));
    s.sync(&[]);
    let after = export(&s.trove);
    let gone: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let remaining = expected_ids(&s.fake.workspace());
    let want_gone = expected_ids(ws)
        .into_iter()
        .filter(|id| !remaining.contains(id))
        .collect::<Vec<_>>();
    assert_eq!(gone, want_gone.iter().collect::<Vec<_>>());
    for id in trashed.iter().chain([&showcase, &database]).chain(&rows) {
        assert!(!after.contains_key(&did(id)), "{id} remains");
    }
    for id in &trashed {
        let phrase = ws.unique_phrase_of(id).expect("phrase");
        assert!(found(&s.trove, &phrase).is_empty(), "{id} still found");
    }
    assert!(found(&s.trove, "kind:database_row").is_empty());

    // Unshare a page higher up the chain: it and everything below leave.
    let unshared = chain[chain.len() - 8..].to_vec();
    assert!(s.fake.unshare_page(&unshared[0]));
    s.sync(&[]);
    let docs = export(&s.trove);
    for id in &unshared {
        assert!(!docs.contains_key(&did(id)), "{id} remains");
    }
    assert!(docs.contains_key(&did(&chain[chain.len() - 9])));
    assert_eq!(docs.len(), after.len() - (unshared.len() - trashed.len()));
    let phrase = ws.unique_phrase_of(&unshared[0]).expect("phrase");
    assert!(found(&s.trove, &phrase).is_empty());
    let status = s.trove.status();
    assert_eq!(
        status["index"]["documents"].as_u64(),
        Some(docs.len() as u64)
    );
}

/// Trash that search still lists, a permanent delete, a new page and an appended paragraph:
/// the incremental sync ends where a clean sync of the changed workspace ends.
#[test]
fn incremental_sync_ends_like_a_clean_sync_of_the_changed_workspace() {
    let s = Setup::new(generate(&GenSpec::default()));
    s.sync(&[]);
    let ws = s.fake.workspace();
    let chain = chain(&ws);
    let trashed = chain[2].clone();
    let skip = [
        chain[0].clone(),
        ws.markers.showcase_page.clone().expect("showcase"),
        ws.markers.wide_page.clone().expect("wide"),
    ];
    let deleted = ws
        .page_ids()
        .into_iter()
        .find(|p| {
            ws.pages[p].shared && ws.parent_page_of(p).is_none() && !skip.contains(p) && {
                let (pages, _) = ws.subtree(p);
                pages.len() > 1
            }
        })
        .expect("a top-level page with sub-pages");
    let host = chain[1].clone();

    s.fake.with_workspace(|w| w.search_includes_trashed = true);
    assert!(s.fake.trash_page(&trashed));
    assert!(s.fake.delete_page(&deleted));
    let new_page = s
        .fake
        .add_page(Some(&host), "Brand new page", "zqbrandnew text")
        .expect("new page");
    assert!(s
        .fake
        .append_paragraph(&chain[0], "zqappended text")
        .is_some());
    s.sync(&[]);

    let (clean, config) = s.second_folder();
    sync_ok(s.sync_cmd(&clean, &config, TOKEN, &[]));
    let (got, want) = (export(&s.trove), export(&clean));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    // Notion does not bump a parent when a child page is trashed or deleted, so the parents
    // keep the child's title in their body until they change.
    let stale = [ws.parent_page_of(&trashed), ws.parent_page_of(&deleted)];
    for (id, w) in &want {
        let g = &got[id];
        assert_eq!(
            (&g.title, &g.path, &g.parent_id, &g.kind),
            (&w.title, &w.path, &w.parent_id, &w.kind),
            "{id}"
        );
        if !stale.iter().flatten().any(|p| did(p) == *id) {
            assert_eq!(g.body, w.body, "{id}");
        }
    }
    assert_eq!(found(&s.trove, "zqbrandnew"), vec![did(&new_page)]);
    assert_eq!(
        got[&did(&new_page)].path.last(),
        Some(&ws.page_title(&host))
    );
    assert_eq!(found(&s.trove, "zqappended"), vec![did(&chain[0])]);
    for id in ws.subtree(&trashed).0.iter().chain(&ws.subtree(&deleted).0) {
        assert!(!got.contains_key(&did(id)), "{id} remains");
    }
}

// ---- 4: faults ------------------------------------------------------------------------------

#[test]
fn ten_percent_faults_end_like_a_clean_sync() {
    let s = Setup::new(medium());
    s.sync(&[]);
    let clean = export(&s.trove);
    assert_eq!(
        clean.keys().cloned().collect::<Vec<_>>(),
        expected_ids(&s.fake.workspace())
    );

    s.fake.set_faults(Faults {
        seed: 11,
        rate_limited: 0.02,
        internal_error: 0.02,
        bad_gateway: 0.02,
        service_unavailable: 0.02,
        gateway_timeout: 0.02,
        retry_after_secs: 1,
        // One of each first, so every kind shows up whatever the dice say.
        script: vec![
            FaultKind::RateLimited,
            FaultKind::None,
            FaultKind::InternalError,
            FaultKind::None,
            FaultKind::BadGateway,
            FaultKind::None,
            FaultKind::ServiceUnavailable,
            FaultKind::None,
            FaultKind::GatewayTimeout,
        ],
        ..Faults::default()
    });
    s.fake.reset_requests();
    let (t, config) = s.second_folder();
    let out = sync_ok(s.sync_cmd(&t, &config, TOKEN, &[]));
    let counts = s.fake.requests();
    eprintln!("faulted sync: {out}{counts:?}");
    for code in [429, 500, 502, 503, 504] {
        assert!(counts.status(code) > 0, "no {code} injected: {counts:?}");
    }
    assert_same_docs(&export(&t), &clean);
    assert_eq!(doc_count(&t), clean.len() as u64);
}

// ---- 5: killed sync -------------------------------------------------------------------------

#[test]
fn killed_sync_resumes_to_the_same_end_state() {
    let s = Setup::new(medium());
    s.sync(&[]);
    let clean = export(&s.trove);
    let clean_requests = s.fake.requests().total;

    // Slow every request a little so the kill lands mid-crawl.
    s.fake.set_faults(Faults {
        slow: 1.0,
        slow_ms: 5,
        ..Faults::default()
    });
    s.fake.reset_requests();
    let (t, config) = s.second_folder();
    let mut child = s
        .sync_cmd(&t, &config, TOKEN, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sync");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let committed = Store::open(&t.data())
            .and_then(|st| st.count(None))
            .unwrap_or(0);
        if committed > 0 && s.fake.requests().total > clean_requests / 3 {
            break;
        }
        assert!(
            child.try_wait().expect("try_wait").is_none(),
            "sync finished before it could be killed"
        );
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    let partial = Store::open(&t.data())
        .and_then(|st| st.count(None))
        .expect("count");
    assert!(
        partial > 0 && (partial as usize) < clean.len(),
        "{partial} of {}",
        clean.len()
    );

    s.fake.set_faults(Faults::none());
    sync_ok(s.sync_cmd(&t, &config, TOKEN, &[]));
    let resumed_requests = s.fake.requests().total;
    eprintln!(
        "killed at {partial}/{} documents; killed + resumed sync {resumed_requests} requests \
         vs clean {clean_requests}",
        clean.len()
    );
    assert_same_docs(&export(&t), &clean);
    let status = t.status();
    assert_eq!(
        status["index"]["documents"].as_u64(),
        Some(clean.len() as u64)
    );
}

/// Ctrl-C (SIGINT) mid-sync exits 130, says how to resume, and the next sync completes.
#[test]
fn ctrl_c_stops_the_sync_with_exit_130_and_it_resumes() {
    let s = Setup::new(medium());
    s.fake.set_faults(Faults {
        slow: 1.0,
        slow_ms: 20,
        ..Faults::default()
    });
    let child = s
        .sync_cmd(&s.trove, &s.config, TOKEN, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sync");
    let deadline = Instant::now() + Duration::from_secs(60);
    while s.fake.requests().total < 5 {
        assert!(Instant::now() < deadline, "no requests");
        std::thread::sleep(Duration::from_millis(5));
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let out = child.wait_with_output().expect("wait");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("run `trove sync` again to resume"), "{err}");
    s.fake.set_faults(Faults::none());
    sync_ok(s.sync_cmd(&s.trove, &s.config, TOKEN, &[]));
}

// ---- 6: wrong token -------------------------------------------------------------------------

#[test]
fn wrong_token_is_rejected_and_changes_nothing() {
    let s = Setup::new(generate(&GenSpec::default()));
    s.sync(&[]);
    let before = export(&s.trove);
    let status_before = s.trove.status();
    // Something a successful sync would pick up.
    let ws = s.fake.workspace();
    let page = ws.deepest_page_id().expect("deepest page");
    let edited = ws
        .blocks_of_page(&page)
        .into_iter()
        .any(|b| s.fake.edit_block_text(&b, "an edit nobody may see"));
    assert!(edited);

    // All logs on (hyper and reqwest included): the token must not show there either.
    let mut cmd = s.sync_cmd(&s.trove, &s.config, "wrong_token_e2e", &["-vv"]);
    cmd.env("TROVE_LOG", "trace");
    let out = run(cmd);
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("the Notion token was rejected (401 unauthorized): "),
        "{err}"
    );

    assert_same_docs(&export(&s.trove), &before);
    let status_after = s.trove.status();
    assert_eq!(status_after["documents"], status_before["documents"]);
    assert_eq!(
        status_after["index"]["documents"],
        status_before["index"]["documents"]
    );
    assert_eq!(
        status_after["index"]["store_seq"],
        status_before["index"]["store_seq"]
    );
    assert_eq!(
        status_after["index"]["applied_seq"],
        status_before["index"]["applied_seq"]
    );
    // The failure is recorded for `status`, without the token; no file holds the token.
    let last = status_after.to_string();
    assert!(last.contains("401 unauthorized"), "{last}");
    assert!(!last.contains("wrong_token_e2e") && !last.contains(TOKEN));
    assert_no_token_in_files(&s.trove.data());
}
