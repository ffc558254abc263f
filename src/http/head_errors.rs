//! [`JsonHeadErrors`]: gives hyper's own error answers the JSON body every other error has.
//!
//! When a request head cannot be parsed (a request line or headers over
//! [`MAX_HEADER_BYTES`](super::conn::MAX_HEADER_BYTES), bytes that are not HTTP), hyper
//! answers by itself, before any handler runs, with a bodiless 400, 414 or 431 and closes the
//! connection; hyper offers no hook to shape that answer. This wrapper sits between hyper and
//! the socket, recognises such an answer as it is written, and writes
//! [`ApiError::raw_response`] in its place. A head that overflows the buffer before its first
//! line ended is a request line too long: that is a 414, not hyper's 431.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::errors::ApiError;

/// A connection's byte stream, with hyper's bodiless parse-error answers replaced.
pub struct JsonHeadErrors<S> {
    inner: S,
    /// The replacement answer being written, and how much of it is out.
    pending: Vec<u8>,
    at: usize,
    /// Whether a line ended since the server last wrote (the request line is complete).
    line_ended: bool,
}

impl<S> JsonHeadErrors<S> {
    pub fn new(inner: S) -> Self {
        JsonHeadErrors {
            inner,
            pending: Vec::new(),
            at: 0,
            line_ended: false,
        }
    }
}

impl<S: AsyncWrite + Unpin> JsonHeadErrors<S> {
    /// Writes what is left of the replacement answer.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.at < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.at..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.at += n;
        }
        Poll::Ready(Ok(()))
    }
}

/// The error behind `buf` when it is one of hyper's automatic answers: a complete, short,
/// bodiless head with status 400, 414 or 431. The handlers' errors always have a JSON body.
fn automatic_answer(buf: &[u8], line_ended: bool) -> Option<ApiError> {
    if buf.len() > 512 || !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let head = std::str::from_utf8(buf.strip_prefix(b"HTTP/1.1 ")?).ok()?;
    if !head
        .to_ascii_lowercase()
        .contains("\r\ncontent-length: 0\r\n")
    {
        return None;
    }
    match head.get(..3)? {
        "400" => Some(ApiError::Malformed),
        "414" => Some(ApiError::UriTooLong),
        "431" if !line_ended => Some(ApiError::UriTooLong),
        "431" => Some(ApiError::HeadTooLarge),
        _ => None,
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonHeadErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        if buf.filled()[before..].contains(&b'\n') {
            self.line_ended = true;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonHeadErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        if let Some(err) = automatic_answer(buf, this.line_ended) {
            this.pending = err.raw_response();
            this.at = 0;
            // Taken whole; what the socket does not take now goes out on flush or shutdown.
            let _ = this.drain(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        // An answer goes out: the next bytes read start a new request.
        this.line_ended = false;
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodiless_parse_answers_are_replaced() {
        let auto = |status: &str| {
            format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\ndate: Sat, 05 Dec 2026 10:00:00 GMT\r\n\r\n")
        };
        assert!(matches!(
            automatic_answer(
                auto("431 Request Header Fields Too Large").as_bytes(),
                false
            ),
            Some(ApiError::UriTooLong)
        ));
        assert!(matches!(
            automatic_answer(auto("431 Request Header Fields Too Large").as_bytes(), true),
            Some(ApiError::HeadTooLarge)
        ));
        assert!(matches!(
            automatic_answer(auto("414 URI Too Long").as_bytes(), true),
            Some(ApiError::UriTooLong)
        ));
        assert!(matches!(
            automatic_answer(auto("400 Bad Request").as_bytes(), true),
            Some(ApiError::Malformed)
        ));
        assert!(automatic_answer(auto("200 OK").as_bytes(), true).is_none());
        let with_body = "HTTP/1.1 400 Bad Request\r\ncontent-length: 57\r\n\r\n";
        assert!(automatic_answer(with_body.as_bytes(), true).is_none());
    }
}
