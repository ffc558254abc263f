//! Shared by `tests/serve/http.rs`, `mcp.rs` and `browser.rs`: a temp data folder filled by the real
//! `trove import`, a real `trove serve` child process on a free loopback port, and a tiny
//! blocking HTTP/1.1 client (enough for GET with headers; no extra dependency).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_trove");

/// A data folder with imported documents.
pub struct Data {
    pub dir: tempfile::TempDir,
}

impl Data {
    /// `n` generated documents (see [`doc`]), imported by `trove import`.
    pub fn with_docs(n: usize) -> Data {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = Data { dir };
        let lines: Vec<String> = (0..n).map(doc).collect();
        data.import(&lines.join("\n"));
        data
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `trove import` of `ndjson` in its own process.
    pub fn import(&self, ndjson: &str) {
        let file = self.path().join(format!("import-{}.ndjson", unique()));
        std::fs::write(&file, ndjson).expect("write ndjson");
        self.trove(&["import", file.to_str().expect("utf-8 path")]);
    }

    /// Runs a trove subcommand on this data folder; panics with its stderr if it fails.
    pub fn trove(&self, args: &[&str]) -> String {
        let out = Command::new(BIN)
            .arg("--data-dir")
            .arg(self.path())
            .args(args)
            .output()
            .expect("run trove");
        assert!(
            out.status.success(),
            "trove {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Document `i`: sources `wiki`/`crm` alternate, kinds `page`/`item`/`database_row` cycle,
/// tags `urgent`/`done`/`todo`/`later` cycle, every body says "heat", every third
/// "heat transfer", `updated_at` is in month `1 + i % 12` of 2024.
pub fn doc(i: usize) -> String {
    let source = ["wiki", "crm"][i % 2];
    let kind = ["page", "item", "database_row"][i % 3];
    let tag = ["urgent", "done", "todo", "later"][i % 4];
    let extra = if i.is_multiple_of(3) {
        "heat transfer coefficient"
    } else {
        "garden hose"
    };
    serde_json::json!({
        "id": format!("{source}:{i}"),
        "title": format!("Document {i} about {}", if i.is_multiple_of(5) { "pumps" } else { "valves" }),
        "body": format!("This note {i} covers heat in the {extra} and the quarterly budget."),
        "kind": kind,
        "url": format!("https://example.com/{source}/{i}"),
        "path": ["Engineering", "Notes"],
        "tags": [tag],
        "updated_at": format!("2024-{:02}-15T10:00:00Z", 1 + i % 12),
    })
    .to_string()
}

/// A running `trove serve`.
pub struct Server {
    pub addr: String,
    child: Option<Child>,
    stderr_path: PathBuf,
}

impl Server {
    /// Starts `trove serve` on a free port and waits until `/health` answers.
    pub fn start(data: &Data, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let stderr_path = data.path().join(format!("serve-{port}.log"));
        let log = std::fs::File::create(&stderr_path).expect("log file");
        let child = Command::new(BIN)
            .arg("--data-dir")
            .arg(data.path())
            .arg("-v")
            .args(["serve", "--addr", &addr])
            .args(extra)
            .envs(env.iter().copied())
            .env_remove("TROVE_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn trove serve");
        let mut server = Server {
            addr,
            child: Some(child),
            stderr_path,
        };
        server.wait_up();
        server
    }

    fn wait_up(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("trove serve exited early ({status}): {}", self.log());
                }
            }
            if matches!(try_get(&self.addr, "/health", &[]), Ok((200, _))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("trove serve did not come up: {}", self.log());
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// What the server wrote to stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        get(&self.addr, path, &[])
    }

    /// GET and parse JSON; panics unless the status is `status`.
    pub fn json(&self, path: &str, status: u16) -> serde_json::Value {
        let (code, body) = self.get(path);
        assert_eq!(code, status, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: not JSON ({e}): {body}"))
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let ok = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "kill -TERM failed");
        child.wait().expect("wait for trove serve")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// GET `path`; panics on a connection error.
pub fn get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    try_get(addr, path, headers).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// A minimal HTTP/1.1 GET (`Connection: close`, plain or chunked body).
pub fn try_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Ok((
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        },
    ))
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Polls `f` every 50 ms until it returns `Some`, for at most `secs` seconds.
pub fn eventually<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
