#!/usr/bin/env bash
# interop_pprof.sh: cpuprof and Go's pprof agree on the same profiles.
#
#   1. profiles written by our writer (tests/programs/cpuprof_gen.c);
#   2. a profile written by Go itself: a tiny Go module whose benchmark does
#      CPU work in three functions (one with an inlined helper), run with
#      go test -cpuprofile;
#   3. a libcpuprof profile of a C program (LD_PRELOAD + CPUPROFILE).
#
# For each, `cpuprof -top -nodecount=10` and `go tool pprof -top
# -nodecount=10` must print the same rows: name, flat and cum as printed
# (the text is compared, so units and rounding must agree too), and the same
# "Showing nodes accounting for" line. For our profiles, -tags and -traces
# must also print exactly what pprof prints. Needs `go` on PATH; without it the
# script prints "SKIP interop (no go)". Nothing here needs the network: the
# Go module has no dependencies and GOPROXY is off.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
export TZ=UTC LC_ALL=C
C=$ROOT/build/bin/cpuprof
T=$ROOT/build/test-interop
failed=0

if ! command -v go >/dev/null 2>&1; then
  echo "SKIP interop (no go)"
  exit 0
fi
pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1"
  failed=1
}
# fields TEXT: "name flat cum" per top row, then the "Showing nodes" line.
fields() {
  awk '/^Showing nodes accounting/ { show = $0 }
       on { name = $6; for (i = 7; i <= NF; i++) name = name " " $i; print name, $1, $4 }
       /^ *flat  flat%/ { on = 1 }
       END { print show }' <<<"$1"
}
# compare NAME ARGS...: both tools on the same arguments.
compare() {
  local name=$1
  shift
  local ours theirs
  ours=$("$C" -top -nodecount=10 "$@" 2>"$T/cpuprof.err")
  local rc=$?
  theirs=$(go tool pprof -top -nodecount=10 "$@" 2>"$T/pprof.err")
  if [ $rc -ne 0 ] || [ -z "$(fields "$theirs" | head -n 1)" ]; then
    fail "$name"
    echo "    cpuprof rc=$rc: $(head -n 1 "$T/cpuprof.err")"
    echo "    pprof: $(head -n 2 "$T/pprof.err")"
    return
  fi
  local a b
  a=$(fields "$ours")
  b=$(fields "$theirs")
  if [ "$a" == "$b" ] && [ "$(wc -l <<<"$a")" -ge 2 ]; then
    pass "$name"
  else
    fail "$name"
    diff <(echo "$a") <(echo "$b") | sed 's/^/    /'
  fi
}

if [ ! -x "$C" ] || [ ! -f build/lib/libprofile.a ]; then
  fail "interop_built (run make tools first)"
  exit 1
fi
rm -rf "$T" && mkdir -p "$T"

# ---- 1. our writer -----------------------------------------------------------
if cc -std=c17 -O1 -D_GNU_SOURCE -Iprofiler/include -Ibuild/gen -o "$T/cpuprof_gen" \
    tests/programs/cpuprof_gen.c build/lib/libprofile.a -lprotobuf-c -lz -lpcre2-8 -lm &&
   "$T/cpuprof_gen" "$T"; then
  compare interop_ours_top "$T/main.pb.gz"
  compare interop_ours_cum -cum "$T/main.pb.gz"
  compare interop_ours_samples -sample_index=samples "$T/main.pb.gz"
  compare interop_ours_dropped "$T/many.pb.gz"
  compare interop_ours_base -base="$T/base.pb.gz" "$T/main.pb.gz"
  compare interop_ours_diff_base -diff_base="$T/base.pb.gz" "$T/main.pb.gz"
  compare interop_ours_focus -focus=rec "$T/main.pb.gz"
  compare interop_ours_tagfocus -tagfocus=thread=main "$T/main.pb.gz"
  # The other text reports match pprof's whole output, header included.
  for r in tags traces; do
    if [ "$("$C" -$r "$T/main.pb.gz" 2>&1)" == "$(go tool pprof -$r "$T/main.pb.gz" 2>&1)" ]; then
      pass "interop_ours_${r}_text"
    else
      fail "interop_ours_${r}_text"
      diff <("$C" -$r "$T/main.pb.gz" 2>&1) <(go tool pprof -$r "$T/main.pb.gz" 2>&1) | sed 's/^/    /'
    fi
  done
else
  fail interop_ours_generator
fi

# ---- 2. a profile written by Go --------------------------------------------
G=$T/gomod
mkdir -p "$G"
cat >"$G/go.mod" <<'GO'
module cpuwork

go 1.19
GO
cat >"$G/work_test.go" <<'GO'
package cpuwork

import "testing"

// mixStep is small enough for Go to inline into hashLoop: pprof and
// cpuprof then mark it "(inline)".
func mixStep(h uint64, i int) uint64 {
	return (h ^ uint64(i)) * 1099511628211
}

//go:noinline
func hashLoop(n int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < n; i++ {
		h = mixStep(h, i)
	}
	return h
}

//go:noinline
func sumSquares(n int) float64 {
	s := 0.0
	for i := 0; i < n; i++ {
		f := float64(i)
		s += f * f
	}
	return s
}

//go:noinline
func collatz(n int) int {
	steps := 0
	for i := 1; i < n; i++ {
		for x := i; x != 1; steps++ {
			if x%2 == 0 {
				x /= 2
			} else {
				x = 3*x + 1
			}
		}
	}
	return steps
}

var sink uint64

func BenchmarkWork(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink += hashLoop(300000)
		sink += uint64(sumSquares(200000))
		sink += uint64(collatz(2000))
	}
}
GO
mkdir -p "$ROOT/build/gopath" "$ROOT/build/gocache"
if (cd "$G" && GOFLAGS=-mod=mod GO111MODULE=on GOPROXY=off GOPATH="$ROOT/build/gopath" \
      GOCACHE="$ROOT/build/gocache" go test -bench=. -run='^$' -benchtime=2s \
      -cpuprofile=cpu.out >"$T/gotest.log" 2>&1); then
  compare interop_go_top "$G/cpu.out"
  compare interop_go_cum -cum "$G/cpu.out"
  # The profile is real: the benchmark holds nearly all samples, and the
  # inlined helper shows up marked as such.
  report=$("$C" -top "$G/cpu.out")
  bench=$(awk '$6 == "cpuwork.BenchmarkWork" { print int($5) }' <<<"$report")
  if [ "${bench:-0}" -ge 80 ] && grep -q 'cpuwork.mixStep (inline)$' <<<"$report"; then
    pass interop_go_hot_functions
  else
    fail interop_go_hot_functions
    echo "    BenchmarkWork cum%: ${bench:-none}; mixStep: $(grep mixStep <<<"$report")"
  fi
else
  fail interop_go_profile
  tail -n 5 "$T/gotest.log" | sed 's/^/    /'
fi

# ---- 3. a libcpuprof profile of a C program --------------------------------
if [ -f build/lib/libcpuprof.so ]; then
  cat >"$T/spin.c" <<'CSRC'
/* spin.c: about 1.5 s of CPU in two functions, for interop_pprof.sh. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static volatile uint64_t sink;

__attribute__((noinline)) static void mix(void) {
    uint64_t h = 1469598103934665603ull;
    for (uint64_t i = 0; i < 2000000; i++) h = (h ^ i) * 1099511628211ull;
    sink += h;
}

__attribute__((noinline)) static void squares(void) {
    double s = 0;
    for (long i = 0; i < 1000000; i++) s += (double)i * (double)i;
    sink += (uint64_t)s;
}

int main(void) {
    while (clock() < (clock_t)(1.5 * CLOCKS_PER_SEC)) {
        mix();
        squares();
    }
    printf("%llu\n", (unsigned long long)sink);
    return 0;
}
CSRC
  if cc -O2 -g -fno-omit-frame-pointer -o "$T/spin" "$T/spin.c" &&
     CPUPROFILE="$T/c.pb.gz" LD_PRELOAD="$ROOT/build/lib/libcpuprof.so" "$T/spin" >"$T/spin.log" 2>&1 &&
     [ -s "$T/c.pb.gz" ]; then
    compare interop_libcpuprof_top "$T/c.pb.gz"
    compare interop_libcpuprof_cum -cum "$T/c.pb.gz"
  else
    fail interop_libcpuprof_profile
    tail -n 5 "$T/spin.log" | sed 's/^/    /'
  fi
else
  echo "SKIP interop_libcpuprof (no build/lib/libcpuprof.so)"
fi

exit $failed
