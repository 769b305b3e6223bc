# sluice_add_library(NAME SOURCES ... DEPS ...): one static library per module.
function(sluice_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${SLUICE_WARNING_FLAGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# sluice_add_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary registered with ctest.
# With SLUICE_UNIT_TESTS off only the binaries labelled "stress" are built and registered (the
# others stay available as targets outside "all"): scripts/test.sh's debug build, whose unit tests
# already ran under the sanitizers.
option(SLUICE_UNIT_TESTS "Build and register every GoogleTest binary (OFF: only stress tests)" ON)
function(sluice_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  set(keep TRUE)
  if(NOT SLUICE_UNIT_TESTS AND NOT "stress" IN_LIST ARG_LABELS)
    set(keep FALSE)
  endif()
  if(keep)
    add_executable(${name} ${ARG_SOURCES})
  else()
    add_executable(${name} EXCLUDE_FROM_ALL ${ARG_SOURCES})
  endif()
  target_compile_options(${name} PRIVATE ${SLUICE_WARNING_FLAGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  if(keep)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "unit;${ARG_LABELS}" TIMEOUT 300)
  endif()
endfunction()
