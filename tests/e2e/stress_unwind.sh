#!/usr/bin/env bash
# stress_unwind.sh: the sampler must never deadlock with a program that uses
# libunwind itself. tests/programs/unwind_stress.c takes backtraces in a loop
# on 4 threads (unw_backtrace and unw_step loops, from call chains of depth
# 0..15) while a fifth thread dlopens/dlcloses a tiny library once a
# millisecond (flushing libunwind's caches, so lookups keep happening). It
# runs under LD_PRELOAD at CPUPROFILE_HZ=1000, STRESS_SECONDS per timer mode
# (5 with CPUPROF_QUICK=1, else 20). With libunwind's global cache (what
# asking Debian's 1.6.2 for per-thread caches gives), a handler blocked on
# the cache lock that normal code held while its dl_iterate_phdr waited for
# that handler: every 5 s run hung. A run killed by timeout is a hang and a
# FAIL; a crash or non-zero exit is a FAIL. Each profile must parse and
# hold samples unwound through take_backtrace.
set -u
cd "$(dirname "$0")/../.."
OUT=build/tests/stress_unwind
LIB=build/lib/libcpuprof.so
mkdir -p "$OUT"
status=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; status=1; }
if [ "${CPUPROF_QUICK:-0}" = 1 ]; then secs=${STRESS_SECONDS:-5}; else secs=${STRESS_SECONDS:-20}; fi

if [ ! -f "$LIB" ] || [ ! -f build/lib/libprofile.a ]; then
  echo "FAIL stress_unwind_build: build/lib missing (run make tools)"; exit 1
fi
cc -O2 -g -fPIC -shared -o "$OUT/libdlstress.so" tests/programs/dl_stress_lib.c &&
cc -O2 -g -pthread -o "$OUT/unwind_stress" tests/programs/unwind_stress.c -lunwind -ldl &&
cc -O2 -g -Iprofiler/include -o "$OUT/profile_summary" tests/programs/profile_summary.c \
   build/lib/libprofile.a -lprotobuf-c -lz -lpcre2-8 -lm ||
  { echo "FAIL stress_unwind_build: cannot compile test programs"; exit 1; }

field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }

for mode in thread process; do
  prof="$OUT/$mode.pb.gz"
  rm -f "$prof"
  # env inside timeout: only the program carries the library, not timeout
  out=$(timeout -k 5 $((secs + 30)) env CPUPROFILE="$prof" CPUPROFILE_HZ=1000 \
        CPUPROFILE_TIMER=$mode LD_PRELOAD="$LIB" \
        "$OUT/unwind_stress" "$secs" "$OUT/libdlstress.so" 2>"$OUT/$mode.err")
  rc=$?
  echo "  $mode: exit $rc, $out"
  sed 's/^/  /' "$OUT/$mode.err"
  case $rc in
    0) pass "stress_unwind_${mode}_no_hang_no_crash" ;;
    124|137) fail "stress_unwind_${mode}_no_hang_no_crash" "hung (killed by timeout after $((secs + 30)) s)"; continue ;;
    *) fail "stress_unwind_${mode}_no_hang_no_crash" "exit $rc"; continue ;;
  esac
  if [ "$(field backtraces "$out")" -gt 0 ] 2>/dev/null && [ "$(field loads "$out")" -gt 0 ]; then
    pass "stress_unwind_${mode}_did_work"
  else fail "stress_unwind_${mode}_did_work" "$out"; fi
  if grep -q "warning\|disabled" "$OUT/$mode.err"; then
    fail "stress_unwind_${mode}_no_warning" "$(head -c 300 "$OUT/$mode.err")"
  else pass "stress_unwind_${mode}_no_warning"; fi
  sum=$("$OUT/profile_summary" "$prof" '^take_backtrace$' 2>&1)
  if [ $? -ne 0 ]; then fail "stress_unwind_${mode}_profile_parses" "$sum"; continue; fi
  pass "stress_unwind_${mode}_profile_parses"
  echo "  $mode: $sum"
  if [ "$(field match "$sum")" -gt 0 ] 2>/dev/null; then
    pass "stress_unwind_${mode}_unwound"
  else fail "stress_unwind_${mode}_unwound" "no sample through take_backtrace: $sum"; fi
done
exit $status
