#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (FUZZ_SECONDS each, default 20), seeded with the spec's
# vectors and a sample order. Needs the nightly toolchain; installs cargo-fuzz when missing.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${FUZZ_SECONDS:-20}"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz.sh: the nightly toolchain is required (rustup toolchain install nightly)" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

mkdir -p fuzz/corpus/bench_json fuzz/corpus/orders
cp ../spec/vectors/*.request.json fuzz/corpus/bench_json/
printf '%s' '{"order_id":"ord-1","currency":"USD","tax_exempt":false,"items":[{"sku":"SKU-1","name":"Widget","quantity":2,"unit_price_cents":1999},{"sku":"B-2","name":"caf\u00e9","quantity":1,"unit_price_cents":0}]}' \
  > fuzz/corpus/orders/seed.json

for target in bench_json orders; do
  echo "fuzz.sh: $target for ${SECONDS_EACH}s"
  # -rss_limit_mb guards the 2-core/24 GiB machines; -max_len covers the 1 MiB body limit edge.
  cargo +nightly fuzz run "$target" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=1100000 -print_final_stats=1
done
echo "fuzz.sh: all targets ran ${SECONDS_EACH}s without a crash"
