# Compiler warnings and sanitizers applied to every sluice target.
set(SLUICE_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false positives on std::string concatenation at -O3 (GCC bug 105329).
  list(APPEND SLUICE_WARNING_FLAGS -Wno-restrict)
endif()
if(SLUICE_WERROR)
  list(APPEND SLUICE_WARNING_FLAGS -Werror)
endif()

if(SLUICE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

if(SLUICE_FUZZ)
  # Coverage instrumentation everywhere; the fuzzer runtime is linked only into fuzz targets.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
