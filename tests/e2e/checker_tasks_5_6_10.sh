#!/usr/bin/env bash
# checker_tasks_5_6_10.sh: tasks 5, 6 and 10 through the checker, both ways.
#
#   1. The reference solutions pass every criterion (exit 0).
#   2. On an untouched copy of the workbook (a git clone into build/, so the
#      working tree is never modified), every criterion that asks for a fix
#      fails and shows its measured value; the ones about the program as
#      shipped pass.
#   3. Fixes written differently from ours are judged on their effect:
#      - task 5: the helper labels itself with its own cpuprof_do passes;
#      - task 6: a pool whose workers take indexes under a mutex passes
#        (a pool's own queue is not thread life cycle);
#      - task 10: a pthread_rwlock fails (its read side is still a lock);
#        a copy-on-write cache that frees replaced tables only at
#        cache_free (a retire list) passes.
# Runs with CPUPROF_QUICK=1 unless told otherwise. Prints "PASS name" /
# "FAIL name" per assertion; exits 1 on any FAIL.
set -u
. "$(dirname "$0")/lib.sh"
e2e_scratch build/e2e-tasks-5-6-10

for tool in hey curl; do
  if ! command -v "$tool" >/dev/null; then
    fail "checker_tasks_5_6_10_$tool" "$tool is not installed (make deps)"
    exit 1
  fi
done
build_or_fail checker_build build/bin/checker

# 1. the reference solutions
build/bin/checker --solution task5 task6 task10 >"$tmp/solution.out" 2>&1
expect checker_solution_tasks_5_6_10 "$tmp/solution.out" $? 0 '!^FAIL  ' \
  '^task 5: 5 of 5 criteria pass' '^task 6: 5 of 5 criteria pass' \
  '^task 10: 4 of 4 criteria pass' \
  '^PASS  the helper thread: endpoint=/spike is on (9[0-9]|100)\.[0-9]% ' \
  '^PASS  the thread life cycle has [0-4]\.[0-9]% ' \
  '^PASS  lock and futex functions have cum 0\.[0-9]% '

# 2. an untouched clone
clone_build checker_clone build/bin/checker build/lib/libbench.a build/lib/libcpuprof.a \
  build/lib/libprofile.a

chk task5 >"$tmp/t5.out" 2>&1
expect checker_untouched_task5 "$tmp/t5.out" $? 1 \
  '^PASS  mixed load, three hey -c 2 at once: /fast [0-9]+, /slow [0-9]+, /spike [0-9]+ requests' \
  '^PASS  tags: endpoint has 3 of /fast, /slow, /spike' \
  '^PASS  -tagfocus=endpoint=/slow: slow_work is on the stack in (9[0-9]|100)\.[0-9]%' \
  '^FAIL  the helper thread: endpoint=/spike is on 0\.0% of the [0-9]+ samples with spike_work .*#the-helper-thread-carries-the-label$' \
  '^FAIL  your answer in tasks/task05/NOTES.md has 0 lines' '^task 5: 3 of 5 criteria pass'

chk task6 >"$tmp/t6.out" 2>&1
expect checker_untouched_task6 "$tmp/t6.out" $? 1 \
  '^PASS  before: the thread life cycle has [0-9.]+%' \
  '^FAIL  the thread life cycle has [0-9.]+% .*\(bound <= 5%\) .*#the-life-cycle-drops-below-5$' \
  '^FAIL  process_item has flat [0-9.]+% \(bound >= 60%\) .*#the-work-shows$' \
  '^FAIL  ProcessItems, benchstat says (no significant change|slower|faster by less than 20%): .*#the-speedup$' \
  '^FAIL  your answer in tasks/task06/NOTES.md has 0 lines' '^task 6: 1 of 5 criteria pass'

chk task10 >"$tmp/t10.out" 2>&1
expect checker_untouched_task10 "$tmp/t10.out" $? 1 \
  '^PASS  before: lock and futex functions have cum [0-9.]+%' \
  '^PASS  before: the mutex profile.s first site is cache_get ' \
  '^FAIL  lock and futex functions have cum [0-9.]+% \(bound <= 1%\) .*#lock-functions-below-1$' \
  '^FAIL  your answer in tasks/task10/NOTES.md has 0 lines' '^task 10: 2 of 4 criteria pass'

# 3. fixes written differently
t5=$clone/tasks/task05
sed -i 's/^    spike_work(j->seed, j->digest);$/    cpuprof_label l = {"endpoint", "\/spike"};\n    cpuprof_do(\&l, 1, spike_labelled, j);/' \
  "$t5/handlers.c"
sed -i 's/^static void \*spike_helper(void \*arg) {$/static void spike_labelled(void *arg) {\n    spike_job *j = arg;\n    spike_work(j->seed, j->digest);\n}\n\n&/' \
  "$t5/handlers.c"
chk task5 >"$tmp/t5-own-do.out" 2>&1
expect checker_task5_helper_own_do_passes "$tmp/t5-own-do.out" $? 1 \
  '^PASS  the helper thread: endpoint=/spike is on (9[0-9]|100)\.[0-9]% ' '^task 5: 4 of 5 criteria pass'

t6=$clone/tasks/task06
cp solutions/task06/process.c "$t6/process.c"
python3 - "$t6/process.c" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("atomic_size_t next; /* the next index to claim */",
              "size_t next; /* the next index to claim, under lock */\n    pthread_mutex_t lock;")
s = s.replace("size_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);",
              "pthread_mutex_lock(&p->lock);\n        size_t i = p->next++;\n        pthread_mutex_unlock(&p->lock);")
s = s.replace("pool p = {.items = items, .n = n};\n    atomic_init(&p.next, 0);",
              "pool p = {.items = items, .n = n, .lock = PTHREAD_MUTEX_INITIALIZER};")
open(p, "w").write(s)
PY
chk task6 >"$tmp/t6-mutex.out" 2>&1
expect checker_task6_mutex_pool_passes "$tmp/t6-mutex.out" $? 1 \
  '^PASS  the thread life cycle has [0-4]\.[0-9]% ' '^PASS  process_item has flat ' \
  '^PASS  ProcessItems, benchstat says faster: ' '^task 6: 4 of 5 criteria pass'

t10=$clone/tasks/task10
sed -i -e 's/pthread_mutex_t lock;/pthread_rwlock_t lock;/' \
  -e 's/pthread_mutex_init(&c->lock, NULL)/pthread_rwlock_init(\&c->lock, NULL)/' \
  -e 's/pthread_mutex_destroy(&c->lock)/pthread_rwlock_destroy(\&c->lock)/' \
  -e 's/pthread_mutex_unlock(&c->lock)/pthread_rwlock_unlock(\&c->lock)/' \
  -e '/^int cache_get/,/^}/s/pthread_mutex_lock(&c->lock)/pthread_rwlock_rdlock(\&c->lock)/' \
  -e 's/pthread_mutex_lock(&c->lock)/pthread_rwlock_wrlock(\&c->lock)/' "$t10/cache.c"
chk task10 >"$tmp/t10-rwlock.out" 2>&1
expect checker_task10_rwlock_fails "$tmp/t10-rwlock.out" $? 1 \
  '^FAIL  lock and futex functions have cum ([2-9]|[1-9][0-9])\.[0-9]% \(bound <= 1%\)'

cp solutions/task10/cache.c "$t10/cache.c"
python3 - "$t10/cache.c" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
# Readers no longer announce; replaced tables go on a list freed by cache_free.
s = s.replace("    reader_slot *me = my_slot;\n    if (!me) me = my_slot = claim_slot();\n"
              "    atomic_store(&me->epoch, atomic_load(&c->epoch));\n", "")
s = s.replace("    atomic_store_explicit(&me->epoch, 0, memory_order_release);\n", "")
s = s.replace("const table *t = atomic_load(&c->current);",
              "const table *t = atomic_load_explicit(&c->current, memory_order_acquire);")
s = s.replace("    wait_for_readers(c);\n    free(old->slots);\n    free(old);\n",
              "    old->retired = c->retired;\n    c->retired = old;\n")
s = s.replace("    size_t len;\n} table;", "    size_t len;\n    struct table *retired;\n} table;")
s = s.replace("    pthread_mutex_t write_lock; /* writers only */",
              "    pthread_mutex_t write_lock; /* writers only */\n    table *retired;")
s = s.replace("    pthread_mutex_destroy(&c->write_lock);",
              "    while (c->retired) {\n        table *r = c->retired;\n        c->retired = r->retired;\n"
              "        free(r->slots);\n        free(r);\n    }\n    pthread_mutex_destroy(&c->write_lock);")
s = s.replace("static reader_slot *claim_slot(void) {", "__attribute__((unused)) static reader_slot *claim_slot(void) {")
s = s.replace("static void wait_for_readers(cache *c) {", "__attribute__((unused)) static void wait_for_readers(cache *c) {")
s = s.replace("static _Thread_local reader_slot *my_slot;", "")
open(p, "w").write(s)
PY
chk task10 >"$tmp/t10-retire.out" 2>&1
expect checker_task10_retire_list_passes "$tmp/t10-retire.out" $? 1 \
  '^PASS  lock and futex functions have cum 0\.[0-9]% ' '^task 10: 3 of 4 criteria pass'

e2e_done
