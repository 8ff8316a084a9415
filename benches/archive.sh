#!/usr/bin/env bash
# Build time and peak memory for a 40-quarter archive (10 sections, 40 metrics,
# 3 charts a section), with charts and open data. Prints figures; asserts nothing.
#   benches/archive.sh [QUARTERS]      BENCH_HUGO=1 also times Hugo on the same prose.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
quarters=${1:-40}
runs=${RUNS:-7}
cargo build --release --quiet --bin scrutiny --example archive
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
hugo_args=()
[ "${BENCH_HUGO:-0}" = 1 ] && hugo_args=(--hugo "$dir/hugo")
./target/release/examples/archive "$dir/site" "$quarters" "${hugo_args[@]}"
bin=./target/release/scrutiny
"$bin" check --root "$dir/site" >/dev/null 2>&1 || { "$bin" check --root "$dir/site"; exit 1; }

measure() { # label, command...
  local label=$1; shift
  local times=() mem=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >/dev/null 2>&1
    read -r t m <"$dir/time"
    times+=("$t"); [ "$m" -gt "$mem" ] && mem=$m
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  printf '%-34s min %5.3f s  median %5.3f s  max %5.3f s  peak RSS %5.1f MiB  (%d runs)\n' "$label" \
    "$(echo "$sorted" | head -1)" "$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")" "$(echo "$sorted" | tail -1)" "$(echo "$mem / 1024" | bc -l)" "$runs"
}

echo "machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$bin" build --root "$dir/site" --output "$dir/out" 2>&1 | tail -1
echo "output: $(find "$dir/out" -name '*.html' | wc -l) HTML pages, $(find "$dir/out" -name '*.svg' | wc -l) SVG charts, $(du -sh "$dir/out" | cut -f1)"
measure "scrutiny check" "$bin" check --root "$dir/site"
measure "scrutiny build (whole archive)" "$bin" build --root "$dir/site" --output "$dir/out"
if [ "${BENCH_HUGO:-0}" = 1 ]; then
  command -v hugo >/dev/null || { apt-get update -qq && apt-get install -y -qq hugo >/dev/null; }
  measure "hugo (prose only, same pages)" hugo --source "$dir/hugo" --destination "$dir/hugo-out" --quiet
  echo "hugo output: $(find "$dir/hugo-out" -name '*.html' | wc -l) HTML pages"
fi
