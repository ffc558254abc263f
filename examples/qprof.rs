//! Profiling driver for `trove bench --query`'s mix: builds (once) a data folder of generated
//! documents, then answers one query of the mix many times, in process or with bare tantivy,
//! so `perf record` sees only the query. Usage:
//! `qprof DIR DOCS MIN-MAX QUERY-NAMES ITERATIONS [trove|bare|phases|http|mix]`, where
//! QUERY-NAMES is `all` or names of the mix joined by commas.
//! - `mix` runs the chosen queries in turn, as `trove bench` does: each starts with the caches
//!   the others left, and reports each query's tail (p99, p99.9, max). With `QPROF_GAP_US`
//!   set, it sleeps that many microseconds before each query. With `QPROF_SLOW_MS` set, every
//!   answer slower than that many milliseconds is logged to stderr with the `CLOCK_MONOTONIC`
//!   time it ended, the thread and the process's page faults and context switches meanwhile,
//!   to find it in `perf sched record -k CLOCK_MONOTONIC` or `perf record -k CLOCK_MONOTONIC`.
//! - `http` asks `trove serve`, started in this process, over one keep-alive connection, next
//!   to `/health` (the floor of a request).
//!
//! With `QPROF_BUSY` set, a thread keeps rayon's global pool busy meanwhile, as `serve`'s
//! background embedding does.

use std::time::Instant;

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::TantivyDocument;
use trove::bench::corpus::Corpus;
use trove::bench::query;
use trove::index::TroveIndex;
use trove::search::Searcher;
use trove::store::Store;

/// The allocator `trove` itself uses (src/main.rs), so the profile is of the same code.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str =
    "usage: qprof DIR DOCS MIN-MAX QUERY-NAMES|all ITERATIONS [trove|bare|phases|http|mix]";

fn main() -> anyhow::Result<()> {
    let a: Vec<String> = std::env::args().collect();
    anyhow::ensure!(a.len() >= 6, USAGE);
    let dir = std::path::PathBuf::from(&a[1]);
    let docs: u64 = a[2].parse()?;
    let (min, max) = a[3]
        .split_once('-')
        .ok_or_else(|| anyhow::anyhow!("body words must be MIN-MAX; {USAGE}"))?;
    let corpus = Corpus::standard().with_body_words(min.parse()?, max.parse()?);
    if !dir.join("index").exists() {
        std::fs::create_dir_all(&dir)?;
        let t = Instant::now();
        query::build(&dir, &corpus, 1, docs)?;
        eprintln!("built in {:.1}s", t.elapsed().as_secs_f64());
    }
    let mix = query::mix(&corpus);
    let chosen = chosen(&mix, &a[4]);
    let iters: usize = a[5].parse()?;
    anyhow::ensure!(iters > 0, "ITERATIONS must be at least 1; {USAGE}");
    let mode = a.get(6).map_or("trove", String::as_str);
    anyhow::ensure!(
        ["trove", "bare", "phases", "http", "mix"].contains(&mode),
        "no mode `{mode}`; {USAGE}"
    );
    anyhow::ensure!(
        !chosen.is_empty(),
        "no query of the mix is named `{}`; {USAGE}",
        a[4]
    );
    if std::env::var_os("QPROF_BUSY").is_some() {
        // Other work on rayon's global pool meanwhile, as `serve`'s background embedding
        // does: batches of tasks of about a millisecond each.
        std::thread::spawn(|| loop {
            use rayon::prelude::*;
            (0..64u64).into_par_iter().for_each(|i| {
                let t = Instant::now();
                let mut x = i;
                while t.elapsed() < std::time::Duration::from_millis(1) {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                }
            });
        });
    }
    if mode == "http" {
        return over_http(&dir, &chosen, iters);
    }

    let store = Store::open(&dir)?;
    let searcher = Searcher::new(TroveIndex::open(&dir)?)?;
    let reader = searcher.index().reader()?;
    let tsearcher = reader.searcher();
    if mode == "mix" {
        return in_turn(&searcher, &store, &chosen, iters);
    }
    for q in chosen {
        if mode == "phases" {
            print_phases(&searcher, &tsearcher, &query::request(q), q.name, iters)?;
            continue;
        }
        let mut lat = Vec::with_capacity(iters);
        for _ in 0..iters {
            let t = Instant::now();
            if mode == "bare" {
                bare_once(searcher.index(), &tsearcher, &q.text)?;
            } else {
                let r = searcher.search(&query::request(q), &store)?;
                std::hint::black_box(r);
            }
            lat.push(t.elapsed());
        }
        let (p50, p99) = p50_p99(lat);
        let r = searcher.search(&query::request(q), &store)?;
        println!(
            "{:20} {:?} p50 {p50:.3} ms p99 {p99:.3} ms  total {} exact {} top {:?}",
            q.name,
            q.text,
            r.total,
            r.total_is_exact,
            r.hits
                .iter()
                .take(3)
                .map(|h| (h.id.clone(), h.score))
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}

/// p50 of each phase of a search on its own: compiling, the top-k on one thread and on the
/// searches' threads, the bounded count, and the proximity rescoring of the top-k.
fn print_phases(
    searcher: &Searcher,
    tsearcher: &tantivy::Searcher,
    req: &trove::search::SearchRequest,
    name: &str,
    iters: usize,
) -> anyhow::Result<()> {
    use trove::search::{compile, count, query as parse, rescore, top_k};
    let p50 = |f: &mut dyn FnMut() -> anyhow::Result<()>| -> anyhow::Result<f64> {
        let mut lat = Vec::with_capacity(iters);
        for _ in 0..iters {
            let t = Instant::now();
            f()?;
            lat.push(t.elapsed());
        }
        Ok(p50_p99(lat).0)
    };
    let compile = || -> anyhow::Result<compile::Compiled> {
        let parsed = parse::parse(&req.query)?;
        Ok(
            compile::Compiler::with_ranking(searcher.index(), *searcher.ranking())?
                .compile(&parsed, req)?,
        )
    };
    let c = compile()?;
    let k = rescore::fetch(&c.proximity, req.offset, req.limit);
    let up_to = Some(trove::search::EXACT_TOTAL_UP_TO);
    let compiling = p50(&mut || compile().map(drop))?;
    let top = |parallel| top_k::by_score(tsearcher, &*c.query, k, parallel).map(drop);
    let serial = p50(&mut || Ok(top(false)?))?;
    let parallel = p50(&mut || Ok(top(true)?))?;
    let counting = p50(&mut || {
        count::count(tsearcher, &*c.query, up_to, req.facets)?;
        Ok(())
    })?;
    let found = top_k::by_score(tsearcher, &*c.query, k, false)?;
    let budget = trove::search::Budget::unlimited();
    let rescoring = p50(&mut || {
        rescore::page(
            tsearcher,
            &c.proximity,
            found.clone(),
            req.offset,
            req.limit,
            &budget,
        )?;
        Ok(())
    })?;
    println!(
        "{name:20} k {k:3} prunable {:5} compile {compiling:.3} top-k {serial:.3} (parallel \
         {parallel:.3}) count {counting:.3} rescore {rescoring:.3} ms",
        c.prunable
    );
    Ok(())
}

/// The queries of `mix` that `names` chooses: `all`, or names joined by commas.
fn chosen<'a>(mix: &'a [query::MixQuery], names: &str) -> Vec<&'a query::MixQuery> {
    mix.iter()
        .filter(|q| names == "all" || names.split(',').any(|n| n == q.name))
        .collect()
}

/// The p50 and p99 of `lat` in milliseconds, picked as `trove bench` picks them.
fn p50_p99(lat: Vec<std::time::Duration>) -> (f64, f64) {
    let (p50, p99) = trove::bench::percentiles(lat);
    (p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3)
}

/// p50 of each chosen query in process, the queries run in turn `iters` times.
fn in_turn(
    searcher: &Searcher,
    store: &Store,
    chosen: &[&query::MixQuery],
    iters: usize,
) -> anyhow::Result<()> {
    let mut lat = vec![Vec::with_capacity(iters); chosen.len()];
    let env = |name| std::env::var(name).ok().and_then(|v| v.parse::<f64>().ok());
    let gap = env("QPROF_GAP_US").map(|us| std::time::Duration::from_secs_f64(us / 1e6));
    let slow = env("QPROF_SLOW_MS").map(|ms| std::time::Duration::from_secs_f64(ms / 1e3));
    for _ in 0..iters {
        for (q, lat) in chosen.iter().zip(lat.iter_mut()) {
            if let Some(gap) = gap {
                std::thread::sleep(gap);
            }
            let before = Usage::now();
            let t = Instant::now();
            std::hint::black_box(searcher.search(&query::request(q), store)?);
            let took = t.elapsed();
            lat.push(took);
            if slow.is_some_and(|s| took > s) {
                Usage::now().log_slow(&before, q.name, took);
            }
        }
    }
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    for (q, mut lat) in chosen.iter().zip(lat) {
        lat.sort_unstable();
        let at = |per_mille| ms(trove::bench::percentile(&lat, per_mille));
        let over = lat.iter().filter(|d| ms(**d) > 3.0).count();
        println!(
            "{:20} in turn p50 {:.3} p99 {:.3} p99.9 {:.3} max {:.3} ms; {over} over 3 ms",
            q.name,
            at(500),
            at(990),
            at(999),
            at(1000)
        );
    }
    Ok(())
}

/// The process's page faults and context switches so far (`getrusage`).
struct Usage {
    minor_faults: i64,
    major_faults: i64,
    voluntary_switches: i64,
    involuntary_switches: i64,
}

impl Usage {
    fn now() -> Usage {
        // SAFETY: `getrusage` fills the zeroed struct it is given and keeps no pointer to it.
        let u = unsafe {
            let mut u: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_SELF, &mut u);
            u
        };
        Usage {
            minor_faults: u.ru_minflt,
            major_faults: u.ru_majflt,
            voluntary_switches: u.ru_nvcsw,
            involuntary_switches: u.ru_nivcsw,
        }
    }

    /// Logs a slow answer: when it ended (`CLOCK_MONOTONIC`, as `perf -k CLOCK_MONOTONIC`
    /// stamps samples), on which thread, and what `before` → `self` says happened meanwhile.
    fn log_slow(&self, before: &Usage, name: &str, took: std::time::Duration) {
        // SAFETY: `clock_gettime` fills the zeroed struct; `gettid` has no preconditions.
        let (end, tid) = unsafe {
            let mut ts: libc::timespec = std::mem::zeroed();
            libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
            (ts, libc::gettid())
        };
        eprintln!(
            "slow: {name} {:.3} ms, ended {}.{:06} on thread {tid}; faults {} minor {} major; \
             context switches {} voluntary {} involuntary",
            took.as_secs_f64() * 1e3,
            end.tv_sec,
            end.tv_nsec / 1000,
            self.minor_faults - before.minor_faults,
            self.major_faults - before.major_faults,
            self.voluntary_switches - before.voluntary_switches,
            self.involuntary_switches - before.involuntary_switches,
        );
    }
}

/// p50 and p99 of each chosen query through `trove serve`'s `/search`, after those of
/// `/health`.
fn over_http(
    dir: &std::path::Path,
    chosen: &[&query::MixQuery],
    iters: usize,
) -> anyhow::Result<()> {
    let addr = query::start_server(dir)?;
    let mut conn = query::Connection::open(addr)?;
    let mut time = |label: &str, path: &str| -> anyhow::Result<()> {
        let mut lat = Vec::with_capacity(iters);
        for _ in 0..iters {
            let t = Instant::now();
            let (status, _) = conn.get(path)?;
            anyhow::ensure!(status == 200, "GET {path} answered {status}");
            lat.push(t.elapsed());
        }
        let (p50, p99) = p50_p99(lat);
        println!("{label:20} HTTP p50 {p50:.3} ms p99 {p99:.3} ms");
        Ok(())
    };
    time("/health", "/health")?;
    for q in chosen {
        let path = format!("/search?q={}&limit=10", query::url_encode(&q.text));
        time(q.name, &path)?;
    }
    Ok(())
}

fn bare_once(index: &TroveIndex, searcher: &tantivy::Searcher, text: &str) -> anyhow::Result<()> {
    let f = *index.fields();
    let parser = QueryParser::for_index(
        index.index(),
        vec![f.title, f.body, f.path, f.authors, f.tags],
    );
    let (query, _) = parser.parse_query_lenient(text);
    for (_, addr) in searcher.search(&query, &TopDocs::with_limit(10).order_by_score())? {
        let _d: TantivyDocument = searcher.doc(addr)?;
    }
    Ok(())
}
