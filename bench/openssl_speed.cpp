// SPDX-License-Identifier: BSD-3-Clause
#include "openssl_speed.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>

namespace esp_bench {

namespace {

// The last line is "NAME  123456.78k": thousands of bytes per second.
std::optional<double> run(const std::string& args) {
  std::string cmd = "openssl speed " + args + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return std::nullopt;
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
  std::istringstream lines(out);
  std::string line, last;
  while (std::getline(lines, line))
    if (!line.empty()) last = line;
  size_t end = last.find_last_not_of(" \t");
  if (end == std::string::npos || last[end] != 'k') return std::nullopt;
  size_t begin = last.find_last_of(" \t", end);
  std::string number = last.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin == std::string::npos ? 0 : begin + 1));
  char* stop = nullptr;
  double v = std::strtod(number.c_str(), &stop);
  if (stop == number.c_str() || v <= 0) return std::nullopt;
  return v * 1000.0;
}

}  // namespace

std::optional<double> openssl_cipher_speed(const std::string& cipher, size_t bytes, int seconds) {
  return run("-evp " + cipher + " -bytes " + std::to_string(bytes) + " -seconds " + std::to_string(seconds));
}

std::optional<double> openssl_hmac_speed(const std::string& digest, size_t bytes, int seconds) {
  return run("-hmac " + digest + " -bytes " + std::to_string(bytes) + " -seconds " + std::to_string(seconds));
}

}  // namespace esp_bench
