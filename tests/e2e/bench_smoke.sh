#!/usr/bin/env bash
# bench_smoke.sh: `make bench` machinery works, on a very short run.
#
#   1. profbench at -scale=0.02 runs every experiment and exits 0, printing
#      the five tables; raw.tsv has a line per child run of each variant.
#   2. Profiles of both profilers were written and read: the accuracy table
#      has a sample count for each variant.
#   3. The gperftools reader agrees with google-pprof: per function of
#      work_split3, our flat sample count equals google-pprof's cum count
#      (google-pprof shows the inlined loop body as its own frame), and the
#      totals are equal.
#   4. Bad input: an unknown flag and a file that is no gperftools profile
#      each give one line on stderr and a non-zero exit.
# Asserts nothing about speed. Prints "PASS name" / "FAIL name".
set -u
cd "$(dirname "$0")/../.."
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
out=build/bench-smoke
rm -rf "$out"
mkdir -p "$out"

if [ ! -r /usr/lib/x86_64-linux-gnu/libprofiler.so ]; then
  echo "SKIP bench_smoke: gperftools' libprofiler.so is not installed"
  exit 0
fi
if ! make -s bench-bins >"$out/make.log" 2>&1; then
  fail bench_build "make bench-bins failed (see $out/make.log)"
  exit 1
fi
pb=build/bench/bin/profbench

# 1. a short full run
$pb -out="$out" -scale=0.02 -reps=6 >"$out/run.log" 2>"$out/run.err"
rc=$?
nsec=$(grep -cE '^== (1|1b|2|3|4)\. ' "$out/run.log")
if [ "$rc" -eq 0 ] && [ "$nsec" -eq 5 ]; then
  pass bench_smoke_run
else
  fail bench_smoke_run "rc=$rc, $nsec of 5 sections (see $out/run.log, $out/run.err)"
fi
bad=0
for exp in overhead fixed onoff accuracy threads rate; do
  n=$(awk -F'\t' -v e="$exp" '$1 == e' "$out/raw.tsv" 2>/dev/null | wc -l)
  [ "$n" -gt 0 ] || { bad=1; echo "  no raw.tsv lines for $exp"; }
done
for v in none cpuprof-process cpuprof-thread gperftools; do
  n=$(awk -F'\t' -v v="$v" '$1 == "overhead" && $2 == v' "$out/raw.tsv" 2>/dev/null | wc -l)
  [ "$n" -eq 6 ] || { bad=1; echo "  $n overhead lines for $v, want 6"; }
done
[ "$bad" -eq 0 ] && pass bench_smoke_raw || fail bench_smoke_raw "raw.tsv incomplete"

# 2. every variant's accuracy profile was read and has samples
ok=1
for v in cpuprof-process cpuprof-thread gperftools; do
  n=$(awk -v v="$v" '$1 == v && $2 ~ /^[0-9]+$/ {print $2; exit}' "$out/summary.txt")
  [ -n "$n" ] && [ "$n" -gt 0 ] || { ok=0; echo "  no samples for $v"; }
done
[ "$ok" -eq 1 ] && pass bench_smoke_profiles_read || fail bench_smoke_profiles_read "see $out/summary.txt"

# 3. our gperftools reader vs google-pprof, on a profile long enough to count
prof=$out/split3.gperf.prof
CPUPROFILE=$prof CPUPROFILE_FREQUENCY=250 LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libprofiler.so \
  build/bench/bin/work_split3 3000 >/dev/null 2>"$out/split3.err"
if ! command -v google-pprof >/dev/null; then
  echo "SKIP bench_gperf_reader: google-pprof not installed"
elif [ ! -s "$prof" ]; then
  fail bench_gperf_reader "gperftools wrote no profile (see $out/split3.err)"
else
  $pb -gperf-top="$prof" >"$out/ours.txt" 2>&1
  google-pprof --text build/bench/bin/work_split3 "$prof" >"$out/pprof.txt" 2>/dev/null
  mism=""
  t1=$(awk '$1 == "total" {print $2}' "$out/ours.txt")
  t2=$(awk '$1 == "Total:" {print $2}' "$out/pprof.txt")
  [ -n "$t1" ] && [ "$t1" = "$t2" ] && [ "$t1" -gt 0 ] || mism="total ours=$t1 pprof=$t2"
  for f in split_a split_b split_c; do
    a=$(awk -v f="$f" '$2 == f {print $1}' "$out/ours.txt")
    b=$(awk -v f="$f" '$6 == f {print $4}' "$out/pprof.txt")
    [ -n "$a" ] && [ "$a" = "$b" ] || mism="$mism $f ours=$a pprof=$b"
  done
  [ -z "$mism" ] && pass bench_gperf_reader || fail bench_gperf_reader "$mism"
fi

# 4. bad input
$pb -bogus=1 >/dev/null 2>"$out/bad1.err"; rc1=$?
$pb -gperf-top=/etc/hostname >/dev/null 2>"$out/bad2.err"; rc2=$?
head -c 100 "$prof" >"$out/trunc.prof" 2>/dev/null
$pb -gperf-top="$out/trunc.prof" >/dev/null 2>"$out/bad3.err"; rc3=$?
if [ "$rc1" -ne 0 ] && [ "$rc2" -ne 0 ] && [ "$rc3" -ne 0 ] &&
   grep -q 'unknown flag -bogus' "$out/bad1.err" &&
   [ "$(wc -l <"$out/bad2.err")" -eq 1 ] && grep -q 'not a gperftools CPU profile' "$out/bad2.err" &&
   [ "$(wc -l <"$out/bad3.err")" -eq 1 ] && grep -q 'not a gperftools CPU profile' "$out/bad3.err"; then
  pass bench_bad_input
else
  fail bench_bad_input "rc=$rc1/$rc2/$rc3: $(cat "$out"/bad*.err | tr '\n' '|')"
fi

[ "$fails" -eq 0 ]
