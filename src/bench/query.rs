//! Query benchmark shared by `trove bench --query`: a fixed [`mix`] of queries (a rare word, a
//! common word, two and three words, a phrase, a filtered query and a stop-word-heavy question)
//! answered three ways over the same index in one run: trove's HTTP endpoint over one
//! keep-alive connection ([`over_http`]), trove's in-process [`Searcher`] ([`in_process`]),
//! and bare tantivy ([`bare_tantivy`]: tantivy's own query parser over the same fields with
//! the schema's boosts, a plain `TopDocs` collector and the page's stored documents loaded,
//! the baseline). Each way yields a [`Way`]: latencies per query of the mix.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::TantivyDocument;

use super::corpus::{Corpus, Rng};
use crate::http::ServeOptions;
use crate::index::TroveIndex;
use crate::search::{SearchRequest, Searcher};
use crate::store::Store;

/// One query of the mix.
#[derive(Debug, Clone)]
pub struct MixQuery {
    pub name: &'static str,
    /// The text as typed (trove syntax; bare tantivy's parser reads the same text).
    pub text: String,
}

/// The fixed mix, with words picked by Zipf rank from `corpus`'s vocabulary.
pub fn mix(corpus: &Corpus) -> Vec<MixQuery> {
    let w = |r: usize| corpus.word_at(r);
    let q = |name, text: String| MixQuery { name, text };
    vec![
        q("rare word", w(20_000).to_owned()),
        q("common word", w(0).to_owned()),
        q("two words", format!("{} {}", w(40), w(400))),
        q("three words", format!("{} {} {}", w(30), w(200), w(1500))),
        q("phrase", format!("\"{} {}\"", w(3), w(9))),
        q("filtered", format!("{} source:notion tags:done", w(25))),
        q(
            "stop-word question",
            format!(
                "what is the {} of the {} and how do we {} it",
                w(5),
                w(60),
                w(700)
            ),
        ),
    ]
}

/// Latencies of one way of answering, per query of the mix, and the wall time of the rounds.
#[derive(Debug, Clone)]
pub struct Way {
    pub name: &'static str,
    pub per_query: Vec<(&'static str, Vec<Duration>)>,
    pub wall: Duration,
}

/// Throughput and percentiles of a set of latencies.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub queries: usize,
    pub qps: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// The slowest answer.
    pub max: Duration,
}

impl Way {
    /// All queries of the mix together.
    pub fn summary(&self) -> Summary {
        let all: Vec<Duration> = self
            .per_query
            .iter()
            .flat_map(|(_, l)| l.iter().copied())
            .collect();
        summarize(all, self.wall)
    }

    /// One query of the mix (its throughput is that of the whole run).
    pub fn of(&self, name: &str) -> Option<Summary> {
        let (_, l) = self.per_query.iter().find(|(n, _)| *n == name)?;
        Some(summarize(l.clone(), self.wall))
    }

    /// Adds another run of the same mix: its answers join this one's, query by query, and its
    /// wall time this one's.
    pub fn pool(&mut self, other: &Way) {
        for ((name, lat), (other_name, more)) in self.per_query.iter_mut().zip(&other.per_query) {
            debug_assert_eq!(name, other_name, "pooled runs of different mixes");
            lat.extend_from_slice(more);
        }
        self.wall += other.wall;
    }
}

fn summarize(lat: Vec<Duration>, wall: Duration) -> Summary {
    let queries = lat.len();
    let max = lat.iter().max().copied().unwrap_or_default();
    let (p50, p99) = super::percentiles(lat);
    Summary {
        queries,
        qps: queries as f64 / wall.as_secs_f64().max(1e-9),
        p50,
        p99,
        max,
    }
}

/// Runs `rounds` rounds of the mix through `answer`, after one unmeasured warm-up round. The
/// queries are interleaved, each round in its own shuffled order (the same in every run), so a
/// slow moment of the machine falls on every query alike: in a fixed order, something the
/// machine does periodically can keep landing on the same query.
fn measure(
    name: &'static str,
    mix: &[MixQuery],
    rounds: usize,
    mut answer: impl FnMut(&MixQuery) -> anyhow::Result<()>,
) -> anyhow::Result<Way> {
    for q in mix {
        answer(q)?;
    }
    let mut per_query: Vec<(&'static str, Vec<Duration>)> = mix
        .iter()
        .map(|q| (q.name, Vec::with_capacity(rounds)))
        .collect();
    let mut rng = Rng::new(ORDER_SEED);
    let mut order: Vec<usize> = (0..mix.len()).collect();
    let start = Instant::now();
    for _ in 0..rounds {
        shuffle(&mut order, &mut rng);
        for &i in &order {
            let t0 = Instant::now();
            answer(&mix[i])?;
            per_query[i].1.push(t0.elapsed());
        }
    }
    Ok(Way {
        name,
        per_query,
        wall: start.elapsed(),
    })
}

/// The seed of the rounds' orders.
const ORDER_SEED: u64 = 0x5eed_04de_5eed;

/// Fisher–Yates.
fn shuffle(items: &mut [usize], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i + 1));
    }
}

/// The request every way answers: the first page of 10, facets on (as the HTTP API does).
pub fn request(q: &MixQuery) -> SearchRequest {
    SearchRequest {
        query: q.text.clone(),
        limit: 10,
        facets: true,
        ..SearchRequest::default()
    }
}

/// trove's in-process search (hits, snippets, total and facets).
pub fn in_process(
    searcher: &Searcher,
    store: &Store,
    mix: &[MixQuery],
    rounds: usize,
) -> anyhow::Result<Way> {
    measure("trove in-process", mix, rounds, |q| {
        searcher.search(&request(q), store)?;
        Ok(())
    })
}

/// What one more hit on the page costs in process (loading its stored fields and cutting its
/// snippet), in seconds: the median time of each query of the mix at 50 hits minus at 10,
/// divided by the extra hits it got, averaged over the queries that have more than 10.
pub fn cost_per_hit(searcher: &Searcher, store: &Store, mix: &[MixQuery]) -> anyhow::Result<f64> {
    let mut per_hit = Vec::new();
    for q in mix {
        let (t10, n10) = median_time(searcher, store, q, 10)?;
        let (t50, n50) = median_time(searcher, store, q, 50)?;
        if n50 > n10 {
            per_hit.push((t50 - t10).max(0.0) / (n50 - n10) as f64);
        }
    }
    anyhow::ensure!(
        !per_hit.is_empty(),
        "no query of the mix has more than 10 hits"
    );
    Ok(per_hit.iter().sum::<f64>() / per_hit.len() as f64)
}

/// Median seconds of 31 runs of `q` at `limit`, and the hits it returns.
fn median_time(
    searcher: &Searcher,
    store: &Store,
    q: &MixQuery,
    limit: usize,
) -> anyhow::Result<(f64, usize)> {
    let req = SearchRequest {
        limit,
        ..request(q)
    };
    let hits = searcher.search(&req, store)?.hits.len();
    let mut t = Vec::with_capacity(31);
    for _ in 0..31 {
        let t0 = Instant::now();
        searcher.search(&req, store)?;
        t.push(t0.elapsed().as_secs_f64());
    }
    t.sort_by(f64::total_cmp);
    Ok((t[15], hits))
}

/// The baseline: tantivy's `QueryParser` over title, body, path, authors and tags with the
/// schema's boosts, a `TopDocs` collector of 10, and the 10 stored documents loaded.
pub fn bare_tantivy(index: &TroveIndex, mix: &[MixQuery], rounds: usize) -> anyhow::Result<Way> {
    let f = *index.fields();
    let def = index.schema_def();
    let mut parser = QueryParser::for_index(
        index.index(),
        vec![f.title, f.body, f.path, f.authors, f.tags],
    );
    for (field, name) in [
        (f.title, "title"),
        (f.body, "body"),
        (f.path, "path"),
        (f.authors, "authors"),
        (f.tags, "tags"),
    ] {
        parser.set_field_boost(field, def.boost(name));
    }
    let reader = index.reader()?;
    let searcher = reader.searcher();
    measure("bare tantivy", mix, rounds, |q| {
        let (query, _errors) = parser.parse_query_lenient(&q.text);
        let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score())?;
        for (_, addr) in top {
            let _doc: TantivyDocument = searcher.doc(addr)?;
        }
        Ok(())
    })
}

/// trove's `/search` at `addr` over one keep-alive connection (facets on, limit 10).
pub fn over_http(addr: SocketAddr, mix: &[MixQuery], rounds: usize) -> anyhow::Result<Way> {
    let mut conn = Connection::open(addr)?;
    measure("trove HTTP", mix, rounds, |q| {
        let path = format!("/search?q={}&limit=10", url_encode(&q.text));
        let (status, _body) = conn.get(&path)?;
        anyhow::ensure!(status == 200, "GET {path} answered {status}");
        Ok(())
    })
}

/// Fills the data folder `dir` with `count` documents of `corpus` (seeded by `seed`), written
/// to the store in batches and indexed by one `rebuild`, without holding them all in memory.
pub fn build(dir: &Path, corpus: &Corpus, seed: u64, count: u64) -> anyhow::Result<()> {
    let mut store = Store::open(dir)?;
    let mut n = 0;
    while n < count {
        let end = (n + 5_000).min(count);
        let batch: Vec<_> = (n..end).map(|i| corpus.document(seed, i)).collect();
        store.upsert_all(&batch)?;
        n = end;
    }
    drop(store);
    crate::index::rebuild(dir, &|_, _| {})?;
    Ok(())
}

/// Starts `trove serve` on the data folder `dir` on a loopback port, on its own runtime thread
/// (it runs until the process ends); returns its address once it accepts connections.
pub fn start_server(dir: &Path) -> anyhow::Result<SocketAddr> {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = std_listener.local_addr()?;
    std_listener.set_nonblocking(true)?;
    let opts = ServeOptions {
        addr,
        data_dir: dir.to_owned(),
        config: None,
        api_key: None,
        sync_every: None,
        model_dir: None,
        query_timeout: crate::http::routes::WORK_TIMEOUT,
        cluster: None,
    };
    std::thread::spawn(move || {
        let rt = match crate::http::runtime() {
            Ok(rt) => rt,
            Err(e) => return eprintln!("server runtime: {e}"),
        };
        rt.block_on(async move {
            let listener = match tokio::net::TcpListener::from_std(std_listener) {
                Ok(l) => l,
                Err(e) => return eprintln!("listener: {e}"),
            };
            if let Err(e) = crate::http::serve_on(listener, opts, std::future::pending()).await {
                eprintln!("server failed: {e:#}");
            }
        });
    });
    for _ in 0..1200 {
        if let Ok(mut c) = Connection::open(addr) {
            if c.get("/health").is_ok_and(|(s, _)| s == 200) {
                return Ok(addr);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    anyhow::bail!("the server did not start within a minute")
}

/// A minimal HTTP/1.1 client on one persistent connection: the measured cost is the
/// server's, not a client library's pool.
pub struct Connection {
    reader: BufReader<TcpStream>,
    addr: SocketAddr,
}

impl Connection {
    pub fn open(addr: SocketAddr) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Connection {
            reader: BufReader::new(stream),
            addr,
        })
    }

    /// Sends `GET path` and reads the whole answer: status and body.
    pub fn get(&mut self, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let req = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr);
        self.reader.get_mut().write_all(req.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("malformed status line `{}`", line.trim()))?;
        let mut length = None;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let header = line.trim();
            if header.is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse::<usize>().ok();
                }
            }
        }
        let length = length.ok_or_else(|| anyhow::anyhow!("answer without content-length"))?;
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok((status, body))
    }
}

/// Percent-encodes a query-string value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_runs_keep_every_answer_of_each_query() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&m| Duration::from_millis(m))
                .collect::<Vec<_>>()
        };
        let run = |a: &[u64], b: &[u64], wall| Way {
            name: "w",
            per_query: vec![("a", ms(a)), ("b", ms(b))],
            wall: Duration::from_millis(wall),
        };
        let mut pooled = run(&[1, 1, 1], &[2, 2, 2], 10);
        pooled.pool(&run(&[1, 9, 9], &[2, 2, 3], 20));
        assert_eq!(pooled.per_query[0].1, ms(&[1, 1, 1, 1, 9, 9]));
        assert_eq!(pooled.per_query[1].1, ms(&[2, 2, 2, 2, 2, 3]));
        assert_eq!(pooled.wall, Duration::from_millis(30));
        let a = pooled.of("a").unwrap();
        assert_eq!((a.queries, a.max), (6, Duration::from_millis(9)));
        assert_eq!(pooled.summary().queries, 12);
    }

    #[test]
    fn every_round_answers_each_query_once_in_an_order_of_its_own() {
        let mix: Vec<MixQuery> = mix(&Corpus::new(30_000, 1.07, 42));
        let mut asked: Vec<&'static str> = Vec::new();
        let way = measure("w", &mix, 40, |q| {
            asked.push(q.name);
            Ok(())
        })
        .unwrap();
        let rounds: Vec<&[&str]> = asked[mix.len()..].chunks(mix.len()).collect();
        assert_eq!(rounds.len(), 40);
        for round in &rounds {
            let mut names = round.to_vec();
            names.sort_unstable();
            names.dedup();
            assert_eq!(
                names.len(),
                mix.len(),
                "a round asks each query once: {round:?}"
            );
        }
        // No query is stuck in one place of the rounds.
        for q in &mix {
            let places: std::collections::HashSet<usize> = rounds
                .iter()
                .map(|r| r.iter().position(|n| *n == q.name).unwrap())
                .collect();
            assert!(places.len() > 2, "{} is asked at {places:?} only", q.name);
        }
        assert!(way.per_query.iter().all(|(_, lat)| lat.len() == 40));
    }

    #[test]
    fn mix_has_every_kind_of_query() {
        let m = mix(&Corpus::new(30_000, 1.07, 42));
        assert_eq!(m.len(), 7);
        assert!(m.iter().any(|q| q.text.starts_with('"')));
        assert!(m.iter().any(|q| q.text.contains("source:")));
        assert_ne!(m[0].text, m[1].text);
    }

    #[test]
    fn percentiles_pick_from_sorted_latencies() {
        let lat: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let s = summarize(lat, Duration::from_secs(1));
        assert_eq!(s.p50, Duration::from_millis(50));
        assert_eq!(s.p99, Duration::from_millis(99));
        assert_eq!(s.max, Duration::from_millis(100));
        assert_eq!(s.qps, 100.0);
        let two_hundred: Vec<Duration> = (1..=200).map(Duration::from_millis).collect();
        assert_eq!(
            crate::bench::percentiles(two_hundred),
            (Duration::from_millis(100), Duration::from_millis(198))
        );
        assert_eq!(
            crate::bench::percentiles(vec![Duration::from_millis(7)]),
            (Duration::from_millis(7), Duration::from_millis(7))
        );
        assert_eq!(
            crate::bench::percentiles(Vec::new()),
            (Duration::ZERO, Duration::ZERO)
        );
    }

    #[test]
    fn url_encoding_keeps_queries_intact() {
        assert_eq!(url_encode("a \"b c\" x:y"), "a+%22b+c%22+x%3Ay");
    }
}
