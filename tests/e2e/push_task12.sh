#!/usr/bin/env bash
# push_task12.sh: task 12 (continuous profiling) through the checker, both
# ways.
#   1. The reference solution passes every criterion.
#   2. On an untouched copy of the workbook (a git clone into build/, so
#      the working tree is never modified), the criteria on what ships
#      (pushes, cadence, protocol) pass, and the learner's part fails with
#      its measured value: no version tag, no endpoint label, so no diff
#      by tag, and no writeup.
#   3. Half the work (the version tag, no labels): the tag and the diff
#      pass, the label criteria still fail.
# Runs with CPUPROF_QUICK=1 unless told otherwise (2 s periods). Prints
# "PASS name" / "FAIL name" per assertion; exits 1 on any FAIL.
set -u
. "$(dirname "$0")/lib.sh"
e2e_scratch build/e2e-task12

if ! command -v hey >/dev/null; then
  fail push_task12_hey "hey is not installed (make deps)"
  exit 1
fi
build_or_fail push_task12_build build/bin/checker build/bin/push_ingest

# 1. the reference solution
build/bin/checker --solution task12 >"$tmp/solution.out" 2>&1
expect push_task12_solution_passes "$tmp/solution.out" $? 0 '!^FAIL  ' \
  '^task 12: 8 of 8 criteria pass' \
  '^PASS  the ingest server received v1 [0-9]+, v2 [0-9]+ pushes' \
  '^PASS  version tag: 10 of 10 pushes|^PASS  version tag: ([0-9]+) of \1 pushes' \
  '^PASS  endpoint label on (9[0-9]|[789][0-9])\.[0-9]% of the pushed CPU time' \
  '^PASS  the biggest change from v1 to v2 \(pushes picked by version tag\) is normalize_text'
sed -n '/^PASS\|^FAIL/p' "$tmp/solution.out" | sed 's/^/  /'

# 2. an untouched clone
clone_build push_task12_clone tools

chk task12 >"$tmp/untouched.out" 2>&1
expect push_task12_untouched_fails_learner_part "$tmp/untouched.out" $? 1 \
  '^PASS  the ingest server received ' '^PASS  pushes arrived every period: ' \
  '^PASS  pushes refused by the ingest server: 0 of ' \
  '^FAIL  version tag: 0 of [0-9]+ pushes carry version=v1/v2 matching their build \(e\.g\. tags: none\).*#tags-per-deployment$' \
  '^FAIL  endpoint label on 0\.0% of the pushed CPU time \(no endpoint label at all\).*#labels-per-request$' \
  '^FAIL  endpoint values: 0 of ' \
  '^FAIL  the biggest change from v1 to v2 \(pushes picked by version tag\) is: no push tagged version=v1' \
  '^FAIL  your answer in tasks/task12/NOTES.md has 0 lines' '^task 12: 3 of 8 criteria pass'
sed -n '/^PASS\|^FAIL/p' "$tmp/untouched.out" | sed 's/^/  /'

# 3. the version tag only
cp solutions/task12/main.c "$clone/tasks/task12/main.c"
chk task12 >"$tmp/tag-only.out" 2>&1
expect push_task12_tag_without_labels "$tmp/tag-only.out" $? 1 \
  '^PASS  version tag: ([0-9]+) of \1 pushes carry the version of their build' \
  '^PASS  the biggest change from v1 to v2 \(pushes picked by version tag\) is normalize_text' \
  '^FAIL  endpoint label on 0\.0% ' '^task 12: 5 of 8 criteria pass'

e2e_done
