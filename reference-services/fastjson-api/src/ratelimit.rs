//! One token bucket per API key. Keys are fixed at start, so buckets live in a plain vector indexed
//! by the key's position and need no map lookup or eviction.

use std::sync::Mutex;
use std::time::Instant;

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Vec<Mutex<Bucket>>,
}

impl RateLimiter {
    /// `rate` 0 disables limiting.
    pub fn new(keys: usize, rate: u64, burst: u64) -> Self {
        let now = Instant::now();
        RateLimiter {
            rate: rate as f64,
            burst: burst as f64,
            buckets: (0..keys).map(|_| Mutex::new(Bucket { tokens: burst as f64, last: now })).collect(),
        }
    }

    /// `Err` carries the whole seconds to wait before a token is there (for `Retry-After`).
    pub fn acquire(&self, key: usize) -> Result<(), u64> {
        if self.rate == 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        // A poisoned lock only means another request panicked mid-update of two numbers: keep going.
        let mut b = self.buckets[key].lock().unwrap_or_else(|e| e.into_inner());
        let refill = now.saturating_duration_since(b.last).as_secs_f64() * self.rate;
        b.tokens = (b.tokens + refill).min(self.burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err((((1.0 - b.tokens) / self.rate).ceil() as u64).max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refuse_with_wait() {
        let rl = RateLimiter::new(2, 1, 2);
        assert!(rl.acquire(0).is_ok());
        assert!(rl.acquire(0).is_ok());
        assert_eq!(rl.acquire(0), Err(1));
        assert!(rl.acquire(1).is_ok(), "buckets are per key");
        assert!(RateLimiter::new(1, 0, 0).acquire(0).is_ok(), "rate 0 disables");
    }
}
