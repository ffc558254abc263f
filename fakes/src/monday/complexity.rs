//! Query complexity (../shared/docs/monday-api.md §2.8, §3.1): [`cost`] estimates a query's points
//! before execution, [`Budget`] tracks the per-minute budget of the token.
//!
//! The real formula is not published. This one is shaped like it: every field costs
//! [`POINTS_PER_FIELD`], and a list field multiplies the cost of its sub-selection by the
//! number of objects it can return (its `limit`, the count of `ids`, or a typical size for
//! unbounded lists); inline fragments count in full. Root `users` carries the documented
//! surcharge (`users{id}` costs 10,010). Calibration against the spec (§3.1, §5.3): Estuary's
//! full item fragment costs about 20k points per item (real: 1.8M for 80 items), the light
//! selection of §5.3 fits a 500-item page under the 5M cap (about 2.6M), and nesting
//! `updates(limit: 100) { … replies { … } }` in a 500-item page exceeds it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_graphql_parser::types::{ExecutableDocument, Field, Selection, SelectionSet};

use super::exec::Args;
use super::schema::{is_list, named, Schema};
use super::validate::Vars;

/// Points per selected field.
pub const POINTS_PER_FIELD: u64 = 10;
/// Flat surcharge of root `users` (its complexity was raised 10×), calibrated so that
/// `users{id}` costs the documented 10,010.
pub const USERS_SURCHARGE: u64 = 9_990;
/// The single-query cap.
pub const MAX_QUERY_COMPLEXITY: u64 = 5_000_000;
/// Default per-minute budget of a personal token.
pub const DEFAULT_BUDGET_PER_MINUTE: u64 = 10_000_000;

/// The `complexity { before after query reset_in_x_seconds }` values of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ComplexityInfo {
    pub before: u64,
    pub after: u64,
    pub query: u64,
    pub reset_in_x_seconds: u64,
}

/// Typical sizes of lists without a `limit` argument.
fn typical_len(field: &str) -> u64 {
    match field {
        "column_values" | "columns" => 25,
        "groups" | "subitems" | "replies" => 5,
        _ => 1,
    }
}

/// Estimated cost of the selection set `set` on the root type `ty`.
pub fn cost(doc: &ExecutableDocument, set: &SelectionSet, ty: &str, vars: &Vars) -> u64 {
    let users = set
        .items
        .iter()
        .filter(|s| matches!(&s.node, Selection::Field(f) if f.node.name.node == "users"))
        .count() as u64;
    raw_cost(doc, set, ty, vars, 0) * POINTS_PER_FIELD + users * USERS_SURCHARGE
}

fn raw_cost(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    ty: &str,
    vars: &Vars,
    depth: usize,
) -> u64 {
    if depth > 20 {
        return 0;
    }
    let mut total = 0u64;
    for sel in &set.items {
        total = total.saturating_add(match &sel.node {
            Selection::Field(f) => field_cost(doc, &f.node, ty, vars, depth),
            Selection::InlineFragment(fr) => {
                let on = fr
                    .node
                    .type_condition
                    .as_ref()
                    .map_or(ty, |c| c.node.on.node.as_str());
                raw_cost(doc, &fr.node.selection_set.node, on, vars, depth + 1)
            }
            Selection::FragmentSpread(s) => {
                doc.fragments
                    .get(&s.node.fragment_name.node)
                    .map_or(0, |fr| {
                        raw_cost(
                            doc,
                            &fr.node.selection_set.node,
                            &fr.node.type_condition.node.on.node,
                            vars,
                            depth + 1,
                        )
                    })
            }
        });
    }
    total
}

fn field_cost(doc: &ExecutableDocument, f: &Field, ty: &str, vars: &Vars, depth: usize) -> u64 {
    let name = f.name.node.as_str();
    if name == "complexity" {
        return 0;
    }
    let Some(def) = Schema::get().ty(ty).and_then(|t| t.field(name)) else {
        return 1;
    };
    if f.selection_set.node.items.is_empty() {
        return 1;
    }
    let args = Args::new(f, def, vars);
    // An items page costs per item, like the list it wraps.
    let paged = matches!(name, "items_page" | "next_items_page");
    let count = if is_list(&def.ty) || paged {
        list_len(name, &args)
    } else {
        1
    };
    let sub = raw_cost(doc, &f.selection_set.node, named(&def.ty), vars, depth + 1);
    1 + count.saturating_mul(sub)
}

fn list_len(name: &str, args: &Args) -> u64 {
    let limit = args.int("limit").map(|l| l.max(1) as u64);
    let ids = args.strings("ids").map(|ids| ids.len().max(1) as u64);
    match (ids, limit) {
        (Some(i), Some(l)) => i.min(l),
        (Some(i), None) => i,
        (None, Some(l)) => l,
        (None, None) => typical_len(name),
    }
}

/// A fixed one-minute window starting at the first request (monday's "resets 60 seconds after
/// the first API call").
#[derive(Debug, Default)]
struct Window {
    start: Option<Instant>,
    used: u64,
}

impl Window {
    fn roll(&mut self, now: Instant) {
        if self
            .start
            .is_none_or(|s| now.duration_since(s) >= Duration::from_secs(60))
        {
            *self = Window {
                start: Some(now),
                used: 0,
            };
        }
    }

    fn reset_in(&self, now: Instant) -> u64 {
        let elapsed = self.start.map_or(0, |s| now.duration_since(s).as_secs());
        60u64.saturating_sub(elapsed).max(1)
    }
}

/// Per-token complexity budget and request counter.
#[derive(Debug, Default)]
pub struct Budget {
    complexity: HashMap<String, Window>,
    requests: HashMap<String, Window>,
}

impl Budget {
    /// Charges `cost` to `token`; when the minute's budget cannot cover it, `Err` carries the
    /// budget left (`before`), the cost and the seconds until the reset.
    pub fn charge(
        &mut self,
        token: &str,
        cost: u64,
        per_minute: u64,
    ) -> Result<ComplexityInfo, ComplexityInfo> {
        let now = Instant::now();
        let w = self.complexity.entry(token.to_string()).or_default();
        w.roll(now);
        let before = per_minute.saturating_sub(w.used);
        if cost > before {
            let reset_in_x_seconds = w.reset_in(now);
            return Err(ComplexityInfo {
                before,
                after: before,
                query: cost,
                reset_in_x_seconds,
            });
        }
        w.used += cost;
        Ok(ComplexityInfo {
            before,
            after: before - cost,
            query: cost,
            reset_in_x_seconds: w.reset_in(now),
        })
    }

    /// Counts one request; `Err(retry_in_seconds)` above `per_minute`.
    pub fn count_request(&mut self, token: &str, per_minute: u32) -> Result<(), u64> {
        let now = Instant::now();
        let w = self.requests.entry(token.to_string()).or_default();
        w.roll(now);
        if w.used >= u64::from(per_minute) {
            return Err(w.reset_in(now));
        }
        w.used += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_of(q: &str) -> u64 {
        let doc = async_graphql_parser::parse_query(q).unwrap();
        let op = super::super::validate::select_operation(&doc, None).unwrap();
        cost(&doc, &op.node.selection_set.node, "Query", &Vars::new())
    }

    #[test]
    fn users_id_costs_10010_like_the_docs() {
        assert_eq!(cost_of("{users{id}}"), 10_010);
    }

    #[test]
    fn big_pages_with_nested_updates_exceed_the_cap() {
        let light = cost_of(
            "{boards(ids:[1]){items_page(limit:500){cursor items{id name state created_at updated_at \
             group{id title} creator{id name} column_values{id type text value column{title} \
             ...on MirrorValue{display_value} ...on BoardRelationValue{display_value linked_item_ids} \
             ...on DependencyValue{display_value}} subitems{id name column_values{id text}}}}}}",
        );
        assert!(
            (1_000_000..MAX_QUERY_COMPLEXITY).contains(&light),
            "{light}"
        );
        let heavy = cost_of("{boards(ids:[1]){items_page(limit:500){items{id updates(limit:100){id body created_at creator{id name} replies{id body}}}}}}");
        assert!(heavy > MAX_QUERY_COMPLEXITY, "{heavy}");
    }

    #[test]
    fn budget_runs_out_within_a_minute() {
        let mut b = Budget::default();
        let c = b.charge("t", 600, 1000).unwrap();
        assert_eq!((c.before, c.after, c.query), (1000, 400, 600));
        assert!(b.charge("t", 600, 1000).is_err());
    }
}
