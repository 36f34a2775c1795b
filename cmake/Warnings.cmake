# Warning and sanitizer flags, applied per target so that third-party code (llhttp) is not
# held to our -Werror.
function(polyhttpd_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(POLYHTTPD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(POLYHTTPD_SANITIZE)
  add_compile_options(-fsanitize=${POLYHTTPD_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${POLYHTTPD_SANITIZE})
  # Line tables are all a sanitizer's report needs (function, file and line of every frame);
  # the full debug info of -g made the instrumented Debug build a fifth slower to compile.
  add_compile_options(-g1)
endif()
