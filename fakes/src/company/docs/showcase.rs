//! The "Notion feature showcase" page: block types that rarely appear in real documents
//! (templates, unsupported blocks, audio, files, link previews, breadcrumbs, toggle
//! headings), so every block type of notion-api.md §2 appears in the demo.

use super::PageDoc;

pub const PAGES: &[PageDoc] = &[PageDoc {
    key: "company/showcase",
    parent: "company",
    title: "Notion feature showcase",
    author: "Kenji Watanabe",
    date: "2025-09-04",
    body: r#"
This page collects the Notion block types our other pages rarely use, so we can check that search tools handle all of them.
@breadcrumb
@toc
# Headings and text
## Second-level heading
### Third-level heading
A paragraph with **bold text**, a mention of @{Kenji Watanabe}, a link to [[company/handbook]], a date {date 2026-04-21}, an inline formula \(a^2 + b^2 = c^2\) and [an external link](https://developers.notion.com).
> A quote block.
! A callout with an emoji.
- A bulleted item
  - with a nested item
1. A numbered item
[ ] An open to-do
[x] A finished to-do
>> A toggle
  Hidden until opened.
$$ \int_0^1 x^2\,dx = \frac{1}{3}
| Column A | Column B |
| one | two |
---
# Media
@image https://assets.kestrel.example/logo.png The Kestrel logo
@video https://videos.kestrel.example/welcome.mp4 Welcome video
@audio https://assets.kestrel.example/all-hands-2026-01.mp3 All-hands recording, January 2026
@file https://files.kestrel.example/brand-guidelines.zip brand-guidelines.zip
@pdf https://files.kestrel.example/brand-guidelines.pdf Brand guidelines
@bookmark https://kestrel.example Kestrel website
@embed https://www.youtube.com/watch?v=kestrel-intro Product tour
@link_preview https://github.com/kestrel-labs/kestrel/pull/2048
# Structure
@columns
  @column
    Left column text.
  @column
    Right column text.
@template Add a new weekly check-in
  Weekly check-in: what went well, what did not, what is next.
@page company/handbook
@unsupported button
"#,
}];
