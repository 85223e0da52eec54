#!/usr/bin/env bash
# Fresh clone to UI, as a new user: git clone, `npm start`, until http://localhost:$PORT answers.
#   bench/fresh-start.sh [git-ref] [port]     (default: HEAD of this repository, port 8195)
# Prints the seconds of each phase; stops everything it started (its own process group).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
ref="${1:-HEAD}"
port="${2:-8195}"
dir="$(mktemp -d /tmp/igt-fresh-XXXXXX)"
log="$dir.log"
cleanup() {
  if [[ -n "${pgid:-}" ]]; then kill -INT -- "-$pgid" 2>/dev/null || true; sleep 5; kill -KILL -- "-$pgid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
t0=$(date +%s.%N)
git clone -q "$repo" "$dir/igentai"
git -C "$dir/igentai" checkout -q "$ref"
cd "$dir/igentai"
PORT="$port" setsid npm start >"$log" 2>&1 &
pgid=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$port/"; do
  if ! kill -0 "$pgid" 2>/dev/null; then echo "npm start exited; see $log"; exit 1; fi
  sleep 1
done
t1=$(date +%s.%N)
echo "{\"ref\": \"$(git rev-parse --short HEAD)\", \"cloneToUiSeconds\": $(echo "$t1 - $t0" | bc), \"log\": \"$log\"}"
