#!/usr/bin/env bash
# checker_task13.sh: task 13 (the CPU regression gate) through the checker.
#
#   1. The reference gate passes every criterion: exit 0 on the unchanged
#      tree, a non-zero exit naming CRC32 with -DTASK13_REGRESS.
#   2. On an untouched clone (the gate as shipped measures but never
#      compares), the regression goes through and that criterion fails,
#      as does the empty writeup; the unchanged and runs criteria pass.
#   3. Gates written differently are judged on their effects, in the clone:
#      - a bare `benchstat -gate=5% -gate-unit=cpu-sec/op base new` as step
#        3 passes both gate criteria;
#      - a "gate" that always fails naming CRC32, without measuring, fails
#        the unchanged and runs criteria;
#      - a gate that exits 2 for another reason (too few runs), its output
#        listing CRC32 without saying it regressed, fails the regression
#        criterion.
# Runs with CPUPROF_QUICK=1 unless told otherwise. Prints "PASS name" /
# "FAIL name" per assertion; exits 1 on any FAIL.
set -u
. "$(dirname "$0")/lib.sh"
e2e_scratch build/e2e-task13

build_or_fail checker_build build/bin/checker build/bin/benchstat

# 1. the reference
build/bin/checker --solution task13 >"$tmp/solution.out" 2>&1
expect checker_solution_task13 "$tmp/solution.out" $? 0 '!^FAIL  ' \
  '^PASS  the gate measured each of its 3 benchmarks at least (6|10) times a side' \
  '^PASS  on the unchanged tree the gate exits 0 ' \
  '^PASS  with -DTASK13_REGRESS the gate exits 1, naming CRC32 as regressed: "REGRESSED +CRC32-2 +cpu-sec/op +\+2[0-9]\.[0-9]{2}% ' \
  '^PASS  your answer in solutions/task13/NOTES.md has ' \
  '^task 13: 4 of 4 criteria pass'
# The reference gate names CRC32 alone: nothing else regressed.
n=$(grep -c '^REGRESSED' solutions/task13/out/gate-regress.txt)
[ "$n" = 1 ] && pass checker_solution_task13_names_one || \
  fail checker_solution_task13_names_one "$n REGRESSED lines in solutions/task13/out/gate-regress.txt"

# 2. an untouched clone
clone_build checker_clone build/bin/checker build/bin/benchstat build/lib/libbench.a \
  build/lib/libcpuprof.a build/lib/libprofile.a

chk task13 >"$tmp/untouched.out" 2>&1
expect checker_untouched_task13 "$tmp/untouched.out" $? 1 \
  '^PASS  the gate measured each of its 3 benchmarks' \
  '^PASS  on the unchanged tree the gate exits 0 ' \
  '^FAIL  with -DTASK13_REGRESS the gate exits 0: the regression went through .*#a-regression-fails-the-build$' \
  '^FAIL  your answer in tasks/task13/NOTES.md has 0 lines .*#the-writeup$'

# 3. other gates, judged on effects (step 3 replaced in the clone's copy)
gate=$clone/tasks/task13/gate.sh
step3() {  # step3 FILE: the shipped gate with everything after "# 3." replaced by FILE
  sed '/^# 3\. The comparison/,$d' "$root/tasks/task13/gate.sh" >"$gate.new"
  cat "$1" >>"$gate.new"
  chmod +x "$gate.new"
  mv "$gate.new" "$gate"
}

cat >"$tmp/bare.sh" <<'EOF'
make -s build/bin/benchstat
build/bin/benchstat -gate=5% -gate-unit=cpu-sec/op "$out/base.txt" "$out/new.txt"
EOF
step3 "$tmp/bare.sh"
chk task13 >"$tmp/bare.out" 2>&1
expect checker_task13_bare_gate "$tmp/bare.out" $? 1 \
  '^PASS  on the unchanged tree the gate exits 0 ' \
  '^PASS  with -DTASK13_REGRESS the gate exits 1, naming CRC32 as regressed: "REGRESSED +CRC32-2 ' \
  '^FAIL  your answer'

# Always failing: catches the regression, but blocks every change too. The
# measuring steps are skipped so this one is quick.
cat >"$tmp/always.sh" <<'EOF'
#!/bin/sh
echo "gate: FAIL: CRC32 regressed (this gate fails everything)"
exit 1
EOF
cp "$tmp/always.sh" "$gate"
chmod +x "$gate"
chk task13 >"$tmp/always.out" 2>&1
expect checker_task13_always_failing_gate "$tmp/always.out" $? 1 \
  '^FAIL  on the unchanged tree the gate exits 1: "gate: FAIL: CRC32 regressed \(this gate fails everything\)" ' \
  '^PASS  with -DTASK13_REGRESS the gate exits 1, naming CRC32 as regressed' \
  '^FAIL  the gate: left no .*/gate-same/base.txt'

# Failing for another reason: CRC32 is in its output (benchstat lists
# every benchmark), but nothing says it regressed, and the exit is 2.
cat >"$tmp/toofew.sh" <<'EOF'
#!/bin/sh
echo "CRC32-2   32.73µ ± 2%   40.31µ ± 1%  +23.18% (p=0.100 n=3)"
echo "TOO-FEW  CRC32-2  cpu-sec/op  +23.18%  p=0.100  n=3+3  32.73µ -> 40.31µ"
echo "gate: FAIL: too few runs to detect a difference at p < 0.05 (CRC32-2); run each side more often (-count)"
exit 2
EOF
cp "$tmp/toofew.sh" "$gate"
chmod +x "$gate"
chk task13 >"$tmp/toofew.out" 2>&1
expect checker_task13_other_failure_is_no_verdict "$tmp/toofew.out" $? 1 \
  '^FAIL  with -DTASK13_REGRESS the gate exits 2, but no line names CRC32 as regressed; it printed "gate: FAIL: too few runs' \
  '!^PASS  with -DTASK13_REGRESS'

(cd "$clone" && git checkout -q -- tasks/task13/gate.sh)
[ "$fails" = 0 ]
