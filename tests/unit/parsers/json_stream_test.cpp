// SPDX-License-Identifier: BSD-3-Clause
// The streamed JSON documents (render::JsonArrayWriter and its hand-written policy/SA text) against the
// documents built whole with nlohmann (render::spd_document, sad_document, the -n --json statements
// document), byte for byte: for every golden setkey input, with and without keys, and for entries that
// set every optional field.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "parsers/setkey.hpp"
#include "xfrmpp/render/json.hpp"
#include "xfrmpp/render/json_stream.hpp"
#include "xfrmpp/render/json_text.hpp"

using namespace xfrmpp;
namespace m = xfrmpp::model;

namespace {

struct Streamed {
  std::string text;
  render::JsonArrayWriter writer;
  explicit Streamed(render::JsonArrayWriter (*make)(render::JsonArrayWriter::Sink))
      : writer(make([this](std::string_view piece) { text += piece; })) {}
  const std::string& finish() {
    writer.finish();
    return text;
  }
};

std::string spd_streamed(const std::vector<m::Policy>& policies) {
  Streamed s(render::spd_writer);
  for (const auto& p : policies) s.writer.add(p);
  return s.finish();
}

std::string sad_streamed(const std::vector<m::SecurityAssociation>& sas, render::JsonOptions o) {
  Streamed s(render::sad_writer);
  for (const auto& sa : sas) s.writer.add(sa, o);
  return s.finish();
}

void check_dumps(const std::vector<m::Policy>& policies, const std::vector<m::SecurityAssociation>& sas) {
  std::string spd = render::json_text(render::spd_document(policies), 2);
  CHECK(spd_streamed(policies) == spd);
  CHECK(nlohmann::json::parse(spd_streamed(policies)) == nlohmann::json::parse(spd));  // valid JSON, the same value
  for (bool keys : {true, false}) {
    CAPTURE(keys);
    CHECK(sad_streamed(sas, {keys}) == render::json_text(render::sad_document(sas, {keys}), 2));
  }
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

m::Address addr(const char* text) { return *m::Address::parse(text); }

}  // namespace

TEST_CASE("streamed documents equal the whole ones for every golden setkey input, keys shown and masked") {
  size_t cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(XFRMPP_GOLDEN_SETKEY_DIR)) {
    if (entry.path().extension() != ".conf") continue;
    auto err = entry.path();
    if (std::filesystem::exists(err.replace_extension(".err"))) continue;
    CAPTURE(entry.path().string());
    ++cases;
    diag::SourceBuffer source(entry.path().filename().string(), read(entry.path()));
    diag::DiagnosticSink sink;
    m::Script script = parsers::setkey::parse(source, sink);
    REQUIRE(!script.statements.empty());
    std::vector<m::Policy> policies;
    std::vector<m::SecurityAssociation> sas;
    for (const auto& st : script.statements) {
      if (auto* ap = std::get_if<m::AddPolicy>(&st.op)) policies.push_back(ap->policy);
      if (auto* as = std::get_if<m::AddSa>(&st.op)) sas.push_back(*as->sa);
      if (auto fwd = parsers::setkey::rfc_fwd_copy(st)) policies.push_back(std::get<m::AddPolicy>(fwd->op).policy);
    }
    check_dumps(policies, sas);
    for (bool keys : {true, false}) {
      CAPTURE(keys);
      nlohmann::json doc{{"schema", render::kJsonSchema}, {"statements", nlohmann::json::array()}};
      Streamed s(render::statements_writer);
      for (const auto& st : script.statements) {
        auto j = render::to_json(st, source.line_col(st.range.begin).line, {keys});
        j["file"] = source.name();
        doc["statements"].push_back(j);
        s.writer.add(j);
      }
      CHECK(s.finish() == render::json_text(doc, 2));
    }
  }
  CHECK(cases >= 4);
}

TEST_CASE("streamed policies and SAs with every optional field, odd strings and none at all") {
  check_dumps({}, {});

  m::Policy p;
  p.sel.family = m::Family::inet6;
  p.sel.src = {addr("2001:db8::1"), 128};
  p.sel.dst = {addr("2001:db8::/32"), 32};
  p.sel.proto = 58;  // ICMPv6: the ports are type and code
  p.sel.sport = 128;
  p.sel.sport_mask = 0xffff;
  p.sel.dport = 3;
  p.sel.dport_mask = 0xffff;
  p.sel.ifindex = -7;
  p.dir = m::Direction::fwd;
  p.priority = 4294967295u;
  p.index = 42;
  p.mark = m::Mark{5, 0xff};
  p.if_id = 9;
  p.ctx = m::SecurityContext{1, 1, std::string("sys\"tem_u:\n\\x\xff\xfe")};  // quote, newline, backslash, bad UTF-8
  p.type = m::PolicyType::sub;
  p.limits.soft_bytes = 1000;
  p.limits.hard_add_seconds = 60;
  p.current.add_time = 1700000000;
  p.current.use_time = 1700000001;
  m::Template t;
  t.family = m::Family::inet6;
  t.src = addr("2001:db8::1");
  t.dst = addr("2001:db8::2");
  t.src_port = 4500;
  t.dst_port = 4501;
  t.reqid = 7;
  t.mode = m::Mode::tunnel;
  p.templates = {t, m::Template{}};
  m::Policy tcp = p;
  tcp.sel.proto = 6;  // now sport and dport
  tcp.templates.clear();
  tcp.ctx.reset();
  tcp.type = m::PolicyType::main;

  m::SecurityAssociation sa;
  sa.family = m::Family::inet;
  sa.src = addr("192.0.2.1");
  sa.dst = addr("192.0.2.2");
  sa.spi = 0xdeadbeef;
  sa.reqid = 3;
  sa.flags = 5;
  sa.replay = {64, true};
  sa.auth = m::AlgorithmSetting{"hmac(sha256)", std::vector<uint8_t>(32, 0xab), 128};
  sa.crypt = m::AlgorithmSetting{"cbc(aes)", std::vector<uint8_t>(16, 1), 0};
  sa.comp = m::AlgorithmSetting{"deflate", {}, 0};
  sa.encap = m::Encapsulation{2, 4500, 4501, addr("198.51.100.1")};
  sa.sel = tcp.sel;
  sa.limits.hard_packets = 10;
  sa.mark = m::Mark{1, 2};
  sa.if_id = 4;
  sa.output_mark = m::Mark{3, 0xffffffff};
  sa.tfcpad = 16;
  sa.dir = m::SaDirection::out;
  sa.nat_keepalive_interval = 20;
  sa.ctx = m::SecurityContext{1, 1, "label"};
  sa.current = {1, 2, 3, 4};
  m::SecurityAssociation aead;
  aead.aead = m::AlgorithmSetting{"rfc4106(gcm(aes))", std::vector<uint8_t>(20, 2), 128};
  aead.encap = m::Encapsulation{};
  aead.dir = m::SaDirection::in;

  check_dumps({p, tcp, m::Policy{}}, {sa, aead, m::SecurityAssociation{}});
}
