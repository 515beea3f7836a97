#pragma once
// One request of the CLI to a controller (`netprobe status`, `netprobe probe
// --all-nodes`): the exchange, the answer read as a JSON object, and for
// people a line saying what went wrong, prefixed with the command's name.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/duration.hpp"
#include "core/url.hpp"

namespace netprobe::cli {

struct ControllerCall {
  std::string command;  // "netprobe status", for messages
  std::string method = "GET";
  std::string path;     // under the base URL: "/api/v1/status?node=a"
  std::string body;     // JSON, sent when not empty
  std::string token;    // bearer token, sent when not empty
  Millis timeout{5'000};
};

struct ControllerAnswer {
  int status = 0;
  nlohmann::json body;  // the JSON object answered; null when the body was not one
};

// nullopt when no answer came (the reason printed on stderr). A non-2xx answer
// is returned with its status, and its error printed: "the controller answered
// 403 target_not_allowed: …".
std::optional<ControllerAnswer> call_controller(const HttpUrl& base, const ControllerCall& call);

}  // namespace netprobe::cli
