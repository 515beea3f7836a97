# Applied to every netprobe target through netprobe_warnings.
add_library(netprobe_warnings INTERFACE)
target_compile_options(netprobe_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(NETPROBE_WERROR)
  target_compile_options(netprobe_warnings INTERFACE -Werror)
endif()
