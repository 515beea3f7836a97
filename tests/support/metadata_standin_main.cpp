// metadata-standin: a cloud metadata server for tests, on loopback or inside a
// test's network namespace. It answers only the harmless requests netprobe's
// metadata prober makes (AWS IMDSv2 token + instance id, GCP instance id, Azure
// vmId), with the same "missing header" errors the real servers give.
//
// --token-reply-ttl N sets the IP TTL of a connection just before its token
// reply, as AWS does with the IMDSv2 hop limit: with a router namespace in
// between, the connect works and the token never arrives. --token-delay and
// --hang-token show the same thing on plain loopback.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/unicast.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include "core/endpoint.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kInstanceId = "i-0123456789abcdef0";
constexpr std::string_view kGcpInstanceId = "4520031799277581759";
constexpr std::string_view kAzureVmId = "02aab8a4-74ef-476e-8182-f6d2ba4166a6";
constexpr std::chrono::seconds kIdleLimit{60};  // a forgotten client cannot hold a session forever

constexpr std::string_view kUsage = R"(usage: metadata-standin --listen 127.0.0.1:PORT [options]

A cloud metadata server stand-in for tests (AWS IMDSv2, GCP, Azure). Prints one
JSON line on stderr when listening and one per request (never headers or tokens).

  --listen ADDR:PORT     where to listen (port 0 picks a free one)
  --token-reply-ttl N    send the IMDSv2 token reply with IP TTL N (the AWS hop limit)
  --token-delay MS       wait MS milliseconds before answering a token PUT
  --hang-token           never answer a token PUT
  --help                 this text
)";

struct Options {
  netprobe::Endpoint listen{"127.0.0.1", 0};
  std::optional<int> token_reply_ttl;
  std::chrono::milliseconds token_delay{0};
  bool hang_token = false;
};

// What a request gets, decided without I/O.
struct Answer {
  Response response;
  bool is_token = false;  // a token PUT reply: the TTL, delay and hang options apply
};

class TokenStore {
 public:
  std::string issue() {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
    std::string token;
    for (int i = 0; i < 56; ++i) token += kAlphabet[pick(random_)];
    issued_.insert(token);
    return token;
  }
  bool valid(std::string_view token) const { return issued_.count(std::string(token)) != 0; }

 private:
  std::mt19937_64 random_{std::random_device{}()};
  std::set<std::string> issued_;
};

Response reply(const Request& request, http::status status, std::string_view body) {
  Response response(status, request.version());
  response.set(http::field::server, "metadata-standin");
  response.set(http::field::content_type, "text/plain");
  response.body() = std::string(body);
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

// IMDSv2 asks for a TTL between 1 and 21600 seconds.
bool valid_token_ttl(std::string_view value) {
  long seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  return error == std::errc{} && end == value.data() + value.size() && seconds >= 1 && seconds <= 21600;
}

Answer handle_request(const Request& request, TokenStore& tokens) {
  const auto target = boost::urls::parse_origin_form(request.target());
  if (!target) return {reply(request, http::status::bad_request, "bad request target\n")};
  const std::string path(target->path());
  const bool get = request.method() == http::verb::get;

  if (path == "/latest/api/token" && request.method() == http::verb::put) {
    const auto ttl = request.find("X-aws-ec2-metadata-token-ttl-seconds");
    if (ttl == request.end() || !valid_token_ttl(ttl->value())) {
      return {reply(request, http::status::bad_request, "missing or invalid TTL header\n")};
    }
    Answer answer{reply(request, http::status::ok, tokens.issue()), true};
    answer.response.set("X-aws-ec2-metadata-token-ttl-seconds", ttl->value());
    return answer;
  }
  if (path == "/latest/meta-data/instance-id" && get) {
    const auto token = request.find("X-aws-ec2-metadata-token");
    if (token == request.end() || !tokens.valid(token->value())) {
      return {reply(request, http::status::unauthorized, "")};
    }
    return {reply(request, http::status::ok, kInstanceId)};
  }
  if (path == "/computeMetadata/v1/instance/id" && get) {
    if (request["Metadata-Flavor"] != "Google") {
      return {reply(request, http::status::forbidden, "Missing Metadata-Flavor:Google header.\n")};
    }
    Answer answer{reply(request, http::status::ok, kGcpInstanceId)};
    answer.response.set("Metadata-Flavor", "Google");
    return answer;
  }
  if (path == "/metadata/instance/compute/vmId" && get) {
    if (request["Metadata"] != "true" || !target->params().contains("api-version")) {
      return {reply(request, http::status::bad_request, "Bad request: Metadata header and api-version required\n")};
    }
    return {reply(request, http::status::ok, kAzureVmId)};
  }
  return {reply(request, http::status::not_found, "not found\n")};
}

void log_request(const Request& request, unsigned status) {
  // Targets come from our own client in tests; escape quotes and backslashes anyway.
  std::string target;
  for (char c : request.target()) {
    if (c == '"' || c == '\\') target += '\\';
    target += c;
  }
  std::cerr << R"({"method":")" << request.method_string() << R"(","target":")" << target
            << R"(","status":)" << status << "}" << std::endl;
}

// Holds a token reply back as the options say; false when it is never to be sent.
asio::awaitable<bool> before_token_reply(beast::tcp_stream& stream, const Options& options) {
  if (options.hang_token) co_return false;
  if (options.token_delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, options.token_delay);
    co_await timer.async_wait(kAsTuple);
  }
  if (options.token_reply_ttl) {
    // Left set for the rest of the connection: retransmissions of the reply
    // must carry the same TTL, as AWS's do.
    stream.socket().set_option(asio::ip::unicast::hops(*options.token_reply_ttl));
  }
  co_return true;
}

asio::awaitable<void> session(tcp::socket socket, const Options& options, TokenStore& tokens) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(8 * 1024);
    stream.expires_after(kIdleLimit);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kAsTuple);
    if (read_error) break;  // the client hung up (or never finished a request)
    const Request& request = parser.get();
    Answer answer = handle_request(request, tokens);
    if (answer.is_token && !co_await before_token_reply(stream, options)) {
      log_request(request, 0);
      continue;  // --hang-token: stay silent until the client gives up
    }
    log_request(request, answer.response.result_int());
    stream.expires_after(kIdleLimit);
    auto [write_error, written] = co_await http::async_write(stream, answer.response, kAsTuple);
    if (write_error || !answer.response.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> serve(tcp::acceptor& acceptor, const Options& options, TokenStore& tokens) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kAsTuple);
    if (error == asio::error::operation_aborted) co_return;
    if (error) continue;
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), options, tokens), asio::detached);
  }
}

long parse_number(std::string_view flag, std::string_view text, long low, long high) {
  long number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end != text.data() + text.size() || number < low || number > high) {
    throw std::invalid_argument(std::string(flag) + ": expected a number in " + std::to_string(low) + ".." +
                                std::to_string(high) + ", got \"" + std::string(text) + "\"");
  }
  return number;
}

Options parse_arguments(int argc, char** argv) {
  Options options;
  bool listen_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (arg == "--listen") {
      const std::string_view text = value();
      auto endpoint = netprobe::parse_endpoint(text);
      if (!endpoint) throw std::invalid_argument("--listen: expected ADDR:PORT, got \"" + std::string(text) + "\"");
      options.listen = *endpoint;
      listen_given = true;
    } else if (arg == "--token-reply-ttl") {
      options.token_reply_ttl = static_cast<int>(parse_number(arg, value(), 1, 255));
    } else if (arg == "--token-delay") {
      options.token_delay = std::chrono::milliseconds{parse_number(arg, value(), 0, 3'600'000)};
    } else if (arg == "--hang-token") {
      options.hang_token = true;
    } else {
      throw std::invalid_argument("unknown argument \"" + std::string(arg) + "\"");
    }
  }
  if (!listen_given) throw std::invalid_argument("--listen is required");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_arguments(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "metadata-standin: " << error.what() << "\n" << kUsage;
    return 2;
  }
  try {
    asio::io_context io;
    const tcp::endpoint endpoint(asio::ip::make_address(options.listen.host), options.listen.port);
    tcp::acceptor acceptor(io, endpoint);
    TokenStore tokens;
    asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const beast::error_code&, int) { io.stop(); });
    const tcp::endpoint bound = acceptor.local_endpoint();
    std::cerr << R"({"listening":")" << bound.address().to_string() << R"(","port":)" << bound.port() << "}"
              << std::endl;
    asio::co_spawn(io, serve(acceptor, options, tokens), asio::detached);
    io.run();
  } catch (const std::exception& error) {
    std::cerr << "metadata-standin: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
