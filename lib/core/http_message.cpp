#include "http_message.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <nlohmann/json.hpp>

#include "json_text.hpp"

namespace netprobe {

std::string_view HttpRequest::path() const {
  const std::string_view whole(target);
  return whole.substr(0, whole.find('?'));
}

std::optional<std::vector<std::pair<std::string, std::string>>> HttpRequest::query() const {
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& param : parsed->params()) out.emplace_back(param.key, param.has_value ? param.value : "");
  return out;
}

bool header_value_is_clean(std::string_view value) {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7f) return false;
  }
  return true;
}

HttpResponse json_response(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.body = json_text(body);
  response.body += '\n';
  return response;
}

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse unauthorized_response() {
  HttpResponse response = error_response(401, "unauthorized", "missing or wrong bearer token");
  response.headers.emplace_back("WWW-Authenticate", "Bearer");
  return response;
}

HttpResponse method_not_allowed_response(std::string_view allowed) {
  HttpResponse response = error_response(405, "method_not_allowed", "use " + std::string(allowed));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view prefix = "Bearer ";
  if (token.empty() || !authorization.starts_with(prefix)) return false;
  const std::string_view given = authorization.substr(prefix.size());
  // Walk the expected token's full length whatever `given` holds.
  unsigned char difference = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < token.size(); ++i) {
    const char c = i < given.size() ? given[i] : '\0';
    difference = static_cast<unsigned char>(difference | (c ^ token[i]));
  }
  return difference == 0;
}

}  // namespace netprobe
