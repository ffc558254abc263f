//! Drives the search page in headless Chromium against a real `trove serve`: results for a
//! query in the URL (the same code path as typing: the page fills the box and fires its input
//! handler), highlighted snippets, result links, a facet click (following the facet's link),
//! the empty state, and a screenshot saved under `target/tmp/` as an artifact.
//!
//! Skips, saying so, when no Chromium is installed (`apt-get install chromium`; CI installs it).
//! Set `TROVE_CHROMIUM` to use a specific binary.

mod serve_harness;

use std::path::PathBuf;
use std::process::Command;

use serve_harness::{Data, Server};

fn chromium() -> Option<String> {
    let candidates = std::env::var("TROVE_CHROMIUM")
        .ok()
        .into_iter()
        .chain(["chromium", "chromium-browser", "google-chrome"].map(String::from));
    candidates.into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
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
    let Some(bin) = chromium() else {
        eprintln!(
            "SKIPPED: no chromium found (install the `chromium` package or set TROVE_CHROMIUM)"
        );
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

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-page.png");
    browser.run(
        &[&format!("--screenshot={}", shot.display())],
        &format!("{base}/?q=heat+transfer&tag=urgent"),
    );
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "no screenshot"
    );
    eprintln!("screenshot: {}", shot.display());
}

/// Where `npm ci` in tests/browser installs playwright-core.
fn playwright_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let ok = dir.join("node_modules/playwright-core").is_dir()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    ok.then_some(dir)
}

/// Typing, arrow keys, a facet click and Enter, in a real page (tests/browser/page.mjs).
#[test]
fn search_page_driven_by_keyboard_and_mouse() {
    let (Some(bin), Some(dir)) = (chromium(), playwright_dir()) else {
        eprintln!(
            "SKIPPED: needs chromium, node and `npm ci` in tests/browser (.ci/run installs them)"
        );
        return;
    };
    let bin = Command::new("which")
        .arg(&bin)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or(bin);
    let data = Data::with_docs(60);
    let srv = Server::start(&data, &[], &[]);
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-page-interactive.png");
    let out = Command::new("node")
        .current_dir(&dir)
        .args([
            "page.mjs",
            &bin,
            &format!("http://{}", srv.addr),
            &shot.display().to_string(),
        ])
        .output()
        .expect("run node");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "page.mjs failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("ok: typed, highlighted, faceted, opened https://example.com/crm/"),
        "{stdout}"
    );
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "no screenshot"
    );
    eprintln!("{stdout}screenshot: {}", shot.display());
}
