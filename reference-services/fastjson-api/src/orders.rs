//! `POST /v1/orders`: validates an order document and prices it. Pure (bytes in, bytes out) so the
//! fuzzer and tests drive it directly. The document shape is described in README.md.

use std::borrow::Cow;

use crate::errors::ApiError;
use crate::json_out::{key, write_str, write_u64};
use crate::parse::{item_field, need_int, need_list, need_str, parse_body, slot_object, Int, List, Slot};

pub const CURRENCIES: [&str; 7] = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD"];
const CURRENCIES_TEXT: &str = "one of USD, EUR, GBP, JPY, CHF, CAD, AUD";
const MAX_ITEMS: usize = 100;
const MAX_QUANTITY: u64 = 10_000;
const MAX_UNIT_PRICE: u64 = 100_000_000;
pub const MAX_TAX_RATE_BPS: u32 = 10_000;

#[derive(Default)]
struct Order<'de> {
    order_id: Slot<Cow<'de, str>>,
    currency: Slot<Cow<'de, str>>,
    items: Slot<List<Slot<Item<'de>>, MAX_ITEMS>>,
    tax_exempt: Slot<bool>,
}

#[derive(Default)]
struct Item<'de> {
    sku: Slot<Cow<'de, str>>,
    name: Slot<Cow<'de, str>>,
    quantity: Slot<Int>,
    unit_price_cents: Slot<Int>,
}

slot_object!(document Order {
    "order_id" => order_id,
    "currency" => currency,
    "items" => items,
    "tax_exempt" => tax_exempt,
});

slot_object!(nested Item {
    "sku" => sku,
    "name" => name,
    "quantity" => quantity,
    "unit_price_cents" => unit_price_cents,
});

fn is_order_id_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

fn is_sku_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'
}

/// Prices an order. `tax_rate_bps` is in basis points (825 = 8.25 %), at most 10 000.
pub fn handle(body: &[u8], tax_rate_bps: u32) -> Result<Vec<u8>, ApiError> {
    let order: Order = parse_body(body)?;

    let order_id = need_str(&order.order_id, || "order_id".into(), 1, 64)?;
    if !order_id.bytes().all(is_order_id_byte) {
        return Err(ApiError::invalid_value("order_id".into(), "letters, digits, '.', '_' or '-'"));
    }
    let currency = need_str(&order.currency, || "currency".into(), 0, usize::MAX)?;
    if !CURRENCIES.contains(&currency) {
        return Err(ApiError::invalid_value("currency".into(), CURRENCIES_TEXT));
    }
    let items = need_list(&order.items, || "items".into(), 1)?;

    let mut lines = Vec::with_capacity(items.len());
    for (i, slot) in items.iter().enumerate() {
        let it = match slot {
            Slot::Val(it) => it,
            _ => return Err(ApiError::wrong_type(format!("items[{i}]"), "an object")),
        };
        let sku = need_str(&it.sku, || item_field("items", i, "sku"), 1, 32)?;
        if !sku.bytes().all(is_sku_byte) {
            return Err(ApiError::invalid_value(item_field("items", i, "sku"), "upper-case letters, digits or '-'"));
        }
        need_str(&it.name, || item_field("items", i, "name"), 1, 128)?;
        let qty = need_int(&it.quantity, || item_field("items", i, "quantity"), 1, MAX_QUANTITY)?;
        let price = need_int(&it.unit_price_cents, || item_field("items", i, "unit_price_cents"), 0, MAX_UNIT_PRICE)?;
        lines.push((sku, qty, qty * price));
    }
    let exempt = match order.tax_exempt {
        Slot::Missing => false,
        Slot::WrongType => return Err(ApiError::wrong_type("tax_exempt".into(), "a boolean")),
        Slot::Val(b) => b,
    };

    let rate = if exempt { 0 } else { u64::from(tax_rate_bps.min(MAX_TAX_RATE_BPS)) };
    let subtotal: u64 = lines.iter().map(|l| l.2).sum();
    // At most 100 * 10^4 * 10^8 * 10^4 = 10^18: no overflow. Rounds half up.
    let tax = (subtotal * rate + 5_000) / 10_000;
    let total_qty: u64 = lines.iter().map(|l| l.1).sum();

    let mut out = Vec::with_capacity(200 + order_id.len() + lines.len() * 72);
    out.push(b'{');
    key(&mut out, "order_id");
    write_str(&mut out, order_id);
    out.push(b',');
    key(&mut out, "currency");
    write_str(&mut out, currency);
    for (name, n) in [
        ("item_count", lines.len() as u64),
        ("total_quantity", total_qty),
        ("subtotal_cents", subtotal),
        ("tax_rate_bps", rate),
        ("tax_cents", tax),
        ("total_cents", subtotal + tax),
    ] {
        out.push(b',');
        key(&mut out, name);
        write_u64(&mut out, n);
    }
    out.push(b',');
    key(&mut out, "lines");
    out.push(b'[');
    for (k, (sku, qty, line_total)) in lines.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"sku\":");
        write_str(&mut out, sku);
        out.extend_from_slice(b",\"quantity\":");
        write_u64(&mut out, *qty);
        out.extend_from_slice(b",\"line_total_cents\":");
        write_u64(&mut out, *line_total);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"order_id":"ord-1","currency":"USD","items":[
        {"sku":"SKU-1","name":"Widget","quantity":2,"unit_price_cents":1999},
        {"sku":"SKU-2","name":"Gadget","quantity":1,"unit_price_cents":500}]}"#;

    fn err(body: &str) -> (u16, &'static str, Option<String>) {
        let e = handle(body.as_bytes(), 825).unwrap_err();
        (e.status, e.code, e.field)
    }

    #[test]
    fn prices_an_order() {
        let out = String::from_utf8(handle(GOOD.as_bytes(), 825).unwrap()).unwrap();
        assert_eq!(
            out,
            r#"{"order_id":"ord-1","currency":"USD","item_count":2,"total_quantity":3,"subtotal_cents":4498,"tax_rate_bps":825,"tax_cents":371,"total_cents":4869,"lines":[{"sku":"SKU-1","quantity":2,"line_total_cents":3998},{"sku":"SKU-2","quantity":1,"line_total_cents":500}]}"#
        );
    }

    #[test]
    fn tax_exempt_orders_pay_no_tax() {
        let body = GOOD.replacen('{', r#"{"tax_exempt":true,"#, 1);
        let out = String::from_utf8(handle(body.as_bytes(), 825).unwrap()).unwrap();
        assert!(out.contains(r#""tax_rate_bps":0,"tax_cents":0,"total_cents":4498"#), "{out}");
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(err(r#"{"currency":"USD","items":[]}"#), (400, "missing_field", Some("order_id".into())));
        assert_eq!(err(&GOOD.replace("USD", "XXX")), (400, "invalid_value", Some("currency".into())));
        assert_eq!(
            err(&GOOD.replace("usd", "USD").replace("\"USD\"", "7")),
            (400, "invalid_type", Some("currency".into()))
        );
        assert_eq!(err(&GOOD.replace("SKU-2", "sku 2")), (400, "invalid_value", Some("items[1].sku".into())));
        assert_eq!(err(&GOOD.replace(":1,", ":0,")), (400, "out_of_range", Some("items[1].quantity".into())));
        assert_eq!(
            err(&GOOD.replace("1999", "19.99")),
            (400, "invalid_type", Some("items[0].unit_price_cents".into()))
        );
        assert_eq!(err(r#"{"order_id":"o","currency":"EUR","items":[]}"#), (400, "out_of_range", Some("items".into())));
        assert_eq!(
            err(&GOOD.replacen('{', r#"{"tax_exempt":"no","#, 1)),
            (400, "invalid_type", Some("tax_exempt".into()))
        );
        assert_eq!(err("[1]").1, "malformed_json");
    }

    #[test]
    fn error_messages_say_what_is_allowed() {
        let e = handle(GOOD.replace("USD", "XXX").as_bytes(), 825).unwrap_err();
        assert!(e.message.contains("USD, EUR"), "{}", e.message);
    }
}
