#!/usr/bin/env bash
# stress_loader.sh: the sampler must never hang or crash the program it
# profiles, even while the dynamic loader is busy. tests/programs/dl_stress.c
# loops dlopen/dlclose of a tiny library the test builds and of libm,
# dl_iterate_phdr with malloc in its callback, fork (the child exits at
# once) and CPU work, on 6 threads, profiled at CPUPROFILE_HZ=1000 through
# LD_PRELOAD: 30 s in process timer mode, then 30 s in per-thread mode
# (60 s in all; CPUPROF_QUICK does not shorten it). A run that outlives its
# timeout is a hang and a FAIL; a crash or a non-zero exit is a FAIL. Each
# profile must parse, must hold some dropped samples (taken while the loader
# was busy) and some unwound ones (cpu_work).
set -u
cd "$(dirname "$0")/../.."
OUT=build/tests/stress_loader
LIB=build/lib/libcpuprof.so
SECONDS_PER_MODE=30
mkdir -p "$OUT"
status=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; status=1; }

if [ ! -f "$LIB" ] || [ ! -f build/lib/libprofile.a ]; then
  echo "FAIL stress_loader_build: build/lib missing (run make tools)"; exit 1
fi
cc -O2 -g -fPIC -shared -o "$OUT/libdlstress.so" tests/programs/dl_stress_lib.c &&
cc -O2 -g -pthread -o "$OUT/dl_stress" tests/programs/dl_stress.c -ldl &&
cc -O2 -g -Iprofiler/include -o "$OUT/profile_summary" tests/programs/profile_summary.c \
   build/lib/libprofile.a -lprotobuf-c -lz -lpcre2-8 -lm ||
  { echo "FAIL stress_loader_build: cannot compile test programs"; exit 1; }

field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }

for mode in process thread; do
  prof="$OUT/$mode.pb.gz"
  rm -f "$prof"
  # env sits inside timeout so that only dl_stress (and its forked
  # children) carry the profiler, not timeout itself.
  out=$(timeout -k 5 $((SECONDS_PER_MODE + 60)) env CPUPROFILE="$prof" CPUPROFILE_HZ=1000 \
        CPUPROFILE_TIMER=$mode LD_PRELOAD="$LIB" \
        "$OUT/dl_stress" $SECONDS_PER_MODE "$OUT/libdlstress.so" 2>"$OUT/$mode.err")
  rc=$?
  echo "  $mode: $out"
  echo "  $mode: $(tail -n 1 "$OUT/$mode.err")"
  case $rc in
    0) pass "stress_${mode}_no_hang_no_crash" ;;
    124|137) fail "stress_${mode}_no_hang_no_crash" "hung (killed by timeout after $((SECONDS_PER_MODE + 60)) s)"; continue ;;
    *) fail "stress_${mode}_no_hang_no_crash" "exit $rc: $(head -c 300 "$OUT/$mode.err")"; continue ;;
  esac
  sum=$("$OUT/profile_summary" "$prof" '^cpu_work$' 2>&1)
  if [ $? -ne 0 ]; then fail "stress_${mode}_profile_parses" "$sum"; continue; fi
  pass "stress_${mode}_profile_parses"
  echo "  $mode: $sum"
  dropped=$(field dropped "$sum"); work=$(field match "$sum")
  if [ "${dropped:-0}" -gt 0 ] && [ "${work:-0}" -gt 0 ]; then
    pass "stress_${mode}_dropped_and_unwound"
  else
    fail "stress_${mode}_dropped_and_unwound" "dropped=$dropped cpu_work=$work (both must be > 0)"
  fi
done
exit $status
