//! Prometheus counters on plain atomics: the request path only does relaxed increments.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

/// Route templates used as the `route` label, so raw paths (ids) never explode the label set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Healthz,
    Orders,
    Items,
    OriginItems,
    BenchJson,
    Metrics,
    Unmatched,
}

impl Route {
    const ALL: [Route; 7] = [
        Route::Healthz,
        Route::Orders,
        Route::Items,
        Route::OriginItems,
        Route::BenchJson,
        Route::Metrics,
        Route::Unmatched,
    ];

    pub fn template(self) -> &'static str {
        match self {
            Route::Healthz => "/healthz",
            Route::Orders => "/v1/orders",
            Route::Items => "/v1/items/{id}",
            Route::OriginItems => "/v1/origin/items/{id}",
            Route::BenchJson => "/bench/json",
            Route::Metrics => "/metrics",
            Route::Unmatched => "unmatched",
        }
    }
}

const STATUSES: usize = 500; // 100..=599

pub struct Metrics {
    requests: Vec<[AtomicU64; STATUSES]>,
    in_flight: AtomicI64,
    pub upstream_requests: AtomicU64,
    pub upstream_timeouts: AtomicU64,
    pub upstream_retries: AtomicU64,
    pub upstream_errors: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Route::ALL.iter().map(|_| std::array::from_fn(|_| AtomicU64::new(0))).collect(),
            in_flight: AtomicI64::new(0),
            upstream_requests: AtomicU64::new(0),
            upstream_timeouts: AtomicU64::new(0),
            upstream_retries: AtomicU64::new(0),
            upstream_errors: AtomicU64::new(0),
        }
    }
}

/// Decrements the gauge on drop, so a request whose connection vanished mid-way is not counted forever.
pub struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

impl Metrics {
    pub fn enter(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Relaxed);
        InFlight(&self.in_flight)
    }

    pub fn count(&self, route: Route, status: u16) {
        if let Some(c) = self.requests[route as usize].get(usize::from(status).wrapping_sub(100)) {
            c.fetch_add(1, Relaxed);
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str("# HELP fastjson_requests_total Requests answered, by route template and status.\n");
        out.push_str("# TYPE fastjson_requests_total counter\n");
        for route in Route::ALL {
            for (i, c) in self.requests[route as usize].iter().enumerate() {
                let n = c.load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "fastjson_requests_total{{route=\"{}\",status=\"{}\"}} {n}",
                        route.template(),
                        i + 100
                    );
                }
            }
        }
        let counters = [
            ("fastjson_upstream_requests_total", "Upstream attempts made, retries included.", &self.upstream_requests),
            (
                "fastjson_upstream_timeouts_total",
                "Upstream attempts that hit --upstream-timeout-ms.",
                &self.upstream_timeouts,
            ),
            ("fastjson_upstream_retries_total", "Upstream attempts that were retries.", &self.upstream_retries),
            (
                "fastjson_upstream_errors_total",
                "Upstream attempts failed other than by timeout (connection, 5xx, body).",
                &self.upstream_errors,
            ),
        ];
        for (name, help, c) in counters {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n", c.load(Relaxed));
        }
        let _ = write!(
            out,
            "# HELP fastjson_in_flight_requests Requests being handled now.\n# TYPE fastjson_in_flight_requests gauge\nfastjson_in_flight_requests {}\n",
            self.in_flight.load(Relaxed)
        );
        out
    }
}
