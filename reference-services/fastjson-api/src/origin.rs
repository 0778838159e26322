//! The origin role (`GET /v1/origin/items/{id}`): an item built deterministically from its id, so
//! any id exists and the same id always yields the same bytes, whichever instance answers.

use crate::errors::ApiError;
use crate::json_out::{key, write_str, write_u64};

pub const MAX_ID: usize = 256;

const ADJECTIVES: [&str; 8] = ["Sturdy", "Compact", "Deluxe", "Rustic", "Modern", "Classic", "Smart", "Tiny"];
const NOUNS: [&str; 8] = ["Lamp", "Chair", "Kettle", "Backpack", "Notebook", "Speaker", "Clock", "Mug"];
const CATEGORIES: [&str; 4] = ["home", "office", "outdoor", "kitchen"];

/// Ids travel unescaped in the cache's and the origin's paths, so only URI-unreserved bytes pass.
pub fn check_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > MAX_ID {
        return Err(ApiError::out_of_range("id".into(), "1 to 256 bytes"));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
        return Err(ApiError::invalid_value("id".into(), "letters, digits, '-', '.', '_' or '~'"));
    }
    Ok(())
}

/// FNV-1a, then the splitmix64 finalizer so that ids differing in one byte get unrelated fields.
/// Stable across builds and platforms, unlike std's randomly keyed hasher.
fn hash(bytes: &[u8]) -> u64 {
    let mut h =
        bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The item's JSON; `id` must have passed [`check_id`].
pub fn item(id: &str) -> Vec<u8> {
    let h = hash(id.as_bytes());
    let mut out = Vec::with_capacity(160 + id.len());
    out.push(b'{');
    key(&mut out, "id");
    write_str(&mut out, id);
    out.push(b',');
    key(&mut out, "name");
    out.push(b'"');
    out.extend_from_slice(ADJECTIVES[(h & 7) as usize].as_bytes());
    out.push(b' ');
    out.extend_from_slice(NOUNS[((h >> 3) & 7) as usize].as_bytes());
    out.extend_from_slice(b"\",");
    key(&mut out, "sku");
    out.extend_from_slice(format!("\"SKU-{:08X}\",", (h >> 32) as u32).as_bytes());
    key(&mut out, "category");
    write_str(&mut out, CATEGORIES[((h >> 6) & 3) as usize]);
    out.push(b',');
    key(&mut out, "price_cents");
    write_u64(&mut out, 99 + (h >> 8) % 100_000);
    out.extend_from_slice(b",\"currency\":\"USD\",");
    key(&mut out, "stock");
    write_u64(&mut out, (h >> 40) % 1000);
    out.push(b'}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_id_same_item() {
        assert_eq!(item("abc"), item("abc"));
        assert_ne!(item("abc"), item("abd"));
        let v: serde_json::Value = serde_json::from_slice(&item("abc")).unwrap();
        assert_eq!(v["id"], "abc");
    }

    #[test]
    fn ids_are_bounded_and_uri_safe() {
        assert!(check_id(&"a".repeat(256)).is_ok());
        assert_eq!(check_id(&"a".repeat(257)).unwrap_err().code, "out_of_range");
        assert_eq!(check_id("a/b").unwrap_err().code, "invalid_value");
        assert_eq!(check_id("%2F").unwrap_err().code, "invalid_value");
        assert_eq!(check_id("").unwrap_err().code, "out_of_range");
    }
}
