#!/usr/bin/env bash
# The developer's entry point; the README's quick start is two calls of it.
#   scripts/dev.sh serve [polyhttpd flags...]  build (Release) and serve demo/ on 127.0.0.1:8080
#   scripts/dev.sh test                        build (Release, -Werror) and run the whole suite
#   scripts/dev.sh test-sanitize               the suite under ASan+UBSan (Debug)
#   scripts/dev.sh fuzz [SECONDS]              libFuzzer on http::Connection (clang), 600 s
#   scripts/dev.sh test-tsan [all]             ThreadSanitizer over the multi-threaded models:
#                                              a focused subset (CI), or with `all` the large
#                                              transfers of faults_test too (3 more minutes)
#   scripts/dev.sh test-tls                    the whole integration suite over TLS, every model
#                                              (CI: basics, connection, hostile; 6 models)
#   scripts/dev.sh test-systemd                the shipped units under a real systemd, for every
#                                              model (tests/systemd-real; root, ~4 minutes)
# Each installs missing Debian packages first (scripts/install-deps.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)

configure_and_build() {  # dir, extra cmake args...
    local dir=$1
    shift
    cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
}

run_suite() {  # dir, extra ctest args...
    # --output-on-failure shows a failing test's log; the last line is ctest's summary.
    # One test per core at a time: most of the suite waits out deadlines (timeouts, drains)
    # rather than computing; bench_smoke runs alone (RUN_SERIAL).
    local dir=$1
    shift
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@"
}

case "${1:-}" in
    serve)
        shift
        scripts/install-deps.sh
        configure_and_build build -DCMAKE_BUILD_TYPE=Release -DPOLYHTTPD_TESTS=OFF
        echo "polyhttpd: serving $top/demo on http://127.0.0.1:8080 (Ctrl-C stops)" >&2
        exec build/polyhttpd --root demo --listen 127.0.0.1:8080 "$@"
        ;;
    test)
        scripts/install-deps.sh
        configure_and_build build -DCMAKE_BUILD_TYPE=Release -DPOLYHTTPD_WERROR=ON
        run_suite build
        ;;
    test-sanitize)
        scripts/install-deps.sh
        configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DPOLYHTTPD_WERROR=ON \
            -DPOLYHTTPD_SANITIZE=address,undefined
        # The bench smoke test measures nothing useful on an instrumented binary: skipped here,
        # it runs in the plain build.
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
            run_suite build-asan -E "^bench_smoke$"
        ;;
    fuzz)
        # New inputs land in build-fuzz/corpus; the seed corpus is only read. The seeds also
        # run in every `test` as the ctest test fuzz_replay. See tests/fuzz/README.md.
        scripts/install-deps.sh fuzz
        cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLYHTTPD_FUZZ=ON \
            -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
        cmake --build build-fuzz -j "$jobs" --target fuzz_connection
        mkdir -p build-fuzz/corpus build-fuzz/findings
        build-fuzz/tests/fuzz/fuzz_connection build-fuzz/corpus tests/fuzz/corpus \
            -dict=tests/fuzz/http.dict -max_len=8192 -timeout=10 \
            -artifact_prefix=build-fuzz/findings/ -max_total_time="${2:-600}" -print_final_stats=1
        ;;
    test-tsan)
        scripts/install-deps.sh
        # Only what runs on several threads: the thread model and the readiness models with two
        # reactors on one listener. The process models are left out (fork() in a program that
        # has threads is outside what TSan follows). Only the executables run here are built.
        cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPOLYHTTPD_WERROR=ON \
            -DPOLYHTTPD_SANITIZE=thread >/dev/null
        cmake --build build-tsan -j "$jobs" --target polyhttpd unit_server unit_models integration \
            faults_test
        # A race report makes the server exit 66 at its end, which every case checks (exit 0).
        export TSAN_OPTIONS="exitcode=66 second_deadlock_stack=1 suppressions=$top/tests/tsan.supp"
        export POLYHTTPD_MODELS=thread,select,poll,epoll-lt,epoll-et,coroutine
        export POLYHTTPD_EXTRA_FLAGS="--workers 2"
        faults="[reload],[emfile],[access-log]"
        # Clients resetting or files changing during 10 MiB transfers: slow under TSan (the
        # instrumented test client reads every byte), so not in CI.
        [[ "${2:-}" == all ]] && faults+=",[client],[files]"
        build-tsan/tests/unit_server
        # The select poller's hold on the stop signals: a lost SIGTERM showed up under TSan only.
        build-tsan/tests/unit_models "[select]"
        build-tsan/tests/integration "[load],[connection],[shutdown]"
        build-tsan/tests/faults_test "$faults"
        ;;
    test-tls)
        # Every tag of the suite over TLS (POLYHTTPD_TRANSPORT=tls), uring included where the
        # kernel has it; ctest's integration_tls runs only the tags CI has time for.
        scripts/install-deps.sh
        configure_and_build build -DCMAKE_BUILD_TYPE=Release -DPOLYHTTPD_WERROR=ON
        POLYHTTPD_TRANSPORT=tls build/tests/integration "~[tls]"
        ;;
    test-systemd)
        # Not part of `test`: it needs root, a Debian mirror the first time (debootstrap, cached
        # afterwards in ~/.cache/polyhttpd) and about 4 minutes. POLYHTTPD_MODELS=a,b limits it.
        scripts/install-deps.sh systemd
        cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOLYHTTPD_WERROR=ON >/dev/null
        cmake --build build -j "$jobs" --target polyhttpd
        tests/systemd-real/run.sh build
        ;;
    *)
        echo "usage: scripts/dev.sh serve|test|test-sanitize|test-tsan|test-tls|test-systemd|fuzz [SECONDS]" >&2
        exit 2
        ;;
esac
