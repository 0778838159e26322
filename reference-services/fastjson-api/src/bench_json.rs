//! `POST /bench/json`: the language-comparison transformation of ../spec/README.md, as a pure
//! function from the body bytes to the answer, so tests and the fuzzer call it without a server.

use std::borrow::Cow;

use crate::errors::ApiError;
use crate::json_out::{key, write_str, write_u64};
use crate::parse::{item_field, need_int, need_list, need_str, parse_body, slot_object, Int, List, Slot};

/// Fixed by the spec whatever `--max-body-bytes` says, so both services agree on the contract.
pub const MAX_BODY: usize = 1 << 20;
const MAX_ITEMS: usize = 1000;
const MAX_TAGS: usize = 16;

#[derive(Default)]
struct Doc<'de> {
    id: Slot<Cow<'de, str>>,
    items: Slot<List<Slot<Item<'de>>, MAX_ITEMS>>,
}

#[derive(Default)]
struct Item<'de> {
    name: Slot<Cow<'de, str>>,
    qty: Slot<Int>,
    price_cents: Slot<Int>,
    tags: Slot<List<Slot<Cow<'de, str>>, MAX_TAGS>>,
}

slot_object!(document Doc {
    "id" => id,
    "items" => items,
});

slot_object!(nested Item {
    "name" => name,
    "qty" => qty,
    "price_cents" => price_cents,
    "tags" => tags,
});

struct Line<'a> {
    name: &'a str,
    cents: u64,
    tags: [&'a str; MAX_TAGS],
    tag_count: usize,
}

/// Answers a body: `Ok` holds the exact 200 body.
pub fn handle(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    if body.len() > MAX_BODY {
        return Err(ApiError::body_too_large(MAX_BODY));
    }
    let doc: Doc = parse_body(body)?;
    let id = need_str(&doc.id, || "id".into(), 1, 128)?;
    let items = need_list(&doc.items, || "items".into(), 0)?;

    let mut lines = Vec::with_capacity(items.len());
    for (i, slot) in items.iter().enumerate() {
        let it = match slot {
            Slot::Val(it) => it,
            _ => return Err(ApiError::wrong_type(format!("items[{i}]"), "an object")),
        };
        let name = need_str(&it.name, || item_field("items", i, "name"), 1, 128)?;
        let qty = need_int(&it.qty, || item_field("items", i, "qty"), 0, 1_000_000)?;
        let price = need_int(&it.price_cents, || item_field("items", i, "price_cents"), 0, 1_000_000_000)?;
        let tag_slots = need_list(&it.tags, || item_field("items", i, "tags"), 0)?;
        let mut line = Line { name, cents: qty * price, tags: [""; MAX_TAGS], tag_count: 0 };
        for (j, t) in tag_slots.iter().enumerate() {
            line.tags[j] = need_str(t, || format!("items[{i}].tags[{j}]"), 1, 64)?;
        }
        line.tag_count = tag_slots.len();
        lines.push((line, qty));
    }
    Ok(render(id, &lines))
}

fn render(id: &str, lines: &[(Line, u64)]) -> Vec<u8> {
    let mut tags: Vec<&str> = lines.iter().flat_map(|(l, _)| &l.tags[..l.tag_count]).copied().collect();
    // `str`'s order is the order of the UTF-8 bytes, as the contract asks.
    tags.sort_unstable();
    tags.dedup();

    let mut by_tag = vec![(0u64, 0u64); tags.len()];
    let mut total_qty = 0u64;
    let mut total_cents = 0u64;
    let mut best: Option<&Line> = None;
    for (line, qty) in lines {
        total_qty += qty;
        total_cents += line.cents;
        let own = &line.tags[..line.tag_count];
        for (j, tag) in own.iter().enumerate() {
            // A tag listed twice in one item counts once; at most 16 tags makes the scan cheap.
            if own[..j].contains(tag) {
                continue;
            }
            if let Ok(k) = tags.binary_search(tag) {
                by_tag[k].0 += 1;
                by_tag[k].1 += line.cents;
            }
        }
        if best.is_none_or(|b| line.cents > b.cents) {
            best = Some(line);
        }
    }

    let tag_bytes: usize = tags.iter().map(|t| t.len()).sum();
    let mut out =
        Vec::with_capacity(160 + id.len() + 2 * tag_bytes + 48 * tags.len() + best.map_or(0, |b| b.name.len()));
    out.push(b'{');
    key(&mut out, "id");
    write_str(&mut out, id);
    out.push(b',');
    key(&mut out, "item_count");
    write_u64(&mut out, lines.len() as u64);
    out.push(b',');
    key(&mut out, "total_qty");
    write_u64(&mut out, total_qty);
    out.push(b',');
    key(&mut out, "total_cents");
    write_u64(&mut out, total_cents);
    out.push(b',');
    key(&mut out, "tags");
    out.push(b'[');
    for (k, t) in tags.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_str(&mut out, t);
    }
    out.extend_from_slice(b"],");
    key(&mut out, "by_tag");
    out.push(b'{');
    for (k, (t, (count, cents))) in tags.iter().zip(&by_tag).enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_str(&mut out, t);
        out.extend_from_slice(b":{\"count\":");
        write_u64(&mut out, *count);
        out.extend_from_slice(b",\"cents\":");
        write_u64(&mut out, *cents);
        out.push(b'}');
    }
    out.extend_from_slice(b"},");
    key(&mut out, "max_item");
    match best {
        None => out.extend_from_slice(b"null"),
        Some(b) => {
            out.extend_from_slice(b"{\"name\":");
            write_str(&mut out, b.name);
            out.extend_from_slice(b",\"cents\":");
            write_u64(&mut out, b.cents);
            out.push(b'}');
        }
    }
    out.push(b'}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(body: &str) -> (u16, &'static str, Option<String>) {
        let e = handle(body.as_bytes()).unwrap_err();
        (e.status, e.code, e.field)
    }

    #[test]
    fn missing_id_wins_over_item_faults() {
        assert_eq!(err(r#"{"items":[{"qty":"x"}]}"#), (400, "missing_field", Some("id".into())));
    }

    #[test]
    fn container_checks_come_before_elements() {
        let many = vec![r#"{"name":""}"#; 1001].join(",");
        assert_eq!(err(&format!(r#"{{"id":"a","items":[{many}]}}"#)).2.as_deref(), Some("items"));
        assert_eq!(err(r#"{"id":"a","items":[5]}"#), (400, "invalid_type", Some("items[0]".into())));
    }

    #[test]
    fn duplicate_keys_take_the_last() {
        assert!(handle(br#"{"id":5,"id":"x","items":[]}"#).is_ok());
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let out = handle(br#"{"id":"a\u0041","items":[]}"#).unwrap();
        assert!(out.starts_with(br#"{"id":"aA","#));
    }

    #[test]
    fn huge_integers_are_out_of_range_not_floats() {
        let body = r#"{"id":"a","items":[{"name":"n","qty":123456789012345678901234,"price_cents":1,"tags":[]}]}"#;
        assert_eq!(err(body), (400, "out_of_range", Some("items[0].qty".into())));
        let body = r#"{"id":"a","items":[{"name":"n","qty":-0,"price_cents":1,"tags":[]}]}"#;
        assert!(handle(body.as_bytes()).is_ok());
    }

    #[test]
    fn deep_nesting_neither_crashes_nor_rejects_valid_json() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(handle(format!(r#"{{"id":"a","items":[],"x":{deep}}}"#).as_bytes()).is_ok());
        assert_eq!(err(&format!(r#"{{"id":{deep},"items":[]}}"#)), (400, "invalid_type", Some("id".into())));
        assert_eq!(err(&format!(r#"{{"id":"a","items":[{deep}]}}"#)).2.as_deref(), Some("items[0]"));
        assert_eq!(err(&format!(r#"{{"id":"a","items":[],"x":{}}}"#, "[".repeat(100_000))).1, "malformed_json");
    }
}
