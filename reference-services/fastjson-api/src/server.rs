//! Routing, edge duties (auth, rate limit, body limits and timeouts) and the connection loop with
//! graceful shutdown. Plain hyper: six fixed routes need no router, and the route template (the
//! metrics label) falls out of the match.

// Handlers return `Err(response)` for the early exits of `?`; both sides are whole responses, and
// boxing the error side would only add an allocation to every error answer.
#![allow(clippy::result_large_err)]

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::auth::Keys;
use crate::config::Config;
use crate::errors::ApiError;
use crate::metrics::{Metrics, Route};
use crate::ratelimit::RateLimiter;
use crate::timing::{HopTiming, UpstreamWait};
use crate::upstream::{Failure, Upstream};
use crate::{bench_json, orders, origin};

type Resp = Response<Full<Bytes>>;

const JSON: HeaderValue = HeaderValue::from_static("application/json");
const PROMETHEUS: HeaderValue = HeaderValue::from_static("text/plain; version=0.0.4");

pub struct App {
    cfg: Config,
    keys: Keys,
    limiter: RateLimiter,
    pub metrics: Arc<Metrics>,
    upstream: Upstream,
    hop: HopTiming,
    health: Bytes,
    tls: Option<TlsAcceptor>,
}

impl App {
    /// Whether connections are TLS (`--tls-cert`/`--tls-key`), for the start line.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    pub fn new(mut cfg: Config) -> Result<Arc<App>, String> {
        cfg.validate()?;
        let metrics = Arc::new(Metrics::default());
        let health =
            format!("{{\"status\":\"ok\",\"service\":\"fastjson-api\",\"version\":\"{}\"}}", env!("CARGO_PKG_VERSION"));
        let tls = match (&cfg.tls_cert, &cfg.tls_key) {
            (Some(cert), Some(key)) => Some(crate::tls::acceptor(cert, key)?),
            _ => None,
        };
        Ok(Arc::new(App {
            tls,
            keys: Keys::new(cfg.api_keys.clone()),
            limiter: RateLimiter::new(cfg.api_keys.len(), cfg.rate_limit_rps, cfg.rate_limit_burst),
            upstream: Upstream::new(&cfg, metrics.clone())?,
            hop: HopTiming::new(&cfg.hop_name),
            health: Bytes::from(health),
            metrics,
            cfg,
        }))
    }
}

fn json(status: u16, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(CONTENT_TYPE, JSON);
    r
}

fn error(e: &ApiError) -> Resp {
    json(e.status, e.body())
}

/// The outermost layer: in-flight gauge, per-route counters and `Server-Timing` for every answer.
async fn serve(app: Arc<App>, req: Request<Incoming>) -> Result<Resp, Infallible> {
    let start = Instant::now();
    let _in_flight = app.metrics.enter();
    let (route, mut resp) = dispatch(&app, req).await;
    app.metrics.count(route, resp.status().as_u16());
    app.hop.stamp(&mut resp, start);
    Ok(resp)
}

fn match_route(path: &str) -> (Route, &str) {
    match path {
        "/healthz" => (Route::Healthz, ""),
        "/v1/orders" => (Route::Orders, ""),
        "/bench/json" => (Route::BenchJson, ""),
        "/metrics" => (Route::Metrics, ""),
        _ => {
            if let Some(id) = path.strip_prefix("/v1/items/") {
                (Route::Items, id)
            } else if let Some(id) = path.strip_prefix("/v1/origin/items/") {
                (Route::OriginItems, id)
            } else {
                (Route::Unmatched, "")
            }
        }
    }
}

async fn dispatch(app: &App, req: Request<Incoming>) -> (Route, Resp) {
    let (route, id) = match_route(req.uri().path());
    let id = id.to_owned();
    let (want, allow) = match route {
        Route::Orders | Route::BenchJson => (Method::POST, HeaderValue::from_static("POST")),
        _ => (Method::GET, HeaderValue::from_static("GET")),
    };
    let resp = if route == Route::Unmatched {
        error(&ApiError::new(404, "not_found", None, "no such route"))
    } else if req.method() != want {
        let mut r = error(&ApiError::new(405, "method_not_allowed", None, format!("use {want}")));
        r.headers_mut().insert(ALLOW, allow);
        r
    } else {
        let result = match route {
            Route::Healthz => Ok(json(200, app.health.clone())),
            Route::Metrics => {
                let mut r = Response::new(Full::new(Bytes::from(app.metrics.render())));
                r.headers_mut().insert(CONTENT_TYPE, PROMETHEUS);
                Ok(r)
            }
            Route::BenchJson => bench(app, req).await,
            Route::Orders => order(app, req).await,
            Route::Items => item(app, &req, &id).await,
            Route::OriginItems => origin_item(app, &id).await,
            Route::Unmatched => unreachable!("answered above"),
        };
        result.unwrap_or_else(|e| e)
    };
    (route, resp)
}

/// Auth then rate limit, in that order: an unknown caller must not drain a real key's bucket.
fn admit(app: &App, req: &Request<Incoming>) -> Result<(), Resp> {
    let key = app.keys.check(req.headers().get("x-api-key").map(|v| v.as_bytes())).map_err(|e| error(&e))?;
    app.limiter.acquire(key).map_err(|secs| {
        let mut r = error(&ApiError::new(429, "rate_limited", None, format!("rate limit exceeded, retry in {secs} s")));
        r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        r
    })
}

/// Reads the whole body within `limit` bytes and the body timeout (against slow senders).
async fn read_body(app: &App, body: Incoming, limit: usize) -> Result<Bytes, Resp> {
    if body.size_hint().lower() > limit as u64 {
        return Err(error(&ApiError::body_too_large(limit)));
    }
    match tokio::time::timeout(app.cfg.body_timeout(), Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(error(&ApiError::body_too_large(limit))),
        Ok(Err(e)) => Err(error(&ApiError::new(400, "bad_body", None, format!("could not read the body: {e}")))),
        Err(_) => Err(error(&ApiError::new(408, "body_timeout", None, "the body was not received in time"))),
    }
}

async fn bench(app: &App, req: Request<Incoming>) -> Result<Resp, Resp> {
    let body = read_body(app, req.into_body(), bench_json::MAX_BODY).await?;
    bench_json::handle(&body).map(|out| json(200, out)).map_err(|e| error(&e))
}

async fn order(app: &App, req: Request<Incoming>) -> Result<Resp, Resp> {
    admit(app, &req)?;
    let body = read_body(app, req.into_body(), app.cfg.max_body_bytes).await?;
    orders::handle(&body, app.cfg.tax_rate_bps).map(|out| json(200, out)).map_err(|e| error(&e))
}

async fn item(app: &App, req: &Request<Incoming>, id: &str) -> Result<Resp, Resp> {
    admit(app, req)?;
    origin::check_id(id).map_err(|e| error(&e))?;
    let upstream_error = |status, code, message: String| error(&ApiError::new(status, code, None, message));
    let asked = Instant::now();
    let result = app.upstream.get(&format!("/cache/{id}")).await;
    let waited = UpstreamWait(asked.elapsed());
    let mut answer = match result {
        Ok(reply) => {
            let mut r = json(200, reply.body);
            if let Some(t) = reply.timing {
                r.extensions_mut().insert(t);
            }
            Ok(r)
        }
        Err(Failure::Timeout) => Err(upstream_error(
            504,
            "upstream_timeout",
            format!("cache did not answer within {} ms", app.cfg.upstream_timeout_ms),
        )),
        Err(Failure::Unavailable(why)) => Err(upstream_error(
            502,
            "upstream_unavailable",
            format!("cache at {} unreachable: {why}", app.upstream.base()),
        )),
        Err(Failure::Status(status, timing)) => {
            let mut r = upstream_error(502, "upstream_status", format!("cache answered {status}"));
            if let Some(t) = timing {
                r.extensions_mut().insert(t);
            }
            Err(r)
        }
        Err(Failure::BodyTooLarge) => Err(upstream_error(
            502,
            "upstream_body_too_large",
            format!("cache body exceeds {} bytes", app.cfg.max_body_bytes),
        )),
    };
    match &mut answer {
        Ok(r) | Err(r) => r.extensions_mut().insert(waited),
    };
    answer
}

async fn origin_item(app: &App, id: &str) -> Result<Resp, Resp> {
    origin::check_id(id).map_err(|e| error(&e))?;
    if app.cfg.origin_work_us > 0 {
        tokio::time::sleep(Duration::from_micros(app.cfg.origin_work_us)).await;
    }
    Ok(json(200, origin::item(id)))
}

/// Serves until `shutdown` resolves, then stops accepting and gives open requests
/// `--shutdown-timeout-ms` to finish. Returns whether they all did.
pub async fn run(app: Arc<App>, listener: TcpListener, shutdown: impl Future<Output = ()>) -> bool {
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(app.cfg.header_timeout()).keep_alive(true);
    let tls = app.tls.clone().map(|acceptor| Arc::new(TlsServe::new(acceptor, &app.cfg)));
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            biased;
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Typically EMFILE: back off instead of spinning on the same error.
                    eprintln!("fastjson-api: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        // Connection errors (resets, header timeouts, garbage, failed handshakes) are the client's;
        // logging them would flood stderr under load tests.
        if let Some(tls) = &tls {
            tokio::spawn(tls.clone().serve(app, stream, graceful.watcher()));
            continue;
        }
        let conn = http.serve_connection(TokioIo::new(stream), service_fn(move |req| serve(app.clone(), req)));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    match tokio::time::timeout(app.cfg.shutdown_timeout(), graceful.shutdown()).await {
        Ok(()) => true,
        Err(_) => {
            eprintln!("fastjson-api: shutdown timeout reached, dropping open connections");
            false
        }
    }
}

/// The TLS side: one connection builder per ALPN answer, so the protocol is the one the handshake
/// agreed on and never guessed from the first bytes.
struct TlsServe {
    acceptor: TlsAcceptor,
    h1: auto::Builder<TokioExecutor>,
    h2: auto::Builder<TokioExecutor>,
    handshake_timeout: Duration,
}

impl TlsServe {
    fn new(acceptor: TlsAcceptor, cfg: &Config) -> TlsServe {
        let mut base = auto::Builder::new(TokioExecutor::new());
        base.http1().timer(TokioTimer::new()).header_read_timeout(cfg.header_timeout()).keep_alive(true);
        base.http2().timer(TokioTimer::new());
        TlsServe {
            acceptor,
            h1: base.clone().http1_only(),
            h2: base.http2_only(),
            // A handshake is bounded like a request head: a client stalling in it must not hold a task.
            handshake_timeout: cfg.header_timeout(),
        }
    }

    async fn serve(self: Arc<Self>, app: Arc<App>, stream: TcpStream, watcher: Watcher) {
        let Ok(Ok(tls)) = tokio::time::timeout(self.handshake_timeout, self.acceptor.accept(stream)).await else {
            return;
        };
        let builder = if tls.get_ref().1.alpn_protocol() == Some(crate::tls::ALPN_H2) { &self.h2 } else { &self.h1 };
        let conn = builder.serve_connection(TokioIo::new(tls), service_fn(move |req| serve(app.clone(), req)));
        let _ = watcher.watch(conn).await;
    }
}
