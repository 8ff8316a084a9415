#!/usr/bin/env bash
# Every test of the project, as CI runs it: formatting, lints, unit and integration
# tests, then the example site built twice (byte-identical) and under a sub-path,
# checked in a real browser and by the Nu HTML Checker. Installs what it needs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n== %s\n' "$*"; }
started=$(date +%s)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

step "cargo test (unit, bad-input corpus, integration, properties)"
cargo test --all-targets --quiet 2>&1 | tee /tmp/scrutiny-test.log
grep -q "test result: FAILED" /tmp/scrutiny-test.log && exit 1

step "scrutiny check on the example site"
./target/debug/scrutiny check --root . --deny-warnings

step "two builds of the example site are byte-identical"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./target/debug/scrutiny build --root . --output "$out/a"
./target/debug/scrutiny build --root . --output "$out/b"
diff -r "$out/a" "$out/b"
echo "identical: $(find "$out/a" -type f | wc -l) files"

step "quality gates on the example site under a sub-path"
./target/debug/scrutiny build --root . --output "$out/sub" --base-url https://www.westmere.example/deep/asc-performance/
tests/quality/run.sh "$out/sub" https://www.westmere.example/deep/asc-performance/

step "the quality gates fail on a deliberately broken page"
tests/quality/selftest.sh "$out/sub" https://www.westmere.example/deep/asc-performance/

echo
echo "all tests passed in $(( $(date +%s) - started )) s"
