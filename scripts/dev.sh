#!/usr/bin/env bash
# The developer's entry point; the README's quick start is two calls of it.
#   scripts/dev.sh serve [polyhttpd flags...]  build (Release) and serve demo/ on 127.0.0.1:8080
#   scripts/dev.sh test                        build (Release, -Werror) and run the whole suite
#   scripts/dev.sh test-sanitize               the suite under ASan+UBSan (Debug)
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
    local dir=$1
    shift
    ctest --test-dir "$dir" --output-on-failure -j 1 "$@"
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
            run_suite build-asan -E bench_smoke
        ;;
    *)
        echo "usage: scripts/dev.sh serve|test|test-sanitize" >&2
        exit 2
        ;;
esac
