//! The service over real HTTP on 127.0.0.1: edge duties, upstream behaviour, Server-Timing,
//! slow clients and graceful shutdown.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ORDER: &str = r#"{"order_id":"ord-1","currency":"EUR","items":[{"sku":"A-1","name":"Widget","quantity":3,"unit_price_cents":250}]}"#;

#[tokio::test]
async fn healthz_needs_no_key() {
    let srv = start(&[]).await;
    let a = get(srv.addr, "/healthz", &[]).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.text(),
        format!(r#"{{"status":"ok","service":"fastjson-api","version":"{}"}}"#, env!("CARGO_PKG_VERSION"))
    );
    assert_own_entry(&a.server_timing(), "fastjson-api");
}

#[tokio::test]
async fn keys_are_required_and_checked() {
    let srv = start(&["--api-keys", "k1,k2"]).await;
    for headers in [&[][..], &[("x-api-key", "dev-key")][..], &[("x-api-key", "k")][..]] {
        let a = post(srv.addr, "/v1/orders", headers, ORDER).await;
        assert_eq!(a.status, 401, "{headers:?}");
        assert_eq!(a.error(), ("unauthorized".into(), Some("X-API-Key".into())));
        assert_own_entry(&a.server_timing(), "fastjson-api");
        assert_eq!(get(srv.addr, "/v1/items/x", headers).await.status, 401);
    }
    let a = post(srv.addr, "/v1/orders", &[("x-api-key", "k2")], ORDER).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json()["total_cents"], 750 + 62);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let srv = start(&["--rate-limit-rps", "1", "--rate-limit-burst", "2"]).await;
    for _ in 0..2 {
        assert_eq!(post(srv.addr, "/v1/orders", &[KEY], ORDER).await.status, 200);
    }
    let a = post(srv.addr, "/v1/orders", &[KEY], ORDER).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.header("retry-after"), "1");
    assert_eq!(a.error(), ("rate_limited".into(), None));
    assert_own_entry(&a.server_timing(), "fastjson-api");
}

#[tokio::test]
async fn oversized_order_is_413() {
    let srv = start(&["--max-body-bytes", "64"]).await;
    let a = post(srv.addr, "/v1/orders", &[KEY], ORDER).await;
    assert_eq!(a.status, 413);
    assert_eq!(a.error(), ("body_too_large".into(), None));
}

#[tokio::test]
async fn order_errors_name_the_field() {
    let srv = start(&[]).await;
    let cases = [
        (ORDER.replace("EUR", "eur"), "invalid_value", "currency"),
        (ORDER.replace("\"quantity\":3", "\"quantity\":\"3\""), "invalid_type", "items[0].quantity"),
        (ORDER.replace(",\"name\":\"Widget\"", ""), "missing_field", "items[0].name"),
        (ORDER.replace("A-1", ""), "out_of_range", "items[0].sku"),
    ];
    for (body, code, field) in cases {
        let a = post(srv.addr, "/v1/orders", &[KEY], body).await;
        assert_eq!(a.status, 400);
        assert_eq!(a.error(), (code.into(), Some(field.into())));
    }
    let a = post(srv.addr, "/v1/orders", &[KEY], &b"{\"order_id\":\"\xff\"}"[..]).await;
    assert_eq!((a.status, a.error().0), (400, "malformed_json".into()));
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let srv = start(&[]).await;
    let a = get(srv.addr, "/nope", &[]).await;
    assert_eq!((a.status, a.error().0), (404, "not_found".into()));
    let a = get(srv.addr, "/v1/orders", &[KEY]).await;
    assert_eq!((a.status, a.header("allow")), (405, "POST".into()));
    assert_own_entry(&a.server_timing(), "fastjson-api");
}

#[tokio::test]
async fn ids_are_validated() {
    let srv = start(&[]).await;
    let long = format!("/v1/items/{}", "a".repeat(257));
    let a = get(srv.addr, &long, &[KEY]).await;
    assert_eq!((a.status, a.error()), (400, ("out_of_range".into(), Some("id".into()))));
    let a = get(srv.addr, &format!("/v1/origin/items/{}", "b".repeat(60_000)), &[]).await;
    assert_eq!(a.status, 400);
    let a = get(srv.addr, "/v1/origin/items/a%2Fb", &[]).await;
    assert_eq!((a.status, a.error().0), (400, "invalid_value".into()));
}

#[tokio::test]
async fn origin_is_deterministic_and_named_by_hop_name() {
    let srv = start(&["--hop-name", "origin"]).await;
    let a = get(srv.addr, "/v1/origin/items/abc", &[]).await;
    let b = get(srv.addr, "/v1/origin/items/abc", &[]).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, b.body);
    assert_eq!(a.json()["id"], "abc");
    assert_own_entry(&a.server_timing(), "origin");
}

#[tokio::test]
async fn items_pass_through_body_and_server_timing() {
    let fake = fake_upstream(Arc::new(|_| {
        (
            200,
            Duration::ZERO,
            vec![("server-timing", "rust-cache-server;dur=1.210"), ("server-timing", "origin;dur=1.003")],
            r#"{"id":"abc"}"#,
        )
    }))
    .await;
    let url = format!("http://{}", fake.addr);
    let srv = start(&["--cache-url", &url]).await;
    let a = get(srv.addr, "/v1/items/abc", &[KEY]).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.text(), r#"{"id":"abc"}"#);
    let st = a.server_timing();
    let (own, rest) = st.split_once(", ").unwrap();
    assert_own_entry(own, "fastjson-api");
    assert_eq!(rest, "rust-cache-server;dur=1.210, origin;dur=1.003");
    assert_eq!(fake.paths.lock().unwrap().as_slice(), ["/cache/abc"]);

    let m = get(srv.addr, "/metrics", &[]).await.text();
    assert_eq!(metric(&m, r#"fastjson_requests_total{route="/v1/items/{id}",status="200"}"#), 1);
    assert_eq!(metric(&m, "fastjson_upstream_requests_total"), 1);
    assert!(!m.contains("abc"), "raw paths must not become labels");
    assert_eq!(metric(&m, "fastjson_in_flight_requests"), 1, "the /metrics request itself");
}

#[tokio::test]
async fn upstream_timeout_is_504_and_retries_are_counted() {
    let fake = fake_upstream(Arc::new(|_| (200, Duration::from_secs(5), vec![], "{}"))).await;
    let url = format!("http://{}", fake.addr);
    let srv = start(&[
        "--cache-url",
        &url,
        "--upstream-timeout-ms",
        "50",
        "--upstream-retries",
        "2",
        "--upstream-backoff-ms",
        "1",
    ])
    .await;
    let t0 = Instant::now();
    let a = get(srv.addr, "/v1/items/slow", &[KEY]).await;
    assert_eq!(a.status, 504);
    assert_eq!(a.error(), ("upstream_timeout".into(), None));
    // Generous bound for loaded CI machines; what matters is that the upstream's 5 s is not awaited.
    assert!(t0.elapsed() < Duration::from_millis(2500), "3 attempts of 50 ms took {:?}", t0.elapsed());
    assert_own_entry(&a.server_timing(), "fastjson-api");
    let m = get(srv.addr, "/metrics", &[]).await.text();
    assert_eq!(metric(&m, "fastjson_upstream_requests_total"), 3);
    assert_eq!(metric(&m, "fastjson_upstream_retries_total"), 2);
    assert_eq!(metric(&m, "fastjson_upstream_timeouts_total"), 3);
    assert_eq!(metric(&m, r#"fastjson_requests_total{route="/v1/items/{id}",status="504"}"#), 1);
}

#[tokio::test]
async fn upstream_5xx_is_retried_then_succeeds() {
    let fake = fake_upstream(Arc::new(|n| match n {
        0 => (503, Duration::ZERO, vec![("server-timing", "rust-cache-server;dur=0.100")], "{}"),
        _ => (200, Duration::ZERO, vec![("server-timing", "rust-cache-server;dur=0.200")], r#"{"ok":true}"#),
    }))
    .await;
    let url = format!("http://{}", fake.addr);
    let srv = start(&["--cache-url", &url, "--upstream-retries", "1", "--upstream-backoff-ms", "1"]).await;
    let a = get(srv.addr, "/v1/items/x", &[KEY]).await;
    assert_eq!(a.status, 200);
    assert!(a.server_timing().ends_with(", rust-cache-server;dur=0.200"), "{}", a.server_timing());
    assert_eq!(fake.hits.load(Ordering::SeqCst), 2);
    let m = get(srv.addr, "/metrics", &[]).await.text();
    assert_eq!(metric(&m, "fastjson_upstream_errors_total"), 1);
    assert_eq!(metric(&m, "fastjson_upstream_retries_total"), 1);
}

#[tokio::test]
async fn upstream_4xx_is_not_retried_but_timing_passes() {
    let fake = fake_upstream(Arc::new(|_| (404, Duration::ZERO, vec![("server-timing", "c;dur=0.001")], "{}"))).await;
    let url = format!("http://{}", fake.addr);
    let srv = start(&["--cache-url", &url, "--upstream-retries", "3"]).await;
    let a = get(srv.addr, "/v1/items/x", &[KEY]).await;
    assert_eq!((a.status, a.error().0), (502, "upstream_status".into()));
    assert!(a.server_timing().ends_with(", c;dur=0.001"));
    assert_eq!(fake.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn unreachable_upstream_is_502() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let srv = start(&["--cache-url", &url]).await;
    let a = get(srv.addr, "/v1/items/x", &[KEY]).await;
    assert_eq!((a.status, a.error().0), (502, "upstream_unavailable".into()));
    assert_own_entry(&a.server_timing(), "fastjson-api");
}

async fn read_all(stream: &mut TcpStream, limit: Duration) -> String {
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut buf)).await;
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test]
async fn slow_body_gets_408() {
    let srv = start(&["--body-timeout-ms", "200"]).await;
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    s.write_all(b"POST /bench/json HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{\"id\"").await.unwrap();
    let t0 = Instant::now();
    let text = read_all(&mut s, Duration::from_secs(5)).await;
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("body_timeout") && text.contains("server-timing: fastjson-api;dur="), "{text}");
    assert!(t0.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn slow_head_is_cut_off() {
    let srv = start(&["--header-timeout-ms", "200"]).await;
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n").await.unwrap();
    let t0 = Instant::now();
    let text = read_all(&mut s, Duration::from_secs(5)).await;
    assert!(t0.elapsed() < Duration::from_secs(2), "connection still open after {:?}", t0.elapsed());
    assert!(!text.contains("200 OK"), "{text}");
}

#[tokio::test]
async fn garbage_on_the_wire_does_not_hurt_the_server() {
    let srv = start(&[]).await;
    let mut s = TcpStream::connect(srv.addr).await.unwrap();
    s.write_all(b"\x00\xff\r\n\r\nNOT HTTP\r\n\r\n").await.unwrap();
    let _ = read_all(&mut s, Duration::from_secs(2)).await;
    assert_eq!(get(srv.addr, "/healthz", &[]).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_drains_in_flight_requests() {
    let mut srv = start(&["--origin-work-us", "300000", "--shutdown-timeout-ms", "3000"]).await;
    let addr = srv.addr;
    let pending = tokio::spawn(async move { get(addr, "/v1/origin/items/slow", &[]).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t0 = Instant::now();
    srv.shutdown();
    let a = pending.await.unwrap();
    assert_eq!(a.status, 200, "in-flight request completes");
    let clean = tokio::time::timeout(Duration::from_secs(3), &mut srv.done).await.expect("stops in time").unwrap();
    assert!(clean);
    assert!(t0.elapsed() < Duration::from_millis(2500), "drain took {:?}", t0.elapsed());
    assert!(TcpStream::connect(addr).await.is_err(), "no longer accepting");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_timeout_bounds_the_drain() {
    let mut srv = start(&["--origin-work-us", "5000000", "--shutdown-timeout-ms", "200"]).await;
    let addr = srv.addr;
    let pending = tokio::spawn(async move { get(addr, "/v1/origin/items/stuck", &[]).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    srv.shutdown();
    let clean = tokio::time::timeout(Duration::from_secs(2), &mut srv.done).await.expect("bounded").unwrap();
    assert!(!clean);
    pending.abort();
}
