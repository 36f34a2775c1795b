# Sourced by run.sh after checks.sh: reload, journald priorities and the watchdog, on one model
# whose service is running. Each check reports one line through pass/fail/skip (run.sh).

# A good file (status-path turned on) must apply without a restart.
check_reload_good() {  # model
    local m=$1 pid rc code
    pid=$(prop MainPID)
    write_config "$m" status-path '"/metrics"'
    in_ct systemctl reload "$UNIT" 2>/dev/null && rc=0 || rc=$?
    code=$(http_until 200 /metrics)
    if [[ $rc == 0 && $(prop MainPID) == "$pid" && $code == 200 ]] &&
        grep -q '^polyhttpd_info' "$CT_RUN/body"; then
        pass "$m" "systemctl reload with a good file: applied (GET /metrics 200), same main PID"
    else
        fail "$m" "systemctl reload with a good file" \
            "reload exit $rc, main PID $pid -> $(prop MainPID), GET /metrics $code"
    fi
}

# A broken file must be refused by `systemctl reload` itself (ExecReload= checks it first),
# and the running configuration kept: /metrics still served, the new path not.
check_reload_broken() {  # model
    local m=$1 pid rc kept new
    pid=$(prop MainPID)
    write_config "$m" status-path '"/metrics2"' no-such-option true
    in_ct systemctl reload "$UNIT" >/dev/null 2>&1 && rc=0 || rc=$?
    kept=$(http_get /metrics)
    new=$(http_get /metrics2)
    if [[ $rc != 0 && $(prop ActiveState) == active && $(prop MainPID) == "$pid" &&
        $kept == 200 && $new == 404 ]]; then
        pass "$m" "systemctl reload with a broken file: refused (exit $rc), old configuration kept"
    else
        fail "$m" "systemctl reload with a broken file" "reload exit $rc, $(prop ActiveState)," \
            "main PID $pid -> $(prop MainPID), GET /metrics $kept (want 200), /metrics2 $new (want 404)"
    fi
}

# journald's priorities: a warning (a reload that changes `model`, which needs a restart; a
# changed `listen` is not reported under socket activation) and an error (SIGHUP straight to
# the server with a broken file, past ExecReload='s check). `journalctl -p warning` must show
# both; -p err the error only.
check_journal_priorities() {  # model
    local m=$1 warn_re='needs a restart' err_re='reload failed' warnings errors other=loop
    [[ $m == loop ]] && other=thread
    write_config "$m" status-path '"/metrics"'
    sed -i "s/^model = .*/model = \"$other\"/" "$CT_ROOT$CONF"
    in_ct systemctl reload "$UNIT" >/dev/null 2>&1 || true
    write_config "$m" status-path '"/metrics"' no-such-option true
    in_ct sh -c "kill -HUP $(prop MainPID)"
    journal_wait 4..4 "$warn_re" || true
    journal_wait 3..3 "$err_re" || true
    warnings=$(journal_since warning)
    errors=$(journal_since err)
    if grep -Eq "$warn_re" <<<"$warnings" && ! grep -Eq "$warn_re" <<<"$errors"; then
        pass "$m" "journald: the warning at priority warning ($(grep -Em1 "$warn_re" <<<"$warnings"))"
    else
        fail "$m" "journald warning priority" "-p warning: '$(tail -n 2 <<<"$warnings")'; -p err: '$(tail -n 2 <<<"$errors")'"
    fi
    if grep -Eq "$err_re" <<<"$errors" && [[ $(http_get /metrics) == 200 ]]; then
        pass "$m" "journald: the error at priority err, server kept serving ($(grep -Em1 "$err_re" <<<"$errors" | cut -c1-80))"
    else
        fail "$m" "journald error priority" "-p err: '$(tail -n 2 <<<"$errors")'"
    fi
    write_config "$m" status-path '"/metrics"'
    in_ct systemctl reload "$UNIT" >/dev/null 2>&1 || true
}

# The watchdog: a stopped (SIGSTOP) main process stops pinging; systemd must kill and restart
# it. The shipped WatchdogSec=30s is shortened to 3 s by a drop-in for this check only.
check_watchdog() {  # model
    local m=$1 dropin=/etc/systemd/system/$UNIT.d/zz-systemd-real-watchdog.conf pid n0 i now
    mkdir -p "$CT_ROOT${dropin%/*}"
    printf '[Service]\nWatchdogSec=3s\n' >"$CT_ROOT$dropin"
    in_ct systemctl daemon-reload
    in_ct systemctl restart "$UNIT"
    pid=$(prop MainPID)
    n0=$(prop NRestarts)
    in_ct sh -c "kill -STOP $pid"
    for ((i = 0; i < 600; i++)); do
        now=$(prop MainPID)
        [[ $now != "$pid" && $now != 0 && $(prop ActiveState) == active ]] && break
        sleep 0.1
    done
    # "Watchdog timeout" comes from systemd itself, at priority notice.
    if [[ $now != "$pid" && $now != 0 && $(prop NRestarts) -gt $n0 ]] &&
        journal_since 0..7 | grep -q 'Watchdog timeout'; then
        pass "$m" "watchdog: the SIGSTOPped process was killed and restarted (NRestarts $n0 -> $(prop NRestarts))"
    else
        fail "$m" "watchdog" "main PID $pid -> $now, NRestarts $n0 -> $(prop NRestarts), $(prop ActiveState)"
        in_ct sh -c "kill -CONT $pid" 2>/dev/null || true
    fi
    rm -f "$CT_ROOT$dropin"
    in_ct systemctl daemon-reload
    in_ct systemctl restart "$UNIT"
}
