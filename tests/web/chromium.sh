#!/usr/bin/env bash
# tests/web/chromium.sh: drives headless Chromium from its own command line
# for the web UI tests (no npm, no DevTools client).
#
#   tests/web/chromium.sh dom URL          prints the DOM after the page's
#                                          scripts ran (fetches included)
#   tests/web/chromium.sh shot URL FILE    saves a 1200x800 PNG screenshot
#   tests/web/chromium.sh which            prints the browser's path, or
#                                          exits 1 when none is installed
#
# Each run gets a fresh profile directory (removed afterwards) and no
# background traffic. --virtual-time-budget lets the page's fetches and
# rendering finish before the DOM is dumped or the screenshot taken. A run
# is cut off after 60 s. Chromium's own log lines go to stderr.
set -u
browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" > /dev/null; then browser=$(command -v "$b"); break; fi
done
mode=${1:-}
if [ "$mode" = which ]; then
  [ -n "$browser" ] && echo "$browser"
  [ -n "$browser" ]
  exit
fi
if [ -z "$browser" ]; then
  echo "chromium.sh: no chromium installed" >&2
  exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --disable-dev-shm-usage --user-data-dir="$dir" --virtual-time-budget=10000)
case "$mode" in
  dom)
    [ $# -eq 2 ] || { echo "usage: chromium.sh dom URL" >&2; exit 2; }
    timeout 60 "$browser" "${flags[@]}" --window-size=1200,800 --dump-dom "$2"
    ;;
  shot)
    [ $# -eq 3 ] || { echo "usage: chromium.sh shot URL FILE" >&2; exit 2; }
    file=$(realpath -m "$3")
    timeout 60 "$browser" "${flags[@]}" --hide-scrollbars --window-size=1200,800 \
      --screenshot="$file" "$2"
    ;;
  *)
    echo "usage: chromium.sh dom URL | shot URL FILE | which" >&2
    exit 2
    ;;
esac
