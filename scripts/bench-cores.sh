#!/usr/bin/env bash
# bench-cores.sh: polyhttpd with one worker against two (and nginx the same way), with wrk
# sharing the machine's cores instead of being pinned apart: the question is what a second
# worker buys when the server may use every core, not the CPU cost of one request (that is
# bench/run's question). Standalone on purpose: bench/run pins the server to one core.
#
#   scripts/bench-cores.sh [--binary PATH] [--rounds N] [--duration S] [--connections "64 256"]
#                          [--models "epoll-et uring"] [--no-nginx] [--close-only|--keepalive-only]
#
# Each round runs every configuration once, in the same order (interleaved, so a noisy
# neighbour hurts all of them alike); the table gives per configuration the median over the
# rounds of requests/s and of requests per server CPU-second (user + system time of the whole
# server, every thread and process, from /proc), and each median's ratio to the first row of
# its group (one worker). Needs wrk and nginx (scripts/install-deps.sh bench). Prints to stdout;
# writes nothing outside a temp dir.
set -euo pipefail

binary=build/polyhttpd
rounds=3
duration=3
conns="64 256"
models="epoll-et uring"
nginx=1
slices="keepalive close"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) conns=$2; shift 2 ;;
        --models) models=$2; shift 2 ;;
        --no-nginx) nginx=0; shift ;;
        --close-only) slices=close; shift ;;
        --keepalive-only) slices=keepalive; shift ;;
        *) echo "bench-cores.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
binary=$(realpath "$binary")
port=18190
tmp=$(mktemp -d /tmp/bench-cores.XXXXXX)
server_pid=
cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/root"
head -c 679 /dev/zero | tr '\0' 'a' >"$tmp/root/679B.html"

# The configurations: "label|kind|arguments". kind poly: polyhttpd with these flags.
configs=()
for m in $models; do
    configs+=("$m w1|poly|--model $m --workers 1")
    configs+=("$m w2|poly|--model $m --workers 2")
    if "$binary" --help 2>/dev/null | grep -q -- '--reuseport'; then
        configs+=("$m w2 reuseport|poly|--model $m --workers 2 --reuseport")
    fi
done
if [[ $nginx == 1 ]]; then
    configs+=("nginx w1|nginx|1 off" "nginx w2|nginx|2 off" "nginx w2 reuseport|nginx|2 on")
fi

nginx_conf() {  # workers reuseport(on|off)
    local user="" reuse=""
    [[ $(id -u) == 0 ]] && user="user root;"
    [[ $2 == on ]] && reuse=" reuseport"
    mkdir -p "$tmp/nginx"
    cat >"$tmp/nginx/nginx.conf" <<EOF
$user
daemon off;
worker_processes $1;
worker_rlimit_nofile 65536;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 20000; use epoll; multi_accept on; }
http {
    access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
    keepalive_timeout 300s; keepalive_requests 10000000;
    open_file_cache max=64 inactive=60s; server_tokens off;
    client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx; fastcgi_temp_path $tmp/nginx;
    uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
    server { listen 127.0.0.1:$port backlog=4096$reuse; root $tmp/root; }
}
EOF
}

start() {  # kind args
    if [[ $1 == poly ]]; then
        # shellcheck disable=SC2086
        "$binary" $2 --listen 127.0.0.1:$port --root "$tmp/root" --access-log off \
            --log-level warn >"$tmp/server.log" 2>&1 &
    else
        nginx_conf $2
        nginx -p "$tmp/nginx/" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" \
            >"$tmp/server.log" 2>&1 &
    fi
    server_pid=$!
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/679B.html" && return 0
        sleep 0.1
    done
    echo "bench-cores.sh: the server did not come up: $(cat "$tmp/server.log")" >&2
    exit 1
}

stop() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    sleep 0.3  # the port's TIME_WAIT sockets do not matter (SO_REUSEADDR); the CPU settles
}

# CPU ticks (user + system) of the server and its child processes (nginx's workers).
cpu_ticks() {
    local total=0 p
    for p in $server_pid $(pgrep -P "$server_pid" || true); do
        [[ -r /proc/$p/stat ]] || continue
        # Fields 14 and 15 after the ")" that ends the command name.
        total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    done
    echo $total
}

declare -A rps cpus
for ((r = 1; r <= rounds; r++)); do
    for slice in $slices; do
        header=()
        [[ $slice == close ]] && header=(-H "Connection: close")
        for c in $conns; do
            for cfg in "${configs[@]}"; do
                IFS='|' read -r label kind args <<<"$cfg"
                start "$kind" "$args"
                wrk -t2 -c"$c" -d1s "${header[@]}" "http://127.0.0.1:$port/679B.html" >/dev/null
                t0=$(cpu_ticks)
                out=$(wrk -t2 -c"$c" -d"${duration}s" "${header[@]}" \
                    "http://127.0.0.1:$port/679B.html")
                t1=$(cpu_ticks)
                stop
                n=$(awk '/requests in/ {print $1}' <<<"$out")
                key="$slice|$c|$label"
                rps[$key]+="$(awk -v n="$n" -v d="$duration" 'BEGIN {printf "%d", n / d}') "
                cpus[$key]+="$(awk -v n="$n" -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" \
                    'BEGIN {printf "%d", (t > 0 ? n / (t / hz) : 0)}') "
                echo "round $r $slice c=$c $label: $n requests, $((t1 - t0)) ticks" >&2
            done
        done
    done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
printf '%-10s %6s  %-22s %12s %8s %16s %8s\n' slice c server "req/s" "x w1" "req/CPU-s" "x w1"
for slice in $slices; do
    for c in $conns; do
        base_rps= base_cpu=
        for cfg in "${configs[@]}"; do
            IFS='|' read -r label _ _ <<<"$cfg"
            key="$slice|$c|$label"
            m_rps=$(median <<<"${rps[$key]}")
            m_cpu=$(median <<<"${cpus[$key]}")
            if [[ $label == *" w1" ]]; then base_rps=$m_rps base_cpu=$m_cpu; fi
            printf '%-10s %6s  %-22s %12s %8s %16s %8s\n' "$slice" "$c" "$label" "$m_rps" \
                "$(awk -v a="$m_rps" -v b="$base_rps" 'BEGIN {printf "%.2f", a / b}')" "$m_cpu" \
                "$(awk -v a="$m_cpu" -v b="$base_cpu" 'BEGIN {printf "%.2f", a / b}')"
        done
    done
done
