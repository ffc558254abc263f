//! [`BarProgress`]: the live counters of a sync drawn as one spinner line on stderr (only on a
//! terminal): `notion ⠋ pages 120 · blocks 3,400 · requests 560 (4.1/s)`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use trove::connectors::Progress;

/// A spinner with counters; hidden when stderr is not a terminal.
pub struct BarProgress {
    bar: ProgressBar,
    label: String,
    counters: Mutex<BTreeMap<&'static str, u64>>,
    start: Instant,
}

impl BarProgress {
    pub fn new(label: &str) -> Self {
        let bar = if super::stderr_is_tty() {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(Duration::from_millis(120));
            b
        } else {
            ProgressBar::hidden()
        };
        BarProgress {
            bar,
            label: label.to_owned(),
            counters: Mutex::new(BTreeMap::new()),
            start: Instant::now(),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn render(&self, counters: &BTreeMap<&'static str, u64>, note: Option<&str>) -> String {
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let mut parts: Vec<String> = counters
            .iter()
            .filter(|(k, _)| **k != "requests")
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if let Some(r) = counters.get("requests") {
            parts.push(format!("requests {r} ({:.1}/s)", *r as f64 / secs));
        }
        let mut msg = format!("{}: {}", self.label, parts.join(" · "));
        if let Some(n) = note {
            msg.push_str(" — ");
            msg.push_str(n);
        }
        msg
    }
}

impl Progress for BarProgress {
    fn inc(&self, what: &'static str, n: u64) {
        let mut c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        *c.entry(what).or_default() += n;
        if !self.bar.is_hidden() {
            self.bar.set_message(self.render(&c, None));
        }
    }

    fn message(&self, msg: &str) {
        tracing::info!(source = %self.label, "{msg}");
        if !self.bar.is_hidden() {
            let c = self.counters.lock().unwrap_or_else(|p| p.into_inner());
            self.bar.set_message(self.render(&c, Some(msg)));
        }
    }
}
