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

/// Converts an HTML fragment to readable plain text.
pub fn html_to_text(html: &str) -> String {
    let cleaned = html.replace('\u{feff}', "");
    if !cleaned.contains('<') && !cleaned.contains('&') {
        return tidy(&cleaned);
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
}
