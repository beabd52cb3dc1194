#!/usr/bin/env bash
# checker_workbook.sh: the learner's loop, end to end, through ./check.
#
#   1. ./check --solution task1 task3 passes every criterion (exit 0).
#   2. On an untouched copy of the workbook (a git clone into build/, so the
#      real working tree is never modified; it holds the committed state),
#      ./check task1 fails exactly one criterion, the writeup, and exits 1.
#   3. ./check all prints a table of the 13 tasks.
#   4. ./check --reset task1 restores an edited program and keeps NOTES.md.
#   5. A wrong task name or flag gives one line on stderr and exit 2.
# Prints "PASS name" / "FAIL name" per assertion; exits 1 on any FAIL.
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
tmp=$root/build/e2e-checker
rm -rf "$tmp"
mkdir -p "$tmp"

# 1. the reference solutions
./check --solution task1 task3 >"$tmp/solution.out" 2>&1
rc=$?
npass=$(grep -c '^PASS  ' "$tmp/solution.out")
nfail=$(grep -c '^FAIL  ' "$tmp/solution.out")
if [ "$rc" -eq 0 ] && [ "$nfail" -eq 0 ] && [ "$npass" -eq 13 ]; then
  pass checker_solution_task1_task3
else
  fail checker_solution_task1_task3 "rc=$rc, $npass PASS and $nfail FAIL lines (want 0, 13, 0)"
  cat "$tmp/solution.out"
fi

# 2. an untouched clone: only the writeup fails
clone=$tmp/clone
if ! git clone -q "$root" "$clone" 2>"$tmp/clone.err"; then
  fail checker_clone "git clone failed: $(head -n 1 "$tmp/clone.err")"
  exit 1
fi
if ! (cd "$clone" && make -s -j2 tools >"$tmp/clone-build.log" 2>&1); then
  fail checker_clone "the clone does not build (see $tmp/clone-build.log)"
  exit 1
fi
(cd "$clone" && ./check task1) >"$tmp/untouched.out" 2>&1
rc=$?
fails_lines=$(grep '^FAIL  ' "$tmp/untouched.out")
nfail=$(grep -c '^FAIL  ' "$tmp/untouched.out")
npass=$(grep -c '^PASS  ' "$tmp/untouched.out")
if [ "$rc" -eq 1 ] && [ "$nfail" -eq 1 ] && [ "$npass" -eq 3 ] &&
   grep -q '^FAIL  your answer in tasks/task01/NOTES.md has 0 lines.*#the-writeup$' "$tmp/untouched.out"; then
  pass checker_untouched_task1_only_writeup_fails
else
  fail checker_untouched_task1_only_writeup_fails "rc=$rc, $npass PASS, FAIL lines: $fails_lines"
  cat "$tmp/untouched.out"
fi
if [ -s "$clone/tasks/task01/out/cpu.pb.gz" ] && [ -s "$clone/tasks/task01/out/bench.txt" ] &&
   grep -q '^FAIL  your answer' "$clone/tasks/task01/out/report.txt"; then
  pass checker_keeps_artifacts
else
  fail checker_keeps_artifacts "tasks/task01/out/ lacks cpu.pb.gz, bench.txt or report.txt"
fi

# 3. the progress table
(cd "$clone" && ./check all) >"$tmp/all.out" 2>&1
rows=$(grep -cE '^ *([1-9]|1[0-3])  ' "$tmp/all.out")
if [ "$rows" -eq 13 ] && grep -qE '^ +1  First profile from a benchmark +3/4 criteria pass' "$tmp/all.out" &&
   grep -qE '^ +3  Reading flat vs cumulative +8/9 criteria pass' "$tmp/all.out"; then
  pass checker_all_table
else
  fail checker_all_table "$rows rows, or the rows of task 1 and 3 are wrong"
  cat "$tmp/all.out"
fi

# 4. --reset gives back the program and keeps the learner's notes
orig=$(cat "$clone/tasks/task01/sum.c")
echo "int broken_by_the_learner;" >>"$clone/tasks/task01/sum.c"
rm -f "$clone/tasks/task01/sum.h"
printf 'my own line\n' >>"$clone/tasks/task01/NOTES.md"
(cd "$clone" && ./check --reset task1) >"$tmp/reset.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$clone/tasks/task01/sum.c")" = "$orig" ] &&
   [ -f "$clone/tasks/task01/sum.h" ] && grep -q '^my own line$' "$clone/tasks/task01/NOTES.md" &&
   (cd "$clone" && git diff --quiet -- tasks/task01/sum.c tasks/task01/sum.h); then
  pass checker_reset_restores_program
else
  fail checker_reset_restores_program "rc=$rc: $(head -n 1 "$tmp/reset.out")"
fi

# 5. usage errors: one line on stderr, nothing on stdout, exit 2
for args in "task99" "tsk1" "--bogus task1" "--reset" ""; do
  # shellcheck disable=SC2086
  ./check $args >"$tmp/usage.out" 2>"$tmp/usage.err"
  rc=$?
  if [ "$rc" -eq 2 ] && [ ! -s "$tmp/usage.out" ] && [ "$(wc -l <"$tmp/usage.err")" -eq 1 ] &&
     grep -q '^checker: ' "$tmp/usage.err"; then
    pass "checker_usage_error[$args]"
  else
    fail "checker_usage_error[$args]" "rc=$rc, stderr: $(head -n 2 "$tmp/usage.err")"
  fi
done

[ "$fails" -eq 0 ]
