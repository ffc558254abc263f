//! Step 3b of a run, after the task queue drained: re-read the comments of the pages the
//! [`plan`](crate::connectors::notion::comments::plan) names, and rebuild a page's document
//! from its stored raw JSON when its comments changed (no block is fetched again).
//!
//! A 403 `restricted_resource` means the integration lacks the Read comments capability: it is
//! recorded once as a skip of the source's comments and the phase ends; the sync goes on.

use chrono::Utc;
use serde_json::Value;

use super::Crawler;
use crate::connectors::notion::comments::{self, block_ids, CommentsRun, Why};
use crate::connectors::notion::errors::{failure_reason, Failure};
use crate::connectors::{ConnectorError, DocPart};
use crate::document::doc_id;
use crate::flatten::notion::stored::from_stored;
use crate::flatten::parts::{compose, COMMENTS};

impl Crawler<'_> {
    /// Reads the planned comments, checkpointing as it goes; plans them first if needed.
    pub(super) async fn comments_phase(&mut self) -> Result<(), ConnectorError> {
        if self.run.comments.is_none() {
            self.checkpoint()?;
            self.run.comments = Some(self.plan_comments()?);
        }
        while let Some((id, why)) = self.next_comment_page() {
            let before = self.client.requests();
            self.page_comments(&id).await?;
            let spent = self.client.requests() - before;
            if let Some(run) = self.run.comments.as_mut() {
                let (requests, pages) = match why {
                    Why::Hot => (&mut run.hot_requests, &mut run.hot_pages),
                    Why::Sweep => (&mut run.sweep_requests, &mut run.sweep_pages),
                };
                *requests += spent;
                *pages += 1;
            }
            self.since_checkpoint += 1;
            if self.since_checkpoint >= self.checkpoint_every {
                self.checkpoint()?;
            }
        }
        self.close_comments();
        Ok(())
    }

    fn plan_comments(&self) -> Result<CommentsRun, ConnectorError> {
        let prefix = format!("{}:", self.cfg.name);
        let pages = self
            .sink
            .list_docs()?
            .into_iter()
            .filter(|m| matches!(m.kind.as_str(), "page" | "database_row"))
            .filter_map(|m| Some((m.id.strip_prefix(&prefix)?.to_owned(), m.updated_at)))
            .collect();
        let policy = &self.cfg.comments;
        Ok(comments::plan(
            policy,
            Utc::now(),
            &self.state.comments,
            pages,
            self.run.force,
        ))
    }

    fn next_comment_page(&mut self) -> Option<(String, Why)> {
        let run = self.run.comments.as_mut()?;
        if run.denied {
            return None;
        }
        run.queue.pop_front()
    }

    /// Keeps the sweep position and logs what each part of the policy cost.
    fn close_comments(&mut self) {
        let Some(run) = self.run.comments.take() else {
            return;
        };
        tracing::info!(
            hot_pages = run.hot_pages,
            hot_requests = run.hot_requests,
            sweep_pages = run.sweep_pages,
            sweep_requests = run.sweep_requests,
            "notion: comments read"
        );
        if !run.denied {
            self.state.comments = run.next;
        }
    }

    /// Reads one page's comments and, when they changed, rebuilds its document with them.
    async fn page_comments(&mut self, id: &str) -> Result<(), ConnectorError> {
        let did = doc_id(&self.cfg.name, id);
        let Some(stored) = self.sink.stored(&did)? else {
            return Ok(()); // deleted since the plan
        };
        let Some(list) = self.read_discussions(id, &stored.raw).await? else {
            return Ok(());
        };
        let raw = Value::Array(list);
        let old = self.sink.parts(&did)?;
        let unchanged = old.iter().any(|p| p.name == COMMENTS && p.raw == raw);
        if unchanged || (old.is_empty() && raw.as_array().is_some_and(Vec::is_empty)) {
            return Ok(());
        }
        // User names, as when the document was built during the crawl.
        self.ensure_users().await?;
        let Some(mut flat) = from_stored(&stored, &self.lookup) else {
            return Ok(());
        };
        let mut parts: Vec<DocPart> = old.into_iter().filter(|p| p.name != COMMENTS).collect();
        parts.push(DocPart {
            doc_id: did,
            name: COMMENTS.to_owned(),
            raw,
        });
        // Attachment text first, as the crawl appends it (`apply.rs`).
        let files = self.sink.attachments(&flat.value.id)?;
        crate::flatten::attachments::append(&mut flat.value, &files);
        flat.unknown += compose(&mut flat.value, &parts, &self.lookup);
        self.summary.unknown_types += flat.unknown;
        self.batch.parts.extend(parts);
        self.upsert(id, flat.value)
    }

    /// The page's discussions (and its blocks' with `comments_blocks`); `None` when they
    /// cannot be read. A 403 denies the whole source's comments (recorded once).
    async fn read_discussions(
        &mut self,
        id: &str,
        raw: &Value,
    ) -> Result<Option<Vec<Value>>, ConnectorError> {
        let mut targets = vec![id.to_owned()];
        if self.cfg.comments.blocks {
            targets.extend(block_ids(raw));
        }
        let mut all = Vec::new();
        for target in targets {
            match comments::read(self.client, &target).await {
                Ok(list) => all.extend(list),
                Err(Failure::Skip { status: 403, .. }) => {
                    self.deny_comments();
                    return Ok(None);
                }
                Err(Failure::Abort(e)) => return Err(e),
                Err(f) if target == id => {
                    tracing::debug!(page = id, reason = failure_reason(&f), "comments not read");
                    return Ok(None);
                }
                Err(_) => {} // a block gone since the walk
            }
        }
        self.comments_readable();
        Ok(Some(all))
    }

    fn deny_comments(&mut self) {
        if let Some(run) = self.run.comments.as_mut() {
            run.denied = true;
        }
        self.skip(
            comments::SKIP_ID,
            "comments",
            comments::NOT_READABLE.to_owned(),
        );
    }

    /// Clears the "not readable" skip once comments can be read again.
    fn comments_readable(&mut self) {
        let id = comments::SKIP_ID.to_owned();
        if !self.batch.unskipped.contains(&id) {
            self.batch.unskipped.push(id);
        }
    }
}
