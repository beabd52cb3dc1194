#!/bin/sh
# gate.sh: task 13's CPU regression gate (the reference solution), the command a CI job runs
# (docs/task13.md). Exit status 0 lets the change in; any other status
# fails the build.
#
#   tasks/task13/gate.sh
#
# 1. and 2. measure.sh builds the baseline (the package tasks/task13 as
#    committed at GATE_BASE) and the current working tree, and runs the
#    two in alternation, writing $GATE_OUT/base.txt and $GATE_OUT/new.txt
#    (ten runs of every benchmark a side, in Go's benchmark format).
# 3. Compares new.txt with base.txt with `benchstat -gate`: exit 1 and a
#    REGRESSED line for every benchmark whose CPU time per op grew by more
#    than 5% with p < 0.05; exit 2 when the runs cannot be compared.
#
# Environment:
#   GATE_BASE    git revision of the baseline; default: the commit where
#                HEAD left origin/main (the main branch a pull request is
#                judged against), or HEAD when there is no origin/main
#   GATE_OUT     where builds and results go; default: out/gate next to
#                this script
#   GATE_CFLAGS  extra compiler flags for the current build only;
#                GATE_CFLAGS=-DTASK13_REGRESS makes CRC32 25% slower
#   CPUPROF_QUICK=1  6 rounds of 100ms runs instead of 10 of 200ms
#
# Invariants: writes only under GATE_OUT; the two builds differ only by
# their sources and GATE_CFLAGS; steps 1 and 2 print no benchmark names.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${GATE_OUT:-$here/out/gate}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$here/../.."

# 1. and 2. The builds and the interleaved runs (exit 2 when they fail).
GATE_OUT=$out sh tasks/task13/measure.sh

# 3. The comparison. The table is for people reading the CI log; the
#    verdict comes from benchstat's gate mode, never from the table's text:
#    a benchmark whose CPU time per op grew by more than 5% with p < 0.05
#    fails the job (exit 1) and is named on a REGRESSED line.
make -s --no-print-directory build/bin/benchstat
build/bin/benchstat base="$out/base.txt" new="$out/new.txt"
echo
exec build/bin/benchstat -gate=5% -gate-unit=cpu-sec/op base="$out/base.txt" new="$out/new.txt"
