//! PDF text through `pdf-extract` (maintained, pure Rust, on `lopdf`): the document is loaded
//! once, its page count and encryption checked before any page is read, then each page's text
//! is written out in order. `lopdf` opens a PDF whose user password is empty by itself, so only
//! files that need a real password count as encrypted.

use pdf_extract::{Document, PlainTextOutput};

use super::Unreadable;

/// The text of every page, pages separated by a blank line.
pub fn text(bytes: &[u8], max_pages: u32) -> Result<String, Unreadable> {
    let doc = match Document::load_mem(bytes) {
        Ok(doc) => doc,
        Err(pdf_extract::Error::Decryption(_)) => return Err(Unreadable::Encrypted),
        Err(e) => return Err(Unreadable::Corrupt(format!("not a readable PDF ({e})"))),
    };
    if doc.is_encrypted() {
        return Err(Unreadable::Encrypted);
    }
    let pages = doc.get_pages();
    if pages.len() > max_pages as usize {
        return Err(Unreadable::TooManyPages {
            pages: pages.len(),
            limit: max_pages,
        });
    }
    let mut out = String::new();
    for &n in pages.keys() {
        let mut page = String::new();
        let mut sink = PlainTextOutput::new(&mut page);
        pdf_extract::output_doc_page(&doc, &mut sink, n)
            .map_err(|e| Unreadable::Corrupt(format!("page {n}: {e}")))?;
        out.push_str(page.trim());
        out.push_str("\n\n");
    }
    Ok(out.trim_end().to_owned())
}
