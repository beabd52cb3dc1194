#!/usr/bin/env bash
# http_endpoint.sh: the /debug/pprof endpoint of libcpuprof, end to end.
#
# A program burning CPU in burn_cpu_hot serves the endpoint (started from
# code, then from CPUPROF_HTTP with LD_PRELOAD). With curl and raw sockets
# it checks: a captured profile that cpuprof -top (and go tool pprof, when
# installed) reads and that shows burn_cpu_hot; two concurrent captures give
# one profile and one "already in use" error; garbage and a slowloris client
# do not stop a good request; the connection cap answers 503; the index,
# cmdline, 301, 400, 404 and 405 answers; CPUPROFILE still works alongside.
set -u
. "$(dirname "$0")/lib.sh"
out=build/e2e/http_endpoint
mkdir -p "$out"
http_burn_build http_build "$out"

trap e2e_kill_started EXIT

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

start burn "$out/http_burn" 127.0.0.1:0 || { flunk http_start "no port"; exit 1; }
url=http://127.0.0.1:$port/debug/pprof

# A capture, read by our analyzer and by Go's.
curl -s -D "$out/p.hdr" -o "$out/p.pb.gz" "$url/profile?seconds=2"
check http_profile_status "$(sed -n '1s/\r//p' "$out/p.hdr")" "HTTP/1.1 200 OK"
grep -qi '^Content-Type: application/octet-stream' "$out/p.hdr" &&
  grep -qi '^Content-Disposition: attachment; filename="profile"' "$out/p.hdr" &&
  pass http_profile_headers || flunk http_profile_headers "see $out/p.hdr"
if build/bin/cpuprof -top "$out/p.pb.gz" > "$out/p.top" 2>&1 &&
   grep -qE '^ *[0-9.]+m?s +[0-9.]+% .* burn_cpu_hot$' "$out/p.top"; then
  pass http_profile_cpuprof_top
else
  flunk http_profile_cpuprof_top "burn_cpu_hot not in cpuprof -top (see $out/p.top)"
fi
if command -v go > /dev/null; then
  if go tool pprof -top "$out/p.pb.gz" > "$out/p.gotop" 2>&1 &&
     grep -q 'burn_cpu_hot' "$out/p.gotop"; then
    pass http_profile_go_pprof
  else
    flunk http_profile_go_pprof "go tool pprof -top failed (see $out/p.gotop)"
  fi
else
  echo "SKIP http_profile_go_pprof (go not installed)"
fi

# Two captures at once: one profile, one clear error.
curl -s -o "$out/c1.body" -w '%{http_code}' "$url/profile?seconds=2" > "$out/c1.code" &
c1=$!
curl -s -o "$out/c2.body" -w '%{http_code}' "$url/profile?seconds=2" > "$out/c2.code" &
c2=$!
wait $c1 $c2
codes=$( (cat "$out/c1.code"; echo; cat "$out/c2.code"; echo) | sort | tr '\n' ' ')
check http_concurrent_codes "$codes" "200 500 "
if grep -qx 'Could not enable CPU profiling: cpu profiling already in use' \
     "$out/c1.body" "$out/c2.body"; then
  pass http_concurrent_message
else
  flunk http_concurrent_message "no 'already in use' message"
fi

# Garbage bytes get a 400; the server keeps serving.
exec 8<>/dev/tcp/127.0.0.1/$port
printf '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1garbage\r\n\r\n' >&8
reply=$(timeout 5 head -c 12 <&8 | tr -d '\r')
exec 8>&-
check http_garbage_400 "$reply" "HTTP/1.1 400"

# Slowloris: half a head, then silence. A good request is served while it
# still waits, and the slow client is eventually told 408.
exec 8<>/dev/tcp/127.0.0.1/$port
printf 'GET /debug/pprof/ HTTP/1.1\r\nHo' >&8
check http_slowloris_good_request "$(code --max-time 20 "$url/")" 200
if read -r -t 0 -u 8; then
  flunk http_slowloris_order "the slow client was answered before the good request"
else
  pass http_slowloris_order
fi
reply=$(timeout 15 head -c 12 <&8 | tr -d '\r')
exec 8>&-
check http_slowloris_408 "$reply" "HTTP/1.1 408"

# The connection cap: 16 silent clients hold every slot; the next gets 503;
# once they leave, requests are served again.
for fd in $(seq 10 25); do eval "exec $fd<>/dev/tcp/127.0.0.1/$port"; done
sleep 0.2
check http_cap_503 "$(code --max-time 20 "$url/")" 503
for fd in $(seq 10 25); do eval "exec $fd>&-"; done
got=""
for _ in $(seq 50); do
  got=$(code --max-time 20 "$url/")
  [ "$got" = 200 ] && break
  sleep 0.1
done
check http_cap_recovers "$got" 200

# The other routes.
curl -s -o "$out/index.html" "$url/"
grep -q 'href="profile?seconds=30"' "$out/index.html" && grep -q 'href="cmdline"' "$out/index.html" &&
  pass http_index || flunk http_index "links missing (see $out/index.html)"
check http_cmdline "$(curl -s "$url/cmdline" | tr '\0' '|')" "$out/http_burn|127.0.0.1:0"
check http_redirect "$(code "$url")" 301
check http_404 "$(code "$url/heap")" 404
check http_404_root "$(code "http://127.0.0.1:$port/")" 404
check http_405 "$(code -X POST "$url/profile?seconds=1")" 405
check http_bad_seconds "$(code "$url/profile?seconds=abc")" 400
check http_seconds_range "$(code "$url/profile?seconds=0")" 400
check http_bad_timer "$(code "$url/profile?seconds=1&timer=wall")" 400
check http_thread_timer "$(curl -s -o "$out/t.pb.gz" -w '%{http_code}' "$url/profile?seconds=1&timer=thread&hz=200")" 200
build/bin/cpuprof -top "$out/t.pb.gz" > "$out/t.top" 2>&1 && grep -q burn_cpu_hot "$out/t.top" &&
  pass http_thread_timer_profile || flunk http_thread_timer_profile "see $out/t.top"

# A capture whose client leaves early ends, and the next one works.
curl -s -o /dev/null --max-time 1 "$url/profile?seconds=30"
got=""
for _ in $(seq 30); do
  got=$(curl -s -o "$out/after.pb.gz" -w '%{http_code}' "$url/profile?seconds=1")
  [ "$got" = 200 ] && break
  sleep 0.2
done
check http_client_left_early "$got" 200

finish
check http_stop "$rc $(tail -n 1 "$out/burn.out")" "0 stopped"

# No code change: CPUPROF_HTTP with LD_PRELOAD.
so=$(realpath build/lib/libcpuprof.so)
if start preload env CPUPROF_HTTP=127.0.0.1:0 LD_PRELOAD="$so" "$out/http_burn_plain" -; then
  url=http://127.0.0.1:$port/debug/pprof
  curl -s -o "$out/pre.pb.gz" "$url/profile?seconds=1"
  build/bin/cpuprof -top "$out/pre.pb.gz" > "$out/pre.top" 2>&1 && grep -q burn_cpu_hot "$out/pre.top" &&
    pass http_preload_profile || flunk http_preload_profile "see $out/pre.top"
  finish
  check http_preload_exit "$rc" 0
else
  flunk http_preload_profile "no 'cpuprof: serving' line (see $out/preload.err)"
  finish
fi

# With CPUPROFILE too: the endpoint answers "already in use" and the
# CPUPROFILE file is still written at exit.
rm -f "$out/env.pb.gz"
if start both env CPUPROFILE="$out/env.pb.gz" CPUPROF_HTTP=127.0.0.1:0 LD_PRELOAD="$so" \
     "$out/http_burn_plain" -; then
  url=http://127.0.0.1:$port/debug/pprof
  curl -s -o "$out/both.body" -w '%{http_code}' "$url/profile?seconds=1" > "$out/both.code"
  check http_with_cpuprofile_busy "$(cat "$out/both.code")" 500
  sleep 0.5
  finish
  build/bin/cpuprof -top "$out/env.pb.gz" > "$out/env.top" 2>&1 && grep -q burn_cpu_hot "$out/env.top" &&
    pass http_with_cpuprofile_file || flunk http_with_cpuprofile_file "see $out/env.top"
else
  flunk http_with_cpuprofile_busy "no 'cpuprof: serving' line (see $out/both.err)"
  finish
fi

# A port in use: a one-line error from the constructor, the program runs on.
start holder "$out/http_burn" 127.0.0.1:0 || true
busy_port=$port
rm -f "$out/clash.in"; mkfifo "$out/clash.in"
CPUPROF_HTTP=127.0.0.1:$busy_port LD_PRELOAD="$so" "$out/http_burn_plain" - \
  < "$out/clash.in" > "$out/clash.out" 2> "$out/clash.err" &
cpid=$!; pids+=("$cpid")
echo > "$out/clash.in"
wait $cpid; crc=$?
check http_port_in_use "$crc $(grep -c 'cannot serve' "$out/clash.err")" "0 1"
finish

e2e_done
