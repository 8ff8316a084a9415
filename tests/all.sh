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

# The committee PDF is read back with poppler's tools (tests/testsuite/pdf.rs), as a reader's software would.
if ! command -v pdfinfo >/dev/null || ! command -v pdftotext >/dev/null; then
  step "installing poppler-utils for the PDF tests"
  SUDO=()
  [ "$(id -u)" = 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils >/dev/null
fi

step "cargo test (unit, bad-input corpus, integration, properties, the book's examples)"
# The log stays inside the clone (target/ is ignored by git), never at a fixed path outside it.
mkdir -p target
log=$(mktemp target/test-log.XXXXXX)
cargo test --all-targets --quiet 2>&1 | tee "$log"
if grep -q "test result: FAILED" "$log"; then rm -f "$log"; exit 1; fi
rm -f "$log"

# The book is rendered only where mdBook is installed (cargo install mdbook --locked);
# its examples are checked by cargo test above either way (tests/testsuite/book.rs).
if command -v mdbook >/dev/null; then
  step "mdbook build docs"
  book=$(mktemp -d)
  mdbook build docs --dest-dir "$book"
  rm -rf "$book"
else
  step "mdbook not installed: the book is not rendered (its examples were checked by cargo test)"
fi

step "scrutiny check on the example site"
./target/debug/scrutiny check --root . --deny-warnings

step "two builds of the example site are byte-identical, and so is a rebuild that keeps quarters"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Records go in a folder of this run's own, so the first two builds render everything.
export SCRUTINY_CACHE_DIR=$out/records
./target/debug/scrutiny build --root . --output "$out/a"
./target/debug/scrutiny build --root . --output "$out/b"
diff -r "$out/a" "$out/b"
echo "identical: $(find "$out/a" -type f | wc -l) files"
./target/debug/scrutiny build --root . --output "$out/a" 2>&1 | tee "$out/rebuild.log"
grep -q "quarters kept as the last build wrote them" "$out/rebuild.log"
diff -r "$out/a" "$out/b"

step "quality gates on the example site under a sub-path"
./target/debug/scrutiny build --root . --output "$out/sub" --base-url https://www.westmere.example/deep/asc-performance/
tests/quality/run.sh "$out/sub" https://www.westmere.example/deep/asc-performance/

step "the quality gates fail on a deliberately broken page"
tests/quality/selftest.sh "$out/sub" https://www.westmere.example/deep/asc-performance/

echo
echo "all tests passed in $(( $(date +%s) - started )) s"
