#!/usr/bin/env bash
# harness_run.sh: a tiny benchmark program linked with libbench prints Go's
# benchmark format; -count, -benchtime=Nx, -bench filtering, bad flags,
# benchstat reading its output, and -cpuprofile writing a pprof profile.
set -u
cd "$(dirname "$0")/../.."
B=build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; fails=$((fails + 1)); }

cat > "$tmp/tiny.c" <<'C'
#include "bench.h"
static int data[4096];
static int64_t sum(const int *a, int n) {
    int64_t s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    return s;
}
BENCHMARK(Sum) {
    for (int64_t i = 0; i < b->n; i++) bench_sink_i64(sum(data, 4096));
}
BENCHMARK(Copy) {
    static char src[256], dst[256];
    for (int64_t i = 0; i < b->n; i++) {
        __builtin_memcpy(dst, src, sizeof dst);
        bench_sink_ptr(dst);
    }
}
C
if ! cc -std=c17 -O2 -Iprofiler/include -DBENCH_PKG='"tinypkg"' -o "$tmp/tiny" "$tmp/tiny.c" \
     $B/lib/libbench.a $B/lib/libcpuprof.a $B/lib/libprofile.a \
     -lunwind -lprotobuf-c -lz -lpcre2-8 -lm -ldl -lrt -pthread 2> "$tmp/cc.err"; then
  cat "$tmp/cc.err"
  fail harness_build "tiny benchmark program does not link"
  exit 1
fi
pass harness_build

out=$("$tmp/tiny" -bench=. -benchtime=100x -count=3)
echo "$out"
if grep -qx 'goos: linux' <<<"$out" && grep -q '^goarch: ' <<<"$out" &&
   grep -qx 'pkg: tinypkg' <<<"$out" && grep -qx 'PASS' <<<"$out" &&
   grep -qP '^ok  \ttinypkg\t[0-9]+\.[0-9]{3}s$' <<<"$out"; then
  pass harness_header_footer
else
  fail harness_header_footer
fi
n_sum=$(grep -cP '^BenchmarkSum(-[0-9]+)? +\t +100\t +[0-9.]+ ns/op$' <<<"$out")
n_copy=$(grep -cP '^BenchmarkCopy(-[0-9]+)? +\t +100\t +[0-9.]+ ns/op$' <<<"$out")
[ "$n_sum" = 3 ] && [ "$n_copy" = 3 ] && pass harness_count_benchtime_x \
  || fail harness_count_benchtime_x "want 3+3 lines with n=100, got $n_sum+$n_copy"

procs=$(getconf _NPROCESSORS_ONLN)
suffix="-$procs"; [ "$procs" = 1 ] && suffix=""
grep -q "^BenchmarkSum$suffix " <<<"$out" && pass harness_procs_suffix \
  || fail harness_procs_suffix "want BenchmarkSum$suffix"

out2=$("$tmp/tiny" -bench='^BenchmarkCopy$' -benchtime=50ms)
if grep -q '^BenchmarkCopy' <<<"$out2" && ! grep -q '^BenchmarkSum' <<<"$out2"; then
  n=$(grep '^BenchmarkCopy' <<<"$out2" | awk -F'\t' '{gsub(/ /,"",$2); print $2}')
  [ "${n:-0}" -gt 1 ] && pass harness_bench_filter_calibrates \
    || fail harness_bench_filter_calibrates "n=$n"
else
  fail harness_bench_filter_calibrates
fi

out3=$("$tmp/tiny")
[ "$(head -n 1 <<<"$out3")" = PASS ] && pass harness_default_runs_nothing \
  || fail harness_default_runs_nothing

"$tmp/tiny" -benchtime=fast > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/e")" = 1 ] && pass harness_bad_flag \
  || fail harness_bad_flag "rc=$rc"
"$tmp/tiny" -bench='(' > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/e")" = 1 ] && pass harness_bad_regex \
  || fail harness_bad_regex "rc=$rc"
"$tmp/tiny" -h > "$tmp/o" 2>&1; rc=$?
[ $rc = 0 ] && grep -q -- -benchtime "$tmp/o" && pass harness_help \
  || fail harness_help "rc=$rc"

# Its output is benchstat input: one table, two rows, a geomean.
"$tmp/tiny" -bench=. -benchtime=100x -count=6 > "$tmp/a.txt"
if $B/bin/benchstat "$tmp/a.txt" > "$tmp/stat" 2> "$tmp/stat.err"; then
  cat "$tmp/stat"
  if grep -q 'sec/op' "$tmp/stat" && grep -q "^Sum$suffix " "$tmp/stat" &&
     grep -q "^Copy$suffix " "$tmp/stat" && grep -q '^geomean ' "$tmp/stat" &&
     grep -qx 'pkg: tinypkg' "$tmp/stat" && [ ! -s "$tmp/stat.err" ]; then
    pass harness_output_parses_with_benchstat
  else
    fail harness_output_parses_with_benchstat
  fi
else
  fail harness_output_parses_with_benchstat "benchstat failed"
fi

# -cpuprofile: a gzipped pprof profile naming the benchmarked function.
if nm $B/lib/libcpuprof.a 2>/dev/null | grep -q ' T cpuprof_start$'; then
  CPUPROFILE_HZ=500 "$tmp/tiny" -bench=Sum -benchtime=300ms -cpuprofile="$tmp/cpu.pb.gz" > "$tmp/o" 2> "$tmp/e"
  rc=$?
  magic=$(head -c 2 "$tmp/cpu.pb.gz" 2>/dev/null | od -An -tx1 | tr -d ' ')
  if [ $rc = 0 ] && [ "$magic" = 1f8b ]; then
    if command -v go > /dev/null; then
      top=$(go tool pprof -top "$tmp/tiny" "$tmp/cpu.pb.gz" 2>/dev/null)
      if grep -qE 'sum|bench_fn_Sum' <<<"$top"; then
        pass harness_cpuprofile
      else
        echo "$top" | head -20
        fail harness_cpuprofile "profile does not show the benchmark"
      fi
    else
      pass harness_cpuprofile
    fi
  else
    cat "$tmp/e"
    fail harness_cpuprofile "rc=$rc magic=$magic"
  fi
else
  echo "SKIP harness_cpuprofile (libcpuprof has no cpuprof_start yet)"
fi

[ $fails = 0 ]
