#!/usr/bin/env bash
# checker_tasks_2_8.sh: the server tasks (2: profile a live server, 8: the
# idle server's empty profile) through ./check, end to end.
#
#   1. ./check --solution task2 task8 passes all 12 criteria (exit 0), and
#      the runs leave their artifacts (both captures, hey's output, the web
#      UI's flame graph JSON).
#   2. On the untouched programs (tasks/task02 and tasks/task08 as
#      committed), ./check task2 task8 fails exactly the two writeups, and
#      exits 1. Skipped when those directories have local changes.
#   3. ./check --run task8 (what make task8 does) prints the idle report
#      and the loaded one.
#   4. No server is left running afterwards.
# Runs under CPUPROF_QUICK=1 (tests/run sets it): about 90 s in all.
# Prints "PASS name" / "FAIL name" / "SKIP name"; exits 1 on any FAIL.
set -u
. "$(dirname "$0")/lib.sh"
e2e_scratch build/e2e-tasks-2-8

# 1. the reference solutions
./check --solution task2 task8 >"$tmp/solution.out" 2>&1
rc=$?
verdicts "$tmp/solution.out"
if [ "$rc" -eq 0 ] && [ "$nfail" -eq 0 ] && [ "$npass" -eq 12 ]; then
  pass checker_solution_task2_task8
else
  fail checker_solution_task2_task8 "rc=$rc, $npass PASS and $nfail FAIL lines (want 0, 12, 0)"
  cat "$tmp/solution.out"
fi
# Task 8's idle capture is judged on the CPU its samples stand for, and
# the line says how many samples that took.
if grep -qE '^PASS  idle: the samples stand for [0-9]+ ms of CPU in [0-9]+ samples \(bound >= 40 ms\)$' \
     "$tmp/solution.out"; then
  pass checker_task8_idle_cpu_total
else
  fail checker_task8_idle_cpu_total "no 'idle: the samples stand for N ms of CPU in M samples' PASS line"
  grep 'idle:' "$tmp/solution.out"
fi
missing=""
for f in solutions/task02/out/cpu.pb.gz solutions/task02/out/hey.txt \
         solutions/task02/out/flamegraph.json solutions/task02/out/server.log \
         solutions/task08/out/idle.cpu.pb.gz solutions/task08/out/cpu.pb.gz \
         solutions/task08/out/hey.txt; do
  [ -s "$f" ] || missing="$missing $f"
done
if [ -z "$missing" ] && grep -q '^stopped by SIGTERM' solutions/task02/out/server.log; then
  pass checker_server_artifacts
else
  fail checker_server_artifacts "missing or empty:${missing:- none}, or the server log lacks 'stopped by SIGTERM'"
fi
# The web UI's answer was used (not the libprofile fallback) and agreed.
if grep -q 'widest leaf is compress.*web UI /flamegraph.json; libprofile agrees' "$tmp/solution.out"; then
  pass checker_task2_web_ui_flame_graph
else
  fail checker_task2_web_ui_flame_graph "no 'web UI ... libprofile agrees' on the widest-leaf line"
  grep 'widest leaf' "$tmp/solution.out"
fi

# 2. the untouched programs: only the writeups fail
if git diff --quiet HEAD -- tasks/task02 tasks/task08 &&
   [ -z "$(git ls-files --others --exclude-standard tasks/task02 tasks/task08)" ]; then
  ./check task2 task8 >"$tmp/untouched.out" 2>&1
  rc=$?
  verdicts "$tmp/untouched.out"
  nnotes=$(grep -cE '^FAIL  your answer in tasks/task0[28]/NOTES.md has 0 lines.*#the-writeup$' \
           "$tmp/untouched.out")
  if [ "$rc" -eq 1 ] && [ "$nfail" -eq 2 ] && [ "$nnotes" -eq 2 ] && [ "$npass" -eq 10 ]; then
    pass checker_untouched_task2_task8_only_writeups_fail
  else
    fail checker_untouched_task2_task8_only_writeups_fail \
      "rc=$rc, $npass PASS, $nfail FAIL ($nnotes of them writeups); want 1, 10, 2 (2)"
    cat "$tmp/untouched.out"
  fi
else
  echo "SKIP checker_untouched_task2_task8_only_writeups_fail (tasks/task02 or task08 has local changes)"
fi

# 3. make task8's view: both reports
build/bin/checker --run task8 >"$tmp/run.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q 'idle.cpu.pb.gz' "$tmp/run.out" &&
   grep -qE ' idle_housekeeping$' "$tmp/run.out" && grep -qE ' hash_handler$' "$tmp/run.out" &&
   grep -q 'Status code distribution' "$tmp/run.out"; then
  pass checker_run_task8_shows_both_captures
else
  fail checker_run_task8_shows_both_captures "rc=$rc; see $tmp/run.out"
fi

# 4. nothing left behind: a server this test's checker started runs from
# this tree (its working directory), so servers of other clones or other
# users' checkers on the machine do not count
left=""
for p in $(pgrep -f 'build/tasks/[a-z]*/task0[28]/bench'); do
  [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$root" ] && left="$left $p"
done
if [ -z "$left" ]; then
  pass checker_servers_stopped
else
  fail checker_servers_stopped "still running: $left"
fi

e2e_done
