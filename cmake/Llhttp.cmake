# llhttp comes from Debian's node-llhttp package as C sources; we build it as a static library
# in strict mode. Nothing is vendored.
set(LLHTTP_SOURCE_DIR "/usr/share/llhttp" CACHE PATH "Directory holding llhttp's C sources")
set(LLHTTP_INCLUDE_DIR "/usr/share/include/llhttp" CACHE PATH "Directory holding llhttp.h")

foreach(src api.c http.c llhttp.c)
  if(NOT EXISTS "${LLHTTP_SOURCE_DIR}/${src}")
    message(FATAL_ERROR "llhttp source ${LLHTTP_SOURCE_DIR}/${src} not found: install Debian's "
                        "'node-llhttp' package (apt-get install node-llhttp)")
  endif()
endforeach()
if(NOT EXISTS "${LLHTTP_INCLUDE_DIR}/llhttp.h")
  message(FATAL_ERROR "llhttp.h not found in ${LLHTTP_INCLUDE_DIR}: install Debian's 'node-llhttp' package")
endif()

add_library(llhttp STATIC ${LLHTTP_SOURCE_DIR}/api.c ${LLHTTP_SOURCE_DIR}/http.c
                          ${LLHTTP_SOURCE_DIR}/llhttp.c)
target_include_directories(llhttp SYSTEM PUBLIC ${LLHTTP_INCLUDE_DIR})
target_compile_definitions(llhttp PUBLIC LLHTTP_STRICT_MODE=1)
set_target_properties(llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
