//! The read-through call to the cache: a pooled keep-alive HTTP/1.1 client, a timeout per attempt
//! and bounded retries with jittered exponential backoff. Timeouts and retries are the knobs a
//! scenario turns to provoke timeout cascades and retry storms, so every attempt is counted.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, LengthLimitError, Limited};
use hyper::{Request, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::config::Config;
use crate::metrics::Metrics;
use crate::timing::{collect_upstream, UpstreamTiming};

pub struct Upstream {
    client: Client<HttpConnector, Empty<Bytes>>,
    /// `http://host:port` plus any base path, without a trailing slash.
    base: String,
    timeout: Duration,
    retries: u32,
    backoff: Duration,
    max_body: usize,
    metrics: Arc<Metrics>,
}

pub struct Reply {
    pub body: Bytes,
    pub timing: Option<UpstreamTiming>,
}

#[derive(Debug)]
pub enum Failure {
    Timeout,
    /// Connection refused or reset, or any transport error before a complete answer.
    Unavailable(String),
    /// The upstream answered, but not with 2xx; its timing is still passed on.
    Status(StatusCode, Option<UpstreamTiming>),
    BodyTooLarge,
}

impl Failure {
    /// A 4xx will not change on a second try; overload and transport failures might.
    fn retryable(&self) -> bool {
        match self {
            Failure::Timeout | Failure::Unavailable(_) => true,
            Failure::Status(s, _) => s.is_server_error(),
            Failure::BodyTooLarge => false,
        }
    }
}

impl Upstream {
    pub fn new(cfg: &Config, metrics: Arc<Metrics>) -> Result<Self, String> {
        let uri: Uri = cfg.cache_url.parse().map_err(|e| format!("--cache-url {:?}: {e}", cfg.cache_url))?;
        if uri.scheme_str() != Some("http") || uri.authority().is_none() || uri.query().is_some() {
            return Err(format!("--cache-url {:?} must be http://host:port[/path]", cfg.cache_url));
        }
        let base = cfg.cache_url.trim_end_matches('/').to_owned();
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(cfg.upstream_timeout()));
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Upstream {
            client,
            base,
            timeout: cfg.upstream_timeout(),
            retries: cfg.upstream_retries,
            backoff: Duration::from_millis(cfg.upstream_backoff_ms),
            max_body: cfg.max_body_bytes,
            metrics,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// GETs `path` (which must start with `/` and hold only URI-safe bytes).
    pub async fn get(&self, path: &str) -> Result<Reply, Failure> {
        let uri: Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|e| Failure::Unavailable(format!("bad upstream URI: {e}")))?;
        let mut attempt = 0;
        loop {
            self.metrics.upstream_requests.fetch_add(1, Relaxed);
            let result = match tokio::time::timeout(self.timeout, self.once(uri.clone())).await {
                Ok(r) => r,
                Err(_) => Err(Failure::Timeout),
            };
            match &result {
                Ok(_) => return result,
                Err(Failure::Timeout) => self.metrics.upstream_timeouts.fetch_add(1, Relaxed),
                Err(_) => self.metrics.upstream_errors.fetch_add(1, Relaxed),
            };
            match result {
                Err(f) if f.retryable() && attempt < self.retries => {
                    attempt += 1;
                    self.metrics.upstream_retries.fetch_add(1, Relaxed);
                    tokio::time::sleep(self.backoff_for(attempt)).await;
                }
                other => return other,
            }
        }
    }

    async fn once(&self, uri: Uri) -> Result<Reply, Failure> {
        let req = Request::get(uri).body(Empty::new()).map_err(|e| Failure::Unavailable(e.to_string()))?;
        let resp = self.client.request(req).await.map_err(|e| Failure::Unavailable(error_chain(&e)))?;
        let (parts, body) = resp.into_parts();
        let timing = collect_upstream(&parts.headers);
        if !parts.status.is_success() {
            return Err(Failure::Status(parts.status, timing));
        }
        let body = Limited::new(body, self.max_body).collect().await.map_err(|e| {
            if e.is::<LengthLimitError>() {
                Failure::BodyTooLarge
            } else {
                Failure::Unavailable(error_chain(&*e))
            }
        })?;
        Ok(Reply { body: body.to_bytes(), timing })
    }

    /// `base * 2^(attempt-1)`, capped at 1024 * base, half of it fixed and half random ("equal
    /// jitter"), so synchronized clients spread out yet a retry never comes immediately.
    fn backoff_for(&self, attempt: u32) -> Duration {
        let ceiling = self.backoff.saturating_mul(1 << (attempt - 1).min(10));
        let half = ceiling / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        // RandomState is randomly keyed per instance: enough randomness for jitter without a crate.
        let r = RandomState::new().hash_one(attempt);
        half + Duration::from_nanos(if nanos == 0 { 0 } else { r % (nanos + 1) })
    }
}

/// hyper's client errors say little at the top level ("client error (Connect)"): add the causes.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
