//! Attachment text in a document: each file with text becomes its own part at the end of its
//! page's body, headed by its file name, so a search for words inside the file finds the page
//! and the snippet says which file matched. Files without text add nothing (their reason is
//! a `status --skipped` entry).

use crate::document::Document;
use crate::ingest::Attachment;

/// Appends every attachment that has text to `doc.body`, in order.
pub fn append(doc: &mut Document, files: &[Attachment]) {
    for f in files {
        let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
            continue;
        };
        if !doc.body.is_empty() {
            doc.body.push_str("\n\n");
        }
        doc.body.push_str("Attachment: ");
        doc.body.push_str(&f.name);
        doc.body.push('\n');
        doc.body.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: Option<&str>) -> Attachment {
        Attachment {
            key: name.into(),
            name: name.into(),
            text: text.map(str::to_owned),
            skipped: text.is_none().then(|| "encrypted".into()),
        }
    }

    #[test]
    fn each_file_with_text_is_its_own_named_part() {
        let mut d = Document::new("n:1", "Page", "page body");
        append(
            &mut d,
            &[
                file("a.pdf", Some("alpha")),
                file("b.pdf", None),
                file("c.md", Some(" ")),
                file("d.csv", Some("x | y")),
            ],
        );
        assert_eq!(
            d.body,
            "page body\n\nAttachment: a.pdf\nalpha\n\nAttachment: d.csv\nx | y"
        );
        let mut empty = Document::new("n:2", "Page", "");
        append(&mut empty, &[file("a.txt", Some("t"))]);
        assert_eq!(empty.body, "Attachment: a.txt\nt");
    }
}
