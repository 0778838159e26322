#!/usr/bin/env bash
# What TLS and h2 cost at the Rust edge (issue 13): fastjson-api plain and with --tls-cert/--tls-key, as
# processes on 127.0.0.1 with one worker thread each, loaded through hopscope's CLI at the same open-loop
# rate (plain h1, TLS h1, TLS h2), then TLS handshakes per second with wrk and `Connection: close` (a new
# connection, so a full handshake, per request). The service's CPU comes from /proc (utime + stime over each
# run), the generator's from hopscope's summary. Its 10 s phases meet fastjson-api's 10 s idle close (hyper's
# header read timeout), which costs TLS phases a few `reset`s: docs/findings.md, section 6, "Where the resets
# came from"; scenarios/edge-tls.yaml measures the same inside hopscope. From the repository root after `npm run build`:
#   flock /tmp/hopscope-bench.lock bash bench/edge-tls.sh            (RATE, DURATION, ROUNDS to change)
set -euo pipefail
RATE=${RATE:-5000}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-2}
HANDSHAKE_SECONDS=${HANDSHAKE_SECONDS:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/reference-services/fastjson-api/target/x86_64-unknown-linux-gnu/release/fastjson-api
[[ -x $bin ]] || { echo "build fastjson-api first: (cd reference-services/fastjson-api && RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --target x86_64-unknown-linux-gnu)" >&2; exit 2; }
work=$(mktemp -d /tmp/hopscope-edge-tls-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

start() { # port, extra flags...
  local port=$1; shift
  "$bin" --port "$port" --workers 1 "$@" > "$work/$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q listening "$work/$port.log" && return; sleep 0.05; done
  echo "fastjson-api on $port did not start: $(cat "$work/$port.log")" >&2; exit 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick=$(getconf CLK_TCK)

PLAIN=18980 TLS=18981
start $PLAIN
plain_pid=${pids[-1]}
start $TLS --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
tls_pid=${pids[-1]}

run_case() { # name, pid, url, extra hopscope flags...
  local name=$1 pid=$2 url=$3; shift 3
  local out="$work/$name" before after
  before=$(cpu_ticks "$pid")
  node "$root/dist/cli/main.js" run --target "$url" --rate "$RATE" --duration "$DURATION" --connections 64 \
    --header 'x-api-key: dev-key' --quiet --out "$out" "$@" > /dev/null
  after=$(cpu_ticks "$pid")
  node -e '
    const s = require(process.argv[1] + "/summary.json");
    const p = s.phases[0], l = p.overall.latency, ms = (us) => (us / 1000).toFixed(2);
    const svcMs = (process.argv[3] - process.argv[2]) * 1000 / process.argv[4];
    console.log([process.argv[5], p.overall.count, p.overall.errors, ms(l.p50Us), ms(l.p99Us), ms(l.p999Us),
      (svcMs * 1000 / p.overall.count).toFixed(1), p.generator.cpuMsPer1kRequests.toFixed(0), ms(p.sendLag.p99Us),
      JSON.stringify(Object.fromEntries(Object.entries(p.overall.errorsByKind).filter(([, n]) => n > 0)))].join("\t"));
  ' "$out" "$before" "$after" "$tick" "$name"
}

echo "open loop $RATE req/s, $DURATION, 64 connections, GET /healthz, $ROUNDS rounds alternating"
echo -e "case\trequests\terrors\tp50 ms\tp99 ms\tp99.9 ms\tservice CPU us/req\tgenerator CPU ms/1k\tsend lag p99 ms\terror kinds"
for round in $(seq "$ROUNDS"); do
  run_case "plain-h1-r$round" "$plain_pid" "http://127.0.0.1:$PLAIN/healthz"
  run_case "tls-h1-r$round" "$tls_pid" "https://127.0.0.1:$TLS/healthz" --ca "$work/cert.pem"
  run_case "tls-h2-r$round" "$tls_pid" "https://127.0.0.1:$TLS/healthz" --ca "$work/cert.pem" --http2
done

echo
echo "new connection per request: wrk -t1 -c16 -d${HANDSHAKE_SECONDS}s -H 'Connection: close' (TLS: a full handshake each)"
echo -e "case\treq/s (= connections/s)\tservice CPU us/connection"
for c in "plain $plain_pid http://127.0.0.1:$PLAIN/healthz" "tls $tls_pid https://127.0.0.1:$TLS/healthz"; do
  read -r name pid url <<< "$c"
  before=$(cpu_ticks "$pid")
  rps=$(wrk -t1 -c16 -d"${HANDSHAKE_SECONDS}s" -H 'Connection: close' "$url" | awk '/Requests\/sec/ {print $2}')
  after=$(cpu_ticks "$pid")
  awk -v n="$name" -v r="$rps" -v b="$before" -v a="$after" -v t="$tick" -v s="$HANDSHAKE_SECONDS" \
    'BEGIN { printf "%s\t%.0f\t%.1f\n", n, r, (a - b) / t * 1e6 / (r * s) }'
done
