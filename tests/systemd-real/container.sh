# Sourced by run.sh: the Debian 12 tree, cached, and one container booted on it under a real
# systemd. Everything here runs on the host as root; nothing blocks for long without a bound.
#
# The tree is built once by debootstrap and kept in $SR_CACHE under a name that carries a hash
# of its package list, so a new library in `ldd polyhttpd` builds a new tree. A run never
# writes to it: the container boots on an overlay (the cached tree below, a scratch directory
# above), so every run starts from the same fresh system and nothing a run installs lingers.

SR_SUITE=bookworm
# systemd as PID 1 with journald and D-Bus (systemctl needs it); curl for the health checks a
# user would make; logrotate because the install steps put a snippet in /etc/logrotate.d.
# Not procps: the unit's ExecReload= uses the shell's kill, and so does this test, so a system
# without /bin/kill is what is tested.
SR_BASE_PACKAGES=(systemd systemd-sysv dbus curl logrotate)

# The Debian packages that own the libraries the binary links (as the Dockerfile finds them).
runtime_packages() {  # binary
    local lib
    for lib in $(ldd "$1" | awk '$3 ~ /^\// {print $3}'); do
        dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")"
    done | cut -d: -f1 | sort -u
}

# Where the tree of this package list is cached.
rootfs_dir() {  # packages...
    echo "$SR_CACHE/rootfs-$SR_SUITE-$(printf '%s\n' "$SR_SUITE" "$@" | sha256sum | cut -c1-12)"
}

# Prints the cached tree's path, building it first when missing. debootstrap writes to a
# temporary name that is renamed only once complete, so an interrupted run is never reused.
ensure_rootfs() {  # packages...
    local dir list old
    dir=$(rootfs_dir "$@")
    if [[ -d $dir ]]; then
        echo "$dir"
        return 0
    fi
    mkdir -p "$SR_CACHE"
    rm -rf "$dir.partial"
    list=$(IFS=,; echo "$*")
    echo "systemd-real: debootstrap $SR_SUITE with $list (once; cached in $dir)" >&2
    # The mirror is debootstrap's default unless POLYHTTPD_DEBIAN_MIRROR names another.
    if ! debootstrap --variant=minbase --include="$list" "$SR_SUITE" "$dir.partial" \
        ${POLYHTTPD_DEBIAN_MIRROR:+"$POLYHTTPD_DEBIAN_MIRROR"} >"$SR_CACHE/debootstrap.log" 2>&1; then
        echo "systemd-real: debootstrap failed; its log: $SR_CACHE/debootstrap.log" >&2
        return 1
    fi
    mv "$dir.partial" "$dir"
    # Trees of older package lists are dead weight (about 250 MB each).
    for old in "$SR_CACHE"/rootfs-"$SR_SUITE"-*; do
        [[ $old == "$dir" ]] || rm -rf "$old"
    done
    echo "$dir"
}

# The container: CT_ROOT (the overlay, the container's / seen from the host), CT_NSPAWN (the
# systemd-nspawn process) and CT_PID1 (the container's systemd, as the host numbers it).
CT_ROOT= CT_NSPAWN= CT_PID1= CT_RUN=

# Mounts the overlay in run_dir/root: lower the cached tree, upper run_dir/upper.
mount_overlay() {  # cached tree, run dir
    mkdir -p "$2/upper" "$2/work" "$2/root"
    mount -t overlay polyhttpd-systemd-real \
        -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/root"
    CT_ROOT=$2/root CT_RUN=$2
}

# The descendant of the nspawn process that is PID 1 in its own PID namespace.
find_pid1() {
    local queue=("$CT_NSPAWN") pid child
    while ((${#queue[@]})); do
        pid=${queue[0]}
        queue=("${queue[@]:1}")
        if [[ $pid != "$CT_NSPAWN" ]] && grep -Eq '^NSpid:.*[[:space:]]1$' "/proc/$pid/status" 2>/dev/null; then
            echo "$pid"
            return 0
        fi
        # By PPid: /proc/PID/task/TID/children is missing from kernels without PROC_CHILDREN.
        for child in $(grep -lE "^PPid:[[:space:]]+$pid\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3); do
            queue+=("$child")
        done
    done
    return 1
}

# Boots the container in the background and waits (bounded) until its systemd says the boot
# is over. A private network namespace: the shipped files listen on the fixed port 8080, which
# another server on this machine may hold; the host reaches the container with nsenter -n.
# Returns 1 with the reason on stderr when the container does not boot.
boot_container() {  # source tree, machine name
    systemd-nspawn --boot --register=no --keep-unit --private-network --console=read-only \
        --machine="$2" --bind-ro="$1:/src" -D "$CT_ROOT" >"$CT_RUN/nspawn.log" 2>&1 &
    CT_NSPAWN=$!
    local i
    for ((i = 0; i < 300; i++)); do
        kill -0 "$CT_NSPAWN" 2>/dev/null || break
        CT_PID1=$(find_pid1) && break
        sleep 0.1
    done
    if [[ -z $CT_PID1 ]]; then
        echo "systemd-nspawn did not start a container: $(tail -n 3 "$CT_RUN/nspawn.log" | tr '\n' ' ')" >&2
        return 1
    fi
    # systemctl answers nothing (or "offline") until PID 1 has its private socket: ask again.
    local state=
    for ((i = 0; i < 1200; i++)); do
        state=$(in_ct systemctl is-system-running --wait 2>/dev/null)
        [[ $state == running || $state == degraded || $state == stopping ]] && break
        kill -0 "$CT_NSPAWN" 2>/dev/null || break
        sleep 0.1
    done
    if [[ $state != running && $state != degraded ]]; then
        echo "the container's systemd did not finish booting (state '$state'); see $CT_RUN/nspawn.log" >&2
        return 1
    fi
    [[ $state == running ]] || in_ct systemctl --failed --no-pager >&2 || true
}

# Runs a command inside the container (its file system, processes, network).
in_ct() {
    nsenter -t "$CT_PID1" -m -u -i -p -n -- "$@"
}

# Runs a host command in the container's network namespace only (curl on its loopback).
in_ct_net() {
    nsenter -t "$CT_PID1" -n -- "$@"
}

# Powers the container off (nspawn turns SIGTERM into an orderly shutdown), then removes the
# overlay. Safe to call twice and after a failed boot.
stop_container() {
    local i
    if [[ -n $CT_NSPAWN ]] && kill -0 "$CT_NSPAWN" 2>/dev/null; then
        kill -TERM "$CT_NSPAWN"
        for ((i = 0; i < 300; i++)); do
            kill -0 "$CT_NSPAWN" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$CT_NSPAWN" 2>/dev/null || true
        wait "$CT_NSPAWN" 2>/dev/null || true
    fi
    CT_NSPAWN=
    if [[ -n $CT_ROOT ]] && mountpoint -q "$CT_ROOT"; then umount "$CT_ROOT" || umount -l "$CT_ROOT"; fi
    [[ -n $CT_RUN ]] && rm -rf "$CT_RUN/upper" "$CT_RUN/work" && { rmdir "$CT_RUN/root" 2>/dev/null || true; }
    CT_ROOT=
}
