//! End-to-end tests of the monday.com sync: the fake monday.com GraphQL server runs in this
//! process, the real `trove` binary syncs it through a `trove.toml`, and the tests check what
//! `trove status`, `trove search` and `trove export` show afterwards.

mod monday_harness;
mod util;

use std::process::Stdio;
use std::time::{Duration, Instant};

use monday_harness::*;
use trove_fakes::monday::{
    generate, item_marker, reply_marker, update_marker, FaultKind, Faults, GenSpec, Stats,
};
use util::{stderr, stdout};

/// Done-when 1 and 2: the full generated account is indexed completely (items, subitems,
/// columns, updates, replies); then edits and a new comment show up after the next sync.
#[test]
fn full_account_sync_then_incremental_edits() {
    let account = generate(&GenSpec::default());
    // One board the token may not read: listed as `null`, skipped, its items invisible.
    let hidden = account.content_boards().nth(3).expect("a fourth board").id;
    let faults = Faults {
        unauthorized_boards: vec![hidden.to_string()],
        ..Faults::none()
    };
    let env = Env::start(account, NO_LIMIT, faults);
    let acc = env.account();
    assert!(acc.workspaces.len() >= 3);
    assert!(acc.content_boards().count() >= 20);
    assert!(acc.big_board().is_some_and(|b| b.item_ids.len() >= 1200));
    assert!(acc.updates.len() >= 1000);
    assert!(acc.updates.iter().any(|u| !u.replies.is_empty()));
    assert!(acc.items.values().any(|i| i.parent_id.is_some()));

    let started = Instant::now();
    env.sync_ok();
    let secs = started.elapsed().as_secs_f64();
    let mut want = visible_items(&acc);
    let unreadable = board_items_and_subitems(&acc, hidden);
    assert!(!unreadable.is_empty());
    want.retain(|id| !unreadable.contains(id));
    report("full sync", &env.fake.stats(), want.len(), secs);

    let status = env.t.status();
    assert_eq!(status["sources"][0]["skipped"], 1, "{status}");
    assert_eq!(status["documents"], want.len() as u64, "{status}");
    assert_eq!(status["index"]["documents"], want.len() as u64, "{status}");
    let docs = env.export();
    assert_eq!(doc_ids(&docs), want);

    // Every item's `Column title: text` lines (every common column type occurs).
    let seen = |id: u64| want.contains(&format!("monday:{id}"));
    let items: Vec<u64> = acc.items.keys().copied().filter(|id| seen(*id)).collect();
    for id in &items {
        assert_columns(&acc, find(&docs, *id), *id);
    }
    // Markers: items, updates and replies are searchable on the right item.
    for id in items.iter().step_by(211) {
        assert_finds(&env, &item_marker(*id), *id);
    }
    let updates: Vec<_> = acc.updates.iter().filter(|u| seen(u.item_id)).collect();
    for u in updates.iter().step_by(97) {
        assert_finds(&env, &update_marker(u.id), u.item_id);
    }
    for u in &updates {
        let body = &find(&docs, u.item_id).body;
        assert!(body.contains(&update_marker(u.id)), "{body}");
    }
    let replies: Vec<_> = updates
        .iter()
        .flat_map(|u| u.replies.iter().map(move |r| (r.id, u.item_id)))
        .collect();
    assert!(replies.len() > 100);
    for (rid, item) in replies.iter().step_by(83) {
        assert_finds(&env, &reply_marker(*rid), *item);
    }
    let hidden_item = acc.board_items(hidden)[0].id;
    assert_finds_nothing(&env, &item_marker(hidden_item));

    // Done-when 2: a rename, a column edit and a new update (which does not bump
    // `updated_at`) are all picked up by the next, incremental sync.
    let big = acc.big_board().expect("big board");
    let (renamed, edited, commented) = (big.item_ids[700], big.item_ids[5], big.item_ids[1100]);
    env.fake.reset_stats();
    assert!(env
        .fake
        .edit_item_name(&renamed.to_string(), "Quokka migration plan"));
    assert!(env
        .fake
        .set_column_text(&edited.to_string(), "text", "zebrafish ledger"));
    assert!(env
        .fake
        .add_update(
            &commented.to_string(),
            "<p>Fresh <b>kumquat</b> findings</p>"
        )
        .is_some());
    let started = Instant::now();
    env.sync_ok();
    let secs = started.elapsed().as_secs_f64();
    report("incremental sync", &env.fake.stats(), want.len(), secs);

    assert_finds(&env, "quokka", renamed);
    assert_finds(&env, "zebrafish", edited);
    assert_finds(&env, "kumquat", commented);
    let after = env.export();
    assert_eq!(find(&after, renamed).title, "Quokka migration plan");
    assert!(find(&after, edited)
        .body
        .contains("Reference: zebrafish ledger"));
    assert!(find(&after, commented)
        .body
        .contains("Fresh kumquat findings"));
    assert_eq!(doc_ids(&after), want, "nothing lost or added");
    assert_same_docs(&after, &env.clean_export(), "incremental vs clean");

    // The unreadable board is shared again: the next incremental sync brings all its items.
    env.fake.set_faults(Faults::none());
    env.sync_ok();
    let shared = env.export();
    assert!(doc_ids(&shared).is_superset(&unreadable));
    assert_eq!(env.t.status()["sources"][0]["skipped"], 0);
    assert_same_docs(&shared, &env.clean_export(), "re-shared board vs clean");
}

/// Done-when 3: deleted and archived items, and the items of archived and deleted boards,
/// disappear on the next sync; subitems go with their parents.
#[test]
fn deleted_and_archived_items_and_boards_disappear() {
    let env = Env::with_spec(&GenSpec {
        boards: 4,
        ..GenSpec::small()
    });
    env.sync_ok();
    let acc = env.account();
    let before = env.export();
    assert_eq!(doc_ids(&before), visible_items(&acc));

    let boards: Vec<u64> = acc.content_boards().map(|b| b.id).collect();
    assert!(boards.len() >= 4);
    let items = acc.board_items(boards[0]);
    let parent = items
        .iter()
        .find(|i| !i.subitem_ids.is_empty())
        .expect("an item with subitems");
    let deleted = items
        .iter()
        .find(|i| i.id != parent.id)
        .expect("another item")
        .id;
    // A subitem deleted on its own (its parent stays, without it).
    let lone = items
        .iter()
        .filter(|i| i.id != parent.id && i.id != deleted)
        .find_map(|i| i.subitem_ids.first().copied())
        .expect("a subitem under another item");
    assert!(env.fake.archive_item(&parent.id.to_string()));
    assert!(env.fake.delete_item(&deleted.to_string()));
    assert!(env.fake.delete_item(&lone.to_string()));
    assert!(env.fake.archive_board(&boards[1].to_string()));
    assert!(env.fake.delete_board(&boards[2].to_string()));
    // A board no longer shared with the token: listed as `null`, its items drop out too.
    env.fake.set_faults(Faults {
        unauthorized_boards: vec![boards[3].to_string()],
        ..Faults::none()
    });
    env.sync_ok();

    let acc = env.account();
    let after = env.export();
    let gone: Vec<String> = doc_ids(&before)
        .difference(&doc_ids(&after))
        .cloned()
        .collect();
    let mut want = visible_items(&acc);
    want.retain(|id| !board_items_and_subitems(&acc, boards[3]).contains(id));
    assert_eq!(doc_ids(&after), want, "gone: {gone:?}");
    for id in [parent.id, deleted, lone]
        .into_iter()
        .chain(parent.subitem_ids.iter().copied())
    {
        assert!(!doc_ids(&after).contains(&format!("monday:{id}")));
        assert_finds_nothing(&env, &item_marker(id));
    }
    for b in &boards[1..4] {
        for i in acc.board_items(*b) {
            assert!(!doc_ids(&after).contains(&format!("monday:{}", i.id)));
        }
    }
    assert!(!after.is_empty());
    assert_same_docs(&after, &env.clean_export(), "incremental vs clean");
}

/// Done-when 4: cursors that expire in the middle of the big board lose and duplicate
/// nothing.
#[test]
fn expired_cursors_lose_and_duplicate_nothing() {
    let faults = Faults {
        seed: 5,
        cursor_expired: 0.3,
        // The first two requests that pass a cursor (the big board's pages) get it expired.
        script: vec![FaultKind::CursorExpired, FaultKind::CursorExpired],
        ..Faults::none()
    };
    let env = Env::start(generate(&medium_spec()), NO_LIMIT, faults);
    let out = env.sync_ok();
    let stats = env.fake.stats();
    assert!(stats.faults_injected >= 2, "{stats:?}");
    let total = medium_reference().len();
    // Every document was written exactly once.
    assert!(
        out.contains(&format!("monday: {total} added, 0 updated, 0 deleted")),
        "{out}"
    );
    assert_same_docs(&env.export(), medium_reference(), "expired cursors");

    // The server expiring every cursor while the big board is being paged.
    let env = Env::with_spec(&medium_spec());
    let mut child = env
        .sync_cmd()
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pages = |e: &Env| {
        let s = e.fake.stats();
        s.root_fields.get("next_items_page").copied().unwrap_or(0)
    };
    let mut expired = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("try_wait").is_none() && Instant::now() < deadline {
        if expired < 3 && pages(&env) > expired {
            env.fake.expire_cursors();
            expired += 1;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    assert!(expired > 0);
    eprintln!(
        "[monday e2e] expired all cursors {expired} times: {}",
        stdout(&out).trim()
    );
    assert!(
        stdout(&out).contains(&format!("monday: {total} added, 0 updated, 0 deleted")),
        "{}",
        stdout(&out)
    );
    assert_same_docs(&env.export(), medium_reference(), "expire_cursors");
}

/// Done-when 5: with about 10% of the requests faulted (429, HTTP 500, INTERNAL_SERVER_ERROR
/// inside a 200, cursor expiry) the end state equals a clean sync's.
#[test]
fn ten_percent_faults_end_in_the_clean_state() {
    let faults = Faults {
        seed: 17,
        rate_limit: 0.025,
        http_500: 0.025,
        internal_error: 0.025,
        cursor_expired: 0.025,
        rate_limit_retry_seconds: Some(1),
        ..Faults::none()
    };
    let env = Env::start(generate(&medium_spec()), NO_LIMIT, faults.clone());
    // With debug logs on: every retry is logged, and still without the token.
    let out = env.sync_cmd().arg("-vv").output().expect("run trove sync");
    assert_no_token(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("monday.com"), "{}", stderr(&out));
    let stats = env.fake.stats();
    assert!(stats.faults_injected > 0, "{stats:?}");
    eprintln!(
        "[monday e2e] faulted sync: {} of {} requests faulted",
        stats.faults_injected, stats.requests
    );
    assert_same_docs(&env.export(), medium_reference(), "10% faults");
    let status = env.t.status();
    assert_eq!(status["sources"][0]["status"], "ok", "{status}");

    // An incremental sync under the same faults picks up every change.
    let acc = env.account();
    let big = acc.big_board().expect("big board");
    let sub = acc
        .items
        .values()
        .find(|i| i.parent_id.is_some())
        .expect("a subitem");
    assert!(env
        .fake
        .edit_item_name(&big.item_ids[3].to_string(), "Renamed under faults"));
    assert!(env.fake.delete_item(&big.item_ids[30].to_string()));
    assert!(env.fake.archive_item(&big.item_ids[31].to_string()));
    assert!(env
        .fake
        .edit_item_name(&sub.id.to_string(), "Subitem renamed under faults"));
    assert!(env
        .fake
        .add_update(&big.item_ids[40].to_string(), "<p>Comment under faults</p>")
        .is_some());
    env.fake.set_faults(Faults { seed: 23, ..faults });
    env.sync_ok();
    env.fake.set_faults(Faults::none());
    assert_same_docs(
        &env.export(),
        &env.clean_export(),
        "incremental under faults",
    );
}

/// Done-when 6: a sync killed in the middle (again and again, at different points) resumes
/// to the same end state as a clean sync; so does a killed incremental sync.
#[test]
fn killed_sync_resumes_to_the_clean_state() {
    let env = Env::with_spec(&medium_spec());
    // First kill once the big board's second page was asked for: its first page is committed.
    let paging = |s: &Stats| s.root_fields.get("next_items_page").copied().unwrap_or(0) > 0;
    assert!(
        kill_when(&env, paging),
        "the sync ended before it could be killed"
    );
    let partial = env.t.status()["documents"].as_u64().unwrap_or(0);
    eprintln!("[monday e2e] killed after {partial} documents");
    // Then kill each resumed run a few requests in, until one finishes on its own.
    let mut kills = 1;
    for step in [3, 5, 8, 13, 21] {
        let start = env.fake.stats().requests;
        if !kill_when(&env, |s| s.requests >= start + step) {
            break;
        }
        kills += 1;
    }
    let out = env.sync_ok();
    eprintln!("[monday e2e] resumed after {kills} kills: {}", out.trim());
    assert_same_docs(&env.export(), medium_reference(), "killed and resumed");

    // An incremental sync with changes to pick up, killed in its sweep, then resumed.
    let acc = env.account();
    let big = acc.big_board().expect("big board");
    assert!(env
        .fake
        .edit_item_name(&big.item_ids[10].to_string(), "Renamed while killed"));
    assert!(env.fake.delete_item(&big.item_ids[20].to_string()));
    let sub = acc
        .items
        .values()
        .find(|i| i.parent_id.is_some())
        .expect("a subitem");
    assert!(env
        .fake
        .edit_item_name(&sub.id.to_string(), "Subitem renamed while killed"));
    let before = env
        .fake
        .stats()
        .root_fields
        .get("items")
        .copied()
        .unwrap_or(0);
    let sweeping = |s: &Stats| s.root_fields.get("items").copied().unwrap_or(0) > before;
    kill_when(&env, sweeping);
    env.sync_ok();
    assert_same_docs(
        &env.export(),
        &env.clean_export(),
        "incremental killed and resumed",
    );
}

/// Done-when 7: a wrong token fails with a clear message and non-zero exit, and loses nothing.
#[test]
fn wrong_token_fails_clearly_and_loses_nothing() {
    let mut env = Env::with_spec(&GenSpec::small());
    env.sync_ok();
    let before = env.export();
    assert!(!before.is_empty());

    env.token = "mt-Wrong-0000000000".into();
    let out = env.sync();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("the monday.com token was rejected (401): "),
        "{err}"
    );
    assert!(!err.contains(&env.token) && !stdout(&out).contains(&env.token));
    assert_same_docs(&env.export(), &before, "after a rejected token");
    let status = env.t.status();
    assert_eq!(status["sources"][0]["status"], "failed", "{status}");
    assert_eq!(
        status["index"]["documents"],
        before.len() as u64,
        "{status}"
    );
    let last_error = status["sources"][0]["last_error"]
        .as_str()
        .unwrap_or_default();
    assert!(last_error.contains("(401)"), "{status}");
    let text = status.to_string() + &env.t.ok(&["status", "--skipped"]);
    assert!(
        !text.contains(TOKEN) && !text.contains(&env.token),
        "{text}"
    );
}

/// The per-minute complexity budget runs out mid-crawl: the crawler waits for the reset and
/// finishes with everything.
#[test]
fn complexity_budget_exhaustion_waits_and_recovers() {
    const BUDGET: u64 = 300_000;
    // The small account costs about 460,000 points: two budget windows. The first request
    // also gets a scripted COMPLEXITY_BUDGET_EXHAUSTED 429 (retry in 20 seconds).
    let faults = Faults {
        script: vec![FaultKind::ComplexityExhausted],
        ..Faults::none()
    };
    let env = Env::start(generate(&GenSpec::small()), BUDGET, faults);
    let started = Instant::now();
    env.sync_ok();
    let stats = env.fake.stats();
    eprintln!(
        "[monday e2e] budget {BUDGET}/min: {} complexity spent, {} errors, {:.1}s",
        stats.complexity_spent,
        stats.errors,
        started.elapsed().as_secs_f64()
    );
    assert!(
        stats.complexity_spent > BUDGET && stats.errors >= 1,
        "the crawl fit in one minute's budget: {stats:?}"
    );
    assert_eq!(doc_ids(&env.export()), visible_items(&env.account()));
}

/// Changes that do not touch a top-level item's `updated_at`: a subitem edited or archived, a
/// reply to a two-day-old comment; plus a brand-new item. The next sync picks up all of them
/// and ends where a clean sync of the changed account ends.
#[test]
fn subitem_edits_replies_and_new_items_are_picked_up() {
    let env = Env::with_spec(&GenSpec::small());
    env.sync_ok();
    let acc = env.account();
    let subs: Vec<u64> = acc
        .items
        .values()
        .filter(|i| i.parent_id.is_some())
        .map(|i| i.id)
        .collect();
    assert!(subs.len() >= 3);
    let (renamed, edited) = (subs[0], subs[1]);
    // A subitem whose parent has no other change: only the archive can refresh the parent.
    let parent_of = |id: u64| acc.item(id).and_then(|i| i.parent_id);
    let archived = *subs
        .iter()
        .rfind(|s| parent_of(**s) != parent_of(renamed) && parent_of(**s) != parent_of(edited))
        .expect("a subitem elsewhere");
    let mut tops: Vec<_> = acc
        .items
        .values()
        .filter(|i| i.parent_id.is_none())
        .collect();
    tops.sort_by_key(|i| i.updated_at);
    let (commented, other) = (tops[0].id, tops[1].id);
    let board = acc.content_boards().next().expect("a board").id;

    let update = env
        .fake
        .add_update(&commented.to_string(), "<p>Kickoff notes</p>")
        .expect("update");
    env.sync_ok();
    // Two days later: a newer comment elsewhere, and the changes under test.
    env.fake.advance_clock(Duration::from_secs(2 * 86_400));
    assert!(env
        .fake
        .add_update(&other.to_string(), "<p>Unrelated</p>")
        .is_some());
    assert!(env
        .fake
        .edit_item_name(&renamed.to_string(), "Wombat checklist"));
    assert!(env
        .fake
        .set_column_text(&edited.to_string(), "text", "axolotl review"));
    assert!(env.fake.archive_item(&archived.to_string()));
    assert!(env
        .fake
        .add_reply(&update, "<p>Late narwhal answer</p>")
        .is_some());
    let created = env
        .fake
        .create_item(&board.to_string(), "Platypus onboarding")
        .expect("new item");
    env.sync_ok();

    assert_finds(&env, "wombat", renamed);
    assert_finds(&env, "axolotl", edited);
    assert_finds(&env, "narwhal", commented);
    assert_finds(&env, "platypus", created.parse().expect("id"));
    assert_finds_nothing(&env, &item_marker(archived));
    let clean = env.clean_export();
    assert_same_docs(&env.export(), &clean, "incremental vs clean");

    // `--full` crawls everything again and changes nothing.
    let out = env
        .sync_cmd()
        .arg("--full")
        .output()
        .expect("run sync --full");
    assert_no_token(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(" 0 added, "), "{}", stdout(&out));
    assert_same_docs(&env.export(), &clean, "--full vs clean");
}
