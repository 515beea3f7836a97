#include "prober.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <stdexcept>

#include <boost/asio/ssl/context.hpp>

#include "io/dns_channels.hpp"

namespace netprobe {

namespace {

// A bound on tls_with_ca's contexts: probes handed down by a controller may
// name CA files over time; the config has a handful.
constexpr std::size_t kMaxCaContexts = 64;

std::unique_ptr<boost::asio::ssl::context> verifying_context() {
  auto context = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  context->set_default_verify_paths();
  context->set_verify_mode(boost::asio::ssl::verify_peer);
  return context;
}

// What identifies a version of a file: a Secret or ConfigMap update swaps the
// file behind its symlink (a new inode), an edit in place changes the time.
struct FileVersion {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t modified_ns = 0;
  bool operator==(const FileVersion&) const = default;
};

FileVersion file_version(const struct stat& info) {
  return FileVersion{info.st_dev, info.st_ino, info.st_size,
                     static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

}  // namespace

struct ProbeEnv::CaContext {
  FileVersion version;
  std::unique_ptr<boost::asio::ssl::context> context;
};

ProbeEnv::ProbeEnv() = default;
ProbeEnv::~ProbeEnv() = default;

boost::asio::ssl::context& ProbeEnv::tls() {
  if (!tls_) tls_ = verifying_context();
  return *tls_;
}

void ProbeEnv::add_ca_file(const std::string& path) {
  tls().load_verify_file(path);
  extra_ca_files_.push_back(path);
}

boost::asio::ssl::context& ProbeEnv::tls_with_ca(const std::string& ca_file) {
  struct stat info{};
  if (::stat(ca_file.c_str(), &info) != 0) {
    throw std::runtime_error("cannot read " + ca_file + ": " + std::strerror(errno));
  }
  const FileVersion version = file_version(info);
  auto found = ca_contexts_.find(ca_file);
  if (found != ca_contexts_.end() && found->second->version == version) return *found->second->context;

  auto context = verifying_context();
  for (const std::string& extra : extra_ca_files_) context->load_verify_file(extra);
  boost::system::error_code error;
  context->load_verify_file(ca_file, error);
  if (error) throw std::runtime_error("cannot load CA file " + ca_file + ": " + error.message());
  if (found == ca_contexts_.end() && ca_contexts_.size() >= kMaxCaContexts) ca_contexts_.clear();
  auto& slot = ca_contexts_[ca_file];
  slot = std::make_unique<CaContext>(CaContext{version, std::move(context)});
  return *slot->context;
}

Prober prober_for(ProbeType type) {
  switch (type) {
    case ProbeType::dns: return &probe_dns;
    case ProbeType::tcp: return &probe_tcp;
    case ProbeType::http: return &probe_http;
    case ProbeType::metadata: return &probe_metadata;
  }
  return &probe_tcp;
}

boost::asio::awaitable<ProbeResult> run_check(const Check& check, ProbeEnv& env, const Identity& identity) {
  const ProbeSpec& spec = *check.probe;
  ProbeResult result;
  result.probe = spec.name;
  result.type = spec.type();
  result.target = check.target;
  result.transport = check.transport;
  result.expect = spec.expect;
  result.node = identity.node;
  result.ns = identity.ns;
  result.time = std::chrono::system_clock::now();

  const auto start = std::chrono::steady_clock::now();
  Observation observation;
  try {
    observation = co_await prober_for(spec.type())(check, env);
  } catch (const std::exception& error) {
    // A prober should classify its own failures; this is the safety net.
    observation = Observation{Outcome::error, std::string("internal error: ") + error.what()};
  }
  result.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.outcome = observation.outcome;
  result.detail = std::move(observation.detail);
  result.success = verdict(spec.expect, result.outcome);
  co_return result;
}

}  // namespace netprobe
