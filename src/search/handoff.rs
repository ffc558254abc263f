//! The next search for the thread that ran the last one, while it still waits for it.
//!
//! `serve` starts each search on the searches' pool. A pool thread that runs out of work
//! spins briefly and then sleeps, and waking a sleeping thread on an idle core costs tens of
//! microseconds on a virtual machine (measured: 69 µs for a TCP ping-pong between two
//! threads on two cores, 4.2 µs on one). One connection asking query after query leaves a gap
//! of about a hundred microseconds between two searches (the answer's trip back, the next
//! request's trip in): long enough for the pool's threads to fall asleep every time. So the
//! thread that finishes a search waits a little longer ([`WAIT`]) for the next one, yielding
//! its core to any other thread that wants it, and the next search is handed to it directly.
//! One thread waits at a time, and only while no other search runs: under concurrent
//! searches the pool's threads are busy anyway, and a waiting thread would take a core from
//! them (measured with `trove bench --query --load`). With no thread waiting, a search goes to
//! the pool as before.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Work handed to the searches' threads.
pub type Job = Box<dyn FnOnce() + Send>;

/// How long a thread that finished a search waits for the next one.
const WAIT: Duration = Duration::from_micros(300);

/// The waiting thread, if any, and the job handed to it.
struct Slot {
    waiting: bool,
    job: Option<Job>,
}

static SLOT: Mutex<Slot> = Mutex::new(Slot {
    waiting: false,
    job: None,
});

/// Jobs started by [`start`] and not finished. It counts a job before the job is handed
/// over, so the waiting thread polls this, not the lock: above zero, either a job was handed
/// to it or another search runs, and it stops waiting either way.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Runs `job`: on the thread waiting for one, else on a thread `spawn` starts with what it is
/// given (the job, then the wait for the next one).
pub fn start(job: Job, spawn: impl FnOnce(Job)) {
    /// Counts the job finished, even if it panics.
    struct Finished;
    impl Drop for Finished {
        fn drop(&mut self) {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        }
    }
    RUNNING.fetch_add(1, Ordering::SeqCst);
    let job: Job = Box::new(move || {
        let _finished = Finished;
        job();
    });
    if let Some(job) = to_waiting(job) {
        spawn(Box::new(move || {
            job();
            wait_for_next();
        }));
    }
}

/// Hands `job` to the thread waiting for one and returns `None`; gives `job` back when no
/// thread waits (or one was already handed a job).
fn to_waiting(job: Job) -> Option<Job> {
    let Ok(mut slot) = SLOT.lock() else {
        return Some(job);
    };
    if slot.waiting && slot.job.is_none() {
        slot.job = Some(job);
        None
    } else {
        Some(job)
    }
}

/// Waits up to [`WAIT`] for a job handed over by [`to_waiting`] and runs it, then waits
/// again; returns once none came in time or another search runs, or at once when another
/// thread already waits. A job handed over is never dropped: the thread that gives up takes
/// it under the lock.
fn wait_for_next() {
    loop {
        {
            let Ok(mut slot) = SLOT.lock() else { return };
            if slot.waiting || RUNNING.load(Ordering::SeqCst) > 0 {
                return;
            }
            slot.waiting = true;
        }
        let start = Instant::now();
        while start.elapsed() <= WAIT && RUNNING.load(Ordering::Relaxed) == 0 {
            std::thread::yield_now();
        }
        let job = {
            let Ok(mut slot) = SLOT.lock() else { return };
            slot.waiting = false;
            slot.job.take()
        };
        match job {
            Some(job) => job(),
            None => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    /// Runs `job` as `spawn_in_search_pool` does, with new threads for a pool.
    fn start(job: Job) {
        super::start(job, |run| {
            std::thread::spawn(run);
        });
    }

    #[test]
    fn every_job_runs_once_whether_handed_over_or_not() {
        let ran = Arc::new(AtomicUsize::new(0));
        let starters: Vec<_> = (0..4)
            .map(|_| {
                let ran = Arc::clone(&ran);
                std::thread::spawn(move || {
                    for i in 0..500 {
                        let ran = Arc::clone(&ran);
                        start(Box::new(move || {
                            ran.fetch_add(1, Ordering::SeqCst);
                        }));
                        if i % 50 == 0 {
                            // Past the wait: the next job finds no thread waiting.
                            std::thread::sleep(WAIT * 2);
                        }
                    }
                })
            })
            .collect();
        for s in starters {
            s.join().unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while ran.load(Ordering::SeqCst) < 2000 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(WAIT * 4);
        assert_eq!(ran.load(Ordering::SeqCst), 2000);
    }

    #[test]
    fn a_job_started_soon_after_another_is_handed_to_a_waiting_thread() {
        // Other tests' searches run meanwhile (no thread waits while one runs): try for a while.
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut handed = false;
        while !handed && Instant::now() < deadline {
            let (tx, rx) = std::sync::mpsc::channel();
            let done = tx.clone();
            start(Box::new(move || done.send(()).unwrap()));
            rx.recv().unwrap();
            // Time for that thread to start waiting.
            std::thread::sleep(Duration::from_micros(50));
            handed = SLOT.lock().unwrap().waiting;
            start(Box::new(move || tx.send(()).unwrap()));
            rx.recv_timeout(Duration::from_secs(10))
                .expect("the second job ran");
        }
        assert!(handed, "no thread waited for the next job in 5 s of tries");
    }
}
