// metadata: is the cloud metadata endpoint reachable from here? Each flavor
// asks for something harmless (an instance id), never for credentials, and
// counts the server's "you forgot the header" answers (400/401/403) as
// reachable: reachability is all this probe is about.
//
// AWS IMDSv2 needs care: the token PUT reply is sent with IP TTL 1 by default
// (the hop limit), so from a pod behind one more hop the connect works and the
// token answer never arrives. That is `token_timeout`, not a policy drop.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/classify.hpp"
#include "core/imds_token.hpp"
#include "io/http_client.hpp"
#include "prober.hpp"

namespace netprobe {
namespace {

constexpr const char* kAwsTokenPath = "/latest/api/token";
constexpr const char* kAwsInstanceIdPath = "/latest/meta-data/instance-id";
constexpr const char* kGcpInstanceIdPath = "/computeMetadata/v1/instance/id";
constexpr const char* kAzureVmIdPath = "/metadata/instance/compute/vmId?api-version=2021-02-01&format=text";

using Headers = std::vector<std::pair<std::string, std::string>>;

// One exchange with the metadata server: a request plus the options bounding it.
struct MetadataCall {
  ClientRequest request;
  ClientOptions options;
};

MetadataCall make_call(const Endpoint& address, const ClientOptions& options, std::string method,
                       std::string target, Headers headers) {
  MetadataCall call;
  call.request = request_to(address, std::move(method), std::move(target));
  call.request.headers = std::move(headers);
  call.options = options;
  return call;
}

Headers aws_token_headers() { return {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}}; }
Headers aws_headers(const std::string& token) { return {{"X-aws-ec2-metadata-token", token}}; }
Headers gcp_headers() { return {{"Metadata-Flavor", "Google"}}; }
Headers azure_headers() { return {{"Metadata", "true"}}; }

// "GET http://169.254.169.254/latest/meta-data/instance-id: 200 OK". Only the
// status: bodies may hold tokens, and headers certainly do.
std::string describe_reply(const ClientRequest& request, const ClientReply& reply) {
  std::string text = request.method + " " + request_url(request) + ": " + std::to_string(reply.status);
  if (!reply.reason.empty()) text += " " + reply.reason;
  return text;
}

// A request whose answer decides the outcome by its status.
boost::asio::awaitable<Observation> ask(const MetadataCall& call) {
  const ClientExchange exchange = co_await http_exchange(call.request, call.options);
  if (!exchange.answered()) co_return Observation{exchange.outcome, describe_failure(call.request, exchange)};
  co_return Observation{classify_metadata_status(exchange.reply.status), describe_reply(call.request, exchange.reply)};
}

boost::asio::awaitable<Observation> probe_aws(const Endpoint& address, const ClientOptions& options) {
  const MetadataCall put = make_call(address, options, "PUT", kAwsTokenPath, aws_token_headers());
  const ClientExchange token = co_await http_exchange(put.request, put.options);
  if (!token.answered()) {
    const bool connected = token.phase == HttpPhase::request || token.phase == HttpPhase::response;
    const Outcome outcome = classify_token_failure(connected, token.outcome);
    std::string detail = describe_failure(put.request, token);
    if (outcome == Outcome::token_timeout) {
      detail += " after connecting (IMDSv2 hop limit: the token reply's TTL runs out on the way)";
    }
    co_return Observation{outcome, std::move(detail)};
  }
  // IMDSv2 switched off or the PUT refused: the server answered, so it is reachable.
  if (token.reply.status < 200 || token.reply.status > 299) {
    co_return Observation{classify_metadata_status(token.reply.status), describe_reply(put.request, token.reply)};
  }
  const std::optional<std::string> value = read_imds_token(token.reply.body);
  if (!value) co_return Observation{Outcome::error, describe_reply(put.request, token.reply) + " without a usable token"};

  const MetadataCall get = make_call(address, options, "GET", kAwsInstanceIdPath, aws_headers(*value));
  co_return co_await ask(get);
}

// `tcp` is the tcp prober aimed at the metadata address: same detail, same outcomes.
boost::asio::awaitable<Observation> probe_connect_only(const Check& check, const Endpoint& address, ProbeEnv& env) {
  auto tcp_spec = std::make_shared<ProbeSpec>(*check.probe);
  tcp_spec->params = TcpSpec{address};
  Check tcp_check = check;
  tcp_check.probe = std::move(tcp_spec);
  co_return co_await probe_tcp(tcp_check, env);
}

}  // namespace

boost::asio::awaitable<Observation> probe_metadata(const Check& check, ProbeEnv& env) {
  const ProbeSpec& spec = *check.probe;
  const MetadataSpec& metadata = std::get<MetadataSpec>(spec.params);
  ClientOptions options;
  options.deadline = std::chrono::steady_clock::now() + spec.timeout;
  options.budget = spec.timeout;
  options.resolver_servers = env.resolver_servers;
  options.allowed = check.allowed_addresses.get();

  // The calls are built before any co_await: GCC 12 cannot keep a braced
  // header list alive across a suspension point.
  switch (metadata.flavor) {
    case MetadataFlavor::tcp:
      co_return co_await probe_connect_only(check, metadata.address, env);
    case MetadataFlavor::aws:
      co_return co_await probe_aws(metadata.address, options);
    case MetadataFlavor::gcp: {
      const MetadataCall call = make_call(metadata.address, options, "GET", kGcpInstanceIdPath, gcp_headers());
      co_return co_await ask(call);
    }
    case MetadataFlavor::azure: {
      const MetadataCall call = make_call(metadata.address, options, "GET", kAzureVmIdPath, azure_headers());
      co_return co_await ask(call);
    }
  }
  co_return Observation{Outcome::error, "unknown metadata flavor"};
}

}  // namespace netprobe
