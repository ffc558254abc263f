//! The query language: a forgiving parser from what a person types to a [`ParsedQuery`].
//!
//! Terms, `"phrases"`, `AND` / `OR` / `NOT` (upper case), `+must` / `-must_not`, parentheses and
//! `field:value` / `field:"phrase"` for the fields in [`FIELDS`]. Anything else, stray
//! punctuation included, is read as words: `heat-transfer problems?` is two terms and a third.
//! Only syntax used deliberately and wrongly (an unclosed quote or parenthesis, a dangling
//! operator, an empty `title:`) is a [`QueryError`].

use std::fmt;

/// How deeply parentheses may nest. Parsing, compiling and dropping a query recurse once per
/// level, so the bound keeps hostile input (`((((…`) from overflowing a worker's stack; no
/// person types more than a handful of levels.
pub const MAX_DEPTH: usize = 32;

/// Fields a query may name.
pub const FIELDS: &[&str] = &["title", "body", "path", "authors", "source", "kind", "tags"];

/// A query that cannot be read, with what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad query: {0}")]
pub struct QueryError(pub String);

/// How a clause takes part in its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    Should,
    Must,
    MustNot,
}

/// A node of the parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Free words (to be analyzed), optionally restricted to one field.
    Words { field: Option<String>, text: String },
    /// An exact phrase, optionally restricted to one field.
    Phrase { field: Option<String>, text: String },
    /// A parenthesized group.
    Group(Vec<(Occur, Node)>),
}

/// The whole query: top-level clauses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedQuery {
    pub clauses: Vec<(Occur, Node)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Word(String),
    Phrase(String),
    Field(String),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Open => f.write_str("("),
            Tok::Close => f.write_str(")"),
            Tok::And => f.write_str("AND"),
            Tok::Or => f.write_str("OR"),
            Tok::Not => f.write_str("NOT"),
            Tok::Plus => f.write_str("+"),
            Tok::Minus => f.write_str("-"),
            Tok::Word(w) => f.write_str(w),
            Tok::Phrase(p) => write!(f, "\"{p}\""),
            Tok::Field(n) => write!(f, "{n}:"),
        }
    }
}

/// Parses a query string.
pub fn parse(input: &str) -> Result<ParsedQuery, QueryError> {
    let toks = lex(input)?;
    let mut p = Parser { toks, pos: 0 };
    let clauses = p.clauses(0)?;
    if p.pos < p.toks.len() {
        return Err(QueryError("unexpected `)`: it has no matching `(`".into()));
    }
    Ok(ParsedQuery { clauses })
}

fn lex(input: &str) -> Result<Vec<Tok>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at_start = i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '(';
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| c == '"')
                    .ok_or_else(|| {
                        QueryError("unterminated phrase: add the closing `\"`".into())
                    })?;
                out.push(Tok::Phrase(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            '+' | '-' if at_start && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) => {
                out.push(if c == '+' { Tok::Plus } else { Tok::Minus });
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !matches!(chars[i], '(' | ')' | '"')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.extend(word_token(word));
            }
        }
    }
    Ok(out)
}

/// Classifies a bare word: operator, `field:` prefix (possibly with its value), or plain text.
fn word_token(word: String) -> Vec<Tok> {
    match word.as_str() {
        "AND" | "&&" => return vec![Tok::And],
        "OR" | "||" => return vec![Tok::Or],
        "NOT" => return vec![Tok::Not],
        _ => {}
    }
    if let Some((name, value)) = word.split_once(':') {
        let lname = name.to_ascii_lowercase();
        let lname = match lname.as_str() {
            "tag" => "tags".to_owned(),
            "author" => "authors".to_owned(),
            _ => lname,
        };
        if FIELDS.contains(&lname.as_str()) {
            let mut v = vec![Tok::Field(lname)];
            if !value.is_empty() {
                v.push(Tok::Word(value.to_owned()));
            }
            return v;
        }
    }
    vec![Tok::Word(word)]
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    /// Clauses until `)` or the end; `depth` > 0 inside parentheses.
    fn clauses(&mut self, depth: usize) -> Result<Vec<(Occur, Node)>, QueryError> {
        if depth > MAX_DEPTH {
            return Err(QueryError(format!(
                "parentheses nest more than {MAX_DEPTH} deep: remove some"
            )));
        }
        let mut out: Vec<(Occur, Node)> = Vec::new();
        let mut pending_and = false;
        let mut pending_or = false;
        loop {
            match self.peek() {
                None => {
                    if depth > 0 {
                        return Err(QueryError("missing `)`: a `(` is never closed".into()));
                    }
                    break;
                }
                Some(Tok::Close) => {
                    if depth == 0 {
                        return Err(QueryError("unexpected `)`: it has no matching `(`".into()));
                    }
                    self.pos += 1;
                    break;
                }
                Some(Tok::And) | Some(Tok::Or) => {
                    let op = self.next().unwrap_or(Tok::And);
                    if out.is_empty() || pending_and || pending_or {
                        return Err(QueryError(format!("`{op}` needs a term on both sides")));
                    }
                    if op == Tok::And {
                        pending_and = true;
                    } else {
                        pending_or = true;
                    }
                    continue;
                }
                Some(_) => {}
            }
            let (mut occur, node) = self.clause(depth)?;
            if pending_and {
                if let Some(last) = out.last_mut() {
                    if last.0 == Occur::Should {
                        last.0 = Occur::Must;
                    }
                }
                if occur == Occur::Should {
                    occur = Occur::Must;
                }
            }
            pending_and = false;
            pending_or = false;
            out.push((occur, node));
        }
        if pending_and || pending_or {
            let op = if pending_and { "AND" } else { "OR" };
            return Err(QueryError(format!("`{op}` needs a term on both sides")));
        }
        Ok(out)
    }

    /// An optional `+`/`-`/`NOT` followed by an atom.
    fn clause(&mut self, depth: usize) -> Result<(Occur, Node), QueryError> {
        let occur = match self.peek() {
            Some(Tok::Plus) => Occur::Must,
            Some(Tok::Minus) | Some(Tok::Not) => Occur::MustNot,
            _ => Occur::Should,
        };
        if occur != Occur::Should {
            let op = self.next().unwrap_or(Tok::Not);
            if matches!(
                self.peek(),
                None | Some(Tok::Close) | Some(Tok::And) | Some(Tok::Or)
            ) {
                return Err(QueryError(format!("`{op}` needs a term after it")));
            }
        }
        Ok((occur, self.atom(depth)?))
    }

    fn atom(&mut self, depth: usize) -> Result<Node, QueryError> {
        match self.next() {
            Some(Tok::Open) => Ok(Node::Group(self.clauses(depth + 1)?)),
            Some(Tok::Phrase(text)) => Ok(Node::Phrase { field: None, text }),
            Some(Tok::Word(text)) => Ok(Node::Words { field: None, text }),
            Some(Tok::Field(name)) => match self.next() {
                Some(Tok::Word(text)) => Ok(Node::Words {
                    field: Some(name),
                    text,
                }),
                Some(Tok::Phrase(text)) => Ok(Node::Phrase {
                    field: Some(name),
                    text,
                }),
                _ => Err(QueryError(format!(
                    "`{name}:` needs a value, e.g. {name}:word or {name}:\"two words\""
                ))),
            },
            Some(t) => Err(QueryError(format!("unexpected `{t}`"))),
            None => Err(QueryError(
                "the query ends where a term was expected".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Node {
        Node::Words {
            field: None,
            text: t.into(),
        }
    }

    #[test]
    fn natural_language_with_punctuation_is_words() {
        let q = parse("what are the heat transfer problems of high-speed aircraft?").unwrap();
        assert_eq!(q.clauses.len(), 9);
        assert_eq!(q.clauses[8], (Occur::Should, words("aircraft?")));
        assert_eq!(q.clauses[7], (Occur::Should, words("high-speed")));
    }

    #[test]
    fn stray_symbols_never_fail() {
        for q in [
            "c++ & rust!",
            "50% off: deals",
            "a - b",
            "email@x.com",
            "note: this",
            "::",
            "+",
            "-",
            "x:y:z",
            "'",
            "[]{}^~*?\\/",
        ] {
            assert!(parse(q).is_ok(), "{q}");
        }
    }

    #[test]
    fn operators_and_fields() {
        let q = parse("title:roadmap AND -status +\"launch plan\" NOT tag:done").unwrap();
        assert_eq!(
            q.clauses,
            vec![
                (
                    Occur::Must,
                    Node::Words {
                        field: Some("title".into()),
                        text: "roadmap".into()
                    }
                ),
                (Occur::MustNot, words("status")),
                (
                    Occur::Must,
                    Node::Phrase {
                        field: None,
                        text: "launch plan".into()
                    }
                ),
                (
                    Occur::MustNot,
                    Node::Words {
                        field: Some("tags".into()),
                        text: "done".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn groups_nest() {
        let q = parse("(a OR b) AND c").unwrap();
        assert_eq!(q.clauses.len(), 2);
        assert!(matches!(q.clauses[0], (Occur::Must, Node::Group(_))));
    }

    #[test]
    fn deliberate_misuse_is_an_error() {
        for (q, needle) in [
            ("\"unclosed", "closing"),
            ("(a OR b", "missing `)`"),
            ("a)", "unexpected `)`"),
            ("AND a", "both sides"),
            ("a OR", "both sides"),
            ("a AND OR b", "both sides"),
            ("title:", "needs a value"),
            ("a NOT", "after it"),
        ] {
            let e = parse(q).unwrap_err();
            assert!(e.0.contains(needle), "{q}: {e}");
        }
    }

    #[test]
    fn deeply_nested_parentheses_overflow_the_stack() {
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = parse(&deep).unwrap_err();
        assert!(e.0.contains("nest more than"), "{e}");
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let unclosed = "(".repeat(100_000);
        assert!(parse(&unclosed).is_err());
    }

    #[test]
    fn unknown_field_prefix_is_text() {
        let q = parse("note: remember milk").unwrap();
        assert_eq!(q.clauses[0], (Occur::Should, words("note:")));
    }
}
