#pragma once
// The Kubernetes API over HTTPS (Beast + OpenSSL, through io/http_client):
// TLS from the kubeconfig or the service account, the bearer token re-read as
// it rotates, and the loop that drives one kube::Reflector: wait as it says,
// send what it asks for, hand it the replies. The decisions are the
// reflector's (lib/kube); this file only moves bytes.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "io/http_client.hpp"
#include "kube/kubeconfig.hpp"
#include "kube/reflector.hpp"

namespace boost::asio::ssl {
class context;
}

namespace netprobe {

class KubeClient {
 public:
  // Loads the CA and client certificate now, so a bad kubeconfig fails at start;
  // throws std::runtime_error naming what could not be read.
  explicit KubeClient(kube::ApiAccess access);
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  const kube::ApiAccess& access() const { return access_; }

  // A GET of `target` (path and query under the server's URL), read whole.
  boost::asio::awaitable<ClientExchange> get(const std::string& target, std::chrono::steady_clock::time_point deadline);
  // A GET whose 200 body goes to `on_body` as it arrives (a watch).
  boost::asio::awaitable<ClientExchange> stream(const std::string& target,
                                                std::chrono::steady_clock::time_point deadline,
                                                const std::function<bool(std::string_view)>& on_body);

  // The bearer token requests carry. A token file is read again when a minute
  // has passed or the server said 401 (bound service-account tokens rotate
  // hourly; a client that reads once is locked out within hours).
  std::string token();
  void token_rejected() { token_read_at_.reset(); }

  // Ends every request in progress and every wait of run_reflector, now and
  // later: the loops return within a turn of the io_context.
  void stop() { aborts_.abort_all(); }
  bool stopped() const { return aborts_.aborted(); }
  // For run_reflector's waits: cancelled by stop() too.
  ExchangeAborts& aborts() { return aborts_; }

 private:
  ClientRequest request(const std::string& target);
  ClientOptions options(std::chrono::steady_clock::time_point deadline);  // TLS, deadline, stop()

  ExchangeAborts aborts_;
  kube::ApiAccess access_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  std::string token_;
  std::optional<std::chrono::steady_clock::time_point> token_read_at_;
};

// What a reflector's loop reports after each reply, to update metrics and
// schedule an analysis: whether the store changed.
using StoreChanged = std::function<void()>;

// Runs `reflector` against the API until client.stop(): lists, watches, backs
// off, logs its notices. `changed` runs after every reply that may have changed the store.
// (Callables are taken by reference, and callers pass named ones: GCC 12
// destroys a temporary twice when it is a coroutine's by-value argument inside
// a co_await expression, GCC PR 99576.)
boost::asio::awaitable<void> run_reflector(KubeClient& client, kube::Reflector& reflector, kube::ObjectSink& sink,
                                           const StoreChanged& changed);

}  // namespace netprobe
