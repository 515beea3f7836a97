# -DNETPROBE_SANITIZE=address,undefined instruments every target.
# -DNETPROBE_FUZZ=ON (Clang only) adds libFuzzer's coverage instrumentation and
# the fuzz targets of tests/fuzz; tests/fuzz/fuzz_test.sh configures such a build.
option(NETPROBE_FUZZ "Build the libFuzzer targets of tests/fuzz (Clang)" OFF)
if(NETPROBE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "NETPROBE_FUZZ needs Clang (-DCMAKE_CXX_COMPILER=clang++): libFuzzer is part of it")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(NETPROBE_SANITIZE)
  add_compile_options(-fsanitize=${NETPROBE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${NETPROBE_SANITIZE})
  # Clang 14 cannot emit UBSan's function-type check for some of Asio's
  # coroutine frames ("Cannot represent a difference across sections" in
  # lib/io); that one check is left out, the rest of UBSan stays.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND NETPROBE_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
