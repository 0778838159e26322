//! Command-line flags, each with an environment variable, so a scenario can set them either way.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(name = "fastjson-api", version, about = "hopscope reference service: JSON edge API")]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "FASTJSON_BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on (0 picks a free one; the start line tells which).
    #[arg(long, env = "FASTJSON_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Runtime worker threads (0 = one per core).
    #[arg(long, env = "FASTJSON_WORKERS", default_value_t = 0)]
    pub workers: usize,
    /// Accepted API keys, comma-separated.
    #[arg(long, env = "FASTJSON_API_KEYS", default_value = "dev-key", value_delimiter = ',')]
    pub api_keys: Vec<String>,
    /// Token-bucket refill rate per key, requests per second (0 = no limit).
    #[arg(long, env = "FASTJSON_RATE_LIMIT_RPS", default_value_t = 1_000_000)]
    pub rate_limit_rps: u64,
    /// Token-bucket size per key (burst), requests.
    #[arg(long, env = "FASTJSON_RATE_LIMIT_BURST", default_value_t = 1_000_000)]
    pub rate_limit_burst: u64,
    /// Largest request body accepted by /v1/orders, and largest upstream body read.
    #[arg(long, env = "FASTJSON_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// Base URL of the cache service (http only).
    #[arg(long, env = "FASTJSON_CACHE_URL", default_value = "http://127.0.0.1:8081")]
    pub cache_url: String,
    /// Timeout of one upstream attempt, milliseconds.
    #[arg(long, env = "FASTJSON_UPSTREAM_TIMEOUT_MS", default_value_t = 1000)]
    pub upstream_timeout_ms: u64,
    /// Retries after a failed upstream attempt (0 = off).
    #[arg(long, env = "FASTJSON_UPSTREAM_RETRIES", default_value_t = 0)]
    pub upstream_retries: u32,
    /// Base of the jittered exponential backoff between retries, milliseconds.
    #[arg(long, env = "FASTJSON_UPSTREAM_BACKOFF_MS", default_value_t = 10)]
    pub upstream_backoff_ms: u64,
    /// Simulated work of the origin route, microseconds (a timer sleep; tokio rounds up to whole ms).
    #[arg(long, env = "FASTJSON_ORIGIN_WORK_US", default_value_t = 0)]
    pub origin_work_us: u64,
    /// Name of this hop in Server-Timing.
    #[arg(long, env = "FASTJSON_HOP_NAME", default_value = "fastjson-api")]
    pub hop_name: String,
    /// Tax rate applied by /v1/orders, basis points (825 = 8.25 %).
    #[arg(long, env = "FASTJSON_TAX_RATE_BPS", default_value_t = 825,
          value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub tax_rate_bps: u32,
    /// Time a client has to send a request head, milliseconds.
    #[arg(long, env = "FASTJSON_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// Time a client has to send a request body, milliseconds.
    #[arg(long, env = "FASTJSON_BODY_TIMEOUT_MS", default_value_t = 10_000)]
    pub body_timeout_ms: u64,
    /// Time in-flight requests get to finish after SIGTERM/SIGINT, milliseconds.
    #[arg(long, env = "FASTJSON_SHUTDOWN_TIMEOUT_MS", default_value_t = 5000)]
    pub shutdown_timeout_ms: u64,
    /// PEM certificate chain; with --tls-key the service speaks HTTPS (HTTP/1.1 or h2, by ALPN).
    #[arg(long, env = "FASTJSON_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1) of --tls-cert.
    #[arg(long, env = "FASTJSON_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

impl Config {
    /// Checks what clap cannot, so a bad setting fails at start rather than on a request.
    pub fn validate(&mut self) -> Result<(), String> {
        self.api_keys.retain(|k| !k.is_empty());
        if self.api_keys.is_empty() {
            return Err("--api-keys needs at least one non-empty key".into());
        }
        if let Some(k) = self.api_keys.iter().find(|k| hyper::header::HeaderValue::from_str(k).is_err()) {
            return Err(format!("API key {k:?} cannot appear in an HTTP header"));
        }
        // The hop name is written into Server-Timing unquoted, so it must be an HTTP token.
        let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        if self.hop_name.is_empty() || !self.hop_name.bytes().all(token) {
            return Err(format!("--hop-name {:?} must be an HTTP token (letters, digits, -._ etc.)", self.hop_name));
        }
        if self.rate_limit_rps > 0 && self.rate_limit_burst == 0 {
            return Err("--rate-limit-burst must be at least 1".into());
        }
        if self.upstream_timeout_ms == 0 {
            return Err("--upstream-timeout-ms must be at least 1".into());
        }
        Ok(())
    }

    pub fn upstream_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream_timeout_ms)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms)
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_millis(self.body_timeout_ms)
    }

    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_millis(self.shutdown_timeout_ms)
    }
}
