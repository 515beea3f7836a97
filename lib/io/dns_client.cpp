// Placeholder until the c-ares driver lands: IP literals only.
#include "dns_client.hpp"

namespace netprobe {

boost::asio::awaitable<DnsAnswer> dns_query(const Endpoint&, DnsTransport, const std::string&, int, Millis) {
  co_return DnsAnswer{};
}

boost::asio::awaitable<HostAddresses> resolve_host(const std::string& host, Millis, std::span<const Endpoint>) {
  boost::system::error_code error;
  auto address = boost::asio::ip::make_address(host, error);
  if (error) co_return HostAddresses{{}, "name resolution not implemented yet"};
  co_return HostAddresses{{address}, ""};
}

std::vector<Endpoint> system_nameservers() { return {}; }

}  // namespace netprobe
