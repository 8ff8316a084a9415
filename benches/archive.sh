#!/usr/bin/env bash
# Fresh builds (output removed before each run, as in CI), rebuilds, peak memory and output
# size for a 40-quarter archive (10 sections, 40 metrics, 3 charts a section, open data on),
# for scrutiny and for Hugo on the same prose (twice: bare layouts without feeds, and with
# scrutiny's page chrome and Hugo's own feeds and sitemap), in one run with the ratios; what a
# plain copy of scrutiny's output costs on this disk; then the weight of the example site's
# pages. Prints figures; asserts nothing.
#   benches/archive.sh [QUARTERS]     RUNS=6 by default
#   SCALE=1 benches/archive.sh        also 1x, 2x and 4x the quarters and the sections
#   BASELINE=/path/to/old/scrutiny    also measures an older binary, for before/after in one run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
quarters=${1:-40}
runs=${RUNS:-6}
cargo build --release --quiet --bin scrutiny --example archive
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Builds note what they wrote here (not in the user's cache folder), so a rebuild into the same
# output keeps the quarters whose inputs are unchanged. A fresh build writes a new folder, which
# has no record: it renders everything, as in CI.
export SCRUTINY_CACHE_DIR=$dir/records
bin=./target/release/scrutiny
gen=./target/release/examples/archive
have_hugo=0
command -v hugo >/dev/null && have_hugo=1

# measure LABEL PREP COMMAND...: runs PREP (untimed, e.g. removing the output) then COMMAND,
# RUNS times; prints min/median/max and peak RSS, and leaves the median in $med, RSS in $mem.
# In PREP and COMMAND, @N@ stands for the run's number (1, 2, ...).
measure() {
  local label=$1 prep=$2; shift 2
  local times=() peak=0 n=0
  for _ in $(seq "$runs"); do
    n=$((n + 1))
    eval "${prep//@N@/$n}"
    sync
    local cmd=("${@//@N@/$n}")
    /usr/bin/time -f "%e %M" -o "$dir/time" "${cmd[@]}" >/dev/null 2>&1
    read -r t m <"$dir/time"
    times+=("$t"); [ "$m" -gt "$peak" ] && peak=$m
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  med=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
  mem=$(echo "$peak / 1024" | bc -l)
  printf '%-40s min %5.3f s  median %5.3f s  max %5.3f s  peak RSS %5.1f MiB  (%d runs)\n' "$label" \
    "$(echo "$sorted" | head -1)" "$med" "$(echo "$sorted" | tail -1)" "$mem" "$runs"
}
# hugo_runs PREFIX SOURCE LABEL: fresh builds and rebuilds of one Hugo site, into $dir/PREFIX-out;
# sets PREFIX_fresh, PREFIX_re, PREFIX_mem (the higher peak), PREFIX_bytes and PREFIX_files.
hugo_runs() {
  local p=$1 src=$2 label=$3 o=$dir/$1-out
  measure "hugo fresh build ($label)" "true" hugo --source "$src" --destination "$o-new-@N@" --quiet
  local fresh=$med peak=$mem
  fresh_dirs+=("$o-new-")
  hugo --source "$src" --destination "$o" --quiet >/dev/null 2>&1
  measure "hugo rebuild ($label)" "true" hugo --source "$src" --destination "$o" --quiet
  [ "$(echo "$mem > $peak" | bc)" = 1 ] && peak=$mem
  printf -v "${p}_fresh" %s "$fresh"
  printf -v "${p}_re" %s "$med"
  printf -v "${p}_mem" %s "$peak"
  printf -v "${p}_bytes" %s "$(bytes "$o")"
  printf -v "${p}_files" %s "$(files "$o")"
}
# A fresh build, as in CI: the output folder does not exist yet. Each run writes a folder never
# used before (OUT-1, OUT-2, ...), all removed only after every timing, because on this disk
# (ext4 mounted with `discard`) removing a tree and at once creating one in its place waits on
# the removal's discards: 450 folders of one file took 0.65 s right after `rm -rf` of the same
# tree, 0.02 s in a new place. The figure "output removed just before" is printed as well.
fresh_dirs=()
bytes() { find "$1" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
files() { find "$1" -type f | wc -l; }
mb() { printf "%.1f" "$(echo "scale=3; $1 / 1000000" | bc)"; }
ratio() { echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }
largest() { # DIR GLOB: size and path of the largest matching file
  find "$1" -type f -name "$2" -printf '%s %P\n' | sort -n | tail -1
}

echo "machine: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ "$have_hugo" = 1 ]; then
  "$gen" "$dir/site" "$quarters" --hugo "$dir/hugo" --hugo-chrome "$dir/hugo-chrome" 2>/dev/null
else
  "$gen" "$dir/site" "$quarters" 2>/dev/null
fi
"$bin" check --root "$dir/site" >/dev/null 2>&1 || { "$bin" check --root "$dir/site"; exit 1; }
out=$dir/out
"$bin" build --root "$dir/site" --output "$out" 2>&1 | tail -1
echo "archive: $quarters quarters; $(find "$out" -name '*.html' | wc -l) HTML pages, $(find "$out" -name '*.svg' | wc -l) SVG files"
echo

measure "scrutiny check" "true" "$bin" check --root "$dir/site"
if [ -n "${BASELINE:-}" ]; then
  bout=$dir/base-out
  measure "baseline fresh build" "true" "$BASELINE" build --root "$dir/site" --output "$bout-new-@N@"
  fresh_dirs+=("$bout-new-")
  b_fresh=$med b_mem=$mem
  "$BASELINE" build --root "$dir/site" --output "$bout" >/dev/null 2>&1
  measure "baseline rebuild (no change)" "true" "$BASELINE" build --root "$dir/site" --output "$bout"
  b_re=$med
  [ "$(echo "$mem > $b_mem" | bc)" = 1 ] && b_mem=$mem
  b_bytes=$(bytes "$bout") b_files=$(files "$bout")
  read -r b_largest _ <<<"$(largest "$bout" '*.html')"
fi
measure "scrutiny fresh build" "true" "$bin" build --root "$dir/site" --output "$out-new-@N@"
s_fresh=$med s_mem=$mem
fresh_dirs+=("$out-new-")
measure "scrutiny rebuild (no change)" "true" "$bin" build --root "$dir/site" --output "$out"
s_re=$med
[ "$(echo "$mem > $s_mem" | bc)" = 1 ] && s_mem=$mem
measure "  rebuild, nothing kept (no records)" "true" env SCRUTINY_CACHE_DIR= "$bin" build --root "$dir/site" --output "$out"
s_re_all=$med
newest=$(ls -d "$dir"/site/content/*/q[1-4] | sort | tail -1)
measure "  rebuild, newest quarter's words edited" "echo 'Edit @N@.' >>'$newest/_index.md'" "$bin" build --root "$dir/site" --output "$out"
s_re_edit=$med
s_bytes=$(bytes "$out") s_files=$(files "$out")
if [ "$have_hugo" = 1 ]; then
  hugo_runs h "$dir/hugo" "prose only"
  hout=$dir/h-out
  # The same prose with scrutiny's page chrome and Hugo's own feeds and sitemap (see examples/archive.rs).
  hugo_runs c "$dir/hugo-chrome" "prose, page chrome"
else
  echo "hugo is not installed: no comparison"
fi
# What writing scrutiny's output costs on this disk without making any of it: a copy of the tree.
measure "copy of scrutiny's output (cp -r)" "true" cp -r "$out" "$dir/copy-@N@"
s_copy=$med
fresh_dirs+=("$dir/copy-")
# Only now, with every fresh timing done, are the fresh outputs removed.
for d in "${fresh_dirs[@]}"; do rm -rf "$d"*; done
sync
echo "(output removed just before, as in a rebuild-from-scratch on the same disk: timed with the removal's discards)"
measure "  scrutiny, output removed just before" "rm -rf '$out-gone'" "$bin" build --root "$dir/site" --output "$out-gone"
s_gone=$med
if [ "$have_hugo" = 1 ]; then
  measure "  hugo, output removed just before" "rm -rf '$hout-gone'" hugo --source "$dir/hugo" --destination "$hout-gone" --quiet
  echo "  ratio $(ratio "$s_gone" "$med")x"
fi
rm -rf "$out-gone" "${hout:-}-gone"

echo
printf '%-10s %9s %9s %10s %10s %7s\n' "" "fresh s" "rebuild s" "peak MiB" "output MB" "files"
[ -n "${BASELINE:-}" ] && printf '%-10s %9s %9s %10.1f %10s %7s\n' baseline "$b_fresh" "$b_re" "$b_mem" "$(mb "$b_bytes")" "$b_files"
printf '%-10s %9s %9s %10.1f %10s %7s\n' scrutiny "$s_fresh" "$s_re" "$s_mem" "$(mb "$s_bytes")" "$s_files"
echo "           scrutiny rebuild with nothing kept: $s_re_all s; with the newest quarter's words edited: $s_re_edit s"
if [ "$have_hugo" = 1 ]; then
  printf '%-10s %9s %9s %10.1f %10s %7s\n' hugo "$h_fresh" "$h_re" "$h_mem" "$(mb "$h_bytes")" "$h_files"
  [ -n "${BASELINE:-}" ] && printf '%-10s %9s %9s %10s %10s\n' "base/hugo" "$(ratio "$b_fresh" "$h_fresh")x" "$(ratio "$b_re" "$h_re")x" "$(ratio "$b_mem" "$h_mem")x" "$(ratio "$b_bytes" "$h_bytes")x"
  printf '%-10s %9s %9s %10s %10s\n' "ratio" "$(ratio "$s_fresh" "$h_fresh")x" "$(ratio "$s_re" "$h_re")x" "$(ratio "$s_mem" "$h_mem")x" "$(ratio "$s_bytes" "$h_bytes")x"
  printf '%-10s %9s %9s %10.1f %10s %7s\n' "hugo+chr" "$c_fresh" "$c_re" "$c_mem" "$(mb "$c_bytes")" "$c_files"
  printf '%-10s %9s %9s %10s %10s\n' "ratio" "$(ratio "$s_fresh" "$c_fresh")x" "$(ratio "$s_re" "$c_re")x" "$(ratio "$s_mem" "$c_mem")x" "$(ratio "$s_bytes" "$c_bytes")x"
  echo "goals: fresh <= 0.7x hugo, rebuild <= 1.0x hugo, peak <= 35 MiB, output <= 12 MB"
  echo "(hugo: bare layouts, no feeds; hugo+chr: scrutiny's page chrome and Hugo's feeds and sitemap)"
  echo "copying scrutiny's output alone (cp -r, no rendering): $s_copy s, $(ratio "$s_copy" "$h_fresh")x hugo's fresh build"
fi
echo "archive output by kind:"
for kind in html svg csv json xml; do
  printf '  %-5s %6s MB in %5s files\n' "$kind" "$(mb "$(find "$out" -type f -name "*.$kind" -printf '%s\n' | awk '{s+=$1} END {print s+0}')")" "$(find "$out" -type f -name "*.$kind" | wc -l)"
done
read -r size path <<<"$(largest "$out" '*.html')"
echo "  largest HTML page: $path, $((size / 1000)) KB"
[ -n "${BASELINE:-}" ] && echo "  baseline's largest HTML page: $((b_largest / 1000)) KB"

# The example site, as a reader first meets it.
ex=$dir/example
"$bin" build --root . --output "$ex" >/dev/null 2>&1
echo
# (An older binary may not build the example's current theme, so it is not measured here.)
read -r size path <<<"$(largest "$ex" '*.html')"
echo "example site: largest HTML page $path, $((size / 1000)) KB (goal < 150 KB)"
read -r size path <<<"$(find "$ex" -path '*/q[1-4]/index.html' -printf '%s %P\n' | sort -k2 | tail -1)"
echo "example site: newest quarter's overview $path, $((size / 1000)) KB (goal < 80 KB)"

if [ "${SCALE:-0}" = 1 ]; then
  echo
  echo "scaling: fresh build, median of $runs"
  printf '%-26s %8s %9s %10s %7s\n' "" "fresh s" "peak MiB" "output MB" "files"
  for spec in "$quarters 10" "$((quarters * 2)) 10" "$((quarters * 4)) 10" "$quarters 20" "$quarters 40"; do
    read -r q s <<<"$spec"
    rm -rf "$dir/scale" "$dir/scale-out"
    "$gen" "$dir/scale" "$q" --sections "$s" 2>/dev/null
    measure "  $q quarters x $s sections" "true" "$bin" build --root "$dir/scale" --output "$dir/scale-out-@N@" >/dev/null
    "$bin" build --root "$dir/scale" --output "$dir/scale-out" >/dev/null 2>&1
    printf '%-26s %8s %9.1f %10s %7s\n' "$q quarters x $s sections" "$med" "$mem" "$(mb "$(bytes "$dir/scale-out")")" "$(files "$dir/scale-out")"
    rm -rf "$dir/scale-out"*; sync; sleep 5 # let the removal's discards finish before the next timing
  done
fi
