// io/log's level gate (the line format itself is core/log_line_test.cpp's).
#include "io/log.hpp"

#include <doctest/doctest.h>

using namespace netprobe;

TEST_CASE("log::enabled says which levels the set level lets through") {
  log::set_level(LogLevel::warn);
  CHECK_FALSE(log::enabled(LogLevel::debug));
  CHECK_FALSE(log::enabled(LogLevel::info));
  CHECK(log::enabled(LogLevel::warn));
  CHECK(log::enabled(LogLevel::error));
  log::set_level(LogLevel::debug);
  CHECK(log::enabled(LogLevel::debug));
  log::set_level(LogLevel::info);  // the default, for the tests after this one
  CHECK_FALSE(log::enabled(LogLevel::debug));
}
