#!/usr/bin/env bash
# polyhttpd under a real systemd: boots a minimal Debian 12 with systemd-nspawn, installs the
# binary, the example config and the units the way docs/deploying.md says, and checks, for
# every model: socket activation, reload (good and broken file), stop draining a transfer, the
# status line, journald priorities, the watchdog, DynamicUser= and the hardening in force, and
# that /etc/passwd is not served; then, on one model, HTTPS as the docs set it up (the https
# socket, the certificate passed with LoadCredential=, renewal, no certificate refused).
# One PASS/FAIL/SKIP line per check, then a summary line.
#
#   tests/systemd-real/run.sh [BUILD_DIR]     (scripts/dev.sh test-systemd builds and runs it)
# BUILD_DIR (default build/) must be inside the source tree and hold a built polyhttpd.
# POLYHTTPD_MODELS=a,b limits the models. POLYHTTPD_SYSTEMD_CACHE (default
# ~/.cache/polyhttpd) keeps the debootstrapped tree; POLYHTTPD_DEBIAN_MIRROR picks a mirror.
# Needs root, debootstrap and systemd-nspawn (scripts/install-deps.sh systemd), and openssl
# for the HTTPS checks. Exits 0 when
# everything passed or it was skipped (first line "SKIPPED: why"), 1 on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd) || exit 1
SR_CACHE=${POLYHTTPD_SYSTEMD_CACHE:-$HOME/.cache/polyhttpd}
source "$here/container.sh"
source "$here/checks.sh"
source "$here/checks_reload.sh"
source "$here/checks_https.sh"

passed=0 failed=0 skipped=0 failures=()
pass() { echo "PASS  $1: $2"; passed=$((passed + 1)); }
fail() { echo "FAIL  $1: $2: ${*:3}"; failed=$((failed + 1)); failures+=("$1: $2"); }
skip() { echo "SKIP  $1: $2: ${*:3}"; skipped=$((skipped + 1)); }
skipped_run() {
    echo "SKIPPED: $*"
    echo "systemd-real: $passed passed, $failed failed, $((skipped + 1)) skipped"
    exit 0
}

summary() {
    local f
    ((${#failures[@]})) && for f in "${failures[@]}"; do echo "failed: $f"; done
    echo "took $((SECONDS - started)) s ($cache_state); logs and the journal in $CT_RUN"
    echo "systemd-real: $passed passed, $failed failed, $skipped skipped"
    ((failed == 0))
}

preconditions() {
    [[ $(id -u) == 0 ]] || skipped_run "needs root (debootstrap, mount, systemd-nspawn)"
    local c
    for c in systemd-nspawn debootstrap nsenter curl mountpoint; do
        command -v "$c" >/dev/null ||
            skipped_run "$c is not installed (scripts/install-deps.sh systemd installs it)"
    done
    [[ -x $build/polyhttpd ]] || { echo "systemd-real: no $build/polyhttpd; build it first" >&2; exit 1; }
    [[ $build == "$top/build" ]] ||
        { echo "systemd-real: the install steps use build/polyhttpd; $build is not $top/build" >&2; exit 1; }
    grep -qw overlay /proc/filesystems || skipped_run "the kernel has no overlay file system"
}

# The steps of docs/deploying.md's "Under systemd" block that install files (the `install`
# and `cp` lines; the build and package lines are the host's business), run in the container
# from the source tree at /src: a change in the docs changes what is tested.
install_as_documented() {
    local cmds cmd
    cmds=$(awk '/^## Under systemd/ { s = 1 } s && /^```sh/ { b = 1; next }
                b && /^```/ { exit } b && /^(install|cp) / { print }' "$top/docs/deploying.md")
    [[ -n $cmds ]] || { fail setup "install steps" "none found in docs/deploying.md"; return 1; }
    while IFS= read -r cmd; do
        echo "install: $cmd"
        in_ct bash -c "cd /src && $cmd" || { fail setup "install step" "'$cmd' failed"; return 1; }
    done <<<"$cmds"
    cp "$CT_ROOT/etc/polyhttpd/polyhttpd.toml" "$CT_RUN/shipped.toml"
    # The test's own files beside what the docs put in the web root.
    printf '%s' "$SR_MARKER" >"$CT_ROOT/srv/www/probe.txt"
    truncate -s "${SR_BIG_MIB}M" "$CT_ROOT/srv/www/big.bin"
    chmod a+r "$CT_ROOT/srv/www/probe.txt" "$CT_ROOT/srv/www/big.bin"
    # As the docs go on: enable the socket; the service starts on the first connection.
    in_ct systemctl daemon-reload && in_ct systemctl enable --now polyhttpd.socket >/dev/null 2>&1 ||
        { fail setup "systemctl enable --now polyhttpd.socket" "$(in_ct systemctl status --no-pager polyhttpd.socket)"; return 1; }
    local listen
    listen=$(sed -n 's/^ListenStream=//p' "$CT_ROOT/etc/systemd/system/polyhttpd.socket" | head -n 1)
    [[ $listen == *:* ]] && SR_BASE=http://${listen} || SR_BASE=http://127.0.0.1:$listen
    pass setup "installed as docs/deploying.md says; polyhttpd.socket enabled, listening on ${listen}"
}

run_model() {  # model
    local m=$1 rc
    in_ct systemctl stop "$UNIT" 2>/dev/null
    in_ct systemctl reset-failed "$UNIT" 2>/dev/null
    write_config "$m"
    SR_CURSOR=$(journal_cursor)
    check_activation "$m"
    rc=$?
    ((rc == 2)) && return 0
    if ((rc != 0)); then
        skip "$m" "the other checks" "the service did not start"
        return 0
    fi
    check_status "$m"
    check_unit_settings "$m"
    check_in_force "$m"
    check_passwd "$m"
    check_reload_good "$m"
    check_reload_broken "$m"
    check_journal_priorities "$m"
    check_watchdog "$m"
    check_stop_drain "$m"
}

main() {
    preconditions
    local packages models tree m
    packages=$( (printf '%s\n' "${SR_BASE_PACKAGES[@]}"; runtime_packages "$build/polyhttpd") | sort -u)
    cache_state="rootfs cached"
    [[ -d $(rootfs_dir $packages) ]] || cache_state="rootfs built by debootstrap"
    tree=$(ensure_rootfs $packages) || { echo "systemd-real: 0 passed, 1 failed, 0 skipped"; exit 1; }
    # Outside the source tree, which the container sees at /src (and would see itself in).
    CT_RUN=$(mktemp -d "${TMPDIR:-/tmp}/polyhttpd-systemd-real.XXXXXX")
    trap stop_container EXIT
    trap 'exit 130' INT TERM
    mount_overlay "$tree" "$CT_RUN" || skipped_run "cannot mount an overlay on $tree"
    boot_container "$top" "polyhttpd-test-$$" 2>"$CT_RUN/boot.err" ||
        skipped_run "systemd-nspawn cannot boot a container here: $(<"$CT_RUN/boot.err")"
    echo "container up: PID 1 is host PID $CT_PID1 ($((SECONDS - started)) s)"
    install_as_documented || { summary; exit 1; }
    models=${POLYHTTPD_MODELS:-$("$build/polyhttpd" --list-models | awk '{ print $1 }' | paste -sd, -)}
    for m in ${models//,/ }; do
        run_model "$m"
    done
    # Last: it adds a drop-in to the service. The first model listed (epoll-et by default).
    run_https "$(cut -d, -f1 <<<"$models")"
    in_ct journalctl --no-pager -o short-precise >"$CT_RUN/journal.txt" 2>&1
    summary
}

started=$SECONDS
main
