# Sourced by run.sh: the checks made on one model while the container runs, each reporting
# one PASS, FAIL or SKIP line through pass/fail/skip (run.sh). Waits are bounded polls (a slow
# machine waits longer; none decides a result by how long something took).

UNIT=polyhttpd.service
CONF=/etc/polyhttpd/polyhttpd.toml
SR_BASE=http://127.0.0.1:8080  # from the socket unit's ListenStream= (run.sh)
SR_PREFIX=                     # where /srv/www's files appear in URLs: found by the first GET
SR_MARKER="polyhttpd systemd-real probe"
SR_BIG_MIB=64
SR_CURSOR=  # the journal position where the current model's checks began

prop() { in_ct systemctl show -p "$1" --value "$UNIT"; }

# GET (or what the curl arguments say) on the container's loopback: prints the status code,
# the body lands in $CT_RUN/body. 000 when no answer came.
http_get() {  # path, [curl args...]
    local path=$1
    shift
    in_ct_net curl -s --path-as-is -m 10 -o "$CT_RUN/body" -w '%{http_code}' "$@" "$SR_BASE$path" ||
        true
}

# Polls until GET path answers the code (a reload is asynchronous); prints the last code.
http_until() {  # code, path
    local i code
    for ((i = 0; i < 50; i++)); do
        code=$(http_get "$2")
        [[ $code == "$1" ]] && break
        sleep 0.1
    done
    echo "$code"
}

journal_cursor() { in_ct journalctl -n 0 --show-cursor -q | sed -n 's/^-- cursor: //p'; }

# The service's journal lines since $SR_CURSOR at the priorities given (journalctl -p).
journal_since() {  # priorities
    in_ct journalctl -u "$UNIT" --after-cursor="$SR_CURSOR" -p "$1" -o cat --no-pager
}

# Polls (journald stores lines asynchronously) until a line at those priorities matches.
journal_wait() {  # priorities, extended regex
    local i
    for ((i = 0; i < 100; i++)); do
        journal_since "$1" | grep -Eq "$2" && return 0
        sleep 0.1
    done
    return 1
}

# The installed configuration: the shipped file with `model` and the given keys set (keys the
# shipped file lacks are appended). Values are TOML as written.
write_config() {  # model, [key value]...
    local pairs
    pairs=$(printf '%s\t' model "\"$1\"" "${@:2}")
    awk -v kv="$pairs" '
        BEGIN { n = split(kv, a, "\t"); for (i = 1; i < n; i += 2) val[a[i]] = a[i + 1] }
        { split($0, f, " = ") }
        (f[1] in val) && !(f[1] in done) { print f[1] " = " val[f[1]]; done[f[1]] = 1; next }
        { print }
        END { for (k in val) if (!(k in done)) print k " = " val[k] }
    ' "$CT_RUN/shipped.toml" >"$CT_ROOT$CONF.new"
    chmod 0644 "$CT_ROOT$CONF.new"
    mv "$CT_ROOT$CONF.new" "$CT_ROOT$CONF"
}

# The first connection must start the service. Returns 2 when the model says it cannot run
# here (its reason becomes the skip), 1 when the service did not come up.
check_activation() {  # model
    local m=$1 before after code prefix why
    before=$(in_ct systemctl is-active "$UNIT")
    # The test file is at /srv/www/probe.txt; a root other than /srv/www shows it elsewhere.
    for prefix in "" /srv/www; do
        code=$(http_get "$prefix/probe.txt")
        [[ $code == 200 && $(<"$CT_RUN/body") == "$SR_MARKER" ]] && break
    done
    after=$(in_ct systemctl is-active "$UNIT")
    if [[ $before != active && $after == active && $code == 200 ]]; then
        pass "$m" "socket activation: the first connection started the service (${before} before)"
        if [[ $prefix != "$SR_PREFIX" ]]; then
            SR_PREFIX=$prefix
            echo "note: /srv/www/probe.txt is served as ${prefix:-}/probe.txt" \
                "(the installed config's root: $(grep '^root = ' "$CT_ROOT$CONF"))"
        fi
        return 0
    fi
    why=$(journal_since 0..3 | tail -n 1)
    if [[ $why == *"unavailable here"* ]]; then
        skip "$m" "all checks" "${why#*polyhttpd: }"
        return 2
    fi
    fail "$m" "socket activation" "service ${before} before, ${after} after; GET: ${code}${why:+; journal: $why}"
    return 1
}

check_status() {  # model
    local text line
    text=$(prop StatusText)
    line=$(in_ct systemctl status --no-pager "$UNIT" | grep -E '^ +Status: ' || true)
    if [[ $text == "model $1,"* && $line == *"$text"* ]]; then
        pass "$1" "status line (systemctl status): ${line#"${line%%[! ]*}"}"
    else
        fail "$1" "status line" "StatusText='$text', systemctl status: '${line:-no Status: line}'"
    fi
}

# What systemd took from the unit file; a setting it ignored or cannot apply shows here.
check_unit_settings() {  # model
    local expect=(DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes
        PrivateTmp=yes PrivateDevices=yes CapabilityBoundingSet=cap_net_bind_service
        AmbientCapabilities=cap_net_bind_service ProtectKernelTunables=yes
        ProtectKernelModules=yes ProtectKernelLogs=yes ProtectControlGroups=yes
        ProtectClock=yes ProtectHostname=yes ProtectProc=invisible ProcSubset=pid
        RestrictRealtime=yes RestrictSUIDSGID=yes LockPersonality=yes
        MemoryDenyWriteExecute=yes LimitNOFILE=65536 UMask=0027)
    local names got e bad=()
    names=$(printf '%s\n' "${expect[@]%%=*}" | paste -sd, -)
    got=$(in_ct systemctl show -p "$names" "$UNIT")
    for e in "${expect[@]}"; do
        grep -qxF "$e" <<<"$got" || bad+=("$e (shows: $(grep "^${e%%=*}=" <<<"$got"))")
    done
    if ((${#bad[@]} == 0)); then
        pass "$1" "hardening settings as the unit says (systemctl show, ${#expect[@]} settings)"
    else
        fail "$1" "hardening settings" "${bad[*]}"
    fi
}

# What every process of the service really has: a dynamic (unprivileged) user, no new
# privileges, a seccomp filter, only CAP_NET_BIND_SERVICE, / and the web root read-only.
check_in_force() {  # model
    local pids p st uid bad=() ro
    pids=$(in_ct sh -c 'grep -l "/polyhttpd.service" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3')
    for p in $pids; do
        st=$(in_ct cat "/proc/$p/status" 2>/dev/null) || continue
        uid=$(awk '$1 == "Uid:" && $2 == $3 && $3 == $4 && $4 == $5 { print $2 }' <<<"$st")
        ((uid >= 61184 && uid <= 65519)) || bad+=("pid $p: $(grep Uid: <<<"$st" | tr '\t' ' ')")
        grep -qP '^NoNewPrivs:\t1$' <<<"$st" || bad+=("pid $p: NoNewPrivs off")
        grep -qP '^Seccomp:\t2$' <<<"$st" || bad+=("pid $p: no seccomp filter")
        [[ $(grep -cP '^Cap(Prm|Eff|Bnd):\t0000000000000400$' <<<"$st") == 3 ]] ||
            bad+=("pid $p: capabilities $(grep -P '^Cap(Prm|Eff|Bnd)' <<<"$st" | tr '\t\n' ' ')")
    done
    p=$(prop MainPID)
    # The mount that holds a path is the one with the longest mount point above it.
    for ro in / /srv/www; do
        in_ct awk -v path="$ro" '
            ($5 == path || $5 == "/" || index(path, $5 "/") == 1) && length($5) >= best {
                best = length($5); o = $6 }
            END { exit o !~ /^ro(,|$)/ }' "/proc/$p/mountinfo" ||
            bad+=("$ro is not read-only for the service")
    done
    if [[ -z $pids ]]; then
        fail "$1" "hardening in force" "no process found in the service's cgroup"
    elif ((${#bad[@]} == 0)); then
        pass "$1" "hardening in force in $(wc -w <<<"$pids") process(es): dynamic uid, NoNewPrivs, seccomp, CAP_NET_BIND_SERVICE only, / and /srv/www read-only"
    else
        fail "$1" "hardening in force" "${bad[*]}"
    fi
}

# The shipped files must not make the file system outside the web root reachable.
check_passwd() {  # model
    local path code
    for path in /etc/passwd /../../etc/passwd; do
        code=$(http_get "$path")
        if grep -q '^root:' "$CT_RUN/body"; then
            fail "$1" "GET $path must not serve /etc/passwd" "$code with the file's contents"
        elif [[ $code == 404 || $code == 400 ]]; then
            pass "$1" "GET $path answers $code, not the file"
        else
            fail "$1" "GET $path" "answered $code (expected 404 or 400)"
        fi
    done
}

# systemctl stop while a large response is in flight: the transfer must complete (curl reads
# slowly so the server has far more left to send than the socket buffers hold when the stop
# comes), and the stop must end cleanly.
check_stop_drain() {  # model
    local m=$1 out=$CT_RUN/big.out total=$((SR_BIG_MIB << 20)) curl_pid got i
    local buffers alive rc code result got_end
    rm -f "$out"
    in_ct_net curl -s -m 60 --limit-rate 16M -o "$out" -w '%{http_code}' \
        "$SR_BASE$SR_PREFIX/big.bin" >"$CT_RUN/big.code" &
    curl_pid=$!
    for ((i = 0; i < 300; i++)); do
        got=$(stat -c %s "$out" 2>/dev/null || echo 0)
        ((got >= 1 << 20)) && break
        sleep 0.1
    done
    # The most the kernel can hold in flight: the receiver's and the sender's largest buffers,
    # as the container's network namespace sets them.
    buffers=$(in_ct_net awk '{ n += $3 } END { print n }' /proc/sys/net/ipv4/tcp_rmem \
        /proc/sys/net/ipv4/tcp_wmem)
    alive=no
    kill -0 "$curl_pid" 2>/dev/null && alive=yes
    # (systemctl warns that the socket can start the service again: that is the point.)
    in_ct systemctl stop "$UNIT" 2>/dev/null && rc=0 || rc=$?
    wait "$curl_pid" || true
    code=$(<"$CT_RUN/big.code")
    got_end=$(stat -c %s "$out" 2>/dev/null || echo 0)
    result=$(prop Result)
    if [[ $alive == yes && $rc == 0 && $code == 200 && $got_end == "$total" && $result == success ]] &&
        ((got + buffers < total)); then
        pass "$m" "systemctl stop drained a transfer in flight (${got} of ${total} bytes read at the stop; all arrived)"
    elif [[ $alive != yes ]] || ((got + buffers >= total)); then
        fail "$m" "stop during a transfer" "the transfer was not in flight at the stop ($got bytes read, curl alive: $alive)"
    else
        fail "$m" "systemctl stop drained a transfer in flight" \
            "stop exit $rc, Result=$result; client got $code and $got_end of $total bytes ($(journal_since 0..4 | tail -n 2 | tr '\n' ' '))"
    fi
    rm -f "$out"
}
