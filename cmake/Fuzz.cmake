# POLYHTTPD_FUZZ=ON builds the libFuzzer target in tests/fuzz. libFuzzer comes with clang
# only; every library is then built with coverage instrumentation (fuzzer-no-link) and, unless
# chosen otherwise, ASan and UBSan, so a finding is a crash with a stack trace.
option(POLYHTTPD_FUZZ "Build the libFuzzer target tests/fuzz/fuzz_connection (clang only)" OFF)
if(POLYHTTPD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "POLYHTTPD_FUZZ=ON needs clang and libFuzzer: configure with "
                        "-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 "
                        "(Debian: clang-14 libclang-rt-14-dev)")
  endif()
  if(NOT POLYHTTPD_SANITIZE)
    set(POLYHTTPD_SANITIZE "address,undefined" CACHE STRING
        "Comma-separated sanitizers, e.g. address,undefined" FORCE)
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
