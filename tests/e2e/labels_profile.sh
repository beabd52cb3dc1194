#!/usr/bin/env bash
# labels_profile.sh: labels from cpuprof_do reach the CPU profile file.
# tests/programs/labels_handlers.c (linked with libcpuprof.so, profiled with
# CPUPROFILE in thread mode at 1000 Hz) burns CPU in four functions:
#   checkout_work under handler=checkout, search_work under handler=search,
#   passed_work in a thread given the creator's set (+ worker=pool),
#   orphan_work in a thread given nothing.
# With libprofile (tests/programs/labels_summary.c) each function's samples
# must all carry exactly its labels, and orphan_work's none (a new thread
# starts without labels). cpuprof -tags lists the values, -tagfocus keeps one
# handler, and `go tool pprof -tags` (when installed) reads the labels.
# The program is built with -fno-optimize-sibling-calls so each *_work
# function keeps its own frame (its call to burn is its last statement).
set -u
cd "$(dirname "$0")/../.."
OUT=build/tests/labels_profile
mkdir -p "$OUT"
status=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; status=1; }

if [ ! -f build/lib/libcpuprof.so ] || [ ! -f build/lib/libprofile.a ]; then
  echo "FAIL labels_build: build/lib missing (run make tools)"; exit 1
fi
cc -std=c17 -Wall -Wextra -Werror -O2 -g -fno-optimize-sibling-calls -D_GNU_SOURCE -pthread -Iprofiler/include \
   -o "$OUT/labels_handlers" tests/programs/labels_handlers.c \
   -Lbuild/lib -lcpuprof -Wl,-rpath,"$PWD/build/lib" &&
cc -O2 -g -Iprofiler/include -o "$OUT/labels_summary" tests/programs/labels_summary.c \
   build/lib/libprofile.a -lprotobuf-c -lz -lpcre2-8 -lm ||
  { echo "FAIL labels_build: cannot compile test programs"; exit 1; }

prof="$OUT/cpu.pb.gz"
rm -f "$prof"
timeout 120 env CPUPROFILE="$prof" CPUPROFILE_TIMER=thread CPUPROFILE_HZ=1000 \
  "$OUT/labels_handlers" 0.2 >"$OUT/run.out" 2>"$OUT/run.err"
rc=$?
if [ $rc -eq 0 ] && [ -s "$prof" ]; then pass labels_program_runs; echo "  $(cat "$OUT/run.err")"
else fail labels_program_runs "exit $rc: $(head -c 300 "$OUT/run.err")"; exit 1; fi

field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }

# expect NAME FUNC LABELS...: every sample through FUNC carries exactly the
# given key:value labels (none when LABELS is empty), and there are some.
expect() {
  local name=$1 fn=$2; shift 2
  local sum; sum=$("$OUT/labels_summary" "$prof" "^$fn\$" 2>&1)
  echo "  $fn: $sum"
  local total; total=$(field total "$sum")
  if [ "${total:-0}" -lt 20 ]; then fail "$name" "too few samples: $sum"; return; fi
  local want="total=$total unlabeled="
  if [ $# -eq 0 ]; then want+="$total"; else want+=0; fi
  for kv in "$@"; do want+=" $kv=$total"; done
  if [ "$sum" = "$want" ]; then pass "$name"; else fail "$name" "got '$sum', want '$want'"; fi
}

expect labels_checkout_samples checkout_work handler:checkout
expect labels_search_samples search_work handler:search
expect labels_passed_to_thread passed_work handler:search worker:pool
expect labels_new_thread_has_none orphan_work

tags=$(build/bin/cpuprof -tags "$prof" 2>&1)
if grep -q checkout <<<"$tags" && grep -q search <<<"$tags" && grep -q pool <<<"$tags"; then
  pass labels_cpuprof_tags
else fail labels_cpuprof_tags "$(head -c 400 <<<"$tags")"; fi
top=$(build/bin/cpuprof -top -tagfocus=handler=checkout "$prof" 2>&1)
if grep -q checkout_work <<<"$top" && ! grep -qE 'search_work|passed_work|orphan_work' <<<"$top"; then
  pass labels_cpuprof_tagfocus
else fail labels_cpuprof_tagfocus "$(head -c 400 <<<"$top")"; fi

if command -v go >/dev/null 2>&1; then
  gtags=$(go tool pprof -tags "$prof" 2>&1); grc=$?
  if [ $grc -eq 0 ] && grep -qE '^ *handler: Total' <<<"$gtags" &&
     grep -q checkout <<<"$gtags" && grep -q search <<<"$gtags"; then
    pass labels_go_pprof_tags
    grep -A3 'handler:' <<<"$gtags" | sed 's/^/  go tool pprof: /'
  else fail labels_go_pprof_tags "exit $grc: $(head -c 400 <<<"$gtags")"; fi
else
  echo "SKIP labels_go_pprof_tags (no go on PATH)"
fi
exit $status
