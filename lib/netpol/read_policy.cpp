#include "read_policy.hpp"

#include <algorithm>
#include <cctype>

#include "read_fields.hpp"

namespace netprobe::netpol {
namespace {

Cidr read_cidr(const Field& field) {
  const std::string text = api_string(field);
  auto cidr = parse_cidr(text);
  if (!cidr || text.find('/') == std::string::npos) {
    field.fail("invalid CIDR \"" + text + "\" (expected e.g. 10.0.0.0/8 or fd00::/8)");
  }
  return *cidr;
}

IpBlock read_ip_block(const Field& field) {
  MapReader reader(field);
  IpBlock block;
  block.cidr = read_cidr(reader.required("cidr"));
  if (auto except = reader.optional("except")) {
    for (const Field& entry : list_or_empty(*except)) {
      Cidr hole = read_cidr(entry);
      const bool same_family = (hole.text.find(':') == std::string::npos) == (block.cidr.text.find(':') == std::string::npos);
      if (!same_family || hole.prefix < block.cidr.prefix || !block.cidr.contains(hole.address)) {
        entry.fail("\"" + hole.text + "\" is not inside cidr " + block.cidr.text);
      }
      block.except.push_back(std::move(hole));
    }
  }
  reader.finish();
  return block;
}

PolicyPeer read_peer(const Field& field) {
  MapReader reader(field);
  PolicyPeer peer;
  peer.pod_selector = read_optional_selector(reader.optional("podSelector"));
  peer.namespace_selector = read_optional_selector(reader.optional("namespaceSelector"));
  if (auto block = reader.optional("ipBlock"); block && !is_null(*block)) peer.ip_block = read_ip_block(*block);
  reader.finish();
  const bool has_selector = peer.pod_selector || peer.namespace_selector;
  if (peer.ip_block && has_selector) field.fail("ipBlock cannot be combined with podSelector or namespaceSelector");
  if (!peer.ip_block && !has_selector) field.fail("a peer needs podSelector, namespaceSelector or ipBlock");
  return peer;
}

// IANA service name, as the API validates a named port: 1-15 characters of
// [a-z0-9-], at least one letter, no leading, trailing or double hyphen.
bool valid_port_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name.front() == '-' || name.back() == '-') return false;
  if (name.find("--") != std::string_view::npos) return false;
  const bool charset = std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-';
  });
  return charset && std::any_of(name.begin(), name.end(), [](unsigned char c) { return std::islower(c); });
}

PolicyPort read_policy_port(const Field& field) {
  MapReader reader(field);
  PolicyPort port;
  if (auto protocol = reader.optional("protocol"); protocol && !is_null(*protocol)) {
    const std::string text = api_string(*protocol);
    const auto parsed = parse_protocol(text);
    if (!parsed) protocol->fail("unknown protocol \"" + text + "\" (expected TCP, UDP, SCTP)");
    port.protocol = *parsed;
  }
  if (auto number = reader.optional("port"); number && !is_null(*number)) {
    const std::string text = number->as_string();
    if (plain(*number) && all_digits(text)) {
      port.port = read_port_number(*number);
    } else if (!valid_port_name(text)) {
      number->fail("invalid port name \"" + text +
                   "\" (a number, or a container port name: up to 15 of a-z, 0-9, '-', with a letter)");
    } else {
      port.named_port = text;
    }
  }
  if (auto end = reader.optional("endPort"); end && !is_null(*end)) {
    if (!port.port) end->fail("needs a numeric port");
    port.end_port = read_port_number(*end);
    if (*port.end_port < *port.port) end->fail("must not be less than port " + std::to_string(*port.port));
  }
  reader.finish();
  return port;
}

PolicyRule read_rule(const Field& field, std::string_view peers_key) {
  PolicyRule rule;
  if (is_null(field)) return rule;  // `- {}` and `-` both admit everything
  MapReader reader(field);
  if (auto peers = reader.optional(peers_key)) {
    for (const Field& peer : list_or_empty(*peers)) rule.peers.push_back(read_peer(peer));
  }
  if (auto ports = reader.optional("ports")) {
    for (const Field& port : list_or_empty(*ports)) rule.ports.push_back(read_policy_port(port));
  }
  reader.finish();
  return rule;
}

std::vector<PolicyRule> read_rules(const std::optional<Field>& field, std::string_view peers_key) {
  std::vector<PolicyRule> rules;
  if (!field) return rules;
  for (const Field& rule : list_or_empty(*field)) rules.push_back(read_rule(rule, peers_key));
  return rules;
}

void read_policy_types(const Field& field, NetworkPolicy& policy) {
  for (const Field& entry : list_or_empty(field)) {
    const std::string type = api_string(entry);
    if (type == "Ingress") policy.affects_ingress = true;
    else if (type == "Egress") policy.affects_egress = true;
    else entry.fail("unknown policy type \"" + type + "\" (expected Ingress, Egress)");
  }
}

}  // namespace

void read_policy_spec(const Field& field, NetworkPolicy& policy) {
  MapReader spec(field);
  // podSelector is required by the API, but a missing one decodes as {} (all pods).
  if (auto selector = spec.optional("podSelector")) policy.pod_selector = read_selector(*selector);
  const auto types = spec.optional("policyTypes");
  const auto ingress = spec.optional("ingress");
  const auto egress = spec.optional("egress");
  spec.finish();
  policy.ingress = read_rules(ingress, "from");
  policy.egress = read_rules(egress, "to");
  if (types) read_policy_types(*types, policy);
  if (!policy.affects_ingress && !policy.affects_egress) {
    // The API default: Ingress always, Egress when there are egress rules.
    policy.affects_ingress = true;
    policy.affects_egress = !policy.egress.empty();
  }
}

}  // namespace netprobe::netpol
