//! The demo company, Kestrel Labs: one coherent fictional company whose Notion workspace and
//! monday.com account refer to the same people, projects, customers and dates.
//!
//! [`generate`] turns a [`CompanySpec`] into a [`Company`]: a fake Notion [`Workspace`] with
//! teamspace pages (`docs/`, written in the small markup of `markup.rs` and built by
//! `notion_build.rs`), the meeting notes, OKR and project tracker databases (`databases.rs`,
//! `records.rs`), and a fake monday.com [`Account`] with roadmap, sprint, bug, hiring and
//! onboarding boards (`boards.rs`, built by `monday_build.rs`). The cast lives in `cast.rs`.
//! `filler.rs` adds generated meetings, customers, bugs, tasks and candidates from sentence
//! templates (`prose.rs`), `scale` times over. Hand-written pages and items get ids derived
//! from stable keys, so `eval/demo-questions.tsv` can name them whatever the scale.

mod boards;
pub mod cast;
mod databases;
mod docs;
mod filler;
mod markup;
mod monday_build;
mod notion_build;
mod prose;
mod records;

use crate::monday::Account;
use crate::notion::text::mix;
use crate::notion::{Parent, Workspace};

use notion_build::{minutes, NotionBuilder};

/// Size and seed of the generated company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompanySpec {
    /// Multiplies the generated content (meetings, customers, bugs, tasks, candidates); the
    /// hand-written pages and items are there at every scale. 0 leaves only those.
    pub scale: usize,
    pub seed: u64,
}

impl Default for CompanySpec {
    fn default() -> Self {
        CompanySpec {
            scale: 1,
            seed: 2026,
        }
    }
}

/// Both halves of the company.
#[derive(Debug, Clone)]
pub struct Company {
    pub notion: Workspace,
    pub monday: Account,
}

/// Builds the company. Same spec, same company.
pub fn generate(spec: &CompanySpec) -> Company {
    let mut n = NotionBuilder::new();
    let docs = docs::all();
    for d in &docs {
        n.register(d.key, d.title);
    }
    for d in &docs {
        let parent = match n.id_of(d.parent) {
            Some(p) if !d.parent.is_empty() => Parent::Page(p),
            _ => Parent::Workspace,
        };
        let id = n.plain_page(d.key, parent, d.title, d.author, minutes(d.date));
        n.content(&id, d.body);
    }
    let company = n.id_of("company").unwrap_or_default();
    let product = n.id_of("product").unwrap_or_default();
    records::tracker(&mut n, &product);
    let mut meetings = records::meetings(&mut n, &company);
    records::okrs(&mut n, &company);

    let mut m = monday_build::MondayBuilder::new(boards::WORKSPACES, "2026-04-10");
    let boards = boards::build(&mut m);
    filler::grow(
        &mut n,
        &mut meetings,
        &mut m,
        &boards,
        spec.scale,
        spec.seed,
    );
    n.ws.settle_page_times();
    Company {
        notion: n.ws,
        monday: m.finish(),
    }
}

/// The Notion page id of a hand-written page or row key (for example `people/travel`).
pub fn notion_page_id(key: &str) -> String {
    uuid_for(&format!("page/{key}"))
}

/// A version-4-shaped UUID derived from `key` (FNV-1a, then SplitMix64).
pub(crate) fn uuid_for(key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let hi = (mix(h) & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000;
    let lo = (mix(h ^ 0x9E37_79B9_7F4A_7C15) & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests;
