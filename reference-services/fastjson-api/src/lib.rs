//! fastjson-api, a reference service of hopscope: see README.md for routes and flags.

pub mod auth;
pub mod bench_json;
pub mod config;
pub mod errors;
pub mod json_out;
pub mod metrics;
pub mod orders;
pub mod origin;
mod parse;
pub mod ratelimit;
pub mod server;
pub mod timing;
pub mod tls;
pub mod upstream;

pub use config::Config;
pub use server::{run, App};
