#!/usr/bin/env bash
# mutex_stress.sh: the mutex profile never hangs or crashes a program, even
# with the CPU sampler at 1000 Hz, the loader and fork busy at the same time.
# tests/programs/mutex_stress.c runs 4 threads contending on 3 mutexes
# through call chains of depth 0..6 (ending in lock_site), a thread looping
# dlopen/dlclose of libm and a thread forking children that lock a mutex of
# their own, under CPUPROFILE (1000 Hz) and CPUPROF_MUTEX_RATE=1, for
# STRESS_SECONDS per timer mode (5 with CPUPROF_QUICK=1, else 30). A run
# killed by timeout is a hang and a FAIL; a crash or a non-zero exit is a
# FAIL. Both profiles must parse; the mutex profile's top function by delay
# must be lock_site, with one stack per call depth (7); forks and loads
# must have happened.
set -u
cd "$(dirname "$0")/../.."
OUT=build/tests/mutex_stress
LIB=build/lib/libcpuprof.so
mkdir -p "$OUT"
status=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; status=1; }
if [ "${CPUPROF_QUICK:-0}" = 1 ]; then secs=${STRESS_SECONDS:-5}; else secs=${STRESS_SECONDS:-30}; fi

if [ ! -f "$LIB" ] || [ ! -f build/lib/libprofile.a ] || [ ! -x build/bin/cpuprof ]; then
  echo "FAIL mutex_stress_build: build missing (run make tools)"; exit 1
fi
cc -O2 -g -pthread -o "$OUT/mutex_stress" tests/programs/mutex_stress.c -ldl &&
cc -O2 -g -Iprofiler/include -o "$OUT/mutex_summary" tests/programs/mutex_summary.c \
   build/lib/libprofile.a -lprotobuf-c -lz -lpcre2-8 -lm ||
  { echo "FAIL mutex_stress_build: cannot compile test programs"; exit 1; }

field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }

for mode in thread process; do
  cpu="$OUT/$mode.cpu.pb.gz" mx="$OUT/$mode.mutex.pb.gz"
  rm -f "$cpu" "$mx"
  # env inside timeout: only the program carries the library, not timeout
  out=$(timeout -k 5 $((secs + 60)) env CPUPROFILE="$cpu" CPUPROFILE_TIMER=$mode \
        CPUPROFILE_HZ=1000 CPUPROF_MUTEX_RATE=1 CPUPROF_MUTEX_PROFILE="$mx" LD_PRELOAD="$LIB" \
        "$OUT/mutex_stress" "$secs" 2>"$OUT/$mode.err")
  rc=$?
  echo "  $mode: exit $rc, $out"
  sed 's/^/  /' "$OUT/$mode.err"
  case $rc in
    0) pass "mutex_stress_${mode}_no_hang_no_crash" ;;
    124|137) fail "mutex_stress_${mode}_no_hang_no_crash" "hung (killed by timeout)"; continue ;;
    *) fail "mutex_stress_${mode}_no_hang_no_crash" "exit $rc"; continue ;;
  esac
  if [ "${out#*forks=}" != "$out" ] && [ "$(field forks "$out")" -gt 0 ] &&
     [ "$(field loads "$out")" -gt 0 ]; then pass "mutex_stress_${mode}_did_work"
  else fail "mutex_stress_${mode}_did_work" "$out"; fi
  sum=$("$OUT/mutex_summary" "$mx" 2>&1)
  echo "  mutex: $sum"
  if [ "$(field top "$sum")" = lock_site ] && [ "$(field samples "$sum")" -ge 7 ]; then
    pass "mutex_stress_${mode}_mutex_profile"
  else fail "mutex_stress_${mode}_mutex_profile" "$sum"; fi
  if build/bin/cpuprof -top "$cpu" >"$OUT/$mode.cpu.top" 2>&1; then
    pass "mutex_stress_${mode}_cpu_profile_parses"
  else fail "mutex_stress_${mode}_cpu_profile_parses" "$(head -c 300 "$OUT/$mode.cpu.top")"; fi
done
exit $status
