//! `Server-Timing` per ../spec/README.md: our own `NAME;dur=MS` first, then the upstream's entries
//! unchanged. Applied by the outermost layer of the service (see `server::serve`), so every
//! response, errors included, gets it.

use std::time::{Duration, Instant};

use hyper::header::{HeaderName, HeaderValue};
use hyper::Response;

pub const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

/// Handlers that called an upstream leave its `Server-Timing` here, as a response extension,
/// for the layer to append after our own entry.
#[derive(Clone, Debug)]
pub struct UpstreamTiming(pub Vec<u8>);

/// How long the handler waited on upstream calls (retries and backoff included). Written as an
/// `up=` parameter of our own entry so a client can tell our own work from waiting on the next hop,
/// even when that hop was frozen before it could read the request (its own `dur` cannot show that).
#[derive(Clone, Copy, Debug)]
pub struct UpstreamWait(pub Duration);

pub struct HopTiming {
    /// `NAME;dur=`, built once.
    prefix: Vec<u8>,
}

impl HopTiming {
    pub fn new(hop_name: &str) -> Self {
        HopTiming { prefix: format!("{hop_name};dur=").into_bytes() }
    }

    pub fn stamp<B>(&self, resp: &mut Response<B>, start: Instant) {
        let upstream = resp.extensions_mut().remove::<UpstreamTiming>();
        let waited = resp.extensions_mut().remove::<UpstreamWait>();
        let value = self.value(start.elapsed(), waited, upstream.as_ref().map(|u| &u.0[..]));
        resp.headers_mut().insert(SERVER_TIMING, value);
    }

    fn value(&self, elapsed: Duration, waited: Option<UpstreamWait>, upstream: Option<&[u8]>) -> HeaderValue {
        let mut v = Vec::with_capacity(self.prefix.len() + 32 + upstream.map_or(0, |u| u.len() + 2));
        v.extend_from_slice(&self.prefix);
        write_ms(&mut v, elapsed);
        if let Some(UpstreamWait(w)) = waited {
            v.extend_from_slice(b";up=");
            write_ms(&mut v, w);
        }
        let own = v.len();
        if let Some(u) = upstream.filter(|u| !u.is_empty()) {
            v.extend_from_slice(b", ");
            v.extend_from_slice(u);
        }
        HeaderValue::from_bytes(&v).unwrap_or_else(|_| {
            // Unreachable in practice (the upstream part was a valid header value); drop it rather
            // than the whole header if it ever is not.
            v.truncate(own);
            HeaderValue::from_bytes(&v).expect("the hop name is checked to be a token at start")
        })
    }
}

/// Milliseconds with exactly three decimals, from whole microseconds.
fn write_ms(out: &mut Vec<u8>, d: Duration) {
    let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    out.extend_from_slice(itoa::Buffer::new().format(us / 1000).as_bytes());
    let frac = us % 1000;
    out.extend_from_slice(&[b'.', b'0' + (frac / 100) as u8, b'0' + (frac / 10 % 10) as u8, b'0' + (frac % 10) as u8]);
}

/// Joins the `Server-Timing` header lines of an upstream response in order, as one list.
pub fn collect_upstream(headers: &hyper::HeaderMap) -> Option<UpstreamTiming> {
    let mut out = Vec::new();
    for v in headers.get_all(SERVER_TIMING) {
        if !out.is_empty() {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(v.as_bytes());
    }
    (!out.is_empty()).then_some(UpstreamTiming(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_three_decimals_and_appends_upstream() {
        let hop = HopTiming::new("edge");
        assert_eq!(hop.value(Duration::from_micros(1482), None, None), "edge;dur=1.482");
        assert_eq!(hop.value(Duration::from_nanos(999), None, None), "edge;dur=0.000");
        assert_eq!(hop.value(Duration::from_micros(12_000_005), None, None), "edge;dur=12000.005");
        assert_eq!(
            hop.value(
                Duration::from_micros(1482),
                Some(UpstreamWait(Duration::from_micros(1210))),
                Some(b"cache;dur=1.100")
            ),
            "edge;dur=1.482;up=1.210, cache;dur=1.100"
        );
        assert_eq!(
            hop.value(Duration::from_micros(2050), None, Some(b"cache;dur=1.210, origin;dur=1.003")),
            "edge;dur=2.050, cache;dur=1.210, origin;dur=1.003"
        );
    }
}
