//! API-key check on `X-API-Key`.

use crate::errors::ApiError;

pub struct Keys(Vec<String>);

impl Keys {
    pub fn new(keys: Vec<String>) -> Self {
        Keys(keys)
    }

    /// The index of the presented key (it selects the key's rate-limit bucket).
    pub fn check(&self, presented: Option<&[u8]>) -> Result<usize, ApiError> {
        let presented = presented.ok_or_else(|| {
            ApiError::new(401, "unauthorized", Some("X-API-Key".into()), "header X-API-Key is required")
        })?;
        // Every key is compared in full so the answer time does not tell how much of a key matched.
        let mut found = None;
        for (i, k) in self.0.iter().enumerate() {
            if constant_time_eq(k.as_bytes(), presented) {
                found = Some(i);
            }
        }
        found.ok_or_else(|| ApiError::new(401, "unauthorized", Some("X-API-Key".into()), "unknown API key"))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_listed_keys() {
        let keys = Keys::new(vec!["a".into(), "bb".into()]);
        assert_eq!(keys.check(Some(b"bb")), Ok(1));
        assert_eq!(keys.check(Some(b"b")).unwrap_err().status, 401);
        assert_eq!(keys.check(None).unwrap_err().code, "unauthorized");
    }
}
