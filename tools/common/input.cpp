#include "input.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace xfrmpp::tools {

Result<diag::SourceBuffer> load_source(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return diag::SourceBuffer("<stdin>", ss.str());
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error(errno, path + ": " + std::strerror(errno));
  std::string text;
  f.seekg(0, std::ios::end);
  auto size = f.tellg();
  if (size > 0) {
    text.resize(static_cast<size_t>(size));
    f.seekg(0);
    f.read(text.data(), size);
  } else {  // pipes and /proc files report no size
    f.seekg(0);
    text.assign(std::istreambuf_iterator<char>(f), {});
  }
  if (f.bad()) return make_error(errno, path + ": read error");
  return diag::SourceBuffer(path, std::move(text));
}

void print_diagnostics(const diag::SourceBuffer& source, const diag::DiagnosticSink& sink, std::FILE* out) {
  for (const auto& d : sink.all()) std::fputs(diag::format(source, d).c_str(), out);
}

std::vector<model::Address> resolve_host(std::string_view host, model::Family hint) {
  addrinfo hints{};
  hints.ai_family = hint == model::Family::inet ? AF_INET : hint == model::Family::inet6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* res = nullptr;
  std::string name(host);
  std::vector<model::Address> out;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    model::Address a;
    if (ai->ai_family == AF_INET) {
      a.family = model::Family::inet;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
      a.family = model::Family::inet6;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    bool dup = false;
    for (const auto& b : out) dup |= b == a;
    if (!dup) out.push_back(a);
  }
  freeaddrinfo(res);
  return out;
}

}  // namespace xfrmpp::tools
