#!/usr/bin/env bash
# web_ui.sh: `cpuprof -http`, the web UI (profiler/tools/cpuprof/web_*.c and
# assets/flamegraph.html), on the hand-built profiles of
# tests/programs/cpuprof_gen.c, whose numbers are known:
#
#   main.pb.gz: [leaf work main] x50, [leaf rec rec main] x10,
#               [other main] x30, [other rec main] x10, 10ms each
#   base.pb.gz: [leaf work main] x30, [other main] x50
#
# so the merged tree is root 1000ms > main 1000ms > work 500ms > leaf 500ms,
# other 300ms, rec 200ms > (other 100ms, rec 100ms > leaf 100ms), and the
# widest leaf frame is main;work;leaf. With -base, work;leaf grew by 200ms
# (50 - 30 samples) and main;other shrank by 200ms (30 - 50).
#
# Over HTTP (curl): the routes, the JSON numbers, filters as parameters,
# loopback by default, bounded request parsing. In headless Chromium
# (tests/web/chromium.sh; "SKIP web_ui (no chromium)" without it): the page
# renders the frames, the widest leaf, a real click zooms a frame to the
# full width (the page's ?selftest=1), ?zoom= and ?search= states, the diff
# colours; a screenshot is kept in build/test-artifacts/web_ui.png.
set -u
cd "$(dirname "$0")/../.."
export TZ=UTC LC_ALL=C
C=build/bin/cpuprof
out=build/e2e/web_ui
rm -rf "$out" && mkdir -p "$out" build/test-artifacts
failed=0
pass() { echo "PASS $1"; }
flunk() { echo "FAIL $1: $2"; failed=1; }
check() { if [ "$2" = "$3" ]; then pass "$1"; else flunk "$1" "got '$2', want '$3'"; fi; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@"; }

make -s "$C" build/lib/libprofile.a > "$out/make.log" 2>&1 ||
  { flunk web_build "make failed (see $out/make.log)"; exit 1; }
if ! cc -std=c17 -O1 -D_GNU_SOURCE -Iprofiler/include -Ibuild/gen -o "$out/cpuprof_gen" \
    tests/programs/cpuprof_gen.c build/lib/libprofile.a -lprotobuf-c -lz -lpcre2-8 -lm ||
   ! "$out/cpuprof_gen" "$out"; then
  flunk web_generator "cannot build or run tests/programs/cpuprof_gen.c"
  exit 1
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

# serve NAME ARGS...: starts cpuprof -http ARGS; sets port, url and pid.
serve() {
  local name=$1; shift
  "$C" "$@" > "$out/$name.out" 2> "$out/$name.err" &
  pid=$!; pids+=("$pid")
  port=""
  for _ in $(seq 50); do
    port=$(sed -nE 's#^Serving web UI on http://127\.0\.0\.1:([0-9]+)$#\1#p' "$out/$name.err" 2> /dev/null)
    [ -n "$port" ] && break
    sleep 0.1
  done
  url=http://127.0.0.1:$port
  [ -n "$port" ]
}

# ---- over HTTP ----------------------------------------------------------
serve main -http=:0 "$out/main.pb.gz" ||
  { flunk web_serving_line "no 'Serving web UI on http://127.0.0.1:PORT' (see $out/main.err)"; exit 1; }
pass web_serving_line
murl=$url
# ":0" has no host, so only loopback listens: 127.0.0.1 is 0100007F in /proc.
check web_loopback_only "$(awk -v p="$(printf ':%04X' "$port")" \
  '$2 ~ p"$" && $4 == "0A" { print $2 }' /proc/net/tcp /proc/net/tcp6 | sed 's/:.*//')" 0100007F

curl -s -D "$out/index.hdr" -o "$out/index.html" "$url/"
check web_index_status "$(sed -n '1s/\r//p' "$out/index.hdr")" "HTTP/1.1 200 OK"
cmp -s "$out/index.html" profiler/tools/cpuprof/assets/flamegraph.html &&
  pass web_index_is_the_asset || flunk web_index_is_the_asset "the page differs from the asset"
# Self-contained: no reference to another origin (no CDN, no fonts).
check web_no_external_refs "$(grep -ciE '(src|href)=["'\'']?(https?:)?//|@import|url\(' \
  "$out/index.html")" 0

check web_flamegraph_json "$(curl -s "$url/flamegraph.json" | sed 's/.*"root"://')" \
'{"n":"root","v":1000000000,"s":0,"c":[{"n":"main","v":1000000000,"s":0,"c":[{"n":"work","v":500000000,"s":0,"c":[{"n":"leaf","v":500000000,"s":500000000}]},{"n":"other","v":300000000,"s":300000000},{"n":"rec","v":200000000,"s":0,"c":[{"n":"other","v":100000000,"s":100000000},{"n":"rec","v":100000000,"s":0,"c":[{"n":"leaf","v":100000000,"s":100000000}]}]}]}]}}'
top=$(curl -s "$url/top.json")
check web_top_json_first_row \
  "$(grep -o '"rows":\[{[^}]*}' <<<"$top")" \
  '"rows":[{"name":"leaf","flat":600000000,"cum":600000000,"flat_label":"600ms","flat_pct":"60.00%","sum_pct":"60.00%","cum_label":"600ms","cum_pct":"60.00%"}'
check web_top_json_names "$(grep -o '"name":"[^"]*"' <<<"$top" | cut -d'"' -f4 | tr '\n' ' ')" \
  "leaf other main rec work "
check web_top_json_total "$(grep -o '"total":[0-9]*' <<<"$top")" '"total":1000000000'
# Filters as parameters: focus=rec keeps the 20 samples through rec, while
# the total stays the whole profile's (as -top shows it).
check web_focus_param "$(curl -s "$url/flamegraph.json?focus=rec" |
  grep -oE '"total":[0-9]+|"n":"root","v":[0-9]+' | tr '\n' ' ')" \
  '"total":1000000000 "n":"root","v":200000000 '
check web_bad_regex_400 "$(code "$url/top.json?focus=%28")" 400
grep -q '"error":"profile: bad -focus regex' <<<"$(curl -s "$url/top.json?focus=%28")" &&
  pass web_bad_regex_message || flunk web_bad_regex_message "no JSON error"
check web_404 "$(code "$url/nope")" 404
check web_405 "$(code -X POST "$url/")" 405
check web_431 "$(code -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$url/")" 431
exec 8<>/dev/tcp/127.0.0.1/$port
printf 'garbage\r\n\r\n' >&8
check web_garbage_400 "$(timeout 5 head -c 12 <&8 | tr -d '\r')" "HTTP/1.1 400"
exec 8>&-
# A silent client does not hold up others, and is told 408.
exec 8<>/dev/tcp/127.0.0.1/$port
check web_silent_client_no_block "$(code "$url/top.json")" 200
check web_silent_client_408 "$(timeout 15 head -c 12 <&8 | tr -d '\r')" "HTTP/1.1 408"
exec 8>&-

check web_bad_addr "$("$C" -http=nohost "$out/main.pb.gz" 2>&1; echo "rc=$?")" \
  "cpuprof: -http=nohost: want host:port, :port or port
rc=1"
check web_http_and_top "$("$C" -http=:0 -top "$out/main.pb.gz" 2>&1 | head -n 1)" \
  "cpuprof: set at most one of -top, -tags, -traces, -http and -llvm_sample"

serve diff -http=127.0.0.1:0 -base="$out/base.pb.gz" "$out/main.pb.gz" ||
  flunk web_diff_serving "no serving line (see $out/diff.err)"
durl=$url
url=$murl
fg=$(curl -s "$durl/flamegraph.json")
check web_diff_json "$(grep -oE '"diff":true|"n":"(work|other)","v":[0-9]+,"s":[0-9]+,"d":-?[0-9]+' <<<"$fg" |
  head -n 3 | tr '\n' ' ')" \
  '"diff":true "n":"other","v":800000000,"s":800000000,"d":-200000000 "n":"work","v":800000000,"s":0,"d":200000000 '

# ---- in the browser -------------------------------------------------------
if ! tests/web/chromium.sh which > /dev/null; then
  echo "SKIP web_ui (no chromium)"
  exit $failed
fi
W=tests/web/chromium.sh
# status FILE: the #status element's data-* attributes, one per line
status() { grep -o '<div id="status"[^>]*>' "$1" | grep -oE 'data-[a-z-]+="[^"]*"'; }
attr() { status "$1" | sed -n "s/^data-$2=\"\(.*\)\"$/\1/p"; }

$W dom "$url/?selftest=1" > "$out/selftest.html" 2> "$out/chromium.log"
check web_page_ready "$(attr "$out/selftest.html" ready)" 1
check web_frames_drawn "$(grep -o 'class="frame[^"]*" data-name="[^"]*" data-path="[^"]*"' \
  "$out/selftest.html" | sed 's/.*data-path="//; s/"$//' | sort | tr '\n' ' ')" \
  "root root;main root;main;other root;main;rec root;main;rec;other root;main;rec;rec root;main;rec;rec;leaf root;main;work root;main;work;leaf "
check web_widest_leaf "$(attr "$out/selftest.html" widest-leaf)" leaf
check web_click_zooms "$(attr "$out/selftest.html" selftest) $(attr "$out/selftest.html" selftest-zoom)" \
  "pass root;main;work"
gw=$(attr "$out/selftest.html" graph-width)
check web_click_full_width "$(attr "$out/selftest.html" selftest-width)" "$gw"

$W dom "$url/?zoom=main;rec&search=%5Eleaf%24" > "$out/zoom.html" 2>> "$out/chromium.log"
check web_zoom_param "$(attr "$out/zoom.html" zoom) $(attr "$out/zoom.html" zoom-width)" \
  "root;main;rec $(attr "$out/zoom.html" graph-width)"
# Zoomed into rec (200ms), rec;rec takes half the width.
check web_zoom_child_width "$(grep -o 'data-path="root;main;rec;rec"[^>]*' "$out/zoom.html" |
  grep -o 'width: [0-9.]*%')" "width: 50%"
check web_search_share "$(attr "$out/zoom.html" match-pct)" "60.00%"
check web_search_marks "$(grep -o 'class="frame match" data-name="[^"]*"' "$out/zoom.html" |
  sort -u | sed 's/.*data-name=//')" '"leaf"'

# Diff colours: a grown frame is red (r > b), a shrunk one blue (b > r).
$W dom "$durl/" > "$out/diff.html" 2>> "$out/chromium.log"
rgb() { grep -o "data-path=\"$2\"[^>]*" "$1" | grep -oE 'rgb\([0-9, ]+\)' | tr -d 'rgb() '; }
IFS=, read -r r g b <<<"$(rgb "$out/diff.html" 'root;main;work;leaf')"
[ -n "$r" ] && [ "$r" -gt "$b" ] && pass web_diff_growth_red ||
  flunk web_diff_growth_red "work;leaf is rgb($r,$g,$b)"
IFS=, read -r r g b <<<"$(rgb "$out/diff.html" 'root;main;other')"
[ -n "$r" ] && [ "$b" -gt "$r" ] && pass web_diff_shrink_blue ||
  flunk web_diff_shrink_blue "main;other is rgb($r,$g,$b)"

shot=build/test-artifacts/web_ui.png
rm -f "$shot"
$W shot "$url/?search=leaf" "$shot" 2>> "$out/chromium.log"
if [ "$(head -c 8 "$shot" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
   [ "$(stat -c %s "$shot")" -gt 5000 ]; then
  pass web_screenshot
else
  flunk web_screenshot "no PNG at $shot (see $out/chromium.log)"
fi

exit $failed
