//! `trove import FILE|-`: upserts NDJSON documents (the shape `export` writes) into the store in
//! batches, then brings the index up to date. A bad line is reported with its number and
//! skipped; every good line is committed.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::Ctx;
use trove::document::Document;
use trove::index::TroveIndex;
use trove::ingest::Skip;
use trove::store::{Store, Upserted};

/// Documents per store transaction.
const BATCH: usize = 1000;
/// Documents between index commits during a long import.
const INDEX_EVERY: u64 = 50_000;
/// At most this many bad lines are listed one by one.
const MAX_REPORTED: usize = 20;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// NDJSON file to read, or `-` for standard input.
    pub file: PathBuf,
    /// Documents whose body is longer are skipped (listed by `trove status --skipped`): one
    /// huge body costs memory in every search that hits it.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES, value_name = "BYTES")]
    pub max_body_bytes: usize,
}

/// The default `--max-body-bytes`: 8 MiB, far above any real page or item.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 << 20;

/// Counts of one import.
#[derive(Debug, Default)]
struct Counts {
    added: u64,
    updated: u64,
    unchanged: u64,
    rejected: u64,
    skipped: u64,
}

pub fn run(ctx: &Ctx, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let input: Box<dyn Read> = if args.file.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .with_context(|| format!("cannot open {}", args.file.display()))?,
        )
    };
    ctx.data().check_writable()?;
    let (mut store, mut index) = ctx.open()?;
    let start = Instant::now();
    let counts = import(
        BufReader::with_capacity(1 << 20, input),
        &mut store,
        &mut index,
        args.max_body_bytes,
    )?;
    let secs = start.elapsed().as_secs_f64();
    let total = counts.added + counts.updated + counts.unchanged;
    eprintln!(
        "imported {total} documents ({} added, {} updated, {} unchanged) in {secs:.1}s ({:.0} documents/s)",
        counts.added,
        counts.updated,
        counts.unchanged,
        total as f64 / secs.max(1e-9)
    );
    if counts.skipped > 0 {
        eprintln!(
            "warning: {} document(s) skipped for their size; `trove status --skipped` lists them",
            counts.skipped
        );
    }
    drop((store, index));
    ctx.finish_embedding()?;
    super::push::after_write(ctx)?;
    if counts.rejected > 0 {
        eprintln!("error: {} line(s) rejected; fix them and import the file again (accepted lines are kept)", counts.rejected);
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn import(
    input: impl BufRead,
    store: &mut Store,
    index: &mut TroveIndex,
    max_body: usize,
) -> anyhow::Result<Counts> {
    let (read, _) = index.catch_up_while(INDEX_EVERY, || read_into(input, store, max_body))?;
    read
}

/// Reads NDJSON documents from `input` into the store, a transaction per [`BATCH`].
fn read_into(input: impl BufRead, store: &mut Store, max_body: usize) -> anyhow::Result<Counts> {
    let mut counts = Counts::default();
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
    let mut input = input;
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        let read = input
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("reading line {}", line_no + 1))?;
        if read == 0 {
            break;
        }
        line_no += 1;
        let parsed = match std::str::from_utf8(&buf) {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => parse_line(line),
            Err(e) => Err(format!(
                "not valid UTF-8 (bad byte at column {}); save the file as UTF-8",
                e.valid_up_to() + 1
            )),
        };
        match parsed {
            Ok(doc) if doc.body.len() > max_body => {
                counts.skipped += 1;
                let reason = format!(
                    "body is {} bytes; the limit is {max_body} (--max-body-bytes)",
                    doc.body.len()
                );
                eprintln!("line {line_no}: skipped {}: {reason}", doc.id);
                let skip = Skip {
                    native_id: doc.id,
                    what: "document".into(),
                    reason,
                };
                store.record_skip(&doc.source, &skip)?;
            }
            Ok(doc) => batch.push(doc),
            Err(problem) => {
                counts.rejected += 1;
                if counts.rejected as usize <= MAX_REPORTED {
                    eprintln!("line {line_no}: {problem}");
                }
            }
        }
        if batch.len() >= BATCH {
            commit(store, &mut batch, &mut counts)?;
        }
    }
    commit(store, &mut batch, &mut counts)?;
    Ok(counts)
}

/// One NDJSON line → a valid document, or what is wrong with it.
fn parse_line(line: &str) -> Result<Document, String> {
    let mut doc: Document = serde_json::from_str(line).map_err(|e| {
        let msg = e.to_string();
        // serde_json appends " at line 1 column N"; the column is the useful part.
        msg.replace(" at line 1 column", " at column")
    })?;
    doc.normalize()?;
    Ok(doc)
}

fn commit(
    store: &mut Store,
    batch: &mut Vec<Document>,
    counts: &mut Counts,
) -> anyhow::Result<usize> {
    if batch.is_empty() {
        return Ok(0);
    }
    for r in store.upsert_all(batch)? {
        match r {
            Upserted::Added => counts.added += 1,
            Upserted::Updated => counts.updated += 1,
            Upserted::Unchanged => counts.unchanged += 1,
        }
    }
    let n = batch.len();
    batch.clear();
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NDJSON lines: documents (some mutated by generated values) and arbitrary bytes.
    #[derive(Debug, Clone, bolero::generator::TypeGenerator)]
    enum Line {
        Doc(String, String, String, Vec<String>),
        Bytes(Vec<u8>),
        Json(String),
        Blank,
    }

    fn ndjson(lines: &[Line]) -> Vec<u8> {
        let mut out = Vec::new();
        for l in lines {
            match l {
                Line::Doc(id, title, body, tags) => out.extend_from_slice(
                    serde_json::json!({"id": id, "title": title, "body": body, "tags": tags})
                        .to_string()
                        .as_bytes(),
                ),
                Line::Bytes(b) => out.extend_from_slice(b),
                Line::Json(s) => out.extend_from_slice(s.as_bytes()),
                Line::Blank => {}
            }
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn fuzz_ndjson_import() {
        static RUN: trove::fuzz::Run = trove::fuzz::Run::new("ndjson_import");
        let tmp = tempfile::tempdir().unwrap();
        let (store, index) = trove::data::DataDir::new(tmp.path()).open().unwrap();
        let state = std::sync::Mutex::new((store, index));
        bolero::check!()
            .with_type::<(Vec<u8>, Vec<Line>)>()
            .for_each(|(raw, lines)| {
                let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
                let (store, index) = &mut *guard;
                for input in [raw.clone(), ndjson(lines)] {
                    RUN.once(&input, || {
                        for line in input.split(|b| *b == b'\n') {
                            let _ = std::str::from_utf8(line).map(parse_line);
                        }
                        // The whole import (store batches, index commit) costs ~50 ms: run it
                        // on one input in 16 so the line parser gets most of the time.
                        if input.len() % 16 == 0 {
                            // Rejected lines are counted; only a failing store or index errs.
                            import(&input[..], store, index, 1 << 16).unwrap();
                        }
                    });
                }
            });
        RUN.report();
    }

    #[test]
    fn invalid_utf8_line_aborts_the_import() {
        let tmp = tempfile::tempdir().unwrap();
        let data = trove::data::DataDir::new(tmp.path());
        let (mut store, mut index) = data.open().unwrap();
        let mut input = b"{\"id\":\"m:1\",\"title\":\"one\",\"body\":\"b\"}\n".to_vec();
        input.extend_from_slice(b"{\"id\":\"m:2\",\"title\":\"t\xff\xfe\",\"body\":\"b\"}\n");
        input.extend_from_slice(b"\xc3\n");
        input.extend_from_slice(b"{\"id\":\"m:3\",\"title\":\"three\",\"body\":\"b\"}");
        let counts = import(&input[..], &mut store, &mut index, DEFAULT_MAX_BODY_BYTES).unwrap();
        assert_eq!(counts.added, 2, "good lines before and after are kept");
        assert_eq!(counts.rejected, 2);
        assert!(store.get("m:3").unwrap().is_some());
    }

    #[test]
    fn ids_longer_than_the_term_limit_add_a_hit_per_update() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut store, mut index) = trove::data::DataDir::new(tmp.path()).open().unwrap();
        let line = format!(
            r#"{{"id":"x:{}","title":"t","body":"b"}}"#,
            "a".repeat(70_000)
        );
        for _ in 0..2 {
            let counts = import(
                line.as_bytes(),
                &mut store,
                &mut index,
                DEFAULT_MAX_BODY_BYTES,
            )
            .unwrap();
            assert_eq!((counts.added, counts.rejected), (0, 1));
        }
        assert_eq!(store.count(None).unwrap(), 0);
        assert_eq!(trove::data::IndexCounts::of(&index).unwrap().documents, 0);
    }

    #[test]
    fn huge_bodies_are_imported_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut store, mut index) = trove::data::DataDir::new(tmp.path()).open().unwrap();
        let big = format!(
            r#"{{"id":"x:big","title":"t","body":"{}"}}"#,
            "a ".repeat(600)
        );
        let small = r#"{"id":"x:small","title":"t","body":"fits"}"#;
        let input = format!("{big}\n{small}\n");
        let counts = import(input.as_bytes(), &mut store, &mut index, 1000).unwrap();
        assert_eq!((counts.added, counts.skipped, counts.rejected), (1, 1, 0));
        assert!(store.get("x:big").unwrap().is_none());
        let skipped = store.skipped(None).unwrap();
        assert_eq!(skipped.len(), 1);
        assert_eq!(
            (skipped[0].0.as_str(), skipped[0].1.native_id.as_str()),
            ("x", "x:big")
        );
        assert!(
            skipped[0].1.reason.contains("the limit is 1000"),
            "{:?}",
            skipped[0]
        );
    }

    #[test]
    fn missing_title_is_named() {
        let e = parse_line(r#"{"id":"x:1","body":"b"}"#).unwrap_err();
        assert!(e.contains("missing field `title`"), "{e}");
    }

    #[test]
    fn broken_json_names_column() {
        let e = parse_line(r#"{"id":"x:1","title":"#).unwrap_err();
        assert!(e.contains("column"), "{e}");
    }

    #[test]
    fn empty_id_rejected() {
        assert!(parse_line(r#"{"id":"","title":"t","body":"b"}"#).is_err());
    }
}
