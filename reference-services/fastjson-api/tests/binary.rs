//! The real binary: start line, and exit 0 on SIGTERM and SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stops_cleanly_on(signal: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fastjson-api"))
        .args(["--port", "0", "--workers", "1"])
        .env_remove("FASTJSON_PORT")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.starts_with("fastjson-api listening on 127.0.0.1:"), "{line:?}");
    let port: u16 = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());

    let status = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let t0 = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{signal}: {status}");
            return;
        }
        if t0.elapsed() > Duration::from_secs(6) {
            let _ = child.kill();
            panic!("no exit within 6 s of {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_exits_zero() {
    stops_cleanly_on("TERM");
}

#[test]
fn sigint_exits_zero() {
    stops_cleanly_on("INT");
}

#[test]
fn bad_flags_fail_fast() {
    let out =
        Command::new(env!("CARGO_BIN_EXE_fastjson-api")).args(["--hop-name", "a b", "--port", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--hop-name"));
}
