# Unity builds (CMake's UNITY_BUILD) for the product's layers and the test executables: a
# target's files are compiled POLYHTTPD_UNITY_BATCH at a time, each batch one translation unit
# (0: the whole target as one). Most of a file's compile time was parsing the headers it
# includes (the standard library, spdlog and fmt, OpenSSL, Catch2 for the tests: a test file
# is about 130,000 lines once preprocessed), which a batch now parses once for all its files.
#
# The rule this brings: two files of one target may not define the same name at file scope
# (anonymous namespace or static), since they may land in one translation unit; the compiler
# then says "redefinition". Rename one, or list the file in the target's no-unity list: the
# product's is POLYHTTPD_NO_UNITY in the top-level CMakeLists.txt, a test executable's is
# <executable>_no_unity in tests/CMakeLists.txt. Such a file is compiled alone.
# POLYHTTPD_UNITY=OFF compiles every file alone, as before (an editor's compile_commands.json,
# or a bisect of a warning).
option(POLYHTTPD_UNITY "Compile the layers and the test executables in unity batches" ON)
set(POLYHTTPD_UNITY_BATCH 8 CACHE STRING "Files per unity batch (0: one batch per target)")

#   polyhttpd_unity(<target> [<file compiled alone>...])   paths relative to the current folder
function(polyhttpd_unity target)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ${POLYHTTPD_UNITY}
                                             UNITY_BUILD_BATCH_SIZE ${POLYHTTPD_UNITY_BATCH})
  foreach(file IN LISTS ARGN)
    set_source_files_properties(${file} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endforeach()
endfunction()
