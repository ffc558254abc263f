//! `items_page` cursor chains (../shared/docs/monday-api.md §2.2). The first page of a board query
//! snapshots the matching item ids into a chain; cursors name a chain and an offset and
//! look like real ones: base64url, no padding, of `1,<board>,<chain>,<total>,<offset>,|<n>`.
//!
//! A chain expires `ttl` after its FIRST request (the clock does not restart on each page),
//! measured in real time; [`Cursors::expire_all`] lets tests skip the wait.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::errors::ApiError;

/// One pagination snapshot.
#[derive(Debug, Clone)]
struct Chain {
    board_id: u64,
    ids: Vec<u64>,
    created: Instant,
    expired: bool,
}

/// All live chains of the server.
#[derive(Debug)]
pub struct Cursors {
    chains: HashMap<String, Chain>,
    ttl: Duration,
    counter: u64,
}

/// One page of ids and the cursor to the next (None at the end).
pub type Page = (Vec<u64>, Option<String>);

const MAX_CHAINS: usize = 20_000;

impl Cursors {
    /// An empty store whose chains live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Cursors {
            chains: HashMap::new(),
            ttl,
            counter: 0,
        }
    }

    /// Starts a chain over `ids` and returns its first page.
    pub fn start(&mut self, board_id: u64, ids: Vec<u64>, limit: usize) -> Page {
        if ids.len() <= limit {
            return (ids, None);
        }
        self.gc();
        self.counter += 1;
        let key = chain_key(self.counter);
        let first = ids[..limit].to_vec();
        let total = ids.len();
        self.chains.insert(
            key.clone(),
            Chain {
                board_id,
                ids,
                created: Instant::now(),
                expired: false,
            },
        );
        (first, Some(encode(board_id, &key, total, limit)))
    }

    /// The page after `cursor`.
    pub fn next(
        &mut self,
        cursor: &str,
        limit: usize,
        force_expired: bool,
    ) -> Result<Page, ApiError> {
        let (board_id, key, offset) = decode(cursor).ok_or(ApiError::CursorInvalid)?;
        let chain = self
            .chains
            .get(&key)
            .filter(|c| c.board_id == board_id)
            .ok_or(ApiError::CursorInvalid)?;
        if force_expired || chain.expired || chain.created.elapsed() >= self.ttl {
            return Err(ApiError::CursorExpired);
        }
        let end = (offset + limit).min(chain.ids.len());
        let page = chain.ids.get(offset..end).unwrap_or_default().to_vec();
        let next = (end < chain.ids.len()).then(|| encode(board_id, &key, chain.ids.len(), end));
        Ok((page, next))
    }

    /// Marks every existing chain expired.
    pub fn expire_all(&mut self) {
        self.chains.values_mut().for_each(|c| c.expired = true);
    }

    /// Drops chains long past expiry so the map stays bounded.
    fn gc(&mut self) {
        if self.chains.len() < MAX_CHAINS {
            return;
        }
        let ttl = self.ttl;
        self.chains.retain(|_, c| c.created.elapsed() < ttl * 2);
        if self.chains.len() >= MAX_CHAINS {
            self.chains.clear();
        }
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn chain_key(n: u64) -> String {
    let mut z = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD6E8_FEB8_6659_FD93;
    (0..21)
        .map(|_| {
            z = z.rotate_left(7).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ n;
            ALPHABET[(z >> 58) as usize] as char
        })
        .collect()
}

fn encode(board_id: u64, key: &str, total: usize, offset: usize) -> String {
    b64_encode(
        format!(
            "1,{board_id},{key},{total},{offset},|{}",
            board_id % 100_000_000
        )
        .as_bytes(),
    )
}

fn decode(cursor: &str) -> Option<(u64, String, usize)> {
    let raw = String::from_utf8(b64_decode(cursor)?).ok()?;
    let parts: Vec<&str> = raw.split(',').collect();
    match parts.as_slice() {
        ["1", board, key, _total, offset, _] => {
            Some((board.parse().ok()?, key.to_string(), offset.parse().ok()?))
        }
        _ => None,
    }
}

/// base64url without padding.
fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let vals: Vec<u32> = s
        .trim_end_matches('=')
        .bytes()
        .map(|c| ALPHABET.iter().position(|a| *a == c).map(|p| p as u32))
        .collect::<Option<_>>()?;
    let mut out = vec![];
    for chunk in vals.chunks(4) {
        if chunk.len() < 2 {
            return None;
        }
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, v)| n | (v << (18 - 6 * i)));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_and_decodes_a_real_cursor() {
        let real = "MSwxODI2NTk4MTg1NixqMDBvQW1tLUJ0bEJER2ZWZzN5UGwsMTMsNSx8MTI5MTgzMzc";
        let raw = String::from_utf8(b64_decode(real).unwrap()).unwrap();
        assert_eq!(raw, "1,18265981856,j00oAmm-BtlBDGfVg3yPl,13,5,|12918337");
        assert_eq!(b64_encode(raw.as_bytes()), real);
    }

    #[test]
    fn chain_walks_pages_then_ends() {
        let mut c = Cursors::new(Duration::from_secs(3600));
        let (p1, cur) = c.start(7, (1..=5).collect(), 2);
        assert_eq!(p1, [1, 2]);
        let (p2, cur) = c.next(&cur.unwrap(), 2, false).unwrap();
        assert_eq!(p2, [3, 4]);
        let (p3, cur) = c.next(&cur.unwrap(), 2, false).unwrap();
        assert_eq!((p3, cur), (vec![5], None));
    }

    #[test]
    fn expired_and_garbage_cursors_error() {
        let mut c = Cursors::new(Duration::from_secs(3600));
        let (_, cur) = c.start(7, (1..=5).collect(), 2);
        assert_eq!(c.next("nonsense!", 2, false), Err(ApiError::CursorInvalid));
        c.expire_all();
        assert_eq!(
            c.next(&cur.unwrap(), 2, false),
            Err(ApiError::CursorExpired)
        );
    }
}
