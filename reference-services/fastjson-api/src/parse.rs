//! Borrowed JSON reading with deferred validation.
//!
//! The contract reports the first fault in a fixed order (`id` before `items`, a missing `id` before
//! anything inside `items`), not in the order serde would meet it in the document. So the
//! deserializers here never fail on a wrong type or a bad value: they record it in a [`Slot`] and
//! only genuine syntax errors abort parsing. Validation then walks the slots in contract order.
//! Strings borrow from the request body unless they contain escapes.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::errors::ApiError;

/// What one JSON field held.
#[derive(Debug, Default)]
pub enum Slot<T> {
    #[default]
    Missing,
    WrongType,
    Val(T),
}

/// A JSON integer literal: `None` when it is negative (other than `-0`) or exceeds `u64`.
/// Kept apart from floats by its text, because serde_json reads `-0` and huge integers as `f64`.
#[derive(Debug, Clone, Copy)]
pub struct Int(pub Option<u64>);

/// An array of which only the first `CAP` elements are kept; `len` counts them all, so an
/// oversized array costs no memory beyond `CAP` yet still reports its true length.
#[derive(Debug)]
pub struct List<T, const CAP: usize> {
    pub items: Vec<T>,
    pub len: usize,
}

/// An object key, borrowed unless escaped.
pub struct Key<'de>(pub Cow<'de, str>);

/// Answers every JSON type other than the expected one with `Slot::WrongType`, consuming nested
/// values so the parser stays in sync.
macro_rules! other_types_are_wrong {
    ($($kind:ident)*) => { $( $crate::parse::other_types_are_wrong!(@ $kind); )* };
    (@ bool) => {
        fn visit_bool<E: ::serde::de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok($crate::parse::Slot::WrongType) }
    };
    (@ num) => {
        fn visit_i64<E: ::serde::de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok($crate::parse::Slot::WrongType) }
        fn visit_u64<E: ::serde::de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok($crate::parse::Slot::WrongType) }
        fn visit_f64<E: ::serde::de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok($crate::parse::Slot::WrongType) }
    };
    (@ str) => {
        fn visit_str<E: ::serde::de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok($crate::parse::Slot::WrongType) }
    };
    (@ null) => {
        fn visit_unit<E: ::serde::de::Error>(self) -> Result<Self::Value, E> { Ok($crate::parse::Slot::WrongType) }
    };
    (@ seq) => {
        fn visit_seq<A: ::serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<::serde::de::IgnoredAny>()?.is_some() {}
            Ok($crate::parse::Slot::WrongType)
        }
    };
    (@ map) => {
        fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<::serde::de::IgnoredAny, ::serde::de::IgnoredAny>()?.is_some() {}
            Ok($crate::parse::Slot::WrongType)
        }
    };
}
pub(crate) use other_types_are_wrong;

/// Implements `Deserialize` for an object type whose fields are all [`Slot`]s: each listed key fills
/// its field of `$ty::default()` (all `Missing`), unknown keys are skipped. `document` is the request
/// body itself (anything but an object is a syntax error); `nested` is an object inside it, read as
/// `Slot<$ty>` so that any other JSON type becomes `Slot::WrongType`.
macro_rules! slot_object {
    (document $ty:ident { $($key:literal => $field:ident),* $(,)? }) => {
        impl<'de> ::serde::Deserialize<'de> for $ty<'de> {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $ty<'de>;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                        slot_object!(@fill map, $ty, $($key => $field),*)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
    (nested $ty:ident { $($key:literal => $field:ident),* $(,)? }) => {
        impl<'de> ::serde::Deserialize<'de> for $crate::parse::Slot<$ty<'de>> {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $crate::parse::Slot<$ty<'de>>;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter) -> ::std::fmt::Result {
                        f.write_str("any JSON value")
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                        slot_object!(@fill map, $ty, $($key => $field),*).map($crate::parse::Slot::Val)
                    }
                    $crate::parse::other_types_are_wrong!(bool num str null seq);
                }
                d.deserialize_any(V)
            }
        }
    };
    (@fill $map:ident, $ty:ident, $($key:literal => $field:ident),*) => {{
        let mut map = $map;
        let mut value = $ty::default();
        while let Some($crate::parse::Key(k)) = map.next_key()? {
            match &*k {
                $($key => value.$field = map.next_value()?,)*
                _ => drop(map.next_value::<::serde::de::IgnoredAny>()?),
            }
        }
        Ok(value)
    }};
}
pub(crate) use slot_object;

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Slot<Cow<'de, str>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Slot<Cow<'de, str>>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Slot::Val(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Slot::Val(Cow::Owned(s.to_owned())))
            }
            other_types_are_wrong!(bool num null seq map);
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Slot<bool> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Slot<bool>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
                Ok(Slot::Val(b))
            }
            other_types_are_wrong!(num str null seq map);
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Slot<Int> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        Ok(classify_number(raw.get()))
    }
}

/// `text` is one complete, syntactically valid JSON value (serde_json checked it).
fn classify_number(text: &str) -> Slot<Int> {
    let b = text.as_bytes();
    if !matches!(b.first(), Some(b'-' | b'0'..=b'9')) || b.iter().any(|c| matches!(c, b'.' | b'e' | b'E')) {
        return Slot::WrongType;
    }
    let (negative, digits) = match b[0] {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.iter().all(|&d| d == b'0') {
        return Slot::Val(Int(Some(0)));
    }
    // 19 digits always fit in u64; 20 may not, and no bound in any contract comes near either.
    if negative || digits.len() > 19 {
        return Slot::Val(Int(None));
    }
    Slot::Val(Int(Some(digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))))
}

impl<'de, T: Deserialize<'de>, const CAP: usize> Deserialize<'de> for Slot<List<T, CAP>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const CAP: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const CAP: usize> Visitor<'de> for V<T, CAP> {
            type Value = Slot<List<T, CAP>>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let hint = seq.size_hint().unwrap_or(0).min(CAP);
                let mut items = Vec::with_capacity(hint.max(4).min(CAP));
                let mut len = 0;
                loop {
                    let more = if items.len() < CAP {
                        seq.next_element::<T>()?.map(|v| items.push(v)).is_some()
                    } else {
                        seq.next_element::<IgnoredAny>()?.is_some()
                    };
                    if !more {
                        break;
                    }
                    len += 1;
                }
                Ok(Slot::Val(List { items, len }))
            }
            other_types_are_wrong!(bool num str null map);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// Parses a whole body whose top level must be a JSON object; anything else, including invalid
/// UTF-8 and trailing bytes, is `malformed_json`.
pub fn parse_body<'de, T: Deserialize<'de>>(body: &'de [u8]) -> Result<T, ApiError> {
    // Checked up front because serde_json does not validate UTF-8 inside skipped unknown fields.
    let text = std::str::from_utf8(body).map_err(ApiError::malformed)?;
    serde_json::from_str(text).map_err(ApiError::malformed)
}

/// Checks shared by both documents: `field` is the contract path, built only on error.
pub fn need_str<'a>(
    slot: &'a Slot<Cow<'_, str>>,
    field: impl Fn() -> String,
    min: usize,
    max: usize,
) -> Result<&'a str, ApiError> {
    match slot {
        Slot::Missing => Err(ApiError::missing(field())),
        Slot::WrongType => Err(ApiError::wrong_type(field(), "a string")),
        Slot::Val(s) if s.len() < min || s.len() > max => {
            Err(ApiError::out_of_range(field(), &format!("{min} to {max} bytes of UTF-8")))
        }
        Slot::Val(s) => Ok(s),
    }
}

pub fn need_int(slot: &Slot<Int>, field: impl Fn() -> String, min: u64, max: u64) -> Result<u64, ApiError> {
    match slot {
        Slot::Missing => Err(ApiError::missing(field())),
        Slot::WrongType => Err(ApiError::wrong_type(field(), "an integer (no fraction or exponent)")),
        Slot::Val(Int(Some(n))) if (min..=max).contains(n) => Ok(*n),
        Slot::Val(_) => Err(ApiError::out_of_range(field(), &format!("an integer from {min} to {max}"))),
    }
}

pub fn need_list<T, const CAP: usize>(
    slot: &Slot<List<T, CAP>>,
    field: impl Fn() -> String,
    min: usize,
) -> Result<&[T], ApiError> {
    match slot {
        Slot::Missing => Err(ApiError::missing(field())),
        Slot::WrongType => Err(ApiError::wrong_type(field(), "an array")),
        Slot::Val(l) if l.len < min || l.len > CAP => {
            Err(ApiError::out_of_range(field(), &format!("an array of {min} to {CAP} elements")))
        }
        Slot::Val(l) => Ok(&l.items),
    }
}

pub fn item_field(list: &str, i: usize, name: &str) -> String {
    format!("{list}[{i}].{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(t: &str) -> String {
        format!("{:?}", classify_number(t))
    }

    #[test]
    fn integers_are_told_from_floats_by_text() {
        assert_eq!(class("12"), "Val(Int(Some(12)))");
        assert_eq!(class("-0"), "Val(Int(Some(0)))");
        assert_eq!(class("-3"), "Val(Int(None))");
        assert_eq!(class("100000000000000000000000"), "Val(Int(None))");
        assert_eq!(class("9999999999999999999"), "Val(Int(Some(9999999999999999999)))");
        assert_eq!(class("1.0"), "WrongType");
        assert_eq!(class("1e2"), "WrongType");
        assert_eq!(class("\"1\""), "WrongType");
        assert_eq!(class("null"), "WrongType");
    }
}
