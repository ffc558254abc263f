//! Plain text, Markdown and CSV. Text is decoded as UTF-8 (invalid sequences replaced; a
//! byte-order mark dropped); a file with NUL bytes is binary, not text. CSV cells are read with
//! the `csv` crate (quoted cells may hold commas and line breaks) and joined by ` | `, one
//! record a line.

use super::Unreadable;

/// A text or Markdown file's text.
pub fn plain(bytes: &[u8]) -> Result<String, Unreadable> {
    if bytes.contains(&0) {
        return Err(Unreadable::Corrupt("binary content in a text file".into()));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

/// A CSV file's cells, one record a line. Rows that do not parse fall back to their raw text.
pub fn csv(bytes: &[u8]) -> Result<String, Unreadable> {
    let raw = plain(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(raw.as_bytes());
    let mut out = String::with_capacity(raw.len());
    for record in reader.records() {
        let Ok(record) = record else {
            return Ok(raw);
        };
        let cells: Vec<&str> = record
            .iter()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if !cells.is_empty() {
            out.push_str(&cells.join(" | "));
            out.push('\n');
        }
    }
    Ok(out)
}
