#!/usr/bin/env bash
# profiler_threads.sh: does the profile account for the CPU the program
# really used? Two threads each burn 2 CPU-seconds (tests/programs/cpu_burn.c
# reports the process's getrusage CPU); the profile's cpu/nanoseconds total
# divided by that must be >= 0.97 in per-thread timer mode, where every
# thread has its own timer and overruns are weighted in. Process mode is
# measured and printed too (one setitimer for the whole process: the kernel
# merges expiries while a SIGPROF is pending, so it may fall short with
# several busy threads); it is only required to be sane (>= 0.5).
set -u
. "$(dirname "$0")/lib.sh"
OUT=build/tests/profiler_threads
LIB=build/lib/libcpuprof.so
probe_build profiler_threads_build "$OUT" cpu_burn profile_summary

# run MODE MIN_RATIO
run() {
  local mode=$1 min=$2 prof="$OUT/$1.pb.gz"
  rm -f "$prof"
  local out
  out=$(CPUPROFILE="$prof" CPUPROFILE_TIMER=$mode LD_PRELOAD="$LIB" "$OUT/cpu_burn" 2 2 2>"$OUT/$mode.err")
  local rc=$?
  if [ $rc -ne 0 ]; then fail "threads_${mode}_cpu_ratio" "exit $rc: $(head -c 300 "$OUT/$mode.err")"; return; fi
  local rusage sum cpu top ratio
  rusage=$(field rusage_cpu_ns "$out")
  sum=$("$OUT/profile_summary" "$prof" 2>&1) || { fail "threads_${mode}_cpu_ratio" "$sum"; return; }
  cpu=$(field cpu_ns "$sum"); top=$(field top "$sum")
  ratio=$(awk -v a="$cpu" -v b="$rusage" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')
  echo "  $mode: $(cat "$OUT/$mode.err")"
  echo "  $mode: profile cpu_ns=$cpu, getrusage cpu_ns=$rusage, ratio=$ratio (need >= $min), top=$top"
  if awk -v r="$ratio" -v m="$min" 'BEGIN { exit !(r >= m) }'; then pass "threads_${mode}_cpu_ratio"
  else fail "threads_${mode}_cpu_ratio" "ratio $ratio < $min"; fi
  if [ "$top" = hot_loop ]; then pass "threads_${mode}_top_is_hot_loop"
  else fail "threads_${mode}_top_is_hot_loop" "top is $top"; fi
}

run thread 0.97
run process 0.5
e2e_done
