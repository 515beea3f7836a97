# Third-party libraries, all from Debian 12 packages (scripts/packages/build.txt);
# nothing is fetched at build time.
#
# Targets link the netprobe_dep_* libraries below, never the packages' own
# targets, because one program is linked differently: netprobe-agent runs on
# every node, and a static, non-PIE binary maps only the pages it runs, with
# no shared-object relocation or symbol lookup at start. That halves the
# agent's resident size (bench/README.md). A program opts in by setting its
# NETPROBE_STATIC target property; each netprobe_dep_* then resolves, for that
# program only, to the library's archive instead of its shared object.
# prometheus-cpp has no archive in Debian, so neither daemon uses it (both
# write their fixed-shape series with lib/core/exposition); it is only the
# reference the unit tests hold that writer to.

find_package(Boost 1.81 REQUIRED COMPONENTS program_options)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(prometheus-cpp REQUIRED COMPONENTS core)
find_package(PkgConfig REQUIRED)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
find_package(doctest REQUIRED)

option(NETPROBE_STATIC_AGENT "Link netprobe-agent statically (about half the resident memory)" ON)

# netprobe_dependency(NAME SHARED target… STATIC archive…)
function(netprobe_dependency name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SHARED;STATIC")
  set(static "$<BOOL:$<TARGET_PROPERTY:NETPROBE_STATIC>>")
  add_library(netprobe_dep_${name} INTERFACE)
  foreach(shared ${arg_SHARED})
    target_link_libraries(netprobe_dep_${name} INTERFACE "$<$<NOT:${static}>:${shared}>")
    # Headers are the same either way.
    target_include_directories(netprobe_dep_${name} SYSTEM INTERFACE
      "$<TARGET_PROPERTY:${shared},INTERFACE_INCLUDE_DIRECTORIES>")
  endforeach()
  foreach(archive ${arg_STATIC})
    string(MAKE_C_IDENTIFIER "NETPROBE_ARCHIVE_${archive}" variable)
    find_library(${variable} NAMES ${archive} REQUIRED)
    target_link_libraries(netprobe_dep_${name} INTERFACE "$<${static}:${${variable}}>")
  endforeach()
endfunction()

netprobe_dependency(openssl SHARED OpenSSL::SSL OpenSSL::Crypto STATIC libssl.a libcrypto.a)
netprobe_dependency(cares SHARED PkgConfig::CARES STATIC libcares.a)
netprobe_dependency(yaml_cpp SHARED yaml-cpp STATIC libyaml-cpp.a)
netprobe_dependency(program_options SHARED Boost::program_options STATIC libboost_program_options.a)

# netprobe_static_program(TARGET): link TARGET as one static, non-PIE binary.
function(netprobe_static_program target)
  if(NOT NETPROBE_STATIC_AGENT)
    return()
  elseif(NETPROBE_SANITIZE)
    message(STATUS "${target} is linked dynamically: the sanitizer runtimes are shared objects")
    return()
  endif()
  set_target_properties(${target} PROPERTIES NETPROBE_STATIC ON)
  # -static makes GCC link a non-PIE executable. glibc's archive warns that
  # getaddrinfo, gethostbyname, getservbyname and dlopen need its shared NSS
  # modules at run time: Asio's resolver, OpenSSL's BIO_gethostbyname and
  # engine loader, and c-ares' service lookup reference them, but the agent
  # resolves every name through c-ares (lib/io/dns_client.cpp) with no service
  # name and loads no engine, so those paths never run. -w keeps those
  # known warnings out of every build's output.
  target_link_options(${target} PRIVATE -static -Wl,-w)
endfunction()
