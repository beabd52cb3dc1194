#!/bin/sh
# measure.sh: steps 1 and 2 of task 13's gate (gate.sh runs it; you need
# not change it). Writes the two sides' results for the comparison:
#
#   GATE_OUT=dir tasks/task13/measure.sh
#
# 1. Builds the benchmark program of the package tasks/task13 twice: the
#    baseline, from git (the package as committed at GATE_BASE), and the
#    current working tree.
# 2. Runs the two programs in alternation: every round runs each program
#    once (-count=1, every benchmark), the baseline first in odd rounds
#    and second in even ones, so a busy spell on the machine falls on both
#    alike. 10 rounds make the -count=10 of each side, appended to
#    $GATE_OUT/base.txt and $GATE_OUT/new.txt in Go's benchmark format.
#
# Environment: the gate's (see gate.sh): GATE_BASE, GATE_OUT (default:
# out/gate next to this script), GATE_CFLAGS, CPUPROF_QUICK.
#
# Invariants: writes only under GATE_OUT; the two builds differ only by
# their sources and GATE_CFLAGS; prints no benchmark names; exits 2 when
# it cannot measure.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${GATE_OUT:-$here/out/gate}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$here/../.."
pkg=tasks/task13

fail() {
    echo "gate: $*" >&2
    exit 2
}

# 1. The two builds.
if [ -n "${GATE_BASE:-}" ]; then
    base=$GATE_BASE
elif git rev-parse -q --verify origin/main >/dev/null; then
    base=$(git merge-base HEAD origin/main) || fail "no common commit with origin/main"
else
    base=HEAD
fi
rev=$(git rev-parse -q --verify "$base^{commit}") || fail "no git commit '$base' for the baseline"
git cat-file -e "$rev:$pkg" 2>/dev/null || fail "$pkg does not exist at the baseline $base"
rm -rf "$out/base-src"
mkdir -p "$out/base-src"
git archive "$rev" "$pkg" | tar -x -C "$out/base-src"

build() { # build NAME SRC CFLAGS
    make -s --no-print-directory build-task TASK_SRC="$2" TASK_OUT="$out/$1" \
        TASK_CFLAGS="$3" >"$out/build-$1.log" 2>&1 || {
        cat "$out/build-$1.log" >&2
        fail "the $1 build failed (log: $out/build-$1.log)"
    }
}
# Every function starts on a 64-byte boundary, so that a change in one
# function does not move the code of the others to a new offset within a
# cache line, which alone can make an untouched loop 10-20% slower.
build base "$out/base-src/$pkg" "-falign-functions=64"
build new "$pkg" "-falign-functions=64 ${GATE_CFLAGS:-}"

# 2. The runs, interleaved.
if [ "${CPUPROF_QUICK:-}" = 1 ]; then
    rounds=6 benchtime=100ms
else
    rounds=10 benchtime=200ms
fi
echo "gate: baseline $(git rev-parse --short "$rev") vs the working tree${GATE_CFLAGS:+ built with $GATE_CFLAGS}:" \
    "$rounds rounds of -count=1 -benchtime=$benchtime"
: >"$out/base.txt"
: >"$out/new.txt"
i=1
while [ "$i" -le "$rounds" ]; do
    order="base new"
    [ $((i % 2)) = 0 ] && order="new base"
    for side in $order; do
        "$out/$side/bench" -bench=. -count=1 -benchtime="$benchtime" -run='^$' \
            >>"$out/$side.txt" 2>&1 || fail "the $side benchmarks failed in round $i (see $out/$side.txt)"
    done
    i=$((i + 1))
done
