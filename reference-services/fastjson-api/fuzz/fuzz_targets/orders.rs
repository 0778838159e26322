//! Any body: no panic, totals add up, and errors are 400 JSON bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    match fastjson_api::orders::handle(body, 825) {
        Ok(out) => {
            let v: serde_json::Value = serde_json::from_slice(&out).expect("200 body is JSON");
            let n = |k: &str| v[k].as_u64().expect("integer total");
            assert_eq!(n("subtotal_cents") + n("tax_cents"), n("total_cents"));
        }
        Err(e) => {
            assert_eq!(e.status, 400);
            let v: serde_json::Value = serde_json::from_slice(&e.body()).expect("error body is JSON");
            assert_eq!(v["error"]["code"], e.code);
        }
    }
});
