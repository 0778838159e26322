//! Compact JSON writing with the spec's exact string escaping, which no serializer's default matches
//! (serde_json for instance writes `\u001F` style upper-case hex for some code points).

const HEX: &[u8; 16] = b"0123456789abcdef";

pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Copy clean runs in one go: most strings need no escaping at all.
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0A => b"\\n",
            0x0C => b"\\f",
            0x0D => b"\\r",
            0x00..=0x1F => &[],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xF) as usize]);
        } else {
            out.extend_from_slice(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

pub fn write_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Writes `"key":` for a key known to need no escaping.
pub fn key(out: &mut Vec<u8>, key: &str) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_spec() {
        let mut out = Vec::new();
        write_str(&mut out, "a\"b\\c\u{8}\t\n\u{c}\r\u{1}\u{1f}</>&\u{2028}é");
        assert_eq!(std::str::from_utf8(&out).unwrap(), "\"a\\\"b\\\\c\\b\\t\\n\\f\\r\\u0001\\u001f</>&\u{2028}é\"");
    }
}
