//! TLS termination over real sockets on 127.0.0.1: a certificate made in the test (rcgen), a rustls
//! client offering h2 or http/1.1 by ALPN, and the same answers as plain HTTP on both protocols.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use common::*;
use fastjson_api::{App, Config};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::{self, pki_types::ServerName, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

const ORDER: &str = r#"{"order_id":"ord-7","currency":"USD","items":[{"sku":"A-1","name":"Widget","quantity":2,"unit_price_cents":1000}]}"#;

/// A self-signed certificate for 127.0.0.1 in its own temporary folder, removed on drop.
struct CertFiles {
    dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    der: rustls::pki_types::CertificateDer<'static>,
}

impl CertFiles {
    fn new(tag: &str) -> CertFiles {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
        let dir = std::env::temp_dir().join(format!("fastjson-tls-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(&cert, made.cert.pem()).unwrap();
        std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();
        CertFiles { dir, cert, key, der: made.cert.der().clone() }
    }

    fn args(&self) -> Vec<String> {
        vec!["--tls-cert".into(), self.cert.display().to_string(), "--tls-key".into(), self.key.display().to_string()]
    }
}

impl Drop for CertFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn start_tls(files: &CertFiles, extra: &[&str]) -> Server {
    let args = files.args();
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    start(&all).await
}

fn connector(trusted: &CertFiles, alpn: &[&[u8]]) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots.add(trusted.der.clone()).unwrap();
    let mut config = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    TlsConnector::from(Arc::new(config))
}

struct TlsAnswer {
    answer: Answer,
    version: Version,
    alpn: Option<Vec<u8>>,
}

/// One request on a fresh TLS connection, over h2 when the server agreed to it by ALPN.
async fn tls_call(
    srv: &Server,
    trusted: &CertFiles,
    alpn: &[&[u8]],
    method: Method,
    path: &str,
    body: &str,
) -> TlsAnswer {
    let tcp = TcpStream::connect(srv.addr).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let tls = connector(trusted, alpn).connect(name, tcp).await.expect("TLS handshake");
    let agreed = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
    let mut req = Request::builder().method(method).uri(format!("https://{}{path}", srv.addr)).header(KEY.0, KEY.1);
    let io = TokioIo::new(tls);
    let resp = if agreed.as_deref() == Some(b"h2") {
        req = req.version(Version::HTTP_2);
        let (mut send, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), io).await.unwrap();
        tokio::spawn(conn);
        send.send_request(req.body(Full::new(Bytes::from(body.to_owned()))).unwrap()).await
    } else {
        req = req.header("host", srv.addr.to_string());
        let (mut send, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(conn);
        send.send_request(req.body(Full::new(Bytes::from(body.to_owned()))).unwrap()).await
    };
    let resp = resp.expect("response");
    let version = resp.version();
    let (parts, body) = resp.into_parts();
    let body = tokio::time::timeout(Duration::from_secs(10), body.collect()).await.unwrap().unwrap().to_bytes();
    TlsAnswer { answer: Answer { status: parts.status.as_u16(), headers: parts.headers, body }, version, alpn: agreed }
}

#[tokio::test]
async fn alpn_chooses_h2_or_http11_and_answers_match_plain_http() {
    let files = CertFiles::new("alpn");
    let tls_srv = start_tls(&files, &[]).await;
    let plain = start(&[]).await;
    let cases = [(Method::GET, "/healthz", ""), (Method::POST, "/v1/orders", ORDER), (Method::GET, "/nope", "")];
    for (method, path, body) in cases {
        let reference = call(plain.addr, method.clone(), path, &[KEY], body.to_owned()).await;
        for (alpn, want_version, want_alpn) in [
            (&[b"h2" as &[u8], b"http/1.1"][..], Version::HTTP_2, Some(&b"h2"[..])),
            (&[b"http/1.1" as &[u8]][..], Version::HTTP_11, Some(&b"http/1.1"[..])),
            (&[][..], Version::HTTP_11, None),
        ] {
            let got = tls_call(&tls_srv, &files, alpn, method.clone(), path, body).await;
            let what = format!("{method} {path} offering {alpn:?}");
            assert_eq!(got.alpn.as_deref(), want_alpn, "{what}");
            assert_eq!(got.version, want_version, "{what}");
            assert_eq!(got.answer.status, reference.status, "{what}");
            assert_eq!(got.answer.body, reference.body, "{what}");
            assert_eq!(got.answer.header("content-type"), reference.header("content-type"), "{what}");
            assert_own_entry(&got.answer.server_timing(), "fastjson-api");
        }
    }
}

#[tokio::test]
async fn many_h2_streams_share_one_connection() {
    let files = CertFiles::new("streams");
    let srv = start_tls(&files, &[]).await;
    let tcp = TcpStream::connect(srv.addr).await.unwrap();
    let tls = connector(&files, &[b"h2"]).connect(ServerName::try_from("127.0.0.1").unwrap(), tcp).await.unwrap();
    let (send, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls)).await.unwrap();
    tokio::spawn(conn);
    let calls = (0..20).map(|_| {
        let mut send = send.clone();
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("https://{}/v1/orders", srv.addr))
            .header(KEY.0, KEY.1)
            .body(Full::new(Bytes::from_static(ORDER.as_bytes())))
            .unwrap();
        async move { send.send_request(req).await.unwrap().status().as_u16() }
    });
    let statuses = tokio::time::timeout(Duration::from_secs(10), futures_join_all(calls)).await.unwrap();
    assert_eq!(statuses, vec![200; 20]);
    assert_eq!(
        metric(&get_metrics_tls(&srv, &files).await, r#"fastjson_requests_total{route="/v1/orders",status="200"}"#),
        20
    );
}

async fn get_metrics_tls(srv: &Server, files: &CertFiles) -> String {
    tls_call(srv, files, &[b"h2"], Method::GET, "/metrics", "").await.answer.text()
}

/// Joins futures without pulling in the futures crate: spawned on the runtime, awaited in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<u16>
where
    F: std::future::Future<Output = u16> + Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_handshake() {
    let served = CertFiles::new("served");
    let other = CertFiles::new("other");
    let srv = start_tls(&served, &[]).await;
    let tcp = TcpStream::connect(srv.addr).await.unwrap();
    let err = connector(&other, &[b"h2"]).connect(ServerName::try_from("127.0.0.1").unwrap(), tcp).await.unwrap_err();
    assert!(err.to_string().contains("certificate"), "{err}");
    // The server survives a failed handshake and serves the next client.
    assert_eq!(tls_call(&srv, &served, &[b"h2"], Method::GET, "/healthz", "").await.answer.status, 200);
}

#[tokio::test]
async fn plain_http_on_the_tls_port_gets_no_http_answer() {
    let files = CertFiles::new("plain");
    let srv = start_tls(&files, &[]).await;
    let mut tcp = TcpStream::connect(srv.addr).await.unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut buf)).await.expect("closed within 5 s");
    assert!(!buf.starts_with(b"HTTP/"), "{:?}", String::from_utf8_lossy(&buf));
}

#[tokio::test]
async fn a_stalled_handshake_is_dropped_after_the_header_timeout() {
    let files = CertFiles::new("stall");
    let srv = start_tls(&files, &["--header-timeout-ms", "200"]).await;
    let mut tcp = TcpStream::connect(srv.addr).await.unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(3), tcp.read(&mut buf)).await.expect("closed within 3 s");
    assert_eq!(n.unwrap_or(0), 0);
}

#[test]
fn bad_tls_files_are_start_errors_naming_the_flag() {
    let files = CertFiles::new("bad");
    let missing = files.dir.join("missing.pem");
    let app = |cert: &PathBuf, key: &PathBuf| {
        let cfg = Config::parse_from([
            "fastjson-api",
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ]);
        App::new(cfg).err().expect("a start error")
    };
    assert!(app(&missing, &files.key).starts_with("--tls-cert "), "{}", app(&missing, &files.key));
    assert!(app(&files.cert, &missing).starts_with("--tls-key "), "{}", app(&files.cert, &missing));
    // A key file given as the certificate holds no CERTIFICATE block.
    let swapped = app(&files.key, &files.key);
    assert!(swapped.contains("--tls-cert") && swapped.contains("CERTIFICATE"), "{swapped}");
    let only_cert = Config::try_parse_from(["fastjson-api", "--tls-cert", files.cert.to_str().unwrap()]).unwrap_err();
    assert!(only_cert.to_string().contains("--tls-key"), "{only_cert}");
}
