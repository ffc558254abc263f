//! [`push`] against an in-memory [`Engine`] whose bulk requests finish out of order or fail:
//! with several batches in flight, the recorded sequence only ever covers batches that were
//! acknowledged together with every batch before them.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::cluster::{NodeHealth, SearchFailure};
use crate::search::{SearchRequest, SearchResponse};
use crate::store::Store;
use crate::Document;

/// Collections of document ids, one alias, and a script for the bulk requests.
#[derive(Default)]
struct Memory {
    collections: Mutex<BTreeMap<String, BTreeSet<String>>>,
    alias: Mutex<Option<String>>,
    /// Batches, named by their first document id, that are slow, so later ones are
    /// acknowledged first. Named by content, not by arrival: batches in flight together
    /// arrive in any order.
    slow: Vec<&'static str>,
    /// The batch, named by its first document id, that fails.
    fail: Option<&'static str>,
}

fn io_err(what: &str) -> io::Error {
    io::Error::other(what.to_owned())
}

impl Engine for Memory {
    type Error = io::Error;

    async fn alias_target(&self, _: &str) -> io::Result<Option<String>> {
        Ok(self.alias.lock().unwrap().clone())
    }
    async fn collection_exists(&self, name: &str) -> io::Result<bool> {
        Ok(self.collections.lock().unwrap().contains_key(name))
    }
    async fn collections(&self) -> io::Result<Vec<String>> {
        Ok(self.collections.lock().unwrap().keys().cloned().collect())
    }
    async fn create_collection(&self, name: &str) -> io::Result<()> {
        self.collections
            .lock()
            .unwrap()
            .insert(name.into(), BTreeSet::new());
        Ok(())
    }
    fn bulk_line(&self, doc: &Document) -> String {
        doc.id.clone()
    }
    async fn upsert(&self, collection: &str, body: String) -> io::Result<()> {
        let first = body.lines().next().unwrap_or_default();
        if self.slow.contains(&first) {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        if self.fail == Some(first) {
            return Err(io_err("bulk request refused"));
        }
        let mut all = self.collections.lock().unwrap();
        let c = all
            .get_mut(collection)
            .ok_or_else(|| io_err("no collection"))?;
        c.extend(body.lines().map(str::to_owned));
        Ok(())
    }
    async fn delete(&self, collection: &str, ids: &[String]) -> io::Result<()> {
        let mut all = self.collections.lock().unwrap();
        let c = all
            .get_mut(collection)
            .ok_or_else(|| io_err("no collection"))?;
        for id in ids {
            c.remove(id);
        }
        Ok(())
    }
    async fn point_alias(&self, _: &str, collection: &str) -> io::Result<()> {
        *self.alias.lock().unwrap() = Some(collection.into());
        Ok(())
    }
    async fn settle(&self, _: &str, _: &str) -> io::Result<()> {
        Ok(())
    }
    async fn drop_collection(&self, name: &str) -> io::Result<()> {
        self.collections.lock().unwrap().remove(name);
        Ok(())
    }
    async fn count(&self, collection: &str) -> io::Result<u64> {
        let all = self.collections.lock().unwrap();
        Ok(all.get(collection).map_or(0, |c| c.len() as u64))
    }
    async fn health(&self) -> Vec<NodeHealth> {
        Vec::new()
    }
    async fn search(&self, _: &str, _: &SearchRequest) -> Result<SearchResponse, SearchFailure> {
        unreachable!("push never searches")
    }
    async fn document(&self, _: &str, _: &str) -> io::Result<Option<Document>> {
        unreachable!("push never reads documents")
    }
}

fn docs(range: std::ops::Range<usize>) -> Vec<Document> {
    range
        .map(|i| Document::new(format!("t:{i:04}"), format!("doc {i}"), "body"))
        .collect()
}

fn opts(in_flight: usize) -> PushOptions {
    PushOptions {
        batch: 10,
        in_flight,
        grace: Duration::ZERO,
        ..PushOptions::default()
    }
}

fn run(engine: &Arc<Memory>, dir: &Path, in_flight: usize) -> Result<PushReport, PushError> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(push(
        Arc::clone(engine),
        "t",
        dir,
        &opts(in_flight),
        &|_| {},
    ))
}

/// A store holding documents 0..n, and its highest sequence.
fn store_with(dir: &Path, n: usize) -> u64 {
    let mut store = Store::open(dir).unwrap();
    store.upsert_all(&docs(0..n)).unwrap();
    store.max_seq().unwrap()
}

#[test]
fn batches_acknowledged_out_of_order_are_recorded_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let top = store_with(dir.path(), 95);
    // The first batch of each wave is slow: the second is acknowledged before it.
    let engine = Arc::new(Memory {
        slow: vec!["t:0000", "t:0020", "t:0040", "t:0060", "t:0080"],
        ..Memory::default()
    });
    let report = run(&engine, dir.path(), 3).unwrap();
    assert_eq!((report.upserts, report.seq), (95, top));
    let live = engine.alias.lock().unwrap().clone().unwrap();
    assert_eq!(engine.collections.lock().unwrap()[&live].len(), 95);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(PushState::load(&store, "t").unwrap().unwrap().seq, top);
}

#[test]
fn a_failed_batch_leaves_the_recorded_sequence_before_it() {
    let dir = tempfile::tempdir().unwrap();
    store_with(dir.path(), 20);
    let engine = Arc::new(Memory::default());
    run(&engine, dir.path(), 2).unwrap();
    let pushed = {
        let store = Store::open(dir.path()).unwrap();
        PushState::load(&store, "t").unwrap().unwrap().seq
    };
    // 50 more documents: batches 0..5 of the incremental push; batch 2 fails while batch 3
    // (sent beside it) succeeds, and batch 1 is slow.
    let mut store = Store::open(dir.path()).unwrap();
    store.upsert_all(&docs(100..150)).unwrap();
    let engine = Arc::new(Memory {
        collections: Mutex::new(engine.collections.lock().unwrap().clone()),
        alias: Mutex::new(engine.alias.lock().unwrap().clone()),
        slow: vec!["t:0110"],
        fail: Some("t:0120"),
    });
    let err = run(&engine, dir.path(), 2).unwrap_err();
    assert!(err.to_string().contains("refused"), "{err}");
    let recorded = PushState::load(&store, "t").unwrap().unwrap().seq;
    // Exactly the first two batches (20 documents) after the earlier push are recorded.
    assert_eq!(recorded, pushed + 20);
    // A resumed push sends the rest and ends with every document.
    let engine = Arc::new(Memory {
        fail: None,
        slow: Vec::new(),
        collections: Mutex::new(engine.collections.lock().unwrap().clone()),
        alias: Mutex::new(engine.alias.lock().unwrap().clone()),
    });
    let report = run(&engine, dir.path(), 2).unwrap();
    assert_eq!(report.seq, store.max_seq().unwrap());
    let live = engine.alias.lock().unwrap().clone().unwrap();
    assert_eq!(engine.collections.lock().unwrap()[&live].len(), 70);
}
