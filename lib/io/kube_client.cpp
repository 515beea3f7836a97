#include "kube_client.hpp"

#include <algorithm>
#include <array>
#include <openssl/evp.h>

#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/json_input.hpp"
#include "io/log.hpp"
#include "io/secrets.hpp"
#include "kube/line_splitter.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::minutes kTokenLifetime{1};
// A page of 500 objects is a few MiB; past this the reflector asks for smaller
// pages. It bounds what one reply costs (the body, then its JSON tree).
constexpr std::size_t kListBodyLimit = 16 << 20;
// One watch event holds one object; etcd stores at most 1.5 MiB per object.
constexpr std::size_t kEventLimit = 4 << 20;
constexpr std::chrono::seconds kListTimeout{60};
// The server ends a watch at its timeoutSeconds; this is the bound should it not.
constexpr std::chrono::seconds kWatchSlack{30};
// An API server sends a watch's headers as soon as the watch is set up; one that
// has not within this is stuck, and the watch is tried again (after a backoff).
constexpr std::chrono::seconds kWatchHeaderTimeout{15};

// The kubeconfig's *-data fields: base64 of PEM.
std::string decode_base64(const std::string& text, const std::string& what) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  EVP_ENCODE_CTX* context = EVP_ENCODE_CTX_new();
  EVP_DecodeInit(context);
  int written = 0, tail = 0;
  const bool ok = EVP_DecodeUpdate(context, reinterpret_cast<unsigned char*>(out.data()), &written,
                                   reinterpret_cast<const unsigned char*>(text.data()),
                                   static_cast<int>(text.size())) >= 0 &&
                  EVP_DecodeFinal(context, reinterpret_cast<unsigned char*>(out.data()) + written, &tail) == 1;
  EVP_ENCODE_CTX_free(context);
  if (!ok) throw std::runtime_error(what + "-data is not base64");
  out.resize(static_cast<std::size_t>(written + tail));
  return out;
}

std::string pem_of(const kube::PemSource& source, const std::string& what) {
  if (!source.base64_data.empty()) return decode_base64(source.base64_data, what);
  return read_text_file(source.file);
}

std::unique_ptr<asio::ssl::context> make_tls(const kube::ApiAccess& access) {
  auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  tls->set_verify_mode(asio::ssl::verify_peer);
  try {
    if (access.certificate_authority.empty()) {
      tls->set_default_verify_paths();
    } else {
      const std::string pem = pem_of(access.certificate_authority, "certificate-authority");
      tls->add_certificate_authority(asio::buffer(pem));
    }
    if (!access.client_certificate.empty()) {
      const std::string certificate = pem_of(access.client_certificate, "client-certificate");
      const std::string key = pem_of(access.client_key, "client-key");
      tls->use_certificate_chain(asio::buffer(certificate));
      tls->use_private_key(asio::buffer(key), asio::ssl::context::pem);
    }
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error("Kubernetes TLS settings (" + access.origin + "): " + error.code().message());
  }
  return tls;
}

std::optional<kube::ApiStatus> status_in(const std::string& body) {
  try {
    return kube::read_status(parse_json_input(body));
  } catch (const JsonInputError&) {
    return std::nullopt;  // an error page, a proxy's HTML: the status code says enough
  }
}

// A wait that client.stop() cuts short.
asio::awaitable<void> wait_until(KubeClient& client, Clock::time_point when) {
  if (when <= Clock::now() || client.stopped()) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, when);
  const std::size_t id = client.aborts().add([&timer] { timer.cancel(); });
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  client.aborts().remove(id);
}

void log_notices(kube::Reflector& reflector) {
  for (const kube::Notice& notice : reflector.take_notices()) {
    const nlohmann::json fields{{"resource", kube::info(reflector.resource()).name}};
    if (notice.warning) log::warn(notice.message, fields);
    else log::info(notice.message, fields);
  }
}

// One list page: the reflector gets the parsed body, or the failure.
asio::awaitable<void> list_once(KubeClient& client, kube::Reflector& reflector, kube::ObjectSink& sink) {
  const ClientExchange exchange = co_await client.get(reflector.next().target, Clock::now() + kListTimeout);
  const auto now = Clock::now();
  if (!exchange.answered()) {
    reflector.failed(0, kube::ApiStatus{0, "", exchange.error}, std::nullopt, sink, now);
    co_return;
  }
  if (exchange.reply.status == 401) client.token_rejected();
  if (exchange.reply.status != 200) {
    reflector.failed(exchange.reply.status, status_in(exchange.reply.body),
                     kube::parse_retry_after(exchange.reply.header("Retry-After")), sink, now);
    co_return;
  }
  if (exchange.reply.body_truncated) {
    reflector.list_too_large(now);
    co_return;
  }
  nlohmann::json body;
  try {
    body = parse_json_input(exchange.reply.body);
  } catch (const JsonInputError& error) {
    reflector.list_unreadable(error.what(), now);
    co_return;
  }
  reflector.list_page(body, sink, now);
}

asio::awaitable<void> watch_once(KubeClient& client, kube::Reflector& reflector, kube::ObjectSink& sink,
                                 const StoreChanged& changed) {
  const kube::Request request = reflector.next();
  kube::LineSplitter lines(kEventLimit);
  bool opened = false;
  bool ended_by_event = false;  // an ERROR event: the reflector has chosen what comes next
  const std::function<bool(std::string_view)> on_body = [&](std::string_view bytes) {
    if (!opened) {
      opened = true;
      reflector.watch_opened(Clock::now());
    }
    const std::size_t dropped = lines.dropped_lines();
    lines.feed(bytes, [&](std::string_view line) {
      if (!ended_by_event) ended_by_event = !reflector.watch_line(line, sink, Clock::now());
    });
    if (!ended_by_event && lines.dropped_lines() > dropped) {
      reflector.event_too_large(Clock::now());
      ended_by_event = true;
    }
    log_notices(reflector);
    changed();
    return !ended_by_event;
  };
  const ClientExchange exchange =
      co_await client.stream(request.target, Clock::now() + request.watch_timeout + kWatchSlack, on_body);
  const auto now = Clock::now();
  if (!exchange.answered()) {
    reflector.failed(0, kube::ApiStatus{0, "", exchange.error}, std::nullopt, sink, now);
  } else if (exchange.reply.status != 200) {
    if (exchange.reply.status == 401) client.token_rejected();
    reflector.failed(exchange.reply.status, status_in(exchange.reply.body),
                     kube::parse_retry_after(exchange.reply.header("Retry-After")), sink, now);
  } else if (ended_by_event || client.stopped()) {
    // the reflector already knows what follows, or nothing does
  } else if (!exchange.reply.stream_error.empty()) {
    reflector.watch_broke(exchange.reply.stream_error, now);
  } else {
    if (!opened) reflector.watch_opened(now);
    reflector.watch_closed(now);
  }
}

}  // namespace

KubeClient::KubeClient(kube::ApiAccess access) : access_(std::move(access)), tls_(make_tls(access_)) {
  token();  // an unreadable token file fails at start, not at the first request
}

KubeClient::~KubeClient() = default;

std::string KubeClient::token() {
  if (access_.token_file.empty()) return access_.token;
  const auto now = Clock::now();
  if (!token_read_at_ || now - *token_read_at_ >= kTokenLifetime) {
    try {
      token_ = read_token_file(access_.token_file);
    } catch (const std::exception& error) {
      if (!token_read_at_ && token_.empty()) throw;  // at start: a configuration error
      log::warn("cannot read the Kubernetes token file; keeping the last token", {{"error", error.what()}});
    }
    token_read_at_ = now;
  }
  return token_;
}

ClientRequest KubeClient::request(const std::string& target) {
  ClientRequest request = request_under(access_.server, "GET", target);
  request.tls_server_name = access_.tls_server_name;
  request.headers.emplace_back("Accept", "application/json");
  if (const std::string bearer = token(); !bearer.empty()) add_bearer_token(request, bearer);
  return request;
}

ClientOptions KubeClient::options(Clock::time_point deadline) {
  static constexpr std::array<std::string_view, 1> kKeptHeaders{"Retry-After"};  // read by failed()
  ClientOptions options;
  options.keep_headers = kKeptHeaders;
  options.deadline = deadline;
  options.budget = std::chrono::duration_cast<Millis>(deadline - Clock::now());  // named in a timeout's message
  options.tls = tls_.get();
  options.aborts = &aborts_;
  return options;
}

asio::awaitable<ClientExchange> KubeClient::get(const std::string& target, Clock::time_point deadline) {
  const ClientRequest request = this->request(target);
  ClientOptions options = this->options(deadline);
  options.body_limit = kListBodyLimit;
  co_return co_await http_exchange(request, options);
}

asio::awaitable<ClientExchange> KubeClient::stream(const std::string& target, Clock::time_point deadline,
                                                   const std::function<bool(std::string_view)>& on_body) {
  const ClientRequest request = this->request(target);
  ClientOptions options = this->options(std::min(deadline, Clock::now() + kWatchHeaderTimeout));
  options.budget = kWatchHeaderTimeout;
  options.stream_deadline = deadline;
  options.on_body = on_body;
  co_return co_await http_exchange(request, options);
}

asio::awaitable<void> run_reflector(KubeClient& client, kube::Reflector& reflector, kube::ObjectSink& sink,
                                    const StoreChanged& changed) {
  while (!client.stopped()) {
    co_await wait_until(client, reflector.next().not_before);
    if (client.stopped()) break;
    if (reflector.next().kind == kube::Request::Kind::list) {
      co_await list_once(client, reflector, sink);
    } else {
      co_await watch_once(client, reflector, sink, changed);
    }
    log_notices(reflector);
    changed();
  }
}

}  // namespace netprobe
