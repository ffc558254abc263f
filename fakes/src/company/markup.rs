//! A small line-based markup for writing Notion pages by hand, parsed into a tree of
//! [`Node`]s that [`super::notion_build::NotionBuilder`] turns into blocks.
//!
//! One block per line; a line indented two spaces deeper than the one before it is that
//! block's child. `# `/`## `/`### ` headings, `- ` bullets, `1. ` numbered items, `[ ] `/`[x] `
//! to-dos, `> ` quotes, `>> ` toggles, `! ` callouts (`!! ` for a warning), `---` dividers,
//! `$$ ` equations, `| a | b |` table rows (the first row of a run is the header), fenced
//! code (```` ```lang ````), and `@name args` for the rest (`@bookmark URL caption`,
//! `@page KEY`, `@columns`, `@synced KEY`, …). Inline: `**bold**`, `@{Person Name}`,
//! `[[page-key]]`, `{date 2026-03-03}`, `\(x^2\)` and `[text](url)`.

/// One parsed line and the lines nested under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: Line,
    pub children: Vec<Node>,
}

/// What a line says.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// `kind` is a Notion block type whose payload is rich text (paragraph, headings, lists,
    /// quote, toggle, callout); `text` is still inline markup.
    Text {
        kind: &'static str,
        text: String,
    },
    Todo {
        checked: bool,
        text: String,
    },
    Callout {
        emoji: &'static str,
        text: String,
    },
    Code {
        language: String,
        body: String,
    },
    Equation(String),
    /// A whole table: rows of cells (inline markup), the first row a header.
    Table(Vec<Vec<String>>),
    Divider,
    /// `@name rest`: media, links and structural blocks.
    Directive {
        name: String,
        args: String,
    },
}

/// Parses a page body.
pub fn parse(src: &str) -> Vec<Node> {
    let mut flat: Vec<(usize, Line)> = Vec::new();
    let mut lines = src.lines().peekable();
    while let Some(raw) = lines.next() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let indent = (raw.len() - trimmed.len()) / 2;
        let line = if let Some(lang) = trimmed.strip_prefix("```") {
            let mut body = Vec::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                body.push(l.get(indent * 2..).unwrap_or(l.trim_start()));
            }
            Line::Code {
                language: if lang.is_empty() { "plain text" } else { lang }.to_string(),
                body: body.join("\n"),
            }
        } else if trimmed.starts_with('|') {
            let mut rows = vec![cells(trimmed)];
            while let Some(next) = lines.peek().map(|l| l.trim_start()) {
                if !next.starts_with('|') {
                    break;
                }
                rows.push(cells(next));
                lines.next();
            }
            Line::Table(rows)
        } else {
            line(trimmed)
        };
        flat.push((indent, line));
    }
    nest(&mut flat.into_iter().peekable(), 0)
}

fn cells(row: &str) -> Vec<String> {
    row.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

fn line(t: &str) -> Line {
    let text = |k: &'static str, rest: &str| Line::Text {
        kind: k,
        text: rest.to_string(),
    };
    let prefixes: &[(&str, &'static str)] = &[
        ("### ", "heading_3"),
        ("## ", "heading_2"),
        ("# ", "heading_1"),
        ("- ", "bulleted_list_item"),
        (">> ", "toggle"),
        ("> ", "quote"),
    ];
    for (prefix, kind) in prefixes {
        if let Some(rest) = t.strip_prefix(prefix) {
            return text(kind, rest);
        }
    }
    if let Some(rest) = t.strip_prefix("!! ") {
        return Line::Callout {
            emoji: "⚠️",
            text: rest.into(),
        };
    }
    if let Some(rest) = t.strip_prefix("! ") {
        return Line::Callout {
            emoji: "💡",
            text: rest.into(),
        };
    }
    for (prefix, checked) in [("[ ] ", false), ("[x] ", true)] {
        if let Some(rest) = t.strip_prefix(prefix) {
            return Line::Todo {
                checked,
                text: rest.into(),
            };
        }
    }
    if let Some(rest) = t.strip_prefix("$$ ") {
        return Line::Equation(rest.into());
    }
    if t == "---" {
        return Line::Divider;
    }
    if let Some(rest) = t.strip_prefix('@').filter(|r| !r.starts_with('{')) {
        let (name, args) = rest.split_once(' ').unwrap_or((rest, ""));
        return Line::Directive {
            name: name.into(),
            args: args.trim().into(),
        };
    }
    if let Some((num, rest)) = t.split_once(". ") {
        if !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()) {
            return text("numbered_list_item", rest);
        }
    }
    text("paragraph", t)
}

fn nest<I: Iterator<Item = (usize, Line)>>(
    it: &mut std::iter::Peekable<I>,
    depth: usize,
) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    while let Some((indent, _)) = it.peek() {
        if *indent < depth {
            break;
        }
        if *indent > depth {
            let children = nest(it, depth + 1);
            match out.last_mut() {
                Some(last) => last.children.extend(children),
                None => out.extend(children),
            }
            continue;
        }
        if let Some((_, line)) = it.next() {
            out.push(Node {
                line,
                children: Vec::new(),
            });
        }
    }
    out
}

/// A piece of inline text.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Plain(String),
    Bold(String),
    /// `@{Name}`.
    User(String),
    /// `[[key]]`.
    Page(String),
    /// `{date YYYY-MM-DD}`.
    Date(String),
    /// `\(expr\)`.
    Equation(String),
    /// `[text](url)`.
    Link {
        text: String,
        url: String,
    },
}

/// Splits inline markup into spans.
pub fn spans(s: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        match special(rest) {
            Some((span, used)) => {
                if !plain.is_empty() {
                    out.push(Span::Plain(std::mem::take(&mut plain)));
                }
                out.push(span);
                rest = &rest[used..];
            }
            None => {
                let ch = rest.chars().next().unwrap_or(' ');
                plain.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
    }
    if !plain.is_empty() {
        out.push(Span::Plain(plain));
    }
    out
}

/// An inline construct at the start of `s`, and the bytes it takes.
fn special(s: &str) -> Option<(Span, usize)> {
    let delimited = |open: &str, close: &str| -> Option<(String, usize)> {
        let inner = s.strip_prefix(open)?;
        let end = inner.find(close)?;
        Some((inner[..end].to_string(), open.len() + end + close.len()))
    };
    if let Some((t, n)) = delimited("**", "**") {
        return Some((Span::Bold(t), n));
    }
    if let Some((t, n)) = delimited("@{", "}") {
        return Some((Span::User(t), n));
    }
    if let Some((t, n)) = delimited("[[", "]]") {
        return Some((Span::Page(t), n));
    }
    if let Some((t, n)) = delimited("{date ", "}") {
        return Some((Span::Date(t), n));
    }
    if let Some((t, n)) = delimited("\\(", "\\)") {
        return Some((Span::Equation(t), n));
    }
    let (text, n) = delimited("[", "]")?;
    let (url, m) = delimited_at(&s[n..], "(", ")")?;
    Some((Span::Link { text, url }, n + m))
}

fn delimited_at(s: &str, open: &str, close: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix(open)?;
    let end = inner.find(close)?;
    Some((inner[..end].to_string(), open.len() + end + close.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_follows_indentation() {
        let nodes = parse(">> Question?\n  Answer one.\n  - point\n    deeper\nAfter.");
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0].children.len(), 2);
        assert_eq!(nodes[0].children[1].children.len(), 1);
        assert!(matches!(
            nodes[1].line,
            Line::Text {
                kind: "paragraph",
                ..
            }
        ));
    }

    #[test]
    fn code_tables_and_directives() {
        let nodes = parse("```shell\nkestrel deploy\n  --now\n```\n| a | b |\n| 1 | 2 |\n@bookmark https://x.example Caption here\n1. first\n$$ E = mc^2");
        assert_eq!(
            nodes[0].line,
            Line::Code {
                language: "shell".into(),
                body: "kestrel deploy\n  --now".into()
            }
        );
        assert_eq!(
            nodes[1].line,
            Line::Table(vec![
                vec!["a".into(), "b".into()],
                vec!["1".into(), "2".into()]
            ])
        );
        assert!(
            matches!(&nodes[2].line, Line::Directive { name, args } if name == "bookmark" && args.starts_with("https"))
        );
        assert!(matches!(
            nodes[3].line,
            Line::Text {
                kind: "numbered_list_item",
                ..
            }
        ));
        assert_eq!(nodes[4].line, Line::Equation("E = mc^2".into()));
    }

    #[test]
    fn inline_spans() {
        let s = spans("Ask @{Omar Haddad} about **$2,000** trips, see [[people/travel]] by {date 2026-03-03}, \\(x^2\\) and [docs](https://d.example).");
        assert!(s.contains(&Span::User("Omar Haddad".into())));
        assert!(s.contains(&Span::Bold("$2,000".into())));
        assert!(s.contains(&Span::Page("people/travel".into())));
        assert!(s.contains(&Span::Date("2026-03-03".into())));
        assert!(s.contains(&Span::Equation("x^2".into())));
        assert!(s.contains(&Span::Link {
            text: "docs".into(),
            url: "https://d.example".into()
        }));
        assert_eq!(
            spans("plain [not a link"),
            vec![Span::Plain("plain [not a link".into())]
        );
    }
}
