#!/usr/bin/env bash
# pgo_sample_profile.sh: the sample-PGO pipeline of task 11 end to end.
# Builds task 11's program with clang and line tables, profiles it with
# libcpuprof, converts the profile with `cpuprof -llvm_sample`, and checks
# what LLVM makes of it: llvm-profdata accepts it, the indirect call's line
# carries the scorers as call targets at the right offset, clang promotes
# the call (its -Rpass remark) and puts score_batch in .text.hot. Also: a
# call inlined in the profiled binary becomes a nested record, the fallback
# to the profile's own lines when the binary is gone, and the errors.
set -u
cd "$(dirname "$0")/../.."
CPUPROF=build/bin/cpuprof
PROFDATA=$(command -v llvm-profdata || echo /usr/lib/llvm-14/bin/llvm-profdata)
out=build/e2e/pgo
rm -rf "$out"
mkdir -p "$out"
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; fails=$((fails + 1)); }

if ! command -v clang > /dev/null || [ ! -x "$PROFDATA" ] || ! command -v ld.lld > /dev/null; then
  fail pgo_tools "clang, llvm-profdata and ld.lld are needed (apt-get install clang llvm lld)"
  exit 1
fi

FLAGS="-ffunction-sections -fuse-ld=lld -Wl,-z,keep-text-section-prefix -O2 -gline-tables-only -fdebug-info-for-profiling"
build() {  # build <src dir> <out dir> <extra flags>
  make -s --no-print-directory build-task CC=clang TASK_SRC="$1" TASK_OUT="$2" \
    TASK_CFLAGS="$FLAGS $3" > "$2.log" 2>&1
}

# ---- profile and convert ----------------------------------------------
src=tasks/task11
if build $src "$out/base" "" &&
   "$out/base/bench" -bench=Score -benchtime=4000x -count=5 -cpuprofile="$out/cpu.pb.gz" \
     > "$out/bench.txt" 2>&1; then
  pass pgo_profiled_build
else
  fail pgo_profiled_build "see $out/base.log"
  exit 1
fi

summary=$($CPUPROF -llvm_sample="$out/prof.afdo" "$out/cpu.pb.gz" 2> "$out/convert.err"); rc=$?
echo "$summary"
if [ $rc = 0 ] && grep -q "binary's DWARF (with discriminators)" <<<"$summary" &&
   [ ! -s "$out/convert.err" ]; then
  pass llvm_sample_from_binary_dwarf
else
  fail llvm_sample_from_binary_dwarf "rc=$rc $(cat "$out/convert.err")"
fi

if "$PROFDATA" merge --sample --text -o "$out/merged.afdo" "$out/prof.afdo" 2> "$out/profdata.err"; then
  pass llvm_profdata_accepts
else
  fail llvm_profdata_accepts "$(cat "$out/profdata.err")"
fi

# The indirect call's line offset, from the source: the call's line minus
# the line of score_batch's name.
decl=$(grep -n '^int64_t score_batch(' $src/score.c | cut -d: -f1)
call=$(grep -n 'total += scorers\[' $src/score.c | cut -d: -f1)
off=$((call - decl))
rec=$(awk '/^score_batch:/{on=1; print; next} /^[^ ]/{on=0} on' "$out/prof.afdo")
echo "$rec"
line=$(grep -E "^ $off: " <<<"$rec")
first=$(awk '{print $3}' <<<"$line" | cut -d: -f1)
if [ -n "$line" ] && [ "$first" = score_latency ] && grep -q 'score_counter:' <<<"$line"; then
  pass call_targets_at_the_indirect_call "offset $off: $line"
else
  fail call_targets_at_the_indirect_call "offset $off, record: $(tr '\n' '|' <<<"$rec")"
fi
# The latency scorer's own lines are relative to its first line: offsets
# stay within the function's length.
lat=$(awk '/^score_latency:/{on=1; next} /^[^ ]/{on=0} on' "$out/prof.afdo")
lat_len=$(awk '/^static int64_t score_latency/{s=NR} s && /^}/{print NR - s; exit}' $src/score.c)
max_off=$(awk '{split($1, a, /[.:]/); if (a[1] > m) m = a[1]} END {print m + 0}' <<<"$lat")
if [ -n "$lat" ] && [ "$max_off" -le "$lat_len" ]; then
  pass body_offsets_relative_to_function "max offset $max_off of $lat_len lines"
else
  fail body_offsets_relative_to_function "max $max_off, length $lat_len: $lat"
fi
grep -qE '^ +[0-9]+\.[0-9]+:' "$out/prof.afdo" \
  && pass discriminators_present || fail discriminators_present

# pprof itself reads the lines and the mapping's flags (when Go is there).
if command -v go > /dev/null; then
  export HOME=${HOME:-/tmp}
  raw=$(go tool pprof -raw "$out/cpu.pb.gz" 2> /dev/null)
  lines=$(go tool pprof -top -lines "$out/cpu.pb.gz" 2> /dev/null)
  if grep -qE 'base/bench [0-9a-f]+ \[FN\]\[FL\]\[LN\]\[IN\]$' <<<"$raw" &&
     grep -qE " score_latency .*tasks/task11/score\.c:[0-9]+$" <<<"$lines"; then
    pass pprof_reads_lines_and_flags
  else
    fail pprof_reads_lines_and_flags "$(grep -A2 Mappings <<<"$raw")"
  fi
fi

# ---- build with it ----------------------------------------------------
if build $src "$out/pgo" "-fprofile-sample-use=$out/prof.afdo -Rpass=pgo-icall-prom"; then
  pass pgo_build
else
  fail pgo_build "see $out/pgo.log"
fi
grep -q "Promote indirect call to score_latency" "$out/pgo.log" \
  && pass clang_promotes_the_hot_target \
  || fail clang_promotes_the_hot_target "$(grep remark "$out/pgo.log" | head -3)"
hot=$(objdump -t "$out/pgo/bench" 2> /dev/null | awk '$4 == ".text.hot" {print $NF}' | tr '\n' ' ')
if grep -qw score_batch <<<"$hot" && ! readelf -SW "$out/base/bench" | grep -q '\.text\.hot'; then
  pass text_hot_only_with_profile "$hot"
else
  fail text_hot_only_with_profile "hot: $hot"
fi

# ---- a call inlined in the profiled binary: a nested record ------------
mkdir -p "$out/inl"
cat > "$out/inl/inl_bench.c" <<'EOF'
#include "bench.h"
static inline __attribute__((always_inline)) long mix(long x) {
    for (int i = 0; i < 64; i++) x = x * 6364136223846793005L + 1442695040888963407L;
    return x;
}
__attribute__((noinline)) long outer(long x) {
    return mix(x) ^ 7;
}
BENCHMARK(Inl) {
    long x = 1;
    for (long i = 0; i < b->n; i++) x = outer(x);
    bench_sink_i64(x);
}
EOF
if build "$out/inl" "$out/inlbin" "" &&
   "$out/inlbin/bench" -bench=Inl -benchtime=20000000x -cpuprofile="$out/inl.pb.gz" > /dev/null 2>&1 &&
   $CPUPROF -llvm_sample="$out/inl.afdo" "$out/inl.pb.gz" > /dev/null; then
  nested=$(awk '/^outer:/{on=1; next} /^[^ ]/{on=0} on' "$out/inl.afdo")
  echo "$nested"
  # outer's call to mix is one line below outer's name; mix's lines nest deeper
  if grep -qE '^ 1: mix:[0-9]+$' <<<"$nested" && grep -qE '^  [0-9]+(\.[0-9]+)?: [0-9]+' <<<"$nested"; then
    pass inlined_call_is_a_nested_record
  else
    fail inlined_call_is_a_nested_record "$(tr '\n' '|' <<<"$nested")"
  fi
  "$PROFDATA" show --sample --function=outer "$out/inl.afdo" 2>&1 | grep -q 'mix' \
    && pass llvm_profdata_reads_the_nesting || fail llvm_profdata_reads_the_nesting
else
  fail inlined_call_is_a_nested_record "the inlining fixture did not build or run"
fi

# ---- the binary gone: the profile's own lines -------------------------
mv "$out/base/bench" "$out/base/bench.moved"
summary=$($CPUPROF -llvm_sample="$out/fallback.afdo" "$out/cpu.pb.gz" 2> "$out/fallback.err"); rc=$?
mv "$out/base/bench.moved" "$out/base/bench"
if [ $rc = 0 ] && grep -q "the profile (no discriminators)" <<<"$summary" &&
   grep -q "cannot read .*using the profile's lines" "$out/fallback.err" &&
   grep -qE "^ $off: [0-9]+ score_latency:" "$out/fallback.afdo" &&
   ! grep -qE '^ +[0-9]+\.[0-9]+:' "$out/fallback.afdo" &&
   "$PROFDATA" merge --sample -o /dev/null "$out/fallback.afdo" 2> /dev/null; then
  pass fallback_to_profile_lines
else
  fail fallback_to_profile_lines "rc=$rc $summary $(cat "$out/fallback.err")"
fi

# ---- errors -----------------------------------------------------------
build $src "$out/nolines" "-g0" && "$out/nolines/bench" -bench=Score -benchtime=500x \
  -cpuprofile="$out/nolines.pb.gz" > /dev/null 2>&1
err=$($CPUPROF -llvm_sample="$out/x.afdo" "$out/nolines.pb.gz" 2>&1 > /dev/null); rc=$?
if [ $rc = 1 ] && grep -q "no sample has a source line" <<<"$err" && [ ! -e "$out/x.afdo" ]; then
  pass error_no_lines
else
  fail error_no_lines "rc=$rc $err"
fi
err=$($CPUPROF -llvm_sample=/nonexistent/dir/x.afdo "$out/cpu.pb.gz" 2>&1 > /dev/null); rc=$?
[ $rc = 1 ] && grep -q "^cpuprof: -llvm_sample: cannot write" <<<"$err" && [ "$(wc -l <<<"$err")" = 1 ] \
  && pass error_unwritable || fail error_unwritable "rc=$rc $err"
err=$($CPUPROF -top -llvm_sample="$out/x.afdo" "$out/cpu.pb.gz" 2>&1 > /dev/null); rc=$?
[ $rc = 2 ] && grep -q "at most one of" <<<"$err" \
  && pass error_with_another_report || fail error_with_another_report "rc=$rc $err"
err=$($CPUPROF -llvm_sample="$out/x.afdo" -base="$out/cpu.pb.gz" "$out/cpu.pb.gz" 2>&1 > /dev/null); rc=$?
[ $rc = 2 ] && grep -q "does not apply to -base" <<<"$err" \
  && pass error_with_base || fail error_with_base "rc=$rc $err"

[ $fails = 0 ]
