# Applied to every netprobe target through netprobe_warnings.
add_library(netprobe_warnings INTERFACE)
target_compile_options(netprobe_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(NETPROBE_WERROR)
  target_compile_options(netprobe_warnings INTERFACE -Werror)
endif()
# GCC 12 reports -Wrestrict on ordinary std::string concatenation at -O3
# (GCC bug 105329, fixed in 13): a false positive that would fail Release builds.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(netprobe_warnings INTERFACE -Wno-restrict)
endif()
# GCC 12 at -O3 also reports -Wmismatched-new-delete inside Asio's coroutine
# frame allocator (frames come from Asio's own operator new, which allocates with
# aligned_new, and go back through aligned_delete): a false positive, seen first
# in http_server.cpp's session, that would fail Release builds.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(netprobe_warnings INTERFACE -Wno-mismatched-new-delete)
endif()
