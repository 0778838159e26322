//! The one error shape every route answers with:
//! `{"error":{"code":CODE,"field":FIELD,"message":TEXT}}` (see ../spec/README.md).

use std::borrow::Cow;

use crate::json_out;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub field: Option<String>,
    pub message: Cow<'static, str>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, field: Option<String>, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError { status, code, field, message: message.into() }
    }

    pub fn malformed(detail: impl std::fmt::Display) -> Self {
        Self::new(400, "malformed_json", None, format!("body is not a valid JSON object: {detail}"))
    }

    pub fn missing(field: String) -> Self {
        let message = format!("{field} is required");
        Self::new(400, "missing_field", Some(field), message)
    }

    pub fn wrong_type(field: String, expected: &str) -> Self {
        let message = format!("{field} must be {expected}");
        Self::new(400, "invalid_type", Some(field), message)
    }

    pub fn out_of_range(field: String, allowed: &str) -> Self {
        let message = format!("{field} must be {allowed}");
        Self::new(400, "out_of_range", Some(field), message)
    }

    pub fn invalid_value(field: String, allowed: &str) -> Self {
        let message = format!("{field} must be {allowed}");
        Self::new(400, "invalid_value", Some(field), message)
    }

    pub fn body_too_large(limit: usize) -> Self {
        Self::new(413, "body_too_large", None, format!("request body exceeds {limit} bytes"))
    }

    pub fn body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.message.len());
        out.extend_from_slice(b"{\"error\":{\"code\":");
        json_out::write_str(&mut out, self.code);
        out.extend_from_slice(b",\"field\":");
        match &self.field {
            Some(f) => json_out::write_str(&mut out, f),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"message\":");
        json_out::write_str(&mut out, &self.message);
        out.extend_from_slice(b"}}");
        out
    }
}
