#!/usr/bin/env bash
# push_agent.sh: the push agent end to end, against build/bin/push_ingest
# (a stand-in for Pyroscope's /ingest that refuses anything the real server
# would not read as a pprof push, and stores what it accepts).
#   - CPUPROF_PUSH_* with a program linked to libcpuprof.so
#     (tests/programs/push_labeled.c: work under endpoint=/a and /b):
#     a push every period, app name, tags, from/until, each body a profile
#     that parses, the endpoint labels in it, the last partial period at exit;
#   - LD_PRELOAD on an unmodified program (cpu_burn), default app name;
#   - an unreachable, a slow and a failing server: the program runs to its
#     end, failures are counted, reported once, the summary says so;
#   - CPUPROFILE and CPUPROF_PUSH_URL together: the file profile wins, a
#     line says so; bad values: a line, the program runs;
#   - the ingest server's own checks, with curl: the forms the real server
#     accepts (multipart "profile" file, format=pprof raw body) get 200,
#     the others their error.
# Spacing between pushes is checked with a wide tolerance (0.5 to 1.8 s for
# a 1 s period): the machine may be busy; the test is about the cadence,
# not precision.
set -u
cd "$(dirname "$0")/../.."
OUT=build/tests/push_agent
rm -rf "$OUT"
mkdir -p "$OUT"
status=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; status=1; }

if [ ! -x build/bin/push_ingest ] || [ ! -f build/lib/libcpuprof.so ]; then
  echo "FAIL push_build: build/bin/push_ingest or libcpuprof.so missing (run make tools)"; exit 1
fi
cc -std=c17 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -pthread -Iprofiler/include \
   -o "$OUT/push_labeled" tests/programs/push_labeled.c \
   -Lbuild/lib -lcpuprof -Wl,-rpath,"$PWD/build/lib" &&
cc -std=c17 -O2 -g -pthread -o "$OUT/cpu_burn" tests/programs/cpu_burn.c ||
  { echo "FAIL push_build: cannot compile test programs"; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap cleanup EXIT

# ingest NAME [FLAGS...]: starts an ingest server into $OUT/NAME, sets URL.
ingest() {
  local name=$1; shift
  build/bin/push_ingest -dir "$OUT/$name" -addr 127.0.0.1:0 "$@" \
    >"$OUT/$name.out" 2>"$OUT/$name.err" &
  pids+=($!)
  URL=""
  for _ in $(seq 100); do
    URL=$(sed -n 's/^listening //p' "$OUT/$name.out")
    [ -n "$URL" ] && return 0
    sleep 0.05
  done
  echo "FAIL push_ingest_start: $(cat "$OUT/$name.err")"; exit 1
}

field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }

# ---- pushes from a labelled program --------------------------------------
ingest main
timeout 120 env CPUPROF_PUSH_URL="$URL" CPUPROF_PUSH_APP=e2e-app \
  CPUPROF_PUSH_TAGS=version=v1,region=x CPUPROF_PUSH_PERIOD=1 \
  "$OUT/push_labeled" 4.5 >"$OUT/main.run" 2>"$OUT/main.stderr"
rc=$?
log="$OUT/main/pushes.log"
n=$(wc -l <"$log" 2>/dev/null || echo 0)
if [ $rc -eq 0 ] && [ "$n" -ge 5 ]; then pass push_every_period_count
else fail push_every_period_count "exit $rc, $n pushes (want >= 5: 4 periods + the last): $(cat "$OUT/main.stderr")"; fi
echo "  $(grep -c . "$log" 2>/dev/null) pushes; $(tail -n 1 "$OUT/main.stderr")"

# Gaps between arrivals, the last (partial) push left out.
gaps=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^at_ms=/) { split($i, a, "="); t[NR] = a[2] } }
  END { for (i = 2; i < NR; i++) printf "%.2f ", (t[i] - t[i-1]) / 1000 }' "$log")
echo "  gaps between pushes (s): $gaps"
bad=$(awk -v g="$gaps" 'BEGIN { n = split(g, a, " "); for (i = 1; i <= n; i++) if (a[i] < 0.5 || a[i] > 1.8) c++; print c + 0 }')
if [ -n "$gaps" ] && [ "$bad" = 0 ]; then pass push_spacing_about_one_period
else fail push_spacing_about_one_period "gaps '$gaps' (want each 0.5..1.8 s)"; fi

ok=1; prev_until=""
while read -r line; do
  [ "$(field app "$line")" = e2e-app ] || { ok=0; echo "  bad app: $line"; }
  [ "$(field tags "$line")" = "version:v1,region:x" ] || { ok=0; echo "  bad tags: $line"; }
  [ "$(field spy "$line")" = cpuprof ] && [ "$(field rate "$line")" = 100 ] ||
    { ok=0; echo "  bad spy/rate: $line"; }
  from=$(field from "$line"); until=$(field until "$line")
  if [ "$from" -gt "$until" ] || [ $((until - from)) -gt 2 ]; then ok=0; echo "  bad from/until: $line"; fi
  if [ -n "$prev_until" ] && [ "$from" != "$prev_until" ]; then ok=0; echo "  gap in coverage: $line"; fi
  prev_until=$until
done <"$log"
if [ $ok = 1 ] && [ "$n" -gt 0 ]; then pass push_name_tags_from_until; else fail push_name_tags_from_until "see above"; fi

parsed=0
for f in "$OUT"/main/push-*.pb.gz; do
  build/bin/cpuprof -top "$f" >/dev/null 2>&1 && parsed=$((parsed + 1))
done
if [ "$parsed" = "$n" ] && [ ! -s "$OUT/main/rejected.log" ]; then pass push_bodies_parse
else fail push_bodies_parse "$parsed of $n parse; rejected: $(cat "$OUT/main/rejected.log" 2>/dev/null)"; fi

third=$(sed -n 3p "$log"); f="$OUT/main/$(field file "$third")"
tags=$(build/bin/cpuprof -tags "$f" 2>&1)
if grep -q '/a' <<<"$tags" && grep -q '/b' <<<"$tags"; then pass push_labels_in_profile
else fail push_labels_in_profile "$tags"; fi
echo "$tags" | sed 's/^/  /' | head -4
# 4.5 s at 1 s periods: the fifth push is the partial period the exit
# handler sends, and every period ended was pushed.
if [ "$n" -ge 5 ] && grep -q "push agent stopped: $n period(s), $n pushed, 0 failed" "$OUT/main.stderr"
then pass push_last_period_at_exit
else fail push_last_period_at_exit "$(cat "$OUT/main.stderr")"; fi

# ---- LD_PRELOAD on an unmodified program ---------------------------------
ingest preload
timeout 60 env CPUPROF_PUSH_URL="$URL" CPUPROF_PUSH_PERIOD=0.5 \
  LD_PRELOAD="$PWD/build/lib/libcpuprof.so" "$OUT/cpu_burn" 1.2 >"$OUT/preload.run" 2>"$OUT/preload.stderr"
rc=$?
first=$(head -n 1 "$OUT/preload/pushes.log" 2>/dev/null)
top=$(build/bin/cpuprof -top "$OUT/preload/$(field file "$(sed -n 2p "$OUT/preload/pushes.log")")" 2>&1)
if [ $rc -eq 0 ] && [ "$(field app "$first")" = cpu_burn ] && [ "$(field tags "$first")" = - ] &&
   grep -q hot_loop <<<"$top"; then pass push_preload_default_app
else fail push_preload_default_app "exit $rc, first push '$first'; $(cat "$OUT/preload.stderr")"; fi

# ---- servers that do not help ----------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 9)
timeout 60 env CPUPROF_PUSH_URL="http://127.0.0.1:$port" CPUPROF_PUSH_PERIOD=0.3 \
  LD_PRELOAD="$PWD/build/lib/libcpuprof.so" "$OUT/cpu_burn" 1.2 >"$OUT/down.run" 2>"$OUT/down.stderr"
rc=$?
nmsg=$(grep -c 'failed: connect' "$OUT/down.stderr")
if [ $rc -eq 0 ] && grep -q rusage_cpu_ns "$OUT/down.run" && [ "$nmsg" = 1 ] &&
   grep -qE 'stopped: .* 0 pushed, [2-9][0-9]* failed|stopped: .* 0 pushed, [1-9][0-9]+ failed' "$OUT/down.stderr"
then pass push_unreachable_server_harmless
else fail push_unreachable_server_harmless "exit $rc, $nmsg failure lines: $(cat "$OUT/down.stderr")"; fi
sed 's/^/  /' "$OUT/down.stderr"

ingest slow -delay-ms 5000
timeout 60 env CPUPROF_PUSH_URL="$URL" CPUPROF_PUSH_PERIOD=0.5 \
  LD_PRELOAD="$PWD/build/lib/libcpuprof.so" "$OUT/cpu_burn" 1.5 >"$OUT/slow.run" 2>"$OUT/slow.stderr"
rc=$?
if [ $rc -eq 0 ] && grep -q rusage_cpu_ns "$OUT/slow.run" &&
   grep -q 'no answer from .* within 500 ms' "$OUT/slow.stderr" &&
   grep -qE 'stopped: .* 0 pushed, [1-9][0-9]* failed' "$OUT/slow.stderr"
then pass push_slow_server_harmless
else fail push_slow_server_harmless "exit $rc: $(cat "$OUT/slow.stderr")"; fi

ingest failing -status 503
timeout 60 env CPUPROF_PUSH_URL="$URL" CPUPROF_PUSH_PERIOD=0.3 \
  LD_PRELOAD="$PWD/build/lib/libcpuprof.so" "$OUT/cpu_burn" 1 >"$OUT/failing.run" 2>"$OUT/failing.stderr"
rc=$?
if [ $rc -eq 0 ] && grep -q 'server answered 503: answering 503 as asked' "$OUT/failing.stderr"
then pass push_error_status_reported
else fail push_error_status_reported "exit $rc: $(cat "$OUT/failing.stderr")"; fi

# ---- one profile at a time; bad values ---------------------------------------
ingest both
timeout 60 env CPUPROF_PUSH_URL="$URL" CPUPROFILE="$OUT/both.pb.gz" \
  LD_PRELOAD="$PWD/build/lib/libcpuprof.so" "$OUT/cpu_burn" 0.5 >"$OUT/both.run" 2>"$OUT/both.stderr"
rc=$?
if [ $rc -eq 0 ] && [ -s "$OUT/both.pb.gz" ] && [ ! -e "$OUT/both/pushes.log" ] &&
   grep -q 'CPUPROF_PUSH_URL ignored: CPUPROFILE=' "$OUT/both.stderr"
then pass push_and_cpuprofile_one_at_a_time
else fail push_and_cpuprofile_one_at_a_time "exit $rc: $(cat "$OUT/both.stderr")"; fi

badenv() {
  local name=$1 want=$2; shift 2
  timeout 60 env "$@" LD_PRELOAD="$PWD/build/lib/libcpuprof.so" "$OUT/cpu_burn" 0.2 \
    >"$OUT/$name.run" 2>"$OUT/$name.stderr"
  local rc=$?
  if [ $rc -eq 0 ] && grep -q "$want" "$OUT/$name.stderr" && grep -q rusage "$OUT/$name.run"
  then pass "$name"; else fail "$name" "exit $rc: $(cat "$OUT/$name.stderr")"; fi
}
badenv push_env_https 'https is not supported' CPUPROF_PUSH_URL=https://127.0.0.1:4040
badenv push_env_bad_tags 'CPUPROF_PUSH_TAGS=novalue: want key=value' \
  CPUPROF_PUSH_URL="$URL" CPUPROF_PUSH_TAGS=novalue
badenv push_env_bad_period 'CPUPROF_PUSH_PERIOD=soon is not a number' \
  CPUPROF_PUSH_URL="$URL" CPUPROF_PUSH_PERIOD=soon
badenv push_env_bad_app "application name 'my app'" \
  CPUPROF_PUSH_URL="$URL" CPUPROF_PUSH_APP="my app"

# ---- the ingest server's checks ----------------------------------------------
ingest proto
prof="$OUT/main/$(field file "$(sed -n 2p "$log")")"
q='name=curl%7Bversion%3Dv9%7D&from=1700000000&until=1700000010&spyName=x&sampleRate=100'
code() { curl -s -o "$OUT/curl.body" -w '%{http_code}' "$@"; }
expect() {
  local name=$1 want=$2; shift 2
  local got; got=$(code "$@")
  if [ "$got" = "$want" ]; then pass "$name"
  else fail "$name" "HTTP $got (want $want): $(head -c 300 "$OUT/curl.body")"; fi
}
expect ingest_accepts_multipart_file 200 -F "profile=@$prof" "${URL}ingest?$q"
expect ingest_accepts_format_pprof_raw 200 --data-binary "@$prof" "${URL}ingest?$q&format=pprof"
expect ingest_refuses_multipart_with_format_pprof 422 -F "profile=@$prof" "${URL}ingest?$q&format=pprof"
expect ingest_refuses_part_without_filename 422 -F "profile=<$prof" "${URL}ingest?$q"
expect ingest_refuses_wrong_part_name 422 -F "pprof=@$prof" "${URL}ingest?$q"
expect ingest_refuses_bad_app_name 400 -F "profile=@$prof" "${URL}ingest?name=my%20app&from=1&until=2"
expect ingest_refuses_missing_from 400 -F "profile=@$prof" "${URL}ingest?name=a&until=2"
expect ingest_refuses_folded_text 415 --data-binary 'foo;bar 1' "${URL}ingest?$q"
expect ingest_refuses_get 405 "${URL}ingest?$q"
expect ingest_refuses_other_path 404 -F "profile=@$prof" "${URL}push?$q"
expect ingest_refuses_junk_profile 422 -F "profile=@$OUT/main.stderr" "${URL}ingest?$q"
acc=$(grep -c . "$OUT/proto/pushes.log" 2>/dev/null)
first=$(head -n 1 "$OUT/proto/pushes.log")
if [ "$acc" = 2 ] && [ "$(field app "$first")" = curl ] && [ "$(field tags "$first")" = version:v9 ]
then pass ingest_stores_only_accepted; else fail ingest_stores_only_accepted "$acc stored: $first"; fi

exit $status
