# Sourced by run.sh after the per-model checks: HTTPS as docs/deploying.md's "HTTPS under
# systemd" sets it up (polyhttpd-https.socket, the drop-in passing the certificate and key with
# LoadCredential=, DynamicUser= unchanged), on one model, with the host's curl as the HTTPS
# client. Each check reports one line through pass/fail/skip (run.sh). The certificates are
# made on the host by `openssl req`.

HTTPS_UNIT=polyhttpd-https.socket
HTTPS_LIVE=/root/tls-live  # in the container: the files the docs' $live names
CRED_DIR=/run/credentials/$UNIT

# A self-signed certificate for localhost and its key, in the container's $HTTPS_LIVE, made
# as certbot leaves them (fullchain.pem, privkey.pem); the subject carries a tag so a renewed
# file can be told apart.
make_live_certificate() {  # tag
    local dir=$CT_ROOT$HTTPS_LIVE
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
        -subj "/CN=localhost/OU=$1" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" 2>"$CT_RUN/openssl.log"
}

# The `install` lines of the docs' "HTTPS under systemd" block, run from the source tree with
# $live pointing at the test's certificate: a change in the docs changes what is tested.
install_https_as_documented() {
    local cmds cmd
    cmds=$(awk '/^## HTTPS under systemd/ { s = 1 } s && /^```sh/ { b = 1; next }
                b && /^```/ { exit } b && /^install / { print }' "$top/docs/deploying.md")
    [[ -n $cmds ]] || { fail https "install steps" "none found in docs/deploying.md"; return 1; }
    while IFS= read -r cmd; do
        echo "install: $cmd"
        in_ct bash -c "cd /src && live=$HTTPS_LIVE && $cmd" ||
            { fail https "install step" "'$cmd' failed"; return 1; }
    done <<<"$cmds"
}

# GET over TLS on the container's port 8443, trusting only the certificate file given (the
# self-signed certificate is its own CA): prints the status code, the body lands in
# $CT_RUN/body; 000 when no answer came (a handshake refused included).
https_get() {  # path, trusted certificate (host path)
    in_ct_net curl -s --path-as-is -m 10 --cacert "$2" --resolve localhost:8443:127.0.0.1 \
        -o "$CT_RUN/body" -w '%{http_code}' "https://localhost:8443$1" || true
}

# With the https socket enabled and the service stopped, an HTTPS request to 8443 must start
# it and be answered over TLS, with both sockets passed under their names, the certificate
# read from the credentials directory as the dynamic user, and plain HTTP still served.
check_https_activation() {  # model
    local m=$1 before after names code plain
    in_ct systemctl stop "$UNIT" 2>/dev/null
    SR_CURSOR=$(journal_cursor)
    before=$(in_ct systemctl is-active "$UNIT")
    code=$(https_get "$SR_PREFIX/probe.txt" "$CT_ROOT/etc/polyhttpd/tls/fullchain.pem")
    journal_wait 6..6 'systemd passed ' || true
    after=$(in_ct systemctl is-active "$UNIT")
    names=$(journal_since 6..6 | grep -m1 "systemd passed " || true)
    if [[ $before != active && $after == active && $code == 200 &&
        $(<"$CT_RUN/body") == "$SR_MARKER" && $names == *"127.0.0.1:8443 (https: HTTPS)"* &&
        $names == *"127.0.0.1:8080 (http: plain HTTP)"* ]]; then
        pass "$m" "https socket activation: an HTTPS GET on :8443 started the service and was answered over TLS (${names#*polyhttpd: })"
    else
        fail "$m" "https socket activation" "service $before -> $after, HTTPS GET $code, journal: '${names:-$(journal_since 0..6 | tail -n 2 | tr '\n' ' ')}'"
        return 1
    fi
    plain=$(http_get "$SR_PREFIX/probe.txt")
    if [[ $plain == 200 ]]; then
        pass "$m" "plain HTTP still served on :8080 beside HTTPS"
    else
        fail "$m" "plain HTTP beside HTTPS" "GET on :8080 answered $plain"
    fi
}

# The key is the root-only file the docs install; the service, a dynamic user, reads the copy
# systemd made for it, which is its own and nobody else's.
check_https_credentials() {  # model
    local m=$1 pid uid cmdline owner mode src
    pid=$(prop MainPID)
    uid=$(in_ct awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")
    cmdline=$(in_ct cat "/proc/$pid/cmdline" | tr '\0' ' ')
    owner=$(in_ct stat -c %u "$CRED_DIR/tls.key")
    mode=$(in_ct stat -c %a "$CRED_DIR/tls.key")
    src=$(in_ct stat -c '%U %a' /etc/polyhttpd/tls/privkey.pem)
    if [[ $cmdline == *"--tls-cert $CRED_DIR/tls.crt --tls-key $CRED_DIR/tls.key"* &&
        $owner == "$uid" && $mode == 400 && $src == "root 600" ]] && ((uid >= 61184 && uid <= 65519)); then
        pass "$m" "LoadCredential + DynamicUser: key 0600 root at the source, read as $CRED_DIR/tls.key (mode $mode, owner the dynamic uid $uid)"
    else
        fail "$m" "LoadCredential + DynamicUser" "cmdline '$cmdline', uid $uid, $CRED_DIR/tls.key owner $owner mode $mode, source '$src'"
    fi
}

# A renewed certificate: on systemd 252 (Debian 12) `systemctl reload` copies the credentials
# afresh (for ExecReload=, and the running service sees the new copy), so after a reload the
# server serves the renewed certificate; a restart, which works on every version, does too.
# Each certificate is self-signed, so a client trusting only one of them completes a
# handshake only while that one is served.
check_https_renewal() {  # model
    local m=$1 old=$CT_RUN/old.pem new=$CT_ROOT$HTTPS_LIVE/fullchain.pem reload restart
    cp "$CT_ROOT/etc/polyhttpd/tls/fullchain.pem" "$old"
    make_live_certificate renewed || { fail "$m" "certificate renewal" "openssl req: $(<"$CT_RUN/openssl.log")"; return; }
    in_ct bash -c "install -m 0644 $HTTPS_LIVE/fullchain.pem /etc/polyhttpd/tls/fullchain.pem &&
                   install -m 0600 $HTTPS_LIVE/privkey.pem /etc/polyhttpd/tls/privkey.pem"
    in_ct systemctl reload "$UNIT" >/dev/null 2>&1 || true
    reload="old $(https_get "$SR_PREFIX/probe.txt" "$old"), new $(https_get "$SR_PREFIX/probe.txt" "$new")"
    in_ct systemctl restart "$UNIT" >/dev/null 2>&1 || true
    restart="old $(https_get "$SR_PREFIX/probe.txt" "$old"), new $(https_get "$SR_PREFIX/probe.txt" "$new")"
    if [[ $reload == "old 000, new 200" && $restart == "old 000, new 200" ]]; then
        pass "$m" "renewed certificate: served after systemctl reload (the credentials copied afresh), and after restart"
    else
        fail "$m" "renewed certificate" "HTTPS GET trusting each certificate: after reload $reload, after restart $restart (want old 000, new 200 both times)"
    fi
}

# Without the drop-in the https socket has no certificate: the service must refuse (at
# priority crit, naming the socket) instead of serving a TLS port it cannot serve. (That it is
# one line per start is tests/systemd's check: Restart= starts it again meanwhile here.)
check_https_without_certificate() {  # model
    local m=$1 line state
    in_ct mv /etc/systemd/system/polyhttpd.service.d/https.conf "$HTTPS_LIVE/https.conf.off"
    in_ct systemctl daemon-reload
    SR_CURSOR=$(journal_cursor)
    in_ct systemctl restart "$UNIT" >/dev/null 2>&1 || true
    journal_wait 0..2 'no certificate is configured' || true
    line=$(journal_since 0..2 | grep -m1 'no certificate is configured' || true)
    state=$(prop ActiveState)
    if [[ $line == *'the TLS socket "https" (127.0.0.1:8443)'* && $state != active ]]; then
        pass "$m" "https socket without a certificate: refused (${line#*polyhttpd: })"
    else
        fail "$m" "https socket without a certificate" "service $state, journal: '$(journal_since 0..4 | tail -n 3 | tr '\n' ' ')'"
    fi
    in_ct systemctl stop "$UNIT" 2>/dev/null
    in_ct mv "$HTTPS_LIVE/https.conf.off" /etc/systemd/system/polyhttpd.service.d/https.conf
    in_ct systemctl daemon-reload
    in_ct systemctl reset-failed "$UNIT" 2>/dev/null
}

run_https() {  # model
    local m=$1
    command -v openssl >/dev/null || { skip https "all checks" "no openssl command on the host"; return 0; }
    in_ct systemctl stop "$UNIT" 2>/dev/null
    in_ct systemctl reset-failed "$UNIT" 2>/dev/null
    write_config "$m"
    make_live_certificate first || { fail https "certificate" "openssl req: $(<"$CT_RUN/openssl.log")"; return 0; }
    install_https_as_documented || return 0
    in_ct systemctl daemon-reload
    if ! in_ct systemctl enable --now "$HTTPS_UNIT" >/dev/null 2>&1; then
        fail https "systemctl enable --now $HTTPS_UNIT" "$(in_ct systemctl status --no-pager "$HTTPS_UNIT" | tail -n 3)"
        return 0
    fi
    check_https_activation "$m" || { skip "$m" "the other https checks" "the service did not start"; return 0; }
    check_https_credentials "$m"
    check_https_renewal "$m"
    check_https_without_certificate "$m"
}
