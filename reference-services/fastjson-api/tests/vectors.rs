//! The shared /bench/json vectors of ../spec/vectors, checked on the pure handler and over HTTP.

mod common;

use std::fs;
use std::path::PathBuf;

use common::*;

struct Vector {
    name: String,
    request: Vec<u8>,
    status: u16,
    code: Option<String>,
    field: Option<String>,
    response: Option<Vec<u8>>,
}

fn vectors() -> Vec<Vector> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/vectors");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().unwrap().to_str().unwrap().strip_suffix(".request.json") else { continue };
        let meta: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join(format!("{name}.meta.json"))).unwrap()).unwrap();
        let status = meta["status"].as_u64().unwrap() as u16;
        out.push(Vector {
            name: name.to_owned(),
            request: fs::read(&path).unwrap(),
            status,
            code: meta["code"].as_str().map(str::to_owned),
            field: meta["field"].as_str().map(str::to_owned),
            response: (status == 200).then(|| fs::read(dir.join(format!("{name}.response.json"))).unwrap()),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(out.len() >= 20, "expected the spec's vectors, found {}", out.len());
    out
}

#[test]
fn vectors_on_the_pure_handler() {
    for v in vectors() {
        match fastjson_api::bench_json::handle(&v.request) {
            Ok(body) => {
                assert_eq!(v.status, 200, "{}: got 200 {}", v.name, String::from_utf8_lossy(&body));
                assert_eq!(
                    String::from_utf8_lossy(&body),
                    String::from_utf8_lossy(v.response.as_ref().unwrap()),
                    "{}",
                    v.name
                );
            }
            Err(e) => {
                assert_eq!(
                    (e.status, Some(e.code.to_owned()), e.field.clone()),
                    (v.status, v.code.clone(), v.field.clone()),
                    "{}",
                    v.name
                );
            }
        }
    }
}

#[tokio::test]
async fn vectors_over_http() {
    let srv = start(&[]).await;
    for v in vectors() {
        let a = post(srv.addr, "/bench/json", &[], v.request.clone()).await;
        assert_eq!(a.status, v.status, "{}: {}", v.name, a.text());
        assert_eq!(a.header("content-type"), "application/json", "{}", v.name);
        assert_own_entry(&a.server_timing(), "fastjson-api");
        if v.status == 200 {
            assert_eq!(a.body.as_ref(), v.response.as_deref().unwrap(), "{}", v.name);
        } else {
            assert_eq!(a.error(), (v.code.clone().unwrap(), v.field.clone()), "{}", v.name);
        }
    }
}

#[tokio::test]
async fn bench_json_body_limit_is_the_spec_mib() {
    // Even with a small --max-body-bytes, /bench/json keeps the contract's 1 MiB.
    let srv = start(&["--max-body-bytes", "100"]).await;
    let pad = " ".repeat(1000);
    let a = post(srv.addr, "/bench/json", &[], format!(r#"{{"id":"a",{pad}"items":[]}}"#)).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let big = vec![b' '; (1 << 20) + 1];
    let a = post(srv.addr, "/bench/json", &[], big).await;
    assert_eq!(a.status, 413);
    assert_eq!(a.error(), ("body_too_large".into(), None));
}
