//! Test harness: run the real `trove` binary against a temporary data folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use trove::bench::corpus::Corpus;
use trove::Document;

/// A temporary data folder and the binary to run on it.
pub struct Trove {
    pub dir: tempfile::TempDir,
}

impl Trove {
    pub fn new() -> Trove {
        Trove {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A `trove` command with `--data-dir` set and no config from the environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_trove"));
        c.arg("--data-dir").arg(self.data());
        c.current_dir(self.dir.path());
        for k in [
            "TROVE_CONFIG",
            "TROVE_DATA_DIR",
            "NOTION_TOKEN",
            "MONDAY_TOKEN",
        ] {
            c.env_remove(k);
        }
        c
    }

    /// Runs `trove ARGS…`, returning the output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run trove")
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "trove {args:?} failed: {}\n{}",
            stderr(&out),
            stdout(&out)
        );
        stdout(&out)
    }

    /// Writes documents as NDJSON into the temp folder; returns the path.
    pub fn write_ndjson(&self, name: &str, docs: &[Document]) -> PathBuf {
        let path = self.dir.path().join(name);
        write_ndjson(&path, docs);
        path
    }

    /// `trove search --json` → parsed JSON.
    pub fn search(&self, query: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["search", "--json", query];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.ok(&args)).expect("search json")
    }

    /// `trove status --json` → parsed JSON.
    pub fn status(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["status", "--json"])).expect("status json")
    }
}

pub fn write_ndjson(path: &Path, docs: &[Document]) {
    let mut s = String::new();
    for d in docs {
        s.push_str(&serde_json::to_string(d).expect("json"));
        s.push('\n');
    }
    std::fs::write(path, s).expect("write ndjson");
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `n` generated documents (seeded), bodies shortened to `max_words` to keep tests quick.
pub fn generated(n: u64, max_words: usize) -> Vec<Document> {
    let corpus = Corpus::new(5_000, 1.0, 9);
    (0..n)
        .map(|i| {
            let mut d = corpus.document(5, i);
            d.body = d
                .body
                .split(' ')
                .take(max_words)
                .collect::<Vec<_>>()
                .join(" ");
            d
        })
        .collect()
}

/// Ids of the hits of a search response.
pub fn hit_ids(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `<temp>/trove.toml` with one source named after its `kind` (`notion` or `monday`),
/// reading its token from `$token_env`, at `url`, with the request pacing off; returns its path.
pub fn write_source_config(t: &Trove, kind: &str, token_env: &str, url: &str) -> PathBuf {
    let key = if kind == "monday" {
        "auth_token_env"
    } else {
        "token_env"
    };
    let path = t.dir.path().join("trove.toml");
    let toml = format!(
        "[[sources]]\nname = \"{kind}\"\nkind = \"{kind}\"\n{key} = \"{token_env}\"\n\
         api_url = \"{url}\"\nrequests_per_second = 0\n"
    );
    std::fs::write(&path, toml).expect("write trove.toml");
    path
}

/// Asserts that none of `secrets` appears in the output of a run.
pub fn assert_no_secret(out: &Output, secrets: &[&str]) {
    for (name, text) in [("stdout", stdout(out)), ("stderr", stderr(out))] {
        for secret in secrets {
            assert!(!text.contains(secret), "a token leaked into {name}: {text}");
        }
    }
}

/// Caps every file `cmd` writes at `max_bytes` (RLIMIT_FSIZE): a write past the cap fails with
/// EFBIG, as on a full disk. Works unprivileged, so CI never skips a test that uses it.
pub fn cap_file_size(cmd: &mut Command, max_bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: only async-signal-safe calls (setrlimit, signal) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: max_bytes,
                rlim_max: max_bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Without this the kernel kills the process (SIGXFSZ) instead of failing the write.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
}
