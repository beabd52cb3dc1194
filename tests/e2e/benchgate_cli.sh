#!/usr/bin/env bash
# benchgate_cli.sh: `benchstat -gate` as a CI job calls it: exit status 0
# on an unchanged input, 1 with a REGRESSED line naming only the slower
# benchmark, 2 when it cannot judge (too few runs, a missing benchmark, a
# unit the inputs lack, an unreadable input) and for bad usage; without
# -gate the table is unchanged. Inputs are generated with awk: Parse and
# Format, 10 runs each, within +-1% of their base.
set -u
cd "$(dirname "$0")/../.." || exit 1
BS=build/bin/benchstat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; fails=$((fails + 1)); }

if ! make -s build/bin/benchstat >"$tmp/build.log" 2>&1; then
  fail benchgate_build "$(head -n 3 "$tmp/build.log")"
  exit 1
fi

gen() {  # gen <parse-ns> <format-ns> <seed> [runs]
  awk -v p="$1" -v f="$2" -v s="$3" -v n="${4:-10}" 'BEGIN {
    srand(s);
    print "goos: linux"; print "pkg: demo";
    for (i = 0; i < n; i++)
      printf "BenchmarkParse-2   \t  100000\t%10.1f ns/op\t%10.1f cpu-ns/op\n", p * (1 + (rand() - 0.5) / 50), p * 0.9;
    for (i = 0; i < n; i++)
      printf "BenchmarkFormat-2  \t   20000\t%10.1f ns/op\t%10.1f cpu-ns/op\n", f * (1 + (rand() - 0.5) / 50), f * 0.9;
    print "PASS";
  }'
}
gen 1200 5000 1 >"$tmp/base.txt"
gen 1200 5000 2 >"$tmp/same.txt"
gen 1500 5000 3 >"$tmp/slow.txt"     # Parse +25%
gen 1230 5000 4 >"$tmp/slight.txt"   # Parse +1.7%: significant, under 5%
gen 1200 5000 5 3 >"$tmp/three.txt"  # 3 runs each
gen 1800 5000 6 3 >"$tmp/three-slow.txt"  # Parse +50%, 3 runs each

# run NAME: runs the rest of the line, keeping stdout, stderr and status.
run() {
  local name=$1
  shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.rc"
}
rc() { cat "$tmp/$1.rc"; }

run same $BS -gate=5% "$tmp/base.txt" "$tmp/same.txt"
if [ "$(rc same)" = 0 ] && ! grep -q '^REGRESSED' "$tmp/same.out" &&
   grep -qE '^ok +Parse-2 +sec/op ' "$tmp/same.out" &&
   grep -q '^gate: PASS: 2 benchmarks compared in sec/op' "$tmp/same.out"; then
  pass benchgate_unchanged_passes
else
  fail benchgate_unchanged_passes "exit $(rc same)"; cat "$tmp/same.out"
fi

run slow $BS -gate=5% "$tmp/base.txt" "$tmp/slow.txt"
if [ "$(rc slow)" = 1 ] &&
   grep -qE '^REGRESSED +Parse-2 +sec/op +\+2[0-9]\.[0-9]{2}% +p=0\.000 +n=10\+10 ' "$tmp/slow.out" &&
   grep -qE '^ok +Format-2 ' "$tmp/slow.out" &&
   [ "$(grep -c '^REGRESSED' "$tmp/slow.out")" = 1 ] &&
   grep -q '^gate: FAIL: 1 of 2 benchmarks regressed in sec/op by more than 5% (p < 0.05): Parse-2$' "$tmp/slow.out"; then
  pass benchgate_regression_fails
else
  fail benchgate_regression_fails "exit $(rc slow)"; cat "$tmp/slow.out"
fi

# The fields a script reads: verdict, name, change, in fixed positions.
got=$(awk '$1 == "REGRESSED" { print $2, $3 }' "$tmp/slow.out")
[ "$got" = "Parse-2 sec/op" ] && pass benchgate_fields || fail benchgate_fields "got '$got'"

# The improvement the other way round passes; so does a significant 1.7%,
# unless the threshold is 1%.
run faster $BS -gate=5% "$tmp/slow.txt" "$tmp/base.txt"
run slight $BS -gate 5% "$tmp/base.txt" "$tmp/slight.txt"
if [ "$(rc faster)" = 0 ] && [ "$(rc slight)" = 0 ]; then
  pass benchgate_improvement_and_small_change_pass
else
  fail benchgate_improvement_and_small_change_pass "exits $(rc faster), $(rc slight)"
fi
run slight2 $BS -gate=1% "$tmp/base.txt" "$tmp/slight.txt"
[ "$(rc slight2)" = 1 ] && pass benchgate_threshold_flag || fail benchgate_threshold_flag "exit $(rc slight2)"

# -gate-unit: cpu-ns/op did not move in slow.txt (it is a fixed 0.9 x base).
run cpu $BS -gate=5% -gate-unit=cpu-sec/op "$tmp/base.txt" "$tmp/slow.txt"
if [ "$(rc cpu)" = 1 ] && grep -qE '^REGRESSED +Parse-2 +cpu-sec/op +\+25\.00% ' "$tmp/cpu.out"; then
  pass benchgate_unit_flag
else
  fail benchgate_unit_flag "exit $(rc cpu)"; cat "$tmp/cpu.out"
fi

# Cannot judge: exit 2 and a reason.
# 3 runs a side can never reach p < 0.05 (the smallest p is 0.1), even for
# +50%: the gate must not pass what it cannot see.
run three $BS -gate=5% "$tmp/three.txt" "$tmp/three-slow.txt"
if [ "$(rc three)" = 2 ] && grep -qE '^TOO-FEW +Parse-2 +sec/op +\+[0-9.]+% +p=0\.100 +n=3\+3' "$tmp/three.out" &&
   grep -q '^gate: FAIL: too few runs' "$tmp/three.out"; then
  pass benchgate_too_few_runs
else
  fail benchgate_too_few_runs "exit $(rc three)"; cat "$tmp/three.out"
fi
grep -v Format "$tmp/same.txt" >"$tmp/noformat.txt"
run missing $BS -gate=5% "$tmp/base.txt" "$tmp/noformat.txt"
if [ "$(rc missing)" = 2 ] && grep -qE '^MISSING +Format-2 ' "$tmp/missing.out"; then
  pass benchgate_missing_benchmark
else
  fail benchgate_missing_benchmark "exit $(rc missing)"; cat "$tmp/missing.out"
fi
run unit $BS -gate=5% -gate-unit=B/op "$tmp/base.txt" "$tmp/same.txt"
if [ "$(rc unit)" = 2 ] && grep -q 'has no B/op results (its units: sec/op, cpu-sec/op)' "$tmp/unit.out"; then
  pass benchgate_absent_unit
else
  fail benchgate_absent_unit "exit $(rc unit)"; cat "$tmp/unit.out"
fi
run unreadable $BS -gate=5% "$tmp/base.txt" "$tmp/nope.txt"
if [ "$(rc unreadable)" = 2 ] && [ ! -s "$tmp/unreadable.out" ] &&
   [ "$(wc -l <"$tmp/unreadable.err")" = 1 ]; then
  pass benchgate_unreadable_input
else
  fail benchgate_unreadable_input "exit $(rc unreadable)"
fi

# Bad usage: one line on stderr, exit 2.
ok=1
for args in "-gate=5% $tmp/base.txt" "-gate=5% $tmp/base.txt $tmp/same.txt $tmp/slow.txt" \
            "-gate=-5% $tmp/base.txt $tmp/same.txt" "-gate=five $tmp/base.txt $tmp/same.txt" \
            "-gate=5% -gate-unit= $tmp/base.txt $tmp/same.txt" "-gate"; do
  # shellcheck disable=SC2086
  run usage $BS $args
  if [ "$(rc usage)" != 2 ] || [ -s "$tmp/usage.out" ] || [ "$(wc -l <"$tmp/usage.err")" != 1 ]; then
    ok=0
    echo "benchstat $args: exit $(rc usage)"; cat "$tmp/usage.err"
  fi
done
[ $ok = 1 ] && pass benchgate_usage_errors || fail benchgate_usage_errors

# Without -gate, the same inputs still give the table and exit 0.
run table $BS "$tmp/base.txt" "$tmp/slow.txt"
if [ "$(rc table)" = 0 ] && grep -q 'vs base' "$tmp/table.out" && ! grep -q '^gate:' "$tmp/table.out"; then
  pass benchgate_table_mode_unchanged
else
  fail benchgate_table_mode_unchanged "exit $(rc table)"
fi

[ "$fails" = 0 ]
