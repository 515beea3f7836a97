#pragma once
// An input refused for one field: `field` names it as a user would find it in
// the document ("results[3].outcome"), and what() is "field: message".
#include <stdexcept>
#include <string>

namespace netprobe {

class FieldError : public std::runtime_error {
 public:
  FieldError(std::string field, const std::string& message)
      : std::runtime_error(field + ": " + message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

}  // namespace netprobe
