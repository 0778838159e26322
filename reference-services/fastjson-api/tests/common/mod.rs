//! Test harness: the service on 127.0.0.1:0, a client, and a scriptable fake upstream.
#![allow(dead_code)] // each test binary uses a different part of the harness

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use fastjson_api::{run, App, Config};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{HeaderMap, Method, Request, Response};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Server {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    pub done: JoinHandle<bool>,
}

impl Server {
    /// Triggers the same graceful shutdown a SIGTERM does.
    pub fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

pub async fn start(args: &[&str]) -> Server {
    let cfg = Config::parse_from(std::iter::once("fastjson-api").chain(args.iter().copied()));
    let app = App::new(cfg).expect("valid config");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let done = tokio::spawn(run(app.clone(), listener, async move {
        let _ = rx.await;
    }));
    Server { addr, app, stop: Some(tx), done }
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// `(code, field)` of an error body.
    pub fn error(&self) -> (String, Option<String>) {
        let v = self.json();
        let e = &v["error"];
        assert!(e["message"].is_string(), "error without message: {}", self.text());
        (e["code"].as_str().unwrap().to_owned(), e["field"].as_str().map(str::to_owned))
    }

    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
    }

    pub fn server_timing(&self) -> String {
        self.header("server-timing")
    }
}

pub async fn call(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut req = Request::builder().method(method).uri(format!("http://{addr}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(body.into())).unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(10), client.request(req))
        .await
        .expect("answer within 10 s")
        .expect("request");
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer { status: parts.status.as_u16(), headers: parts.headers, body }
}

pub async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Answer {
    call(addr, Method::GET, path, headers, Bytes::new()).await
}

pub async fn post(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Answer {
    call(addr, Method::POST, path, headers, body).await
}

pub const KEY: (&str, &str) = ("x-api-key", "dev-key");

/// `NAME;dur=D.DDD`, optionally followed by `;up=D.DDD` (time waited on the upstream), checked by hand
/// rather than with a regex crate.
pub fn assert_own_entry(entry: &str, name: &str) {
    let params =
        entry.strip_prefix(name).and_then(|r| r.strip_prefix(";dur=")).unwrap_or_else(|| panic!("bad entry {entry:?}"));
    let (dur, up) = match params.split_once(";up=") {
        Some((dur, up)) => (dur, Some(up)),
        None => (params, None),
    };
    for ms in std::iter::once(dur).chain(up) {
        let (whole, frac) = ms.split_once('.').unwrap_or_else(|| panic!("no decimals in {entry:?}"));
        assert!(!whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()), "{entry:?}");
        assert!(frac.len() == 3 && frac.bytes().all(|b| b.is_ascii_digit()), "{entry:?}");
    }
}

pub fn metric(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|r| r.strip_prefix(' ')))
        .map_or(0, |v| v.parse().unwrap())
}

/// What the fake upstream does with a request number `n` (0-based).
pub type Script = Arc<dyn Fn(usize) -> (u16, Duration, Vec<(&'static str, &'static str)>, &'static str) + Send + Sync>;

pub struct Fake {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicUsize>,
    pub paths: Arc<std::sync::Mutex<Vec<String>>>,
}

/// A tiny HTTP server on 127.0.0.1:0 standing in for the cache service; it lives as long as the test's runtime.
pub async fn fake_upstream(script: Script) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let paths = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (h, p) = (hits.clone(), paths.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let (h, p, script) = (h.clone(), p.clone(), script.clone());
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let n = h.fetch_add(1, Ordering::SeqCst);
                    p.lock().unwrap().push(req.uri().path().to_owned());
                    let (status, delay, headers, body) = script(n);
                    async move {
                        tokio::time::sleep(delay).await;
                        let mut resp = Response::builder().status(status);
                        for (k, v) in headers {
                            resp = resp.header(k, v);
                        }
                        Ok::<_, Infallible>(resp.body(Full::new(Bytes::from_static(body.as_bytes()))).unwrap())
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
            });
        }
    });
    Fake { addr, hits, paths }
}
