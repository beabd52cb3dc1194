#!/usr/bin/env bash
# cpuprof_cli.sh: end-to-end tests of the analyzer `cpuprof` on hand-built
# profiles with known numbers (tests/programs/cpuprof_gen.c describes them).
#
# main.pb.gz: 100 samples of 10ms; leaf is the leaf of 60, other of 40;
# main is on every stack, work on 50, rec on 20 (10 of them recursive, so
# counted once each). Every expected number below follows from that by hand:
# e.g. leaf flat = 60 x 10ms = 600ms = 60.00% of 1000ms. The -ci intervals
# are the Wilson formula of docs/cpuprof.md worked for k/n = 60/100, 40/100
# and 0/100 with z = 1.96.
#
# Prints PASS/FAIL per check; exits non-zero when any check failed.
set -u
cd "$(dirname "$0")/../.."
export TZ=UTC LC_ALL=C
C=build/bin/cpuprof
T=build/test-cpuprof-cli
failed=0

pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1"
  failed=1
}
# same NAME EXPECTED ACTUAL
same() {
  if [ "$2" == "$3" ]; then
    pass "$1"
  else
    fail "$1"
    diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /'
  fi
}
# run ARGS...: sets out, err, rc
run() {
  out=$("$C" "$@" 2>"$T/stderr")
  rc=$?
  err=$(cat "$T/stderr")
}
# rows: the table rows of a top report (after the column header)
rows() { sed -n '/^ *flat  flat%/,$p' <<<"$1" | tail -n +2; }
# table N TEXT: the rows of the Nth top table in a shell session's output
table() { awk -v n="$1" '/^ *flat  flat%/ { k++; on = (k == n); next } on && /^ / { print; next } { on = 0 }' <<<"$2"; }

if [ ! -x "$C" ] || [ ! -f build/lib/libprofile.a ]; then
  fail "cpuprof_cli_built (run make tools first)"
  exit 1
fi
rm -rf "$T" && mkdir -p "$T"
if ! cc -std=c17 -O1 -D_GNU_SOURCE -Iprofiler/include -Ibuild/gen -o "$T/cpuprof_gen" \
    tests/programs/cpuprof_gen.c build/lib/libprofile.a -lprotobuf-c -lz -lpcre2-8 -lm ||
   ! "$T/cpuprof_gen" "$T"; then
  fail "cpuprof_cli_generator"
  exit 1
fi
M=$T/main.pb.gz

# ---- -top: the whole report, header included --------------------------
run -top "$M"
same cpuprof_top "File: demo
Build ID: abc123
Type: cpu
Time: Nov 14, 2023 at 10:13pm (UTC)
Duration: 1s, Total samples = 1000ms (  100%)
Showing nodes accounting for 1000ms, 100% of 1000ms total
      flat  flat%   sum%        cum   cum%
     600ms 60.00% 60.00%      600ms 60.00%  leaf
     400ms 40.00%   100%      400ms 40.00%  other
         0     0%   100%     1000ms   100%  main
         0     0%   100%      200ms 20.00%  rec
         0     0%   100%      500ms 50.00%  work" "$out"

run -top -cum "$M"
same cpuprof_top_cum "         0     0%     0%     1000ms   100%  main
     600ms 60.00% 60.00%      600ms 60.00%  leaf
         0     0% 60.00%      500ms 50.00%  work
     400ms 40.00%   100%      400ms 40.00%  other
         0     0%   100%      200ms 20.00%  rec" "$(rows "$out")"

run -top -nodecount=2 "$M"
same cpuprof_top_nodecount "Showing nodes accounting for 1000ms, 100% of 1000ms total
Showing top 2 nodes out of 5
      flat  flat%   sum%        cum   cum%
     600ms 60.00% 60.00%      600ms 60.00%  leaf
     400ms 40.00%   100%      400ms 40.00%  other" "$(tail -n 5 <<<"$out")"

# Go's flag syntax: "--name", "-name value".
run --nodecount 2 --top "$M"
same cpuprof_flag_forms "$(rows "$(build/bin/cpuprof -top -nodecount=2 "$M")")" "$(rows "$out")"

run -top -sample_index=samples "$M"
same cpuprof_sample_index "Type: samples
        60 60.00% 60.00%         60 60.00%  leaf
        40 40.00%   100%         40 40.00%  other
         0     0%   100%        100   100%  main
         0     0%   100%         20 20.00%  rec
         0     0%   100%         50 50.00%  work" "$(grep '^Type' <<<"$out"; rows "$out")"

# 100 functions of 1 sample each fall under 0.5% of the total.
run -top "$T/many.pb.gz"
same cpuprof_dropped_nodes "Showing nodes accounting for 9s, 90.00% of 10s total
Dropped 100 nodes (cum <= 0.05s)
      flat  flat%   sum%        cum   cum%
        9s 90.00% 90.00%         9s 90.00%  hot
         0     0% 90.00%        10s   100%  main" "$(tail -n 5 <<<"$out")"

# ---- -ci: Wilson intervals, worked by hand ------------------------------
run -top -ci "$M"
same cpuprof_ci "      flat  flat%     flat% 95% CI   sum%        cum   cum%
     600ms 60.00%   [50.2%, 69.1%] 60.00%      600ms 60.00%  leaf
     400ms 40.00%   [30.9%, 49.8%]   100%      400ms 40.00%  other
         0     0%     [0.0%, 3.7%]   100%     1000ms   100%  main
         0     0%     [0.0%, 3.7%]   100%      200ms 20.00%  rec
         0     0%     [0.0%, 3.7%]   100%      500ms 50.00%  work" "$(tail -n 6 <<<"$out")"

# ---- -base / -diff_base --------------------------------------------------
# base: leaf 30, other 50. Diff: leaf +30, other -10 samples. -base's total
# is every |value| (100 + 80 samples = 1.8s); -diff_base's is the base's
# (80 samples = 800ms).
run -top -base="$T/base.pb.gz" "$M"
same cpuprof_base "Showing nodes accounting for 200ms, 11.11% of 1800ms total
      flat  flat%   sum%        cum   cum%
     300ms 16.67% 16.67%      300ms 16.67%  leaf
    -100ms  5.56% 11.11%     -100ms  5.56%  other
         0     0% 11.11%      200ms 11.11%  main
         0     0% 11.11%      200ms 11.11%  rec
         0     0% 11.11%      200ms 11.11%  work" "$(tail -n 7 <<<"$out")"

run -top -diff_base "$T/base.pb.gz" "$M"
same cpuprof_diff_base "     300ms 37.50% 37.50%      300ms 37.50%  leaf
    -100ms 12.50% 25.00%     -100ms 12.50%  other" "$(rows "$out" | head -n 2)"

# ---- filters: totals stay those of the whole profile ----------------------
run -top -focus=rec "$M"
same cpuprof_focus "Active filters:
   focus=rec
Showing nodes accounting for 200ms, 20.00% of 1000ms total
      flat  flat%   sum%        cum   cum%
     100ms 10.00% 10.00%      100ms 10.00%  leaf
     100ms 10.00% 20.00%      100ms 10.00%  other
         0     0% 20.00%      200ms 20.00%  main
         0     0% 20.00%      200ms 20.00%  rec" "$(tail -n 8 <<<"$out")"

run -top -ignore='^rec$' "$M"
same cpuprof_ignore "     500ms 50.00% 50.00%      500ms 50.00%  leaf
     300ms 30.00% 80.00%      300ms 30.00%  other
         0     0% 80.00%      800ms 80.00%  main
         0     0% 80.00%      500ms 50.00%  work" "$(rows "$out")"

run -top -tagfocus=thread=main "$M"
same cpuprof_tagfocus "     400ms 40.00% 40.00%      400ms 40.00%  other
         0     0% 40.00%      400ms 40.00%  main
         0     0% 40.00%      100ms 10.00%  rec" "$(rows "$out")"

run -top -tagignore=thread=main -sample_index=samples "$M"
same cpuprof_tagignore "        60 60.00% 60.00%         60 60.00%  leaf
         0     0% 60.00%         60 60.00%  main
         0     0% 60.00%         10 10.00%  rec
         0     0% 60.00%         50 50.00%  work" "$(rows "$out")"

# ---- -tags, -traces --------------------------------------------------------
run -tags "$M"
same cpuprof_tags " size: Total 100.0ms
       100.0ms (  100%): 4kB

 thread: Total 1.0s
         600.0ms (60.00%): worker
         400.0ms (40.00%): main" "$out"

run -traces "$M"
same cpuprof_traces "-----------+-------------------------------------------------------
    thread:  worker
     100ms   leaf
             rec
             rec
             main
-----------+-------------------------------------------------------
    thread:  main
     300ms   other
             main
-----------+-------------------------------------------------------
    thread:  main
      size:  4kB
     100ms   other
             rec
             main" "$(sed -n '11,26p' <<<"$out")"

# ---- the shell, driven through a pipe ------------------------------------
out=$(printf 'top 2\nfocus=work\ntop -cum\nfocus=\nsample_index=samples\ntop3\nnosuch\nquit\ntop\n' |
  "$C" "$M" 2>"$T/stderr")
rc=$?
# 8 prompts and 3 tables: nothing runs after quit.
same cpuprof_shell_prompts "prompts=8 tables=3" \
  "prompts=$(grep -o '(cpuprof) ' <<<"$out" | wc -l | tr -d ' ') tables=$(grep -c 'flat  flat%' <<<"$out")"
same cpuprof_shell_top2 "     600ms 60.00% 60.00%      600ms 60.00%  leaf
     400ms 40.00%   100%      400ms 40.00%  other" "$(table 1 "$out")"
# -cum with equal cum values: by name.
same cpuprof_shell_focus "     500ms 50.00% 50.00%      500ms 50.00%  leaf
         0     0% 50.00%      500ms 50.00%  main
         0     0% 50.00%      500ms 50.00%  work" "$(table 2 "$out")"
same cpuprof_shell_sample_index "        60 60.00% 60.00%         60 60.00%  leaf
        40 40.00%   100%         40 40.00%  other
         0     0%   100%        100   100%  main" "$(table 3 "$out")"
same cpuprof_shell_unknown "rc=0 unrecognized command: \"nosuch\" (type \"help\")" "rc=$rc $(cat "$T/stderr")"

out=$(printf 'focus=(\ntop 1\n' | "$C" "$M" 2>"$T/stderr")
same cpuprof_shell_bad_regex "profile: bad -focus regex \"(\": missing closing parenthesis at offset 1
     600ms 60.00% 60.00%      600ms 60.00%  leaf" "$(cat "$T/stderr"; table 1 "$out")"

# ---- errors ----------------------------------------------------------------
run -bogus "$M"
same cpuprof_bad_flag "rc=2 lines=2 cpuprof: flag provided but not defined: -bogus" \
  "rc=$rc lines=$(wc -l <<<"$err") $(head -n 1 <<<"$err")"
run -top -nodecount "$M"
same cpuprof_flag_needs_value "rc=2 cpuprof: invalid value \"$M\" for flag -nodecount: parse error" \
  "rc=$rc $(head -n 1 <<<"$err")"
run -top
same cpuprof_missing_file "rc=2 cpuprof: missing the profile FILE" "rc=$rc $(head -n 1 <<<"$err")"
run "$M" -top
same cpuprof_flag_after_file "rc=2 cpuprof: unexpected argument \"-top\" after FILE (flags go before FILE)" \
  "rc=$rc $(head -n 1 <<<"$err")"
run -top -tags "$M"
same cpuprof_two_reports 2 "$rc"
run -help
same cpuprof_help "rc=0 Usage: cpuprof [flags] FILE" "rc=$rc $(head -n 1 <<<"$out")"

head -c 60 "$M" >"$T/truncated.pb.gz"
run -top "$T/truncated.pb.gz"
same cpuprof_truncated "rc=1 lines=1 out=0" "rc=$rc lines=$(wc -l <<<"$err") out=${#out}"
case "$err" in cpuprof:*) pass cpuprof_truncated_message ;; *) fail cpuprof_truncated_message ;; esac

run -top "$T/no-such-file.pb.gz"
same cpuprof_nonexistent "rc=1 lines=1 cpuprof: profile: cannot open $T/no-such-file.pb.gz: No such file or directory" \
  "rc=$rc lines=$(wc -l <<<"$err") $err"

head -c 4096 /dev/urandom >"$T/junk"
run -top "$T/junk"
same cpuprof_garbage "rc=1 lines=1" "rc=$rc lines=$(wc -l <<<"$err")"

run -top -sample_index=bytes "$M"
same cpuprof_bad_sample_index "rc=1 cpuprof: sample_index \"bytes\" must be one of: [samples cpu]" "rc=$rc $err"

run -top -ci -base="$T/base.pb.gz" "$M"
same cpuprof_ci_with_base 2 "$rc"

exit $failed
