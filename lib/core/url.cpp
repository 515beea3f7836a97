#include "url.hpp"

#include <charconv>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace netprobe {
namespace {

std::optional<HttpUrl> fail(UrlError* error, std::string message) {
  if (error != nullptr) error->message = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view text, UrlError* error) {
  // "127.0.0.1:9742" or "localhost:9742", as curl takes them: say what to add, not what a parser saw.
  if (text.find("://") == std::string_view::npos && !text.empty() && text.front() != '/') {
    return fail(error, "no scheme: add http:// (http://" + std::string(text) + ")");
  }
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return fail(error, "not an absolute URL (" + parsed.error().message() + ")");
  const boost::urls::url_view& url = *parsed;
  HttpUrl result;
  const std::string scheme(url.scheme());
  if (scheme == "https") {
    result.tls = true;
    result.port = 443;
  } else if (scheme != "http") {
    return fail(error, "scheme \"" + scheme + "\" is not http or https");
  }
  if (!url.has_authority() || url.encoded_host().empty()) return fail(error, "URL has no host");
  if (url.has_userinfo()) return fail(error, "credentials in the URL are not supported");
  if (url.host_type() == boost::urls::host_type::ipv6) {
    result.host = std::string(url.encoded_host_address());
  } else {
    result.host = std::string(url.encoded_host());
  }
  if (url.has_port()) {
    // port_number() wraps silently past 65535, so read the digits ourselves.
    const std::string digits(url.port());
    unsigned port = 0;
    auto [end, parse_error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (parse_error != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return fail(error, "port \"" + digits + "\" is out of range");
    }
    result.port = static_cast<std::uint16_t>(port);
  }
  result.host_header = std::string(url.encoded_host_and_port());
  result.target = std::string(url.encoded_target());
  if (result.target.empty() || result.target.front() != '/') result.target.insert(0, "/");
  return result;
}

}  // namespace netprobe
