//! The hand-written Notion pages of Kestrel Labs, one file per teamspace. Each [`PageDoc`]
//! names its parent by key, so the tree stays shallow and readable: a teamspace root, a
//! section page, then documents (for example Engineering › Runbooks › Roll back a deploy).

mod company;
mod eng;
mod people;
mod product;
mod sales;
mod showcase;

/// One page: where it hangs, its title, who wrote it when, and its body in
/// [`super::markup`].
#[derive(Debug, Clone, Copy)]
pub struct PageDoc {
    /// Stable key; the page id is derived from it.
    pub key: &'static str,
    /// Key of the parent page; `""` for a teamspace root at the top of the workspace.
    pub parent: &'static str,
    pub title: &'static str,
    pub author: &'static str,
    /// Creation day, `YYYY-MM-DD`.
    pub date: &'static str,
    pub body: &'static str,
}

/// Every hand-written page, parents before children.
pub fn all() -> Vec<&'static PageDoc> {
    [
        company::PAGES,
        eng::PAGES,
        product::PAGES,
        people::PAGES,
        sales::PAGES,
        showcase::PAGES,
    ]
    .iter()
    .flat_map(|pages| pages.iter())
    .collect()
}
