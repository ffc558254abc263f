//! HTML → plain text for update bodies and other rich text ([`html_to_text`]).
//!
//! monday.com update bodies are HTML fragments (`<p>\u{feff}Test</p>`, images, mentions).
//! [`html2text`] renders them with its trivial decorator (no markup at all); the result is
//! then tidied for search: the `\u{feff}` BOM monday sprinkles into bodies is dropped,
//! trailing spaces are trimmed and runs of blank lines collapse into one. Never fails:
//! unparsable input falls back to a crude tag stripper.

use html2text::render::TrivialDecorator;

/// Wide enough that paragraphs are never wrapped (search text wants whole lines).
const WIDTH: usize = 400;

/// Deeper markup skips the HTML parser: html5ever's tree building is quadratic in the nesting
/// depth (100 000 nested tags took minutes), and anyone who can write an update controls it.
const MAX_NESTING: usize = 256;

/// Elements that never have a closing tag, so they do not nest.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Converts an HTML fragment to readable plain text.
pub fn html_to_text(html: &str) -> String {
    let cleaned = html.replace('\u{feff}', "");
    if !cleaned.contains('<') && !cleaned.contains('&') {
        return tidy(&cleaned);
    }
    if nesting_depth(&cleaned) > MAX_NESTING {
        return tidy(&strip_tags(&cleaned));
    }
    // The trivial decorator adds nothing: no `[…]` around links, no list bullets.
    let rendered = html2text::config::with_decorator(TrivialDecorator::new())
        .string_from_read(cleaned.as_bytes(), WIDTH)
        .unwrap_or_else(|_| strip_tags(&cleaned));
    tidy(&rendered)
}

/// Trims line ends and collapses blank-line runs; trims the whole text.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push('\n');
            blank_run = false;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// The deepest tag nesting in `html`, estimated in one pass: opening tags minus closing tags,
/// not counting void elements and `<…/>`.
fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for tag in html.split('<').skip(1) {
        let end = tag.find('>').unwrap_or(tag.len());
        let inner = &tag[..end];
        if inner.starts_with('/') {
            depth = depth.saturating_sub(1);
            continue;
        }
        let name: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || inner.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        depth += 1;
        max = max.max(depth);
    }
    max
}

/// Last-resort fallback: drops everything between `<` and `>`.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_paragraph_is_plain_text() {
        assert_eq!(html_to_text("<p>\u{feff}Test</p>"), "Test");
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(
            html_to_text("This update will be added to the item"),
            "This update will be added to the item"
        );
    }

    #[test]
    fn real_update_bodies() {
        let bodies = [
            "<p>\u{feff}Test</p>",
            "<p><br></p> <p><img width=\"200\" src=\"https://media.giphy.com/x.gif?a=1&amp;b=2\"></p> <p><br></p>",
            "<img src=\"https://x.monday.com/protected_static/1/big-black_cat.jpg\" data-asset_id=\"919077184\">",
            "<p>Hi <a href=\"https://x.monday.com/users/1\" class=\"user_mention_editor router\" data-mention-type=\"User\" data-mention-id=\"1\">@Ann Lee</a>, see <b>this</b> &amp; that</p><ul><li>one</li><li>two</li></ul><p></p><p>Second paragraph</p>",
        ];
        let out: Vec<String> = bodies.iter().map(|b| html_to_text(b)).collect();
        insta::assert_json_snapshot!(out);
    }

    #[test]
    fn unclosed_markup_never_panics() {
        let t = html_to_text("<p>broken <b>bold <i>text");
        assert!(t.contains("broken"), "{t}");
    }

    #[test]
    fn deeply_nested_html_takes_minutes_to_parse() {
        // Run on a thread with a tokio worker's 2 MiB stack, where update bodies are flattened.
        let deep = format!(
            "{}deep text{}",
            "<div><b>".repeat(50_000),
            "</b></div>".repeat(50_000)
        );
        let t = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || html_to_text(&deep))
            .unwrap()
            .join()
            .unwrap();
        assert!(t.contains("deep text"), "{}", t.len());
        assert_eq!(
            nesting_depth("<p>a<br>b<img src=x/><b>c</b></p><p>d</p>"),
            2
        );
    }
}
