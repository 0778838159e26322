//! Any body: no panic, and whatever comes back is JSON of the contract's shape.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    match fastjson_api::bench_json::handle(body) {
        Ok(out) => {
            let v: serde_json::Value = serde_json::from_slice(&out).expect("200 body is JSON");
            assert!(v["id"].is_string() && v["item_count"].is_u64() && v["by_tag"].is_object());
        }
        Err(e) => {
            assert!(e.status == 400 || e.status == 413, "status {}", e.status);
            let v: serde_json::Value = serde_json::from_slice(&e.body()).expect("error body is JSON");
            assert_eq!(v["error"]["code"], e.code);
        }
    }
});
