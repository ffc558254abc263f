//! The connector's resumable state, saved with every committed [`Batch`](crate::connectors::Batch).
//!
//! [`State`] keeps what must survive between syncs: the high-water mark, when the last deep
//! reconciliation ran, and the [`Tree`] of known pages, rows and databases (titles and parents,
//! for breadcrumbs, subtree deletion and re-checking pages that search never returns). An
//! unfinished sync also leaves its [`Run`]: the search cursor, the queue of pending [`Task`]s and
//! the ids already done, so a killed sync resumes without refetching what it committed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Layout version of [`State`]; a mismatch starts from scratch.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    #[serde(default)]
    pub version: u32,
    /// Newest `last_edited_time` seen in search.
    #[serde(default)]
    pub high_water: Option<DateTime<Utc>>,
    /// When the last deep reconciliation (or full sync) finished.
    #[serde(default)]
    pub last_deep: Option<DateTime<Utc>>,
    /// Result pages of the last complete search listing (decides whether to list fully).
    #[serde(default)]
    pub listing_pages: u32,
    #[serde(default)]
    pub tree: Tree,
    /// Where the rolling comment sweep stands.
    #[serde(default)]
    pub comments: super::comments::Sweep,
    /// The sync in progress, if the last one did not finish.
    #[serde(default)]
    pub run: Option<Run>,
}

impl State {
    /// Reads saved state; anything unreadable or from another layout starts over.
    pub fn from_saved(saved: Option<Value>) -> State {
        saved
            .and_then(|v| serde_json::from_value::<State>(v).ok())
            .filter(|s| s.version == STATE_VERSION)
            .unwrap_or_else(|| State {
                version: STATE_VERSION,
                ..State::default()
            })
    }
}

/// What a node of the tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Page,
    Row,
    Database,
}

/// One known page, row or database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub title: String,
    /// Native id of the parent page or database.
    #[serde(default)]
    pub parent: Option<String>,
    pub kind: Kind,
    /// Returned by the last complete search listing: its absence next time is worth checking.
    #[serde(default)]
    pub in_search: bool,
    /// Databases: `last_edited_time` of each data source, as search reported it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
}

/// Known objects by native id.
pub type Tree = BTreeMap<String, Node>;

/// Ancestor titles of `parent` (outermost first), following parents through `tree`.
pub fn path(tree: &Tree, parent: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut cur = parent.map(str::to_owned);
    while let Some(id) = cur {
        if !seen.insert(id.clone()) {
            break;
        }
        let Some(node) = tree.get(&id) else { break };
        out.push(node.title.clone());
        cur = node.parent.clone();
    }
    out.reverse();
    out
}

/// Whether every ancestor of `parent` is known: following parents ends at a top-level node
/// (or a cycle), not at an id missing from `tree` nor at one whose parent is `unresolved`.
pub fn ancestors_known(tree: &Tree, parent: Option<&str>, unresolved: &BTreeSet<String>) -> bool {
    let mut seen = BTreeSet::new();
    let mut cur = parent;
    while let Some(id) = cur {
        if !seen.insert(id) {
            return true;
        }
        let Some(node) = tree.get(id) else {
            return false;
        };
        if node.parent.is_none() && unresolved.contains(id) {
            return false;
        }
        cur = node.parent.as_deref();
    }
    true
}

/// `root` and every node below it.
pub fn subtree(tree: &Tree, root: &str) -> Vec<String> {
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, node) in tree {
        if let Some(p) = &node.parent {
            children.entry(p.as_str()).or_default().push(id.as_str());
        }
    }
    let mut out = vec![root.to_owned()];
    let mut seen: BTreeSet<&str> = BTreeSet::from([root]);
    let mut i = 0;
    while i < out.len() {
        let kids = children.get(out[i].as_str()).cloned().unwrap_or_default();
        for k in kids {
            if seen.insert(k) {
                out.push(k.to_owned());
            }
        }
        i += 1;
    }
    out
}

/// Direct children of `parent`.
pub fn children_of<'t>(
    tree: &'t Tree,
    parent: &'t str,
) -> impl Iterator<Item = (&'t String, &'t Node)> {
    tree.iter()
        .filter(move |(_, n)| n.parent.as_deref() == Some(parent))
}

/// Work to do for one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub kind: TaskKind,
    /// Native id of the parent document, when the crawler found it through that parent.
    #[serde(default)]
    pub parent: Option<String>,
    /// The object as search or a query returned it (not saved: refetched after a resume).
    #[serde(skip)]
    pub json: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Fetch the page if needed, compare, walk its blocks if changed.
    Page,
    /// Fetch the database, its data sources and (when `rows`) all their rows.
    Database { rows: bool },
}

/// A sync in progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// Ignore stored timestamps (`--full`).
    pub force: bool,
    /// Re-check everything known (databases, pages search does not return).
    pub deep: bool,
    /// List search to the end (absence from it is then a deletion signal).
    pub full_listing: bool,
    /// Results edited before this are old news (high-water mark minus overlap).
    pub cutoff: Option<DateTime<Utc>>,
    pub listing: Listing,
    /// Ids returned by search in this run.
    pub seen: BTreeSet<String>,
    pub queue: VecDeque<Task>,
    /// Ids whose task finished (and was committed) in this run.
    pub done: BTreeSet<String>,
    /// Nodes noted without their parent although they have one (search gave a `block_id`
    /// parent, or a database's page is not known yet): breadcrumbs through them wait for their
    /// own task.
    #[serde(default)]
    pub unresolved: BTreeSet<String>,
    /// The comment reads of this run, once planned (after the task queue drained).
    #[serde(default)]
    pub comments: Option<super::comments::CommentsRun>,
}

/// Progress of the search listing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Listing {
    pub cursor: Option<String>,
    pub pages: u32,
    pub restarts: u32,
    /// The listing ended (normally, early, or given up).
    pub finished: bool,
    /// The listing reached the last result (so absence means something).
    pub complete: bool,
    /// Follow-up tasks (absence checks, deep re-checks) were queued.
    pub followed_up: bool,
    pub max_edited: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(title: &str, parent: Option<&str>) -> Node {
        Node {
            title: title.into(),
            parent: parent.map(str::to_owned),
            kind: Kind::Page,
            in_search: false,
            sources: BTreeMap::new(),
        }
    }

    #[test]
    fn path_and_subtree_follow_parents_and_survive_cycles() {
        let mut t = Tree::new();
        t.insert("a".into(), node("A", None));
        t.insert("b".into(), node("B", Some("a")));
        t.insert("c".into(), node("C", Some("b")));
        t.insert("x".into(), node("X", Some("y")));
        t.insert("y".into(), node("Y", Some("x")));
        assert_eq!(path(&t, Some("c")), vec!["A", "B", "C"]);
        assert_eq!(subtree(&t, "a"), vec!["a", "b", "c"]);
        assert_eq!(path(&t, Some("x")).len(), 2);
        assert_eq!(subtree(&t, "x"), vec!["x", "y"]);
    }

    #[test]
    fn ancestors_are_known_up_to_a_top_level_node() {
        let mut t = Tree::new();
        t.insert("a".into(), node("A", None));
        t.insert("b".into(), node("B", Some("a")));
        t.insert("c".into(), node("C", Some("gone")));
        t.insert("x".into(), node("X", Some("y")));
        t.insert("y".into(), node("Y", Some("x")));
        let none = BTreeSet::new();
        assert!(ancestors_known(&t, Some("b"), &none));
        assert!(ancestors_known(&t, None, &none));
        assert!(ancestors_known(&t, Some("x"), &none));
        assert!(!ancestors_known(&t, Some("c"), &none));
        assert!(!ancestors_known(
            &t,
            Some("b"),
            &BTreeSet::from(["a".to_owned()])
        ));
    }
}
