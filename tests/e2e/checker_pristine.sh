#!/usr/bin/env bash
# checker_pristine.sh: how the checker finds the untouched program
# (checker/pristine.c), in a learner's clone whose remote has no main.
#
# An "upstream" clone of the committed state renames main to master; the
# learner clones it (origin/master, no origin/main), commits a change to
# tasks/task09 (add kept out of line) and leaves a broken tasks/common in
# the working tree. Then, with task 9 (whose before run is the untouched
# program at -O2):
#   1. ./check task9: the untouched program is origin/master's, not the
#      learner's commit (add is no call frame in it), and it builds with the
#      tasks/common of that commit (the working tree's does not compile),
#      while yours fails to build;
#   2. CPUPROF_UNTOUCHED=HEAD names the learner's commit instead: add is
#      then a call frame in the before run;
#   3. CPUPROF_UNTOUCHED=nonsense is refused with a one-line reason;
#   4. --reset task9 restores origin/master's tasks/task09;
#   5. on a new root commit (no commit of HEAD's history on a remote) the
#      checker refuses to guess.
# Runs with CPUPROF_QUICK=1 unless told otherwise. Prints "PASS name" /
# "FAIL name"; exits 1 on any FAIL.
set -u
. "$(dirname "$0")/lib.sh"
e2e_scratch build/e2e-pristine

g() { git -c user.name=learner -c user.email=learner@example.com "$@"; }
if ! git clone -q "$root" "$tmp/up" 2>"$tmp/clone.err" ||
   ! git -C "$tmp/up" branch -q -m main master ||
   ! git clone -q "$tmp/up" "$tmp/learner" 2>>"$tmp/clone.err"; then
  fail checker_pristine_clone "git clone failed: $(head -n 1 "$tmp/clone.err")"
  exit 1
fi
up=$(git -C "$tmp/up" rev-parse master)
cd "$tmp/learner" || exit 1
if ! make -s -j2 build/bin/checker build/lib/libbench.a build/lib/libcpuprof.a \
     build/lib/libprofile.a >"$tmp/build.log" 2>&1; then
  fail checker_pristine_clone "the clone does not build (see $tmp/build.log)"
  exit 1
fi
sed -i 's/^static double add(/__attribute__((noinline)) static double add(/' tasks/task09/energy.c
g commit -q -m "my fix: add out of line" -- tasks/task09/energy.c
echo '#error the learner broke tasks/common' >>tasks/common/sha256.c

# 1. the untouched program is origin/master's, with its own tasks/common
build/bin/checker task9 >"$tmp/t9.out" 2>&1
expect_lines checker_pristine_is_remote_commit "$tmp/t9.out" \
  "^  untouched: tasks/task09 and tasks/common as of commit ${up:0:12} \\(the newest of HEAD's commits on a remote\\)$" \
  '^PASS  -O2: add is a call frame in 0 of [0-9]+ samples' \
  '^PASS  -O2: energy is the leaf call frame in'
expect_lines checker_pristine_common_from_same_commit "$tmp/t9.out" \
  '^FAIL  -fno-inline: add has flat: not measured, the yours run failed' \
  '^  the program in tasks/task09 did not build'

# 2. the override names another commit
CPUPROF_UNTOUCHED=HEAD build/bin/checker task9 >"$tmp/t9-head.out" 2>&1
expect_lines checker_pristine_override "$tmp/t9-head.out" \
  "^  untouched: tasks/task09 and tasks/common as of commit [0-9a-f]{12} \\(named by CPUPROF_UNTOUCHED\\)$" \
  '^FAIL  -O2: add is a call frame in [1-9][0-9]* of [0-9]+ samples'

# 3. a bad override is refused
CPUPROF_UNTOUCHED=nonsense build/bin/checker task9 >"$tmp/t9-bad.out" 2>&1
expect_lines checker_pristine_bad_override "$tmp/t9-bad.out" \
  '^  untouched program: CPUPROF_UNTOUCHED=nonsense is not a commit of this repository$' \
  '^FAIL  -O2: add is a call frame in: not measured, the before run failed' '!^PASS  -O2'

# 4. --reset brings back origin/master's files
build/bin/checker --reset task9 >"$tmp/reset.out" 2>&1
if git diff --quiet "$up" -- tasks/task09/energy.c; then
  pass checker_pristine_reset
else
  fail checker_pristine_reset "tasks/task09/energy.c differs from origin/master after --reset"
  cat "$tmp/reset.out"
fi

# 5. a history of which no commit is on a remote is refused
git checkout -q --orphan lonely && g commit -q -m "a new root"
build/bin/checker task9 >"$tmp/t9-orphan.out" 2>&1
expect_lines checker_pristine_refuses_unknown_base "$tmp/t9-orphan.out" \
  "^  untouched program: none of HEAD's commits is on a remote, .*CPUPROF_UNTOUCHED=<commit>$" \
  '!^PASS  -O2'

e2e_done
