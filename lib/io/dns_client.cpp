// DNS through c-ares on the caller's executor. Each query has a channel to
// itself (its server, transport and flags; dns_channels.hpp may lend one kept
// from an earlier query), so queries never wait on each other;
// ares_channel.hpp drives the channel's sockets and timer with Asio.
#include "dns_client.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include <ares.h>
#include <boost/asio/this_coro.hpp>

#include "ares_channel.hpp"
#include "dns_channels.hpp"
#include "ares_status.hpp"
#include "core/dns_header.hpp"

namespace netprobe {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// c-ares times a query out by itself; this later deadline only backs it up, so
// a lost timer can never keep a probe (or c-ares' pointer into it) waiting.
Clock::time_point backstop(Millis timeout) {
  return Clock::now() + timeout + std::max(Millis{100}, timeout / 10);
}

// The addresses of an A or AAAA answer (a few are enough for a detail line).
std::vector<std::string> answer_addresses(int record_type, const unsigned char* answer, int length) {
  constexpr int kMax = 4;
  std::vector<std::string> addresses;
  if (record_type == 1) {  // A
    std::array<ares_addrttl, kMax> records{};
    int count = kMax;
    if (ares_parse_a_reply(answer, length, nullptr, records.data(), &count) != ARES_SUCCESS) return {};
    for (int i = 0; i < count; ++i) {
      asio::ip::address_v4::bytes_type bytes;
      std::memcpy(bytes.data(), &records[static_cast<std::size_t>(i)].ipaddr, bytes.size());
      addresses.push_back(asio::ip::address_v4(bytes).to_string());
    }
  } else if (record_type == 28) {  // AAAA
    std::array<ares_addr6ttl, kMax> records{};
    int count = kMax;
    if (ares_parse_aaaa_reply(answer, length, nullptr, records.data(), &count) != ARES_SUCCESS) return {};
    for (int i = 0; i < count; ++i) {
      asio::ip::address_v6::bytes_type bytes;
      std::memcpy(bytes.data(), &records[static_cast<std::size_t>(i)].ip6addr, bytes.size());
      addresses.push_back(asio::ip::address_v6(bytes).to_string());
    }
  }
  return addresses;
}

// Filled by the c-ares callback; lives in the querying coroutine's frame and
// outlives the channel declared after it.
struct QueryState {
  explicit QueryState(const asio::any_io_executor& executor, int type) : completion(executor), record_type(type) {}
  AresCompletion completion;
  int record_type;
  int status = ARES_ENOTINITIALIZED;
  std::optional<DnsHeader> header;
  bool bare_reply = false;  // a header without the question, which c-ares ignores
  std::vector<std::string> addresses;
  std::optional<int> typed_answers;  // answers of record_type; nullopt when the message could not be walked
};

// A bare reply answers the query as far as netprobe is concerned: the server
// said REFUSED (or FORMERR, SERVFAIL) and will say nothing else.
void on_bare_reply(QueryState& state, int rcode) {
  if (state.completion.done()) return;
  state.status = ares_status_for_rcode(rcode, 0);
  state.header = DnsHeader{.response = true, .rcode = rcode};
  state.bare_reply = true;
  state.completion.notify();
}

void on_query_done(void* arg, int status, int /*timeouts*/, unsigned char* answer, int length) {
  // ares_destroy() from the frame's destructor: nobody is waiting any more.
  if (status == ARES_EDESTRUCTION) return;
  auto& state = *static_cast<QueryState*>(arg);
  if (state.completion.done()) return;  // a bare reply already answered it
  state.status = status;
  if (answer != nullptr && length > 0) state.header = read_dns_header({answer, static_cast<std::size_t>(length)});
  if (state.header) {
    state.addresses = answer_addresses(state.record_type, answer, length);
    state.typed_answers = count_answers_of_type({answer, static_cast<std::size_t>(length)}, state.record_type);
  }
  state.completion.notify();
}

// ares_init_options() arguments for a lookup: the options and the mask saying which are set.
struct ChannelOptions {
  ares_options options{};
  int mask = 0;
};

ChannelOptions lookup_options(Millis timeout) {
  ChannelOptions result;
  result.options.tries = 1;
  result.options.timeout = static_cast<int>(timeout.count());
  result.mask = ARES_OPT_TRIES | ARES_OPT_TIMEOUTMS;
  return result;
}

std::string plural(int count, const char* noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

// NOERROR without a record of the asked type: NODATA. A truncated answer may
// have lost its records, and a bare header never carried any: neither counts.
bool is_no_data(const QueryState& state, const DnsHeader& header) {
  if (header.rcode != 0 || header.truncated || state.bare_reply) return false;
  return state.typed_answers ? *state.typed_answers == 0 : header.answer_count == 0;
}

// What came back, for people: "NOERROR, 2 answers: 10.0.0.1, 10.0.0.2",
// "NOERROR, no AAAA record" (NODATA, said by the caller with the status).
std::string describe_answer(const QueryState& state, const DnsHeader& header) {
  std::string text(rcode_name(header.rcode));
  if (is_no_data(state, header)) {
    // A CNAME alone answers an A query with one record and none of type A.
    if (header.answer_count > 0) text += ", " + plural(header.answer_count, "answer");
    return text + ", no " + record_type_name(state.record_type) + " record";
  }
  if (header.rcode == 0 || header.answer_count > 0) text += ", " + plural(header.answer_count, "answer");
  if (!state.addresses.empty()) {
    text += ": ";
    for (std::size_t i = 0; i < state.addresses.size(); ++i) text += (i ? ", " : "") + state.addresses[i];
    if (static_cast<int>(state.addresses.size()) < header.answer_count) text += ", ...";
  }
  if (header.truncated) text += ", truncated (TC bit set, no retry over TCP)";
  if (state.bare_reply) text += ", a bare header without the question";
  return text;
}

DnsAnswer make_answer(const QueryState& state, Millis timeout) {
  DnsAnswer answer;
  answer.ares_status = std::string(ares_status_name(state.status));
  answer.exchange = dns_exchange_for(state.status);
  const std::string status = " (" + answer.ares_status + ")";
  switch (answer.exchange) {
    case DnsExchange::answered:
      if (!state.header) {
        answer.exchange = DnsExchange::failed;
        answer.detail = "answer shorter than a DNS header" + status;
        break;
      }
      answer.rcode = state.header->rcode;
      answer.answer_count = state.header->answer_count;
      answer.truncated = state.header->truncated;
      answer.no_data = is_no_data(state, *state.header);
      answer.detail = describe_answer(state, *state.header) +
                      (answer.no_data ? " (NODATA, " + answer.ares_status + ")" : status);
      break;
    case DnsExchange::timeout:
      answer.detail = "no response within " + format_duration(timeout) + status;
      break;
    case DnsExchange::refused:
      answer.detail = "refused: nothing listening, or a REJECT rule" + status;
      break;
    case DnsExchange::failed:
      answer.detail = std::string(ares_status_reason(state.status)) + status;
      break;
  }
  return answer;
}

DnsAnswer failed_answer(int status, std::string detail) {
  DnsAnswer answer;
  answer.exchange = DnsExchange::failed;
  answer.ares_status = std::string(ares_status_name(status));
  answer.detail = std::move(detail);
  return answer;
}

std::optional<asio::ip::address> ip_literal(std::string host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code error;
  auto address = asio::ip::make_address(host, error);
  if (error) return std::nullopt;
  return address;
}

asio::ip::address to_address(const sockaddr* address) {
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &v6->sin6_addr, bytes.size());
    return asio::ip::address_v6(bytes, v6->sin6_scope_id);
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
  asio::ip::address_v4::bytes_type bytes;
  std::memcpy(bytes.data(), &v4->sin_addr, bytes.size());
  return asio::ip::address_v4(bytes);
}

asio::ip::address to_address(const ares_addr_port_node& node) {
  if (node.family == AF_INET6) {
    asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &node.addr.addr6, bytes.size());
    return asio::ip::address_v6(bytes);
  }
  asio::ip::address_v4::bytes_type bytes;
  std::memcpy(bytes.data(), &node.addr.addr4, bytes.size());
  return asio::ip::address_v4(bytes);
}

struct LookupState {
  explicit LookupState(const asio::any_io_executor& executor) : completion(executor) {}
  AresCompletion completion;
  int status = ARES_ENOTINITIALIZED;
  std::vector<asio::ip::address> addresses;
};

void on_lookup_done(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<ares_addrinfo, decltype(&ares_freeaddrinfo)> owned(result, &ares_freeaddrinfo);
  if (status == ARES_EDESTRUCTION) return;  // see on_query_done
  auto& state = *static_cast<LookupState*>(arg);
  if (state.completion.done()) return;  // a bare reply already answered it
  state.status = status;
  if (result != nullptr) {
    for (const ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
      if (node->ai_addr != nullptr) state.addresses.push_back(to_address(node->ai_addr));
    }
  }
  state.completion.notify();
}

std::string servers_text(std::span<const Endpoint> servers) {
  if (servers.empty()) return "the system resolver (/etc/resolv.conf)";
  std::string text;
  for (const Endpoint& server : servers) text += (text.empty() ? "" : ", ") + server.to_string();
  return text;
}

std::string lookup_error(int status, Millis timeout, std::span<const Endpoint> servers) {
  std::string reason = dns_exchange_for(status) == DnsExchange::timeout
                           ? "no answer within " + format_duration(timeout)
                           : std::string(ares_status_reason(status));
  return reason + " (" + std::string(ares_status_name(status)) + ") via " + servers_text(servers);
}

}  // namespace

asio::awaitable<DnsAnswer> dns_query(const Endpoint& server, DnsTransport transport, const std::string& name,
                                     int record_type, Millis timeout, DnsChannelPool* channels) {
  const auto deadline = backstop(timeout);
  const auto executor = co_await asio::this_coro::executor;
  // Declared before the channel: c-ares may still call back into it while the
  // lease ends.
  QueryState state(executor, record_type);
  DnsChannelLease lease = DnsChannelPool::acquire(channels, executor, server, transport, timeout);
  if (!lease.error().empty()) co_return failed_answer(lease.status(), lease.error());
  AresChannel& channel = lease.channel();
  channel.on_bare_reply([&state](int rcode) { on_bare_reply(state, rcode); });
  ares_query(channel.get(), name.c_str(), 1 /* ns_c_in */, record_type, &on_query_done, &state);
  co_await await_ares(channel, state.completion, deadline);
  co_return make_answer(state, timeout);
}

asio::awaitable<HostAddresses> resolve_host(const std::string& host, Millis timeout,
                                            std::span<const Endpoint> servers) {
  if (auto address = ip_literal(host)) co_return HostAddresses{{*address}, ""};
  const auto deadline = backstop(timeout);
  const auto executor = co_await asio::this_coro::executor;
  LookupState state(executor);  // before the channel, as in dns_query
  const ChannelOptions options = lookup_options(timeout);
  AresChannel channel(executor, options.options, options.mask);
  if (channel.status() != ARES_SUCCESS) {
    co_return HostAddresses{{}, std::string("c-ares setup: ") + ares_strerror(channel.status())};
  }
  if (!servers.empty()) {
    if (std::string error = channel.set_servers(servers); !error.empty()) co_return HostAddresses{{}, error};
  }
  // A resolver that refuses us with a bare header (an ACL) would look like a
  // timeout to c-ares; it has answered, so the lookup ends as refused. With
  // several servers this skips the rest, which in a cluster are the same service.
  channel.on_bare_reply([&state](int rcode) {
    if (state.completion.done()) return;
    state.status = ares_status_for_rcode(rcode, 0);
    state.completion.notify();
  });
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  // Sorting would connect() probe sockets towards every address; order does not matter here.
  hints.ai_flags = ARES_AI_NOSORT;
  ares_getaddrinfo(channel.get(), host.c_str(), nullptr, &hints, &on_lookup_done, &state);
  co_await await_ares(channel, state.completion, deadline);
  if (state.status != ARES_SUCCESS || state.addresses.empty()) {
    co_return HostAddresses{{}, lookup_error(state.status, timeout, servers)};
  }
  co_return HostAddresses{std::move(state.addresses), ""};
}

std::vector<Endpoint> system_nameservers() {
  if (ensure_ares_library() != ARES_SUCCESS) return {};
  ares_channel raw = nullptr;
  if (ares_init(&raw) != ARES_SUCCESS) return {};  // reads /etc/resolv.conf, sends nothing
  std::unique_ptr<ares_channeldata, decltype(&ares_destroy)> channel(raw, &ares_destroy);
  ares_addr_port_node* raw_servers = nullptr;
  if (ares_get_servers_ports(channel.get(), &raw_servers) != ARES_SUCCESS) return {};
  std::unique_ptr<ares_addr_port_node, decltype(&ares_free_data)> servers(raw_servers, &ares_free_data);

  std::vector<Endpoint> endpoints;
  for (const ares_addr_port_node* node = servers.get(); node != nullptr; node = node->next) {
    // Port 0 means c-ares' default, 53.
    const auto port = static_cast<std::uint16_t>(node->udp_port != 0 ? node->udp_port : 53);
    endpoints.push_back(Endpoint{to_address(*node).to_string(), port});
  }
  return endpoints;
}

}  // namespace netprobe
