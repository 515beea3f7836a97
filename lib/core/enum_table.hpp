#pragma once
// One table per enumeration: each value beside its name (in configs, on the
// wire, as a Prometheus label value) and a line of help for people. Every
// reader and writer of those names goes through the table, so a value is
// added, renamed or explained in one place.
#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace netprobe {

template <typename Enum>
struct EnumEntry {
  Enum value;
  std::string_view name;
  std::string_view help;
};

template <typename Enum, std::size_t N>
class EnumTable {
 public:
  // Entries come in the enum's own order (the first is value 0, and so on), so
  // a name is looked up by index; a table declared constexpr out of order
  // does not compile.
  constexpr explicit EnumTable(std::array<EnumEntry<Enum>, N> entries) : entries_(entries) {
    for (std::size_t i = 0; i < N; ++i) {
      if (static_cast<std::size_t>(entries_[i].value) != i) throw std::logic_error("enum table out of order");
    }
  }

  constexpr std::string_view name(Enum value) const { return entry(value).name; }
  constexpr std::string_view help(Enum value) const { return entry(value).help; }

  constexpr std::optional<Enum> parse(std::string_view name) const {
    for (const EnumEntry<Enum>& entry : entries_) {
      if (entry.name == name) return entry.value;
    }
    return std::nullopt;
  }

  // For error messages: "dns, tcp, http, metadata".
  std::string names() const {
    std::string out;
    for (const EnumEntry<Enum>& entry : entries_) out += (out.empty() ? "" : ", ") + std::string(entry.name);
    return out;
  }

  constexpr auto begin() const { return entries_.begin(); }
  constexpr auto end() const { return entries_.end(); }
  static constexpr std::size_t size() { return N; }

 private:
  constexpr const EnumEntry<Enum>& entry(Enum value) const {
    const auto index = static_cast<std::size_t>(value);
    return entries_[index < N ? index : 0];  // an out-of-range value (a cast) names the first, never reads past
  }

  std::array<EnumEntry<Enum>, N> entries_;
};

template <typename Enum, std::size_t N>
EnumTable(std::array<EnumEntry<Enum>, N>) -> EnumTable<Enum, N>;

}  // namespace netprobe
