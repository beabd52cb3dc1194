#!/usr/bin/env bash
# cpuprof_remote.sh: `cpuprof` reading a profile from a live /debug/pprof
# endpoint by URL (profiler/tools/cpuprof/fetch.c).
#
# tests/programs/http_burn.c burns CPU in burn_cpu_hot and serves the
# endpoint (from code, then with CPUPROF_HTTP under LD_PRELOAD). Checks:
# -top URL shows burn_cpu_hot; the copy is saved as pprof names it, in
# $CPUPROF_DIR (001, then 002) or else $HOME/pprof, and reads back with the
# same rows; the shell and -http take a URL too; a 400, 404 and 500 answer
# is one error line with the status and the body's first line, exit 1;
# https, a refused connection and a non-profile answer fail cleanly.
set -u
. "$(dirname "$0")/lib.sh"
out=build/e2e/cpuprof_remote
rm -rf "$out" && mkdir -p "$out"
C=build/bin/cpuprof
http_burn_build remote_build "$out"

trap e2e_kill_started EXIT

# fetch NAME ARGS...: runs cpuprof; sets rc, and keeps NAME.out / NAME.err
fetch() {
  local name=$1; shift
  "$C" "$@" > "$out/$name.out" 2> "$out/$name.err"
  rc=$?
}
# the rows of a top report, without the header (its Time line is the same
# for a file and its copy, but keep the check about the numbers)
rows() { sed -n '/^ *flat  flat%/,$p' "$1"; }

start burn "$out/http_burn" 127.0.0.1:0 || { flunk remote_start "no port"; exit 1; }
url=http://127.0.0.1:$port/debug/pprof

# -top URL: fetched, saved under pprof's name in $CPUPROF_DIR, analyzed.
saved=$out/saved
CPUPROF_DIR=$saved fetch top1 -top "$url/profile?seconds=1"
check remote_top_exit "$rc" 0
grep -qE '^ *[0-9.]+m?s +[0-9.]+% .* burn_cpu_hot$' "$out/top1.out" &&
  pass remote_top_hot || flunk remote_top_hot "burn_cpu_hot not in the report (see $out/top1.out)"
first=$saved/pprof.http_burn.samples.cpu.001.pb.gz
check remote_saved_line "$(grep '^Saved profile in ' "$out/top1.err")" "Saved profile in $first"
check remote_fetching_line "$(grep -c "^Fetching profile over HTTP from $url/profile?seconds=1\$" \
  "$out/top1.err")" 1
if [ -f "$first" ] && "$C" -top "$first" > "$out/copy.top" 2>&1; then
  check remote_saved_same_rows "$(rows "$out/copy.top")" "$(rows "$out/top1.out")"
else
  flunk remote_saved_same_rows "$first missing or unreadable"
fi
CPUPROF_DIR=$saved fetch top2 -top -nodecount=1 "$url/profile?seconds=1"
check remote_saved_next_name "$rc $(sed -n 's/^Saved profile in //p' "$out/top2.err")" \
  "0 $saved/pprof.http_burn.samples.cpu.002.pb.gz"

# No $CPUPROF_DIR: $HOME/pprof, created when missing.
env -u CPUPROF_DIR HOME="$PWD/$out/home" "$C" -top "$url/profile?seconds=1" \
  > "$out/home.out" 2> "$out/home.err"
check remote_home_pprof "$(sed -n 's/^Saved profile in //p' "$out/home.err")" \
  "$PWD/$out/home/pprof/pprof.http_burn.samples.cpu.001.pb.gz"

# The shell and the web UI take a URL as well.
printf 'top 3\nquit\n' | CPUPROF_DIR=$saved "$C" "$url/profile?seconds=1" > "$out/shell.out" \
  2> "$out/shell.err"
grep -q 'burn_cpu_hot' "$out/shell.out" && pass remote_shell ||
  flunk remote_shell "burn_cpu_hot not in the shell's top (see $out/shell.out)"
CPUPROF_DIR=$saved "$C" -http=127.0.0.1:0 "$url/profile?seconds=1" > "$out/web.out" \
  2> "$out/web.err" &
web=$!; pids+=("$web")
wport=""
for _ in $(seq 60); do
  wport=$(sed -nE 's#^Serving web UI on http://127\.0\.0\.1:([0-9]+)$#\1#p' "$out/web.err")
  [ -n "$wport" ] && break
  sleep 0.1
done
if [ -n "$wport" ] && curl -s "http://127.0.0.1:$wport/top.json" | grep -q '"name":"burn_cpu_hot"'; then
  pass remote_web
else
  flunk remote_web "no web UI with burn_cpu_hot (see $out/web.err)"
fi
kill "$web" 2>/dev/null; wait "$web" 2>/dev/null

# Error answers: one "cpuprof:" line with the status and the body's first
# line, exit 1, nothing saved.
nsaved=$(ls "$saved" | wc -l)
CPUPROF_DIR=$saved fetch bad400 -top "$url/profile?seconds=abc"
check remote_400 "$rc|$(grep '^cpuprof: ' "$out/bad400.err")" \
  "1|cpuprof: $url/profile?seconds=abc: server answered 400 Bad Request: $(curl -s "$url/profile?seconds=abc" | head -n 1)"
CPUPROF_DIR=$saved fetch bad404 -top "$url/nowhere"
check remote_404 "$rc $(grep -c '^cpuprof: .*server answered 404 Not Found' "$out/bad404.err")" "1 1"
curl -s -o /dev/null "$url/profile?seconds=3" &
busy=$!
sleep 0.5
CPUPROF_DIR=$saved fetch bad500 -top "$url/profile?seconds=1"
wait "$busy"
check remote_500_busy "$rc|$(grep '^cpuprof: ' "$out/bad500.err")" \
  "1|cpuprof: $url/profile?seconds=1: server answered 500 Internal Server Error: Could not enable CPU profiling: cpu profiling already in use"
check remote_errors_save_nothing "$(ls "$saved" | wc -l)" "$nsaved"

# Not a profile, https, nobody listening, a bad URL: one line, exit 1.
CPUPROF_DIR=$saved fetch notprof -top "$url/cmdline"
check remote_not_a_profile "$rc $(grep -c '^cpuprof: .*the answer is not a profile' "$out/notprof.err")" "1 1"
fetch https -top "https://127.0.0.1:$port/debug/pprof/profile"
check remote_https_refused "$rc $(grep -c '^cpuprof: .*https is not supported' "$out/https.err")" "1 1"
finish
fetch refused -top "http://127.0.0.1:$port/debug/pprof/profile?seconds=1"
check remote_connection_refused "$rc $(grep -c '^cpuprof: cannot connect to 127.0.0.1' "$out/refused.err")" "1 1"
fetch badurl -top "http://127.0.0.1:99999/x"
check remote_bad_url "$rc $(grep -c '^cpuprof: .*not a valid http://host\[:port\]/path URL' "$out/badurl.err")" "1 1"

# No code change: the endpoint from CPUPROF_HTTP under LD_PRELOAD.
so=$(realpath build/lib/libcpuprof.so)
if start preload env CPUPROF_HTTP=127.0.0.1:0 LD_PRELOAD="$so" "$out/http_burn_plain" -; then
  CPUPROF_DIR=$saved fetch pre -top "http://127.0.0.1:$port/debug/pprof/profile?seconds=1"
  check remote_preload "$rc $(grep -c 'burn_cpu_hot$' "$out/pre.out")" "0 1"
  finish
else
  flunk remote_preload "no 'cpuprof: serving' line (see $out/preload.err)"
  finish
fi

e2e_done
