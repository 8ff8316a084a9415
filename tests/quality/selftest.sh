#!/usr/bin/env bash
# Proves the quality gates work: they pass on a good site and each fails, with
# a clear message, on a scratch copy broken on purpose (see break.mjs).
#   tests/quality/selftest.sh [SITE_DIR BASE_PATH]
# Defaults to the hand-written fixture in tests/quality/fixture/, built for
# /asc-performance/. The site itself is never changed.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SITE=${1:-$HERE/fixture}
BASE=${2:-/asc-performance/}
"$HERE/install.sh" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "selftest: ok    $*"; }
fail() { failed=$((failed + 1)); echo "selftest: FAIL  $*"; }

echo "selftest: 1. the good site $SITE must pass every gate"
if "$HERE/run.sh" "$SITE" "$BASE" >"$TMP/good.out" 2>&1; then
  pass "run.sh passes on the good site ($(grep '^quality: [0-9]* passed' "$TMP/good.out"))"
else
  cat "$TMP/good.out"
  fail "run.sh fails on the good site"
fi

echo "selftest: 2. a scratch copy broken on purpose must fail every gate"
cp -a "$SITE" "$TMP/site"
page=$(node "$HERE/break.mjs" "$TMP/site") || { echo "selftest: could not break the copy"; exit 1; }
echo "selftest: broke $page: removed its skip link; added an img without alt, a duplicate id, a broken link, a broken fragment, a link outside the base path, a link without a focus style, a box wider than a phone, a highlight table off screen, chart text of 6 px"
"$HERE/run.sh" "$TMP/site" "$BASE" >"$TMP/bad.out" 2>&1
rc=$?
if [ "$rc" = 1 ]; then pass "run.sh exits 1 on the broken copy"; else fail "run.sh exits $rc on the broken copy, not 1"; fi

# expect GATE PATTERN WHAT: the gate's summary says FAILED and a line of its
# output matches PATTERN; the matching lines are shown as its message.
expect() {
  local gate=$1 pattern=$2 what=$3
  local lines
  lines=$(grep -E "^$gate: " "$TMP/bad.out" | grep -E -- "$pattern" | head -3)
  if ! grep -qE "^$gate: FAILED" "$TMP/bad.out"; then
    fail "$gate does not fail on the broken copy ($what)"
  elif [ -z "$lines" ]; then
    fail "$gate fails, but says nothing matching /$pattern/ ($what)"
  else
    pass "$gate fails on $what:"
    sed 's/^/selftest:         /' <<<"$lines"
  fi
}
expect axe 'image-alt \(critical\)' 'the image without alt text'
expect axe "FAIL .*${page%index.html}" 'the broken page, named'
expect vnu 'error: An “img” element must have an “alt” attribute' 'the image without alt text'
expect vnu 'error: Duplicate ID “quality-selftest”' 'the duplicate id'
expect links 'quality-selftest-no-such-page/: no such file' 'the broken link'
expect links 'has no element with id "quality-selftest-no-such-fragment"' 'the broken fragment'
expect links 'escapes the base path|quality-selftest-outside-the-base/: no such file' 'the link outside the base path'
expect keyboard 'not a skip link' 'the missing skip link'
expect keyboard 'A link whose focus style is removed.* shows no visible focus' 'the link without a visible focus'
expect reflow 'the page scrolls sideways' 'the box wider than a phone'
expect reflow 'p reaches [0-9]+ px: "A paragraph wider than a phone' 'the box wider than a phone, named'
expect reflow 'row "Quality selftest measure": latest figure at' 'the highlight table latest figure off screen'
expect reflow 'the highlight table is not a table with row headers and cells to a screen reader' 'the highlight table without table semantics'
expect reflow 'chart text renders at [0-9.]+ px, under 12 px: "tiny chart text"' 'the 6 px chart text'
if grep -qE '^(axe|vnu|links|keyboard|reflow): FAIL ' "$TMP/bad.out" && ! grep -E '^(axe|vnu|links|keyboard|reflow): FAIL ' "$TMP/bad.out" | grep -vq "${page%index.html}"; then
  pass "every failure is on the broken page, none elsewhere"
else
  fail "failures outside the broken page $page:"
  grep -E '^(axe|vnu|links|keyboard|reflow): FAIL ' "$TMP/bad.out" | grep -v "${page%index.html}"
fi
if [ "$failed" != 0 ]; then
  echo "selftest: the run on the broken copy said:"
  cat "$TMP/bad.out"
fi

echo "selftest: $passed passed, $failed failed"
[ "$failed" = 0 ]
