#pragma once
// What every fuzz target shares: the libFuzzer entry point's signature, and the
// rule the targets check. A parser of outside input may only answer with its
// documented error type (ConfigError, FieldError), naming what is wrong; any
// other exception escapes LLVMFuzzerTestOneInput and libFuzzer reports it as a
// crash, as it does sanitizer findings, hangs (-timeout) and runaway memory.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace netprobe::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An error must say something: an empty message would leave the user guessing.
inline void require_message(const std::exception& error) {
  if (std::string_view(error.what()).empty()) throw std::logic_error("an error without a message");
}

}  // namespace netprobe::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
