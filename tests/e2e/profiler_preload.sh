#!/usr/bin/env bash
# profiler_preload.sh: libcpuprof with no code change, as gperftools is used:
#   CPUPROFILE=file [CPUPROFILE_HZ=n] [CPUPROFILE_TIMER=process|thread] \
#   LD_PRELOAD=build/lib/libcpuprof.so ./prog
# on an unmodified CPU-bound program (tests/programs/cpu_burn.c). In both
# timer modes the profile must parse (libprofile, via profile_summary), its
# top leaf must be the busy function hot_loop, and stderr must carry the
# one-line summary with the achieved rate. When `go` is on PATH, `go tool
# pprof -top` must read the file and name hot_loop. Bad env values warn and
# fall back; no CPUPROFILE means no profile; an unwritable path is one line
# on stderr, never a crash.
set -u
. "$(dirname "$0")/lib.sh"
OUT=build/tests/profiler_preload
LIB=build/lib/libcpuprof.so
probe_build profiler_preload_build "$OUT" cpu_burn profile_summary

line_re='^cpuprof: wrote .+: [0-9]+ samples \([0-9]+ dropped\), [0-9.]+ Hz achieved of 100 asked$'

for mode in process thread; do
  prof="$OUT/$mode.pb.gz"
  rm -f "$prof"
  CPUPROFILE="$prof" CPUPROFILE_TIMER=$mode LD_PRELOAD="$LIB" "$OUT/cpu_burn" 1 \
    >"$OUT/$mode.out" 2>"$OUT/$mode.err"
  rc=$?
  if [ $rc -ne 0 ]; then fail "preload_${mode}_runs" "exit $rc: $(head -c 300 "$OUT/$mode.err")"; continue; fi
  pass "preload_${mode}_runs"
  if grep -qE "$line_re" "$OUT/$mode.err"; then
    pass "preload_${mode}_summary_line"
    echo "  $(cat "$OUT/$mode.err")"
  else
    fail "preload_${mode}_summary_line" "stderr: $(head -c 300 "$OUT/$mode.err")"
  fi
  sum=$("$OUT/profile_summary" "$prof" 'hot_loop' 2>&1)
  if [ $? -ne 0 ]; then fail "preload_${mode}_parses" "$sum"; continue; fi
  pass "preload_${mode}_parses"
  echo "  $sum"
  top=$(field top "$sum"); samples=$(field samples "$sum")
  if [ "$top" = hot_loop ]; then pass "preload_${mode}_top_is_hot_loop"
  else fail "preload_${mode}_top_is_hot_loop" "top is $top"; fi
  # 1 CPU-second at 100 Hz asks for 100 samples; at least half must be there.
  if [ "${samples:-0}" -ge 50 ]; then pass "preload_${mode}_sample_count"
  else fail "preload_${mode}_sample_count" "samples=$samples, expected >= 50"; fi
  if command -v go >/dev/null 2>&1; then
    gout=$(go tool pprof -top "$prof" 2>&1)
    grc=$?
    if [ $grc -eq 0 ] && grep -q 'hot_loop' <<<"$gout"; then pass "preload_${mode}_go_pprof"
    else fail "preload_${mode}_go_pprof" "exit $grc: $(head -c 300 <<<"$gout")"; fi
  else
    echo "SKIP preload_${mode}_go_pprof (no go on PATH)"
  fi
done

# A bad CPUPROFILE_HZ is one warning line; the profile is still written.
prof="$OUT/badhz.pb.gz"; rm -f "$prof"
CPUPROFILE="$prof" CPUPROFILE_HZ=abc CPUPROFILE_TIMER=sometimes LD_PRELOAD="$LIB" \
  "$OUT/cpu_burn" 0.2 >/dev/null 2>"$OUT/badhz.err"
rc=$?
if [ $rc -eq 0 ] && grep -q 'CPUPROFILE_HZ=abc' "$OUT/badhz.err" &&
   grep -q 'CPUPROFILE_TIMER=sometimes' "$OUT/badhz.err" && [ -s "$prof" ]; then
  pass preload_bad_env_falls_back
else
  fail preload_bad_env_falls_back "exit $rc: $(head -c 300 "$OUT/badhz.err")"
fi

# Without CPUPROFILE the library does nothing at all.
rm -f "$OUT/none.err"
( cd "$OUT" && LD_PRELOAD="../../../$LIB" ./cpu_burn 0.1 >/dev/null 2>none.err )
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$OUT/none.err" ]; then pass preload_without_cpuprofile_is_silent
else fail preload_without_cpuprofile_is_silent "exit $rc: $(head -c 300 "$OUT/none.err")"; fi

# An unwritable path: the program still succeeds; one line says why.
CPUPROFILE=/nonexistent-dir/x.pb.gz LD_PRELOAD="$LIB" "$OUT/cpu_burn" 0.1 \
  >/dev/null 2>"$OUT/unwritable.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(wc -l <"$OUT/unwritable.err")" -eq 1 ] &&
   grep -q '^cpuprof: ' "$OUT/unwritable.err"; then
  pass preload_unwritable_path
  echo "  $(cat "$OUT/unwritable.err")"
else
  fail preload_unwritable_path "exit $rc: $(head -c 300 "$OUT/unwritable.err")"
fi

# The rate actually achieved is reported, not the one asked for.
prof="$OUT/fast.pb.gz"; rm -f "$prof"
CPUPROFILE="$prof" CPUPROFILE_HZ=1000 LD_PRELOAD="$LIB" "$OUT/cpu_burn" 1 >/dev/null 2>"$OUT/fast.err"
if grep -qE 'Hz achieved of 1000 asked$' "$OUT/fast.err"; then
  pass preload_reports_achieved_rate
  echo "  $(cat "$OUT/fast.err")"
else
  fail preload_reports_achieved_rate "$(head -c 300 "$OUT/fast.err")"
fi
e2e_done
