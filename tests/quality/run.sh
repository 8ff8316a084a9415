#!/usr/bin/env bash
# The browser and validator quality gates over a built site.
#   tests/quality/run.sh SITE_DIR BASE_PATH
# SITE_DIR: a built site (e.g. public/); BASE_PATH: the URL sub-path it was
# built for (/asc-performance/), or its whole base URL
# (https://www.example.gov.uk/asc-performance/), which also names the origin
# whose absolute links count as internal.
# Gates: axe (axe-core in headless Chromium, every kind of page, 1280 and 375
# px), vnu (Nu HTML Checker, every .html and .svg), links (every internal link
# and #fragment), keyboard (skip link first, visible focus, details open with
# Enter), reflow (no sideways page scroll at 320, 375 and 1280 px, highlight
# table latest figures on screen at 320 px, chart text >= 12 px).
# QUALITY_GATES="links vnu" runs some of them only.
# Prints one line per page or file checked and a summary per gate; exits 1 if
# any gate fails, 2 on bad usage.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 2 ] || [ ! -f "$1/index.html" ]; then
  echo "usage: $0 SITE_DIR BASE_PATH   (SITE_DIR holds a built site with index.html; BASE_PATH like /asc-performance/)" >&2
  exit 2
fi
SITE=$(cd "$1" && pwd)
BASE=$2
GATES=" ${QUALITY_GATES:-axe vnu links keyboard reflow} "
want() { [[ "$GATES" == *" $1 "* ]]; }
for g in $GATES; do
  case $g in axe | vnu | links | keyboard | reflow) ;; *) echo "run.sh: unknown gate \"$g\" in QUALITY_GATES (axe vnu links keyboard reflow)" >&2; exit 2 ;; esac
done

"$HERE/install.sh" || exit 1

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
T0=$(now)
echo "quality: checking $SITE served under $BASE; gates:$GATES"

declare -A RESULT TIME
TMP=$(mktemp -d)
VNU_PID=
cleanup() {
  [ -n "$VNU_PID" ] && kill "$VNU_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

# vnu runs in the background (its JVM takes a few seconds) while the others run.
if want vnu; then
  ( t=$(now); node "$HERE/vnu.mjs" "$SITE" >"$TMP/vnu.out" 2>&1; echo $? >"$TMP/vnu.rc"; secs "$t" "$(now)" >"$TMP/vnu.time" ) &
  VNU_PID=$!
fi

if want links; then
  t=$(now)
  node "$HERE/links.mjs" "$SITE" "$BASE"
  RESULT[links]=$?
  TIME[links]="$(secs "$t" "$(now)") s"
fi

if want axe || want keyboard || want reflow; then
  t=$(now)
  flags=()
  want axe || flags+=(--no-axe)
  want keyboard || flags+=(--no-keyboard)
  want reflow || flags+=(--no-reflow)
  node "$HERE/browser.mjs" "$SITE" "$BASE" "${flags[@]}" 2>&1 | tee "$TMP/browser.out"
  bt=$(secs "$t" "$(now)")
  for g in axe keyboard reflow; do
    want $g || continue
    rc=$(sed -n "s/^browser-results: .*\b$g=\([0-9]*\).*/\1/p" "$TMP/browser.out")
    RESULT[$g]=${rc:-1}
    [ -n "$rc" ] || echo "$g: FAILED: the browser run ended without a result (see above)"
    TIME[$g]="$bt s (one browser run for axe, keyboard and reflow)"
  done
fi

if want vnu; then
  wait "$VNU_PID"
  VNU_PID=
  cat "$TMP/vnu.out"
  RESULT[vnu]=$(cat "$TMP/vnu.rc" 2>/dev/null || echo 1)
  TIME[vnu]="$(cat "$TMP/vnu.time" 2>/dev/null) s (alongside the others)"
fi

echo
echo "quality: summary for $SITE under $BASE"
passed=0
failed=0
for g in axe vnu links keyboard reflow; do
  want $g || continue
  if [ "${RESULT[$g]}" = 0 ]; then
    passed=$((passed + 1)); verdict=passed
  else
    failed=$((failed + 1)); verdict=FAILED
  fi
  printf 'quality:   %-9s %-7s %s\n' "$g" "$verdict" "${TIME[$g]}"
done
echo "quality: total $(secs "$T0" "$(now)") s"
echo "quality: $passed passed, $failed failed"
[ "$failed" = 0 ]
