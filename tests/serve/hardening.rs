//! Hardening regressions (issue 13) that need the real binary: a second concurrent sync, a
//! rebuild after `CURRENT` named a missing generation, a damaged index, a read-only data
//! folder (also under `serve --sync-every`), a config file that shows its token to other
//! users, a full disk during import and rebuild, memory under hostile connections, and
//! searches that must stop at their timeout. Each test is named after the bug it pins.

use std::path::Path;
use std::process::Command;

use crate::util::{cap_file_size, stderr, stdout, Trove};
use trove::Document;

fn docs(n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| {
            Document::new(
                format!("imp:{i}"),
                format!("Rocket note {i}"),
                "thrust and nozzle design",
            )
        })
        .collect()
}

/// A data folder holding `n` imported documents.
fn imported(n: usize) -> Trove {
    let t = Trove::new();
    let file = t.write_ndjson("docs.ndjson", &docs(n));
    t.ok(&["import", file.to_str().unwrap()]);
    t
}

fn hits(t: &Trove, q: &str) -> usize {
    t.search(q, &["--limit", "100"])["hits"]
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn second_concurrent_sync_says_database_is_locked() {
    let t = imported(1);
    // Another sync holds the lock (this process stands in for it).
    let lock = trove::sync::SyncLock::acquire(&t.data()).unwrap();
    let out = t
        .cmd()
        .args(["sync"])
        .env("NOTION_TOKEN", "secret_not_used")
        // Nothing listens here; the sync must stop at the lock before any request.
        .env("NOTION_API_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("another sync is running"), "{err}");
    assert!(
        err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
    assert!(err.contains("sync.lock"), "{err}");
    assert!(!err.contains("database is locked"), "{err}");
    drop(lock);
}

#[test]
fn rebuild_exits_1_after_succeeding_when_current_named_a_missing_generation() {
    let t = imported(3);
    std::fs::write(t.data().join("index/CURRENT"), "gen-000077").unwrap();
    let out = t.run(&["search", "nozzle"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("run `trove rebuild`"),
        "{}",
        stderr(&out)
    );
    let out = t.ok(&["rebuild"]);
    assert!(out.contains("3 documents"), "{out}");
    assert_eq!(hits(&t, "nozzle"), 3);
}

/// The first file of the current generation whose name ends with `ext`.
fn segment_file(t: &Trove, ext: &str) -> std::path::PathBuf {
    let current = std::fs::read_to_string(t.data().join("index/CURRENT")).unwrap();
    let gen = t.data().join("index").join(current.trim());
    std::fs::read_dir(&gen)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(ext))
        .unwrap()
}

#[test]
fn corrupt_index_gives_raw_tantivy_text_and_status_says_up_to_date() {
    let t = imported(5);
    std::fs::remove_file(segment_file(&t, ".idx")).unwrap();
    for cmd in [&["status"][..], &["search", "nozzle"][..]] {
        let out = t.run(cmd);
        let (o, e) = (stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{cmd:?}: {o}{e}");
        assert!(e.contains("damaged or incomplete"), "{cmd:?}: {e}");
        assert!(e.contains("run `trove rebuild`"), "{cmd:?}: {e}");
        assert!(!o.contains("up to date"), "{cmd:?}: {o}");
    }
    // Nothing lost: the store has it all, and rebuild restores the index.
    let exported = t.ok(&["export"]);
    assert_eq!(exported.lines().count(), 5);
    t.ok(&["rebuild"]);
    assert_eq!(hits(&t, "nozzle"), 5);
}

/// Runs `trove ARGS…` as a user who may read but not write the data folder: as `nobody` via
/// `setpriv` when the tests run as root (root writes anywhere), else as ourselves.
fn run_read_only(t: &Trove, args: &[&str]) -> Option<std::process::Output> {
    read_only_cmd(t, args).map(|mut cmd| cmd.output().unwrap())
}

/// The command [`run_read_only`] runs (`None`: skipped, said why).
fn read_only_cmd(t: &Trove, args: &[&str]) -> Option<Command> {
    let root = euid() == 0;
    let mut cmd = if root {
        if Command::new("setpriv").arg("--help").output().is_err() {
            let msg = "read-only test needs setpriv (util-linux) to drop root";
            assert!(std::env::var_os("CI").is_none(), "{msg}");
            eprintln!("skipped: {msg}");
            return None;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        c.arg(env!("CARGO_BIN_EXE_trove"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_trove"))
    };
    cmd.arg("--data-dir").arg(t.data()).args(args);
    cmd.current_dir("/");
    for k in [
        "TROVE_CONFIG",
        "TROVE_DATA_DIR",
        "NOTION_TOKEN",
        "MONDAY_TOKEN",
    ] {
        cmd.env_remove(k);
    }
    Some(cmd)
}

fn euid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // The owner of a file this process just created is its effective uid.
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::metadata(tmp.path()).unwrap().uid()
}

/// Makes everything under `dir` readable and nothing writable, by anyone.
fn make_read_only(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            make_read_only(&p);
        } else {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
}

fn snapshot(dir: &Path) -> Vec<(String, u64, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let e = entry.unwrap();
        let m = e.metadata().unwrap();
        if m.is_dir() {
            out.extend(snapshot(&e.path()));
        } else {
            out.push((e.path().display().to_string(), m.len(), m.modified().ok()));
        }
    }
    out.sort();
    out
}

#[test]
fn read_only_data_folder_makes_even_search_fail() {
    use std::os::unix::fs::PermissionsExt;
    let t = imported(4);
    std::fs::set_permissions(t.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    make_read_only(&t.data());
    let before = snapshot(&t.data());
    let Some(out) = run_read_only(&t, &["search", "--json", "nozzle"]) else {
        return;
    };
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["hits"].as_array().unwrap().len(), 4, "{v}");
    let out = run_read_only(&t, &["status"]).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("4"), "{}", stdout(&out));
    let out = run_read_only(&t, &["export"]).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 4);
    // A writer fails clearly, without damage.
    let file = t.write_ndjson("more.ndjson", &docs(1));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run_read_only(&t, &["import", file.to_str().unwrap()]).unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is read-only for this user"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&t.data()), before, "a reader wrote to the folder");
}

#[test]
fn periodic_sync_on_a_read_only_folder_fails_at_sync_lock() {
    use std::os::unix::fs::PermissionsExt;
    let t = imported(4);
    std::fs::set_permissions(t.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = t.dir.path().join("trove.toml");
    std::fs::write(
        &cfg,
        "[[sources]]\nname = \"n\"\nkind = \"notion\"\ntoken_env = \"TROVE_TEST_TOKEN\"\n\
         api_url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    make_read_only(&t.data());
    let before = snapshot(&t.data());
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .to_string();
    let args = [
        "--config",
        cfg.to_str().unwrap(),
        "-v",
        "serve",
        "--addr",
        &addr,
    ];
    let Some(mut cmd) = read_only_cmd(&t, &[&args[..], &["--sync-every", "1s"]].concat()) else {
        return;
    };
    let log = t.dir.path().join("serve.log");
    cmd.env("TROVE_TEST_TOKEN", "secret_not_used")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    let mut child = cmd.spawn().unwrap();
    let up = crate::harness::eventually(60, || {
        matches!(crate::harness::try_get(&addr, "/health", &[]), Ok((200, _))).then_some(())
    });
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    assert!(up.is_some(), "serve did not come up: {}", read_log());
    // Search works on the read-only folder.
    let (code, body) = crate::harness::get(&addr, "/search?q=nozzle", &[]);
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["hits"].as_array().map_or(0, Vec::len), 4, "{v}");
    // The periodic sync says what `trove sync` says, at startup or at its first round.
    let said = crate::harness::eventually(30, || {
        let l = read_log();
        l.contains("periodic sync").then_some(l)
    });
    let _ = child.kill();
    let _ = child.wait();
    let l = said.unwrap_or_else(read_log);
    assert!(l.contains("is read-only for this user"), "{l}");
    assert!(!l.contains("sync.lock"), "{l}");
    assert!(!l.contains("panicked"), "{l}");
    assert_eq!(
        snapshot(&t.data()),
        before,
        "the server wrote to the folder"
    );
}

#[test]
fn config_with_a_literal_token_readable_by_others_gets_no_warning() {
    use std::os::unix::fs::PermissionsExt;
    let t = Trove::new();
    let cfg = t.dir.path().join("trove.toml");
    std::fs::write(
        &cfg,
        "[[sources]]\nname = \"n\"\nkind = \"notion\"\ntoken = \"secret_literal_123\"\napi_url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = t.run(&[
        "--config",
        cfg.to_str().unwrap(),
        "sync",
        "--source",
        "none",
    ]);
    let err = stderr(&out);
    assert!(err.contains("chmod 600"), "{err}");
    assert!(!err.contains("secret_literal_123"), "{err}");
}

/// One raw HTTP/1.1 exchange: (status, headers+body text).
fn raw_http(addr: &str, request: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[test]
fn framework_rejections_come_back_as_text_plain() {
    let data = crate::harness::Data::with_docs(3);
    let srv = crate::harness::Server::start(&data, &[], &[]);
    for (path, status, code) in [
        ("/documents/%FF%FE", 400, "bad_request"),
        ("/nope", 404, "not_found"),
    ] {
        let v = srv.json(path, status);
        assert_eq!(v["error"]["code"], code, "{path}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty(), "{v}");
    }
    let (status, text) = raw_http(
        &srv.addr,
        &format!(
            "POST /search HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            srv.addr
        ),
    );
    assert_eq!(status, 405, "{text}");
    let lower = text.to_lowercase();
    assert!(lower.contains("content-type: application/json"), "{text}");
    assert!(
        lower.contains("allow: get"),
        "the Allow header is kept: {text}"
    );
    assert!(text.contains("\"method_not_allowed\""), "{text}");
}

fn arb_doc() -> impl proptest::strategy::Strategy<Value = Document> {
    use proptest::prelude::*;
    let text = "\\PC{0,40}";
    (
        "[a-z0-9]{1,12}",
        text,
        "\\PC{0,200}",
        prop::collection::vec(text, 0..3),
        prop::collection::vec(text, 0..3),
        prop::collection::vec(text, 0..3),
        prop::option::of(0i64..4_000_000_000),
        "[a-z]{0,8}",
    )
        .prop_map(|(id, title, body, path, authors, tags, ts, kind)| {
            let mut d = Document::new(format!("prop:{id}"), title, body);
            d.path = path;
            d.authors = authors;
            d.tags = tags;
            d.kind = kind;
            d.updated_at = ts.and_then(|s| chrono::DateTime::from_timestamp(s, 0));
            d.raw = serde_json::json!({ "n": ts, "s": d.title });
            d
        })
}

#[test]
fn export_import_export_is_the_identity() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new(Config::with_cases(10));
    let strategy = prop::collection::vec(arb_doc(), 1..6);
    runner
        .run(&strategy, |docs| {
            let a = Trove::new();
            let file = a.write_ndjson("in.ndjson", &docs);
            // Duplicate ids are fine: the last line wins, as in any import.
            let out = a.run(&["import", file.to_str().unwrap()]);
            prop_assert!(out.status.success(), "{}", stderr(&out));
            let first = a.ok(&["export"]);
            let b = Trove::new();
            let again = b.dir.path().join("again.ndjson");
            std::fs::write(&again, &first).unwrap();
            b.ok(&["import", again.to_str().unwrap()]);
            let second = b.ok(&["export"]);
            prop_assert_eq!(&first, &second);
            prop_assert!(!first.is_empty());
            Ok(())
        })
        .unwrap();
}

/// Runs `trove ARGS…` with its files capped at `max_bytes` (see [`cap_file_size`]).
fn run_with_file_cap(t: &Trove, max_bytes: u64, args: &[&str]) -> std::process::Output {
    let mut cmd = t.cmd();
    cmd.args(args);
    cap_file_size(&mut cmd, max_bytes);
    cmd.output().unwrap()
}

fn big_docs(n: usize) -> Vec<Document> {
    (0..n)
        .map(|i| {
            Document::new(
                format!("big:{i}"),
                format!("Large note {i}"),
                format!("filler{i} ").repeat(300),
            )
        })
        .collect()
}

#[test]
fn full_disk_during_import_and_rebuild_loses_nothing() {
    let t = imported(20);
    let before = t.ok(&["export"]);
    // Import: ~7 MB of new documents against a 1 MB cap on any one file.
    let file = t.write_ndjson("big.ndjson", &big_docs(2_000));
    let out = run_with_file_cap(&t, 1 << 20, &["import", file.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(
        !out.status.success(),
        "import under a full disk succeeded: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.starts_with("error:") || err.contains("\nerror:"),
        "{err}"
    );
    assert!(
        err.contains("hint: the disk holding the data folder is full"),
        "{err}"
    );
    // Nothing lost: every document from before is still there and searchable.
    let after = t.ok(&["export"]);
    for line in before.lines() {
        assert!(after.contains(line), "lost: {line}");
    }
    assert_eq!(hits(&t, "nozzle"), 20);

    // With room again, import and rebuild finish.
    t.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(t.status()["documents"], 2_020);
    // Rebuild under the cap: it fails, the live index keeps serving.
    // Its segment files outgrow 32 KB; the store is only read.
    let out = run_with_file_cap(&t, 32 << 10, &["rebuild"]);
    let err = stderr(&out);
    assert!(
        !out.status.success(),
        "rebuild under a full disk succeeded: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("hint: the disk holding the data folder is full"),
        "{err}"
    );
    assert_eq!(hits(&t, "nozzle"), 20);
    assert_eq!(hits(&t, "filler7"), 1);
    t.ok(&["rebuild"]);
    assert_eq!(hits(&t, "filler1999"), 1);
    let gens: Vec<_> = std::fs::read_dir(t.data().join("index"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .collect();
    assert!(
        gens.len() <= 3,
        "the failed rebuild's generation was left behind: {gens:?}"
    );
}

/// Peak resident memory of process `pid` in MiB (Linux `VmHWM`).
fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    kb / 1024
}

/// The stated bound: `serve` stays under this much resident memory under 200 concurrent
/// connections sending hostile queries (SECURITY.md). Not a timing test: only memory and
/// correct answers are checked.
const SERVE_RSS_BOUND_MIB: u64 = 256;

#[test]
fn serve_memory_stays_bounded_under_200_hostile_connections() {
    let data = crate::harness::Data::with_docs(2_000);
    let srv = crate::harness::Server::start(&data, &[], &[]);
    let baseline = peak_rss_mib(srv.pid());
    let deep = format!("{}heat{}", "(".repeat(32), ")".repeat(32));
    let ors = vec!["heat"; 300].join("+OR+");
    let phrase = format!("%22{}%22", vec!["a"; 200].join("+"));
    let queries: Vec<String> = vec![
        format!("/search?q={deep}"),
        format!("/search?q={}heat", "(".repeat(500)),
        format!("/search?q={ors}&limit=100&facets=true"),
        format!("/search?q={phrase}"),
        "/search?q=heat&limit=100&offset=10000".into(),
        "/search?q=%F0%9F%99%82%F0%9F%99%82".into(),
        format!("/search?q={}", "x".repeat(2100)),
    ];
    let addr = srv.addr.clone();
    let threads: Vec<_> = (0..200)
        .map(|i| {
            let addr = addr.clone();
            let queries = queries.clone();
            std::thread::spawn(move || {
                let mut codes = Vec::new();
                for k in 0..queries.len() {
                    let q = &queries[(i + k) % queries.len()];
                    let code = crate::harness::try_get(&addr, q, &[]).map_or(0, |(c, _)| c);
                    codes.push(code);
                }
                codes
            })
        })
        .collect();
    let codes: Vec<u16> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let peak = peak_rss_mib(srv.pid());
    eprintln!("serve peak RSS: {peak} MiB under load (idle baseline {baseline} MiB)");
    // Every request got an HTTP answer: a result, a 400 for a bad query, or a 503 when busy.
    for c in &codes {
        assert!(matches!(c, 200 | 400 | 503), "status {c} in {codes:?}");
    }
    assert!(
        codes.iter().filter(|c| **c == 200).count() > 100,
        "{codes:?}"
    );
    assert!(
        peak < SERVE_RSS_BOUND_MIB,
        "serve peaked at {peak} MiB (bound {SERVE_RSS_BOUND_MIB} MiB)"
    );
    // Still healthy afterwards.
    assert_eq!(srv.get("/health").0, 200);
}

/// CPU time (user + system) process `pid` has used so far, from `/proc/<pid>/stat`.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name (which may hold spaces), from field 3 on.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1);
    ticks as f64 / hz as f64
}

/// Runs `cmd` to its end; returns its output and the CPU seconds it used (`wait4`'s rusage, so
/// other tests' processes do not count).
fn run_measuring_cpu(cmd: &mut Command) -> (std::process::Output, f64) {
    let file = tempfile::NamedTempFile::new().unwrap();
    #[allow(clippy::zombie_processes)] // reaped by the wait4 below, which also gives its rusage
    let child = cmd
        .stdout(file.reopen().unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for the child we spawned, with valid pointers.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let out = std::process::Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(status),
        stdout: std::fs::read(file.path()).unwrap(),
        stderr: Vec::new(),
    };
    (out, secs(usage.ru_utime) + secs(usage.ru_stime))
}

/// The value of metric `name` (without labels) in a Prometheus text page.
fn metric(page: &str, name: &str) -> Option<f64> {
    page.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// A phrase of ~290 words over 20 documents of 200,000 words each: every document matches,
/// and matching reads the positions of every word of the phrase in it (seconds of CPU).
fn costly_phrase() -> String {
    format!("\"{}\"", "heat transfer ".repeat(140).trim_end())
}

#[test]
fn timed_out_query_work_goes_on_after_the_timeout() {
    let data = crate::harness::Data {
        dir: tempfile::tempdir().unwrap(),
    };
    let body = "heat transfer ".repeat(100_000);
    let docs: Vec<String> = (0..20)
        .map(|i| {
            serde_json::json!({"id": format!("big:{i}"), "title": format!("Big {i}"), "body": body})
                .to_string()
        })
        .collect();
    data.import(&docs.join("\n"));
    let q = costly_phrase();
    // Baseline, same run: what one such search costs when nothing stops it.
    let (out, full_cpu) = run_measuring_cpu(
        Command::new(crate::harness::BIN)
            .arg("--data-dir")
            .arg(data.path())
            .args(["search", "--json", &q]),
    );
    assert!(out.status.success());
    eprintln!("one unbounded search: {full_cpu:.2} s of CPU");
    let timeout = 0.2;
    assert!(
        full_cpu > 5.0 * timeout,
        "the search is too cheap ({full_cpu:.2} s) to show anything against a {timeout} s timeout"
    );

    let srv = crate::harness::Server::start(&data, &["--query-timeout", "200ms"], &[]);
    let cpu_before = cpu_secs(srv.pid());
    let path = format!("/search?q={}", q.replace(' ', "+").replace('"', "%22"));
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let (addr, path) = (srv.addr.clone(), path.clone());
            std::thread::spawn(move || crate::harness::get(&addr, &path, &[]))
        })
        .collect();
    for t in threads {
        let (code, body) = t.join().unwrap();
        assert_eq!(code, 503, "{body}");
        assert!(body.contains("\"timeout\""), "{body}");
    }
    // Every search that started stops: none is left running, none ran to its end.
    let page = crate::harness::eventually(60, || {
        let (code, page) = srv.get("/metrics");
        (code == 200 && metric(&page, "trove_search_tasks_running") == Some(0.0)).then_some(page)
    })
    .expect("searches still running a minute after their timeout");
    let started = metric(&page, "trove_search_tasks_total").unwrap();
    let stopped = metric(&page, "trove_search_tasks_stopped_total").unwrap();
    assert!(started >= 1.0, "{page}");
    assert_eq!(
        stopped, started,
        "a search ran to its end after its timeout: {page}"
    );
    // The work really stopped: the server spent far less CPU than the searches it started
    // would have taken (CPU time, not wall time: a loaded machine does not change it).
    let spent = cpu_secs(srv.pid()) - cpu_before;
    eprintln!(
        "{started} searches started and stopped; server CPU {spent:.2} s, unbounded they would \
         take {:.1} s; peak RSS {} MiB",
        started * full_cpu,
        peak_rss_mib(srv.pid())
    );
    assert!(spent < started * full_cpu / 2.0, "server CPU {spent:.2} s");
    assert!(peak_rss_mib(srv.pid()) < SERVE_RSS_BOUND_MIB);
    assert_eq!(srv.get("/health").0, 200);
}
