# One CMake library per source folder, linked only to the folders below it: the arrows of the
# README's design notes. polyhttpd_layer() also records each folder's arrows in
# ${CMAKE_BINARY_DIR}/layers.txt, which the `layers` test (scripts/check-layers.py) holds every
# #include against, so a header included against the arrows fails the suite, not only a link.
#
#   polyhttpd_layer(<folder> [ARROWS_ONLY] [DEPS <folder>...] [LIBS <imported target>...])
# ARROWS_ONLY records the arrows of a folder that is no library (app/: the executable).
# The target is polyhttpd_<folder with / as _>; includes are qualified from the project root
# ("server/conn/deadline.hpp").
set_property(GLOBAL PROPERTY POLYHTTPD_LAYER_LINES "")

function(polyhttpd_layer_target out folder)
  string(REPLACE "/" "_" name "${folder}")
  set(${out} polyhttpd_${name} PARENT_SCOPE)
endfunction()

function(polyhttpd_layer folder)
  cmake_parse_arguments(L "ARROWS_ONLY" "" "DEPS;LIBS" ${ARGN})
  string(REPLACE ";" " " deps_text "${L_DEPS}")
  set_property(GLOBAL APPEND PROPERTY POLYHTTPD_LAYER_LINES "${folder}: ${deps_text}")
  if(L_ARROWS_ONLY)
    return()
  endif()
  polyhttpd_layer_target(target ${folder})
  set(dep_targets "")
  foreach(dep ${L_DEPS})
    polyhttpd_layer_target(t ${dep})
    list(APPEND dep_targets ${t})
  endforeach()
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${folder}/*.cpp)
  if(sources)
    add_library(${target} STATIC ${sources})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${dep_targets} ${L_LIBS})
    polyhttpd_warnings(${target})
    polyhttpd_unity(${target} ${POLYHTTPD_NO_UNITY})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} INTERFACE ${dep_targets} ${L_LIBS})
  endif()
endfunction()

function(polyhttpd_write_layers)
  get_property(lines GLOBAL PROPERTY POLYHTTPD_LAYER_LINES)
  list(JOIN lines "\n" text)
  file(WRITE ${CMAKE_BINARY_DIR}/layers.txt "${text}\n")
endfunction()
