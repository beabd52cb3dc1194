# tests/e2e/lib.sh: what the e2e scripts share. A script sources it first:
#
#   . "$(dirname "$0")/lib.sh"
#
# Sourcing moves to the repository root and sets root to its path, exports
# CPUPROF_QUICK=1 unless set, and starts the count of failures (fails).
# The helpers:
#   pass NAME / fail NAME WHY / flunk NAME WHY
#                        verdict lines "PASS name" / "FAIL name: why", the
#                        format tests/run counts; fail and flunk add to fails
#   e2e_done             the script's last command: exits 0 when no FAIL
#   e2e_scratch DIR      an emptied scratch directory $root/DIR, as tmp
#   check NAME GOT WANT  PASS when the two strings are equal
#   expect NAME FILE RC WANT_RC REGEX...
#                        PASS when RC is WANT_RC and each regex matches a
#                        line of FILE (a leading "!": matches no line); on
#                        a FAIL, FILE is shown
#   expect_lines NAME FILE REGEX...   the same without the exit status
#   verdicts FILE        sets npass and nfail: the checker's "PASS  " and
#                        "FAIL  " lines (two spaces) in FILE
#   build_or_fail NAME TARGET...
#                        make -s TARGET... in the tree; on failure "FAIL
#                        NAME" (the log is $tmp/build.log) and exit 1
#   clone_build NAME TARGET...
#                        git clone of the committed state into $tmp/clone
#                        (set as clone), then make TARGET... there; on
#                        failure "FAIL NAME" and exit 1
#   chk ARGS...          build/bin/checker ARGS... inside the clone
#   field NAME LINE      the value of NAME=... in a "k=v k=v" line
#   probe_build NAME DIR PROGRAM SUMMARY
#                        for the LD_PRELOAD scripts: needs the built
#                        libraries, compiles tests/programs/PROGRAM.c and
#                        the libprofile reader SUMMARY.c into DIR; on
#                        failure "FAIL NAME" and exit 1
#   http_burn_build NAME DIR
#                        builds the libraries and cpuprof, then compiles
#                        tests/programs/http_burn.c into DIR/http_burn (with
#                        libcpuprof) and DIR/http_burn_plain (without)
#   start NAME CMD... / finish
#                        runs CMD in the background with its stdin held open
#                        on fd 7 and waits for the port it prints (as pid,
#                        port; output in $out/NAME.out and .err); finish
#                        closes fd 7, which ends the program, and waits (rc)
# Invariant: nothing here writes outside build/; the verdict lines are the
# only lines with one space after PASS or FAIL.

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
root=$(pwd)
export CPUPROF_QUICK="${CPUPROF_QUICK:-1}"
fails=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
flunk() { fail "$@"; }
e2e_done() { exit $((fails > 0)); }

e2e_scratch() {
  tmp=$root/$1
  rm -rf "$tmp"
  mkdir -p "$tmp"
}

check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }

# The reasons the regexes give for FILE, appended to why.
lines_why() {
  local file=$1 re
  shift
  for re in "$@"; do
    if [[ $re == !* ]]; then
      grep -qE -- "${re#!}" "$file" && why="${why:+$why; }has a line matching ${re#!}"
    else
      grep -qE -- "$re" "$file" || why="${why:+$why; }no line matching $re"
    fi
  done
}

verdict_or_show() {
  if [ -z "$why" ]; then
    pass "$1"
  else
    fail "$1" "$why"
    cat "$2"
  fi
}

expect() {
  local name=$1 file=$2 rc=$3 want=$4 why=""
  shift 4
  [ "$rc" -eq "$want" ] || why="exit $rc, want $want"
  lines_why "$file" "$@"
  verdict_or_show "$name" "$file"
}

expect_lines() {
  local name=$1 file=$2 why=""
  shift 2
  lines_why "$file" "$@"
  verdict_or_show "$name" "$file"
}

verdicts() {
  npass=$(grep -c '^PASS  ' "$1")
  nfail=$(grep -c '^FAIL  ' "$1")
}

build_or_fail() {
  local name=$1
  shift
  if ! make -s "$@" >"$tmp/build.log" 2>&1; then
    fail "$name" "see $tmp/build.log"
    exit 1
  fi
}

clone_build() {
  local name=$1
  shift
  clone=$tmp/clone
  if ! git clone -q "$root" "$clone" 2>"$tmp/clone.err"; then
    fail "$name" "git clone failed: $(head -n 1 "$tmp/clone.err")"
    exit 1
  fi
  if ! (cd "$clone" && make -s -j2 "$@" >"$tmp/clone-build.log" 2>&1); then
    fail "$name" "the clone does not build (see $tmp/clone-build.log)"
    exit 1
  fi
}
chk() { (cd "$clone" && build/bin/checker "$@"); }

field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }

probe_build() {
  local name=$1 dir=$2 prog=$3 summary=$4
  mkdir -p "$dir"
  if [ ! -f build/lib/libcpuprof.so ] || [ ! -f build/lib/libprofile.a ]; then
    echo "FAIL $name: build/lib missing (run make tools)"; exit 1
  fi
  cc -O2 -g -pthread -o "$dir/$prog" "tests/programs/$prog.c" &&
  cc -O2 -g -Iprofiler/include -o "$dir/$summary" "tests/programs/$summary.c" \
     build/lib/libprofile.a -lprotobuf-c -lz -lpcre2-8 -lm ||
    { echo "FAIL $name: cannot compile test programs"; exit 1; }
}

http_burn_build() {
  local name=$1 dir=$2 cc=${CC:-cc}
  local cflags="-std=c17 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -pthread -Iprofiler/include"
  make -s build/lib/libcpuprof.a build/lib/libcpuprof.so build/lib/libprofile.a build/bin/cpuprof \
    >"$dir/make.log" 2>&1 || { fail "$name" "make failed (see $dir/make.log)"; exit 1; }
  # shellcheck disable=SC2086
  $cc $cflags tests/programs/http_burn.c build/lib/libcpuprof.a build/lib/libprofile.a \
    -lunwind -ldl -lrt -lprotobuf-c -lz -lpcre2-8 -lm -o "$dir/http_burn" &&
  $cc $cflags -DHTTP_BURN_PLAIN tests/programs/http_burn.c -o "$dir/http_burn_plain" ||
    { fail "$name" "cannot compile tests/programs/http_burn.c"; exit 1; }
}

pids=()
e2e_kill_started() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }

start() {
  local name=$1 i
  shift
  rm -f "$out/$name.in"; mkfifo "$out/$name.in"
  "$@" <"$out/$name.in" >"$out/$name.out" 2>"$out/$name.err" &
  pid=$!; pids+=("$pid")
  exec 7>"$out/$name.in"
  port=""
  for i in $(seq 50); do
    port=$(sed -nE 's/^port ([0-9]+)$/\1/p; s#^cpuprof: serving http://[^:]+:([0-9]+)/.*#\1#p' \
           "$out/$name.out" "$out/$name.err" | head -n 1)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  return 1
}

finish() {
  exec 7>&-
  wait "$pid"; rc=$?
}
