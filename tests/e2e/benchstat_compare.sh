#!/usr/bin/env bash
# benchstat_compare.sh: benchstat on files of 10 runs: a real change is
# significant, identical inputs give "~", and bad input fails cleanly.
set -u
cd "$(dirname "$0")/../.."
BS=build/bin/benchstat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1${2:+: $2}"; fails=$((fails + 1)); }

# old: Parse ~1200 ns, Format ~5000 ns; new: Parse 20% faster, Format same.
gen() {  # gen <parse-base> <format-base> <seed>
  awk -v p="$1" -v f="$2" -v s="$3" 'BEGIN {
    srand(s);
    print "goos: linux"; print "goarch: amd64"; print "pkg: demo";
    for (i = 0; i < 10; i++)
      printf "BenchmarkParse-2   \t  100000\t%10.1f ns/op\t  512 B/op\n", p * (1 + (rand() - 0.5) / 50);
    for (i = 0; i < 10; i++)
      printf "BenchmarkFormat-2  \t   20000\t%10.1f ns/op\t 2048 B/op\n", f * (1 + (rand() - 0.5) / 50);
    print "PASS";
  }'
}
gen 1200 5000 1 > "$tmp/old.txt"
gen 960 5000 2 > "$tmp/new.txt"
cp "$tmp/old.txt" "$tmp/same.txt"

out=$($BS "$tmp/old.txt" "$tmp/new.txt" 2> "$tmp/err"); rc=$?
echo "$out"
if [ $rc = 0 ] && [ ! -s "$tmp/err" ] &&
   grep -qE '^Parse-2 .*-2[0-9]\.[0-9]{2}% \(p=0\.000 n=10\)$' <<<"$out"; then
  pass benchstat_significant_change
else
  fail benchstat_significant_change "rc=$rc"
fi
grep -qE '^Parse-2 +1[0-9]{3}\.[0-9]n ± [0-9]+% +9[0-9]{2}\.[0-9]n ± [0-9]+% ' <<<"$out" \
  && pass benchstat_median_and_interval || fail benchstat_median_and_interval
grep -qE '^geomean ' <<<"$out" && grep -q 'vs base' <<<"$out" \
  && grep -q 'sec/op' <<<"$out" && grep -q 'B/op' <<<"$out" \
  && pass benchstat_table_shape || fail benchstat_table_shape
grep -qE '^Format-2 .* ~ \(p=0\.[0-9]{3} n=10\)$' <<<"$out" \
  && pass benchstat_unchanged_is_tilde || fail benchstat_unchanged_is_tilde

out=$($BS "$tmp/old.txt" "$tmp/same.txt"); rc=$?
echo "$out"
n_tilde=$(grep -cE ' ~ \(p=1\.000 n=10\)' <<<"$out")
if [ $rc = 0 ] && [ "$n_tilde" -ge 2 ] && ! grep -qE '[+-][0-9]+\.[0-9]{2}% \(' <<<"$out"; then
  pass benchstat_same_files
else
  fail benchstat_same_files "rc=$rc tilde=$n_tilde"
fi

# The same path twice gets "#0" and "#1" labels.
out=$($BS "$tmp/old.txt" "$tmp/old.txt")
grep -q 'old.txt#0' <<<"$out" && grep -q 'old.txt#1' <<<"$out" \
  && pass benchstat_same_path_twice || fail benchstat_same_path_twice

# Three inputs: one table, two comparisons against the first; stdin works.
out=$($BS "$tmp/old.txt" "$tmp/new.txt" - < "$tmp/same.txt")
[ "$(grep -o 'vs base' <<<"$out" | wc -l)" -ge 4 ] \
  && pass benchstat_three_inputs || fail benchstat_three_inputs

# Few samples: footnotes instead of intervals and tests.
head -n 6 "$tmp/old.txt" > "$tmp/few_old.txt"
head -n 6 "$tmp/new.txt" > "$tmp/few_new.txt"
out=$($BS "$tmp/few_old.txt" "$tmp/few_new.txt")
echo "$out"
grep -q '± ∞ ¹' <<<"$out" && grep -q '¹ need >= 6 samples for confidence interval at level 0.95' <<<"$out" \
  && grep -q 'need >= 4 samples to detect a difference at alpha level 0.05' <<<"$out" \
  && pass benchstat_footnotes || fail benchstat_footnotes

# Malformed lines are reported (file:line: message) and skipped.
{ cat "$tmp/old.txt"; echo "BenchmarkBroken-2 12x 5 ns/op"; } > "$tmp/bad.txt"
$BS "$tmp/bad.txt" > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 0 ] && grep -q "bad.txt:25: parsing iteration count: invalid syntax" "$tmp/e" \
  && grep -q '^Parse-2' "$tmp/o" && pass benchstat_syntax_error_skipped \
  || fail benchstat_syntax_error_skipped "rc=$rc"

# Errors: unreadable file -> 1, bad flag / value / no input -> 2, one line.
$BS "$tmp/missing.txt" > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$tmp/e")" = 1 ] && [ ! -s "$tmp/o" ] \
  && pass benchstat_unreadable_file || fail benchstat_unreadable_file "rc=$rc"
$BS -bogus "$tmp/old.txt" > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && [ "$(wc -l < "$tmp/e")" = 1 ] \
  && pass benchstat_bad_flag || fail benchstat_bad_flag "rc=$rc"
$BS -alpha=2 "$tmp/old.txt" > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && grep -q 'alpha must be in range' "$tmp/e" \
  && pass benchstat_bad_alpha || fail benchstat_bad_alpha "rc=$rc"
$BS -confidence=abc "$tmp/old.txt" > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && pass benchstat_bad_confidence || fail benchstat_bad_confidence "rc=$rc"
$BS > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 2 ] && pass benchstat_no_input || fail benchstat_no_input "rc=$rc"

# Binary garbage does not crash.
head -c 20000 /dev/urandom > "$tmp/noise.bin"
$BS "$tmp/noise.bin" "$tmp/old.txt" > "$tmp/o" 2> "$tmp/e"; rc=$?
[ $rc = 0 ] && pass benchstat_garbage_input || fail benchstat_garbage_input "rc=$rc"

[ $fails = 0 ]
