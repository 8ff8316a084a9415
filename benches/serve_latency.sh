#!/usr/bin/env bash
# Save-to-reload latency of `scrutiny serve` for a commentary edit: the time from
# writing the file to the server-sent reload event, on the example site and on a
# generated 40-quarter archive. Prints figures; asserts nothing.
#   benches/serve_latency.sh [EDITS]        (default 20 edits a site)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
edits=${1:-20}
cargo build --release --quiet --bin scrutiny --example serve_latency --example archive
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== example site (repository root)"
./target/release/examples/serve_latency . --edits "$edits"
echo "== 40-quarter archive (examples/archive.rs)"
./target/release/examples/archive "$dir/archive" 40 >/dev/null
./target/release/examples/serve_latency "$dir/archive" --edits "$edits"
