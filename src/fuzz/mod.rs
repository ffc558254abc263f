//! Fuzz targets (bolero); only [`Run`] is compiled outside tests (the binary's importer target
//! uses it). Each target is a `#[test]`: under plain `cargo test` bolero
//! feeds it random inputs for one second (`BOLERO_RANDOM_TEST_TIME_MS` sets another time);
//! `cargo bolero test <target> --sanitizer NONE --profile release` (cargo-bolero 0.12.0) runs
//! it under libFuzzer (stable toolchain: `RUSTC_BOOTSTRAP=1`). README ("Fuzzing") has the
//! commands and the executions of a 10-minute run per target.
//!
//! Every target checks: no panic, and no input takes over one second of CPU ([`Run`]). The
//! flatteners get structure-aware inputs: real recorded API objects from the fixtures folder,
//! changed by a list of generated `json::Mutation`s (types swapped, keys dropped, strings
//! replaced, `type` tags set to other known types), so the fuzzer explores shapes the APIs
//! could send rather than random bytes that never parse.

#[cfg(test)]
mod json;
#[cfg(test)]
mod targets;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The most CPU time one input may take.
pub const MAX_INPUT_CPU: Duration = Duration::from_secs(1);

/// Counts executions of one target and checks each one's CPU time.
pub struct Run {
    name: &'static str,
    executions: AtomicU64,
}

impl Run {
    pub const fn new(name: &'static str) -> Run {
        Run {
            name,
            executions: AtomicU64::new(0),
        }
    }

    /// Runs `f` once, failing if it takes more than [`MAX_INPUT_CPU`] of this thread's CPU
    /// (CPU time, not wall time: a loaded machine does not make it fail).
    pub fn once<T>(&self, input: &dyn std::fmt::Debug, f: impl FnOnce() -> T) -> T {
        let start = thread_cpu();
        let out = f();
        let spent = thread_cpu().saturating_sub(start);
        assert!(
            spent <= MAX_INPUT_CPU,
            "{}: one input took {spent:?} of CPU: {input:?}",
            self.name
        );
        self.executions.fetch_add(1, Ordering::Relaxed);
        out
    }

    /// Prints the number of executions (visible with `--nocapture`).
    pub fn report(&self) {
        eprintln!(
            "fuzz {}: {} executions",
            self.name,
            self.executions.load(Ordering::Relaxed)
        );
    }
}

/// CPU time used by the calling thread.
#[cfg(unix)]
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(not(unix))]
fn thread_cpu() -> Duration {
    Duration::ZERO
}
