#!/usr/bin/env bash
# mutex_preload.sh: the mutex profile on an unmodified program, under
#   CPUPROF_MUTEX_RATE=n CPUPROF_MUTEX_PROFILE=file LD_PRELOAD=libcpuprof.so
# tests/programs/mutex_contend.c runs 8 threads calling bump_counter, which
# takes a mutex: one shared mutex (contended) or one each (never contended).
# Numbers come from libprofile (tests/programs/mutex_summary.c).
#   - rate 1, shared: the program's result is right, contentions > 0, the top
#     function by delay is bump_counter, stderr has the summary line, and
#     `go tool pprof -top` (when installed) reads the file and names it;
#   - rate 0: the file is written and holds no contention;
#   - private mutexes at rate 1: no contention;
#   - rate 10: period 10, contentions a multiple of 10 (each event weighs 10);
#   - a bad rate warns in one line and falls back to 1;
#   - CPU and mutex profiles together (thread timers at 1000 Hz) finish and
#     both files parse;
#   - /debug/pprof/mutex (CPUPROF_HTTP) serves the profile while it runs.
set -u
. "$(dirname "$0")/lib.sh"
OUT=build/tests/mutex_preload
LIB=build/lib/libcpuprof.so
probe_build mutex_build "$OUT" mutex_contend mutex_summary

# run NAME RATE MODE ITERS: runs the program under the library; sets sum.
run() {
  local name=$1 rate=$2 mode=$3 iters=$4
  rm -f "$OUT/$name.pb.gz"
  timeout 120 env CPUPROF_MUTEX_RATE="$rate" CPUPROF_MUTEX_PROFILE="$OUT/$name.pb.gz" \
    LD_PRELOAD="$LIB" "$OUT/mutex_contend" 8 "$iters" "$mode" >"$OUT/$name.out" 2>"$OUT/$name.err"
  rc=$?
  sum=$("$OUT/mutex_summary" "$OUT/$name.pb.gz" 2>&1) || sum="unreadable: $sum"
  echo "  $name: exit $rc, $(cat "$OUT/$name.out"), $sum"
}

run shared 1 shared 100000
if [ $rc -eq 0 ] && grep -qx 'count=800000' "$OUT/shared.out"; then pass mutex_program_still_correct
else fail mutex_program_still_correct "exit $rc, $(cat "$OUT/shared.out")"; fi
c=$(field contentions "$sum")
if [ "${c:-0}" -gt 0 ]; then pass mutex_contentions_recorded
else fail mutex_contentions_recorded "$sum"; fi
if [ "$(field top "$sum")" = bump_counter ]; then pass mutex_top_is_call_site
else fail mutex_top_is_call_site "$sum"; fi
if [ "$(field period_type "$sum")" = contentions/count ] && [ "$(field period "$sum")" = 1 ]; then
  pass mutex_period_is_rate
else fail mutex_period_is_rate "$sum"; fi
if grep -qE "^cpuprof: wrote $OUT/shared.pb.gz: [0-9]+ contentions \([0-9]+ dropped\), [0-9.]+ s delay, rate 1$" "$OUT/shared.err"; then
  pass mutex_summary_line; echo "  $(cat "$OUT/shared.err")"
else fail mutex_summary_line "$(head -c 300 "$OUT/shared.err")"; fi
if command -v go >/dev/null 2>&1; then
  gout=$(go tool pprof -top "$OUT/shared.pb.gz" 2>&1); grc=$?
  if [ $grc -eq 0 ] && grep -qE '^ *[0-9.]+[mun]?s +[0-9.]+% +[0-9.]+% +[0-9.]+[mun]?s +[0-9.]+% +bump_counter$' <<<"$gout"; then
    pass mutex_go_pprof
    grep -m1 -E 'bump_counter$' <<<"$gout" | sed 's/^/  go tool pprof: /'
  else fail mutex_go_pprof "exit $grc: $(head -c 400 <<<"$gout")"; fi
  gout=$(go tool pprof -top -sample_index=contentions "$OUT/shared.pb.gz" 2>&1)
  if grep -q 'Type: contentions' <<<"$gout" && grep -q bump_counter <<<"$gout"; then
    pass mutex_go_pprof_contentions
  else fail mutex_go_pprof_contentions "$(head -c 400 <<<"$gout")"; fi
else
  echo "SKIP mutex_go_pprof (no go on PATH)"
fi

run off 0 shared 100000
if [ $rc -eq 0 ] && [ "$(field contentions "$sum")" = 0 ] && [ "$(field samples "$sum")" = 0 ]; then
  pass mutex_rate_zero_records_nothing
else fail mutex_rate_zero_records_nothing "exit $rc, $sum"; fi

run private 1 private 100000
if [ $rc -eq 0 ] && [ "$(field contentions "$sum")" = 0 ]; then pass mutex_uncontended_records_nothing
else fail mutex_uncontended_records_nothing "exit $rc, $sum"; fi

run rate10 10 shared 100000
c=$(field contentions "$sum")
if [ "$(field period "$sum")" = 10 ] && [ "${c:-0}" -gt 0 ] && [ $((c % 10)) -eq 0 ]; then
  pass mutex_rate_weights_samples
else fail mutex_rate_weights_samples "$sum"; fi

run badrate abc shared 20000
if [ $rc -eq 0 ] && [ "$(grep -c 'CPUPROF_MUTEX_RATE=abc' "$OUT/badrate.err")" = 1 ] &&
   [ "$(field period "$sum")" = 1 ]; then pass mutex_bad_rate_falls_back
else fail mutex_bad_rate_falls_back "exit $rc: $(head -c 300 "$OUT/badrate.err")"; fi

# CPU and mutex profiles at once: the SIGPROF handler and the mutex
# recorder both unwind; neither may hang or crash the other.
rm -f "$OUT/both.cpu.pb.gz" "$OUT/both.mutex.pb.gz"
timeout 120 env CPUPROFILE="$OUT/both.cpu.pb.gz" CPUPROFILE_TIMER=thread CPUPROFILE_HZ=1000 \
  CPUPROF_MUTEX_RATE=1 CPUPROF_MUTEX_PROFILE="$OUT/both.mutex.pb.gz" LD_PRELOAD="$LIB" \
  "$OUT/mutex_contend" 8 300000 shared >"$OUT/both.out" 2>"$OUT/both.err"
rc=$?
msum=$("$OUT/mutex_summary" "$OUT/both.mutex.pb.gz" 2>&1)
if [ $rc -eq 0 ] && [ "$(field top "$msum")" = bump_counter ] &&
   build/bin/cpuprof -top "$OUT/both.cpu.pb.gz" >"$OUT/both.cpu.top" 2>&1 &&
   grep -q bump_counter "$OUT/both.cpu.top"; then
  pass mutex_with_cpu_profile
  sed 's/^/  /' "$OUT/both.err"
else fail mutex_with_cpu_profile "exit $rc, $msum, $(head -c 300 "$OUT/both.err")"; fi

# /debug/pprof/mutex while the program runs.
if command -v curl >/dev/null 2>&1; then
  rm -f "$OUT/http.err"
  # env after timeout: the variables must reach the program only, not timeout
  timeout 120 env CPUPROF_HTTP=127.0.0.1:0 CPUPROF_MUTEX_RATE=1 LD_PRELOAD="$LIB" \
    "$OUT/mutex_contend" 8 3000000 shared >"$OUT/http.out" 2>"$OUT/http.err" &
  hpid=$!
  port=""
  for _ in $(seq 50); do
    port=$(sed -nE 's#^cpuprof: serving http://[^:]+:([0-9]+)/.*#\1#p' "$OUT/http.err" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  sleep 0.5
  hcode=$(curl -s -D "$OUT/http.hdr" -o "$OUT/http.pb.gz" -w '%{http_code}' \
          "http://127.0.0.1:$port/debug/pprof/mutex")
  scode=$(curl -s -o "$OUT/http.400" -w '%{http_code}' \
          "http://127.0.0.1:$port/debug/pprof/mutex?seconds=5")
  kill "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null
  hsum=$("$OUT/mutex_summary" "$OUT/http.pb.gz" 2>&1)
  echo "  /debug/pprof/mutex: $hcode, $hsum"
  if [ "$hcode" = 200 ] && [ "$(field top "$hsum")" = bump_counter ] &&
     grep -qi '^Content-Disposition: attachment; filename="mutex"' "$OUT/http.hdr"; then
    pass mutex_http_endpoint
  else fail mutex_http_endpoint "port '$port', status $hcode, $hsum"; fi
  if [ "$scode" = 400 ] && grep -q 'seconds is not supported' "$OUT/http.400"; then
    pass mutex_http_seconds_refused
  else fail mutex_http_seconds_refused "status $scode"; fi
else
  echo "SKIP mutex_http_endpoint (no curl)"
fi
e2e_done
