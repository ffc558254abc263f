//! Drives the search page in headless Chromium against a real `trove serve`.
//!
//! - [`search_page_in_headless_chromium`]: Chromium alone (`--dump-dom`): results for a query
//!   in the URL, highlighted snippets, result links, a facet link, the no-results and error
//!   states.
//! - [`search_page_driven_by_keyboard_and_mouse`]: playwright-core (`tests/browser/page.mjs`):
//!   typing, arrow keys, a facet click and Enter.
//! - [`search_page_fits_every_width`]: playwright-core and axe-core
//!   (`tests/browser/layout.mjs`): 390, 768, 1280 and 1920 px in light and dark schemes, no
//!   sideways scrolling, no serious or critical axe violation, the phone's facet panel, the
//!   loading, empty, no-results and error states, the security headers.
//!
//! Screenshots are kept under `target/screenshots/` (CI keeps them as artifacts). The tests need
//! Chromium (`apt-get install chromium`, or set `TROVE_CHROMIUM`), Node.js and `npm ci` in
//! `tests/browser`; `.ci/run` installs all three. When one is missing they fail under the `CI`
//! environment variable and skip with one line saying so elsewhere.

mod serve_harness;

use std::path::{Path, PathBuf};
use std::process::Command;

use serve_harness::{Data, Server};

fn chromium() -> Result<String, String> {
    let candidates = std::env::var("TROVE_CHROMIUM")
        .ok()
        .into_iter()
        .chain(["chromium", "chromium-browser", "google-chrome"].map(String::from));
    candidates
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or_else(|| {
            "no Chromium found: install Debian's `chromium` package (apt-get install chromium) \
             or set TROVE_CHROMIUM to a Chromium binary"
                .to_owned()
        })
}

/// `tests/browser` with Node.js available and its npm dependencies installed.
fn node_dir() -> Result<PathBuf, String> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Err("no `node` found: install Node.js and npm (apt-get install nodejs npm)".into());
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    for dep in ["playwright-core", "axe-core"] {
        if !dir.join("node_modules").join(dep).is_dir() {
            return Err(format!(
                "{dep} is not installed: run `npm ci` in tests/browser (.ci/run does)"
            ));
        }
    }
    Ok(dir)
}

/// A browser test cannot run: under `CI` that fails it, elsewhere it says so and skips.
fn unavailable(why: &str) {
    unavailable_in(std::env::var_os("CI").is_some(), why);
}

fn unavailable_in(ci: bool, why: &str) {
    assert!(
        !ci,
        "{why} (CI is set, so the browser test fails instead of skipping)"
    );
    eprintln!("skipped: {why}");
}

#[test]
fn missing_browser_fails_under_ci_and_skips_elsewhere() {
    let why = "no Chromium found";
    let failed = std::panic::catch_unwind(|| unavailable_in(true, why));
    let msg = failed.expect_err("a missing browser passed under CI");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains(why) && msg.contains("CI is set"), "{msg}");
    unavailable_in(false, why);
}

/// Chromium, or `None` after [`unavailable`].
fn need_chromium() -> Option<String> {
    chromium().map_err(|e| unavailable(&e)).ok()
}

/// Chromium's full path and the node test folder, or `None` after [`unavailable`].
fn need_node() -> Option<(String, PathBuf)> {
    let bin = need_chromium()?;
    let dir = node_dir().map_err(|e| unavailable(&e)).ok()?;
    // playwright wants a path, not a name on PATH.
    let path = Command::new("which")
        .arg(&bin)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or(bin);
    Some((path, dir))
}

/// `target/screenshots/`, kept by CI as artifacts.
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

fn is_screenshot(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 5_000)
}

/// Runs `node <script> <chromium> <base> <arg>` in `dir` with `env`; panics with its output if
/// it fails.
fn node(
    dir: &Path,
    script: &str,
    [chromium, base]: [&str; 2],
    arg: &Path,
    env: &[(&str, &str)],
) -> String {
    let out = Command::new("node")
        .current_dir(dir)
        .args([script, chromium, base, &arg.display().to_string()])
        .envs(env.iter().copied())
        .output()
        .expect("run node");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    stdout.into_owned()
}

struct Browser {
    bin: String,
    profile: tempfile::TempDir,
}

impl Browser {
    fn run(&self, extra: &[&str], url: &str) -> String {
        let out = Command::new(&self.bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .args([
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--window-size=1200,900",
            ])
            .arg(format!("--user-data-dir={}", self.profile.path().display()))
            // Virtual time runs the page's debounce timer and waits for its fetch.
            .arg("--virtual-time-budget=10000")
            .args(extra)
            .arg(url)
            .output()
            .expect("run chromium");
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The DOM after scripts ran.
    fn dom(&self, url: &str) -> String {
        self.run(&["--dump-dom"], url)
    }
}

/// Values of `attr` on every tag that contains `marker`.
fn attrs(dom: &str, marker: &str, attr: &str) -> Vec<String> {
    dom.split('<')
        .filter(|tag| tag.contains(marker))
        .filter_map(|tag| {
            let start = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
            let end = tag[start..].find('"')? + start;
            Some(tag[start..end].replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn search_page_in_headless_chromium() {
    let Some(bin) = need_chromium() else {
        return;
    };
    let data = Data::with_docs(60);
    let srv = Server::start(&data, &[], &[]);
    let browser = Browser {
        bin,
        profile: tempfile::tempdir().unwrap(),
    };
    let base = format!("http://{}", srv.addr);

    // A query: ten highlighted hits whose titles link to the originals.
    let dom = browser.dom(&format!("{base}/?q=transfer"));
    let ids = attrs(&dom, "class=\"hit", "data-id");
    assert_eq!(ids.len(), 10, "expected a page of hits:\n{dom}");
    assert!(
        dom.contains("<b>transfer</b>"),
        "no highlighted snippet:\n{dom}"
    );
    assert!(
        dom.contains("1–10 of 20 results"),
        "no result count:\n{dom}"
    );
    let links = attrs(&dom, "class=\"title\"", "href");
    assert_eq!(links.len(), 10);
    for (id, href) in ids.iter().zip(&links) {
        let (source, n) = id.split_once(':').unwrap();
        assert_eq!(href, &format!("https://example.com/{source}/{n}"));
    }
    assert!(dom.contains("Engineering › Notes"), "no breadcrumb");
    assert!(dom.contains("rel=\"next\""), "no pager for 20 results");

    // Click the `crm` source facet: its link carries the filter; following it filters.
    let facet = attrs(&dom, "data-value=\"crm\"", "href");
    assert_eq!(facet, ["/?q=transfer&source=crm"], "{dom}");
    let filtered = browser.dom(&format!("{base}{}", facet[0]));
    let ids = attrs(&filtered, "class=\"hit", "data-id");
    assert_eq!(ids.len(), 10, "{filtered}");
    assert!(ids.iter().all(|id| id.starts_with("crm:")), "{ids:?}");
    assert!(
        filtered.contains("class=\"facet on\""),
        "active facet not marked"
    );
    assert!(
        filtered.contains("source: crm ×"),
        "no removable filter chip"
    );

    // Nothing found: a clear empty state.
    let empty = browser.dom(&format!("{base}/?q=xylophone"));
    assert!(empty.contains("No results for “xylophone”"), "{empty}");

    // A bad query shows the API's message.
    let bad = browser.dom(&format!("{base}/?q=%28heat"));
    assert!(
        bad.contains("role=\"alert\"") && bad.contains("bad query"),
        "{bad}"
    );

    let shot = screenshot_dir().join("serve-page.png");
    browser.run(
        &[&format!("--screenshot={}", shot.display())],
        &format!("{base}/?q=heat+transfer&tag=urgent"),
    );
    assert!(is_screenshot(&shot), "no screenshot");
    eprintln!("screenshot: {}", shot.display());
}

/// Typing, arrow keys, a facet click and Enter, in a real page (tests/browser/page.mjs).
#[test]
fn search_page_driven_by_keyboard_and_mouse() {
    let Some((bin, dir)) = need_node() else {
        return;
    };
    let data = Data::with_docs(60);
    let srv = Server::start(&data, &[], &[]);
    let shot = screenshot_dir().join("serve-page-interactive.png");
    let base = format!("http://{}", srv.addr);
    let stdout = node(&dir, "page.mjs", [&bin, &base], &shot, &[]);
    assert!(
        stdout.contains("ok: typed, highlighted, faceted, opened https://example.com/crm/"),
        "{stdout}"
    );
    assert!(is_screenshot(&shot), "no screenshot");
    eprintln!("{stdout}screenshot: {}", shot.display());
}

/// A document whose breadcrumb, URL and tag are far wider than a phone, and whose title is one
/// unbroken word: the page must ellipsize or wrap them, never scroll sideways.
fn long_doc() -> String {
    let crumbs: Vec<String> = (1..=9)
        .map(|i| format!("Quarterly operations review section {i}"))
        .collect();
    serde_json::json!({
        "id": "wiki:long",
        "title": format!("Longwinded{}", "Capacity".repeat(12)),
        "body": "A longwinded note about capacity planning.",
        "kind": "page",
        "url": format!("https://example.com/wiki/{}", "very-long-page-slug-".repeat(12)),
        "path": crumbs,
        "tags": ["a-tag-name-that-is-much-too-long-for-a-sidebar-of-facets"],
        "updated_at": "2024-06-01T10:00:00Z",
    })
    .to_string()
}

/// Every width, both colour schemes, every state, axe-core (tests/browser/layout.mjs).
#[test]
fn search_page_fits_every_width() {
    let Some((bin, dir)) = need_node() else {
        return;
    };
    let data = Data::with_docs(60);
    data.import(&long_doc());
    let srv = Server::start(&data, &[], &[]);
    let key = "page-test-key";
    let keyed_data = Data::with_docs(5);
    let keyed = Server::start(
        &keyed_data,
        &["--api-key-env", "TROVE_PAGE_KEY"],
        &[("TROVE_PAGE_KEY", key)],
    );
    let shots = screenshot_dir();
    let base = format!("http://{}", srv.addr);
    let key_base = format!("http://{}", keyed.addr);
    let env = [
        ("TROVE_PAGE_KEY_BASE", key_base.as_str()),
        ("TROVE_PAGE_KEY", key),
    ];
    let stdout = node(&dir, "layout.mjs", [&bin, &base], &shots, &env);
    assert!(stdout.contains("ok: 390, 768, 1280, 1920 px"), "{stdout}");
    for w in [390, 768, 1280, 1920] {
        for state in ["results", "long", "empty", "none", "error"] {
            for scheme in ["light", "dark"] {
                let shot = shots.join(format!("{state}-{w}-{scheme}.png"));
                assert!(is_screenshot(&shot), "no screenshot {}", shot.display());
            }
        }
    }
    for scheme in ["light", "dark"] {
        assert!(is_screenshot(&shots.join(format!("key-390-{scheme}.png"))));
    }
    eprintln!("{stdout}");
}
