#!/usr/bin/env bash
# http_server.sh: the exercises' HTTP server (tasks/common/http_server.c)
# against real clients: hey (1000 keep-alive POSTs over 10 connections, the
# req/s is printed for information only, never judged), curl (a 3 MB body
# hashed by the server vs sha256sum, 404, Connection: close), and a clean
# stop that counts every request served.
set -u
cd "$(dirname "$0")/../.."
out=build/e2e/http_server
mkdir -p "$out"
CC=${CC:-cc}
fail=0
pass() { echo "PASS $1"; }
flunk() { echo "FAIL $1: $2"; fail=1; }

bin=$out/http_echo
if ! $CC -std=c17 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -pthread \
    tests/programs/http_echo.c tasks/common/http_server.c tasks/common/sha256.c \
    -o "$bin"; then
  flunk http_server_build "cannot compile tests/programs/http_echo.c"
  exit 1
fi

rm -f "$out/in"; mkfifo "$out/in"
"$bin" 127.0.0.1:0 4 < "$out/in" > "$out/stdout" 2> "$out/stderr" &
pid=$!
exec 7> "$out/in"          # holds the server's stdin open; closing it stops it
trap 'exec 7>&-; kill $pid 2>/dev/null' EXIT
port=""
for _ in $(seq 50); do
  port=$(awk '/^port/{print $2}' "$out/stdout")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { flunk http_server_start "no port printed"; exit 1; }
url=http://127.0.0.1:$port

if command -v hey > /dev/null; then
  hey -n 1000 -c 10 -m POST -d 'payload' "$url/" > "$out/hey.txt" 2>&1
  if grep -qE '^\s*\[200\]\s+1000 responses' "$out/hey.txt" &&
     ! grep -qE '^\s*\[[^2][0-9]*\]' "$out/hey.txt"; then
    pass http_server_hey_1000
    echo "info: hey -n 1000 -c 10 POST: $(grep 'Requests/sec' "$out/hey.txt" | tr -s ' \t' ' ')"
  else
    flunk http_server_hey_1000 "not 1000 x 200 (see $out/hey.txt)"
  fi
else
  echo "SKIP http_server_hey_1000 (hey not installed)"
fi

head -c 3000000 /dev/urandom > "$out/body.bin"
want=$(sha256sum "$out/body.bin" | cut -d' ' -f1)
got=$(curl -s --data-binary @"$out/body.bin" "$url/sha256" | tr -d '\n')
# 3 MB is over the 1 MiB body limit: the server must refuse it with 413.
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$out/body.bin" "$url/sha256")
[ "$code" = 413 ] && pass http_server_body_limit || flunk http_server_body_limit "got $code for a 3 MB body"
head -c 1000000 "$out/body.bin" > "$out/body1.bin"
want=$(sha256sum "$out/body1.bin" | cut -d' ' -f1)
got=$(curl -s --data-binary @"$out/body1.bin" "$url/sha256" | tr -d '\n')
[ "$got" = "$want" ] && pass http_server_sha256_body || flunk http_server_sha256_body "server $got, sha256sum $want"

code=$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")
[ "$code" = 404 ] && pass http_server_404 || flunk http_server_404 "got $code"

hdr=$(curl -s -D - -o /dev/null -H 'Connection: close' "$url/")
grep -qi '^Connection: close' <<<"$hdr" && pass http_server_connection_close ||
  flunk http_server_connection_close "no Connection: close in reply"

exec 7>&-
trap - EXIT
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
  kill $pid; flunk http_server_stop "did not stop within 5 s"
else
  wait $pid; rc=$?
  served=$(awk '/^served/{print $2}' "$out/stdout")
  # hey 1000 + three curl requests answered by the handler (413 is not)
  expect=$(( $(command -v hey > /dev/null && echo 1000 || echo 0) + 3 ))
  if [ "$rc" = 0 ] && [ "$served" = "$expect" ]; then pass http_server_stop
  else flunk http_server_stop "rc=$rc served=$served, expected $expect"; fi
fi
exit $fail
