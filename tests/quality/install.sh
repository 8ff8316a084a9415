#!/usr/bin/env bash
# Installs what the quality gates need, on a fresh Debian machine or an old one:
# Debian's chromium (and a font) if missing, Java if missing, and the npm
# packages pinned in package-lock.json when node_modules is missing or stale.
# Idempotent; prints nothing on success, the installers' output on failure.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
run() {
  if ! "$@" >>"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "install.sh: failed: $*" >&2
    exit 1
  fi
}

apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || apt_missing+=(fonts-dejavu-core)
command -v java >/dev/null 2>&1 || apt_missing+=(default-jre-headless)
if [ ${#apt_missing[@]} -gt 0 ]; then
  SUDO=()
  [ "$(id -u)" = 0 ] || SUDO=(sudo)
  run "${SUDO[@]}" apt-get update
  run "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${apt_missing[@]}"
fi

command -v node >/dev/null 2>&1 || { echo "install.sh: node is missing (node 20 or newer is needed)" >&2; exit 1; }
# node_modules is fresh when it was installed from this very lock file by this node.
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1) $(node --version)"
stamp="$HERE/node_modules/.quality-install-stamp"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -f "$HERE/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  # --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime; Debian's is used.
  (cd "$HERE" && run env PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund)
  echo "$want" >"$stamp"
fi
