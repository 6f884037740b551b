// SPDX-License-Identifier: BSD-3-Clause
// The state file: every field survives a round trip through another backend, the file is 0600 in a 0700
// directory, damaged/foreign/newer files are refused clearly, read-only never writes, writers do not lose
// each other's changes.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "engine_support.hpp"
#include "xfrmpp/backend_factory.hpp"

using namespace xfrmpp;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

Error open_error(const std::filesystem::path& p) {
  engine::EngineOptions o;
  o.state = p;
  auto b = engine::EngineBackend::open(o);
  REQUIRE_FALSE(b.ok());
  return b.error();
}

}  // namespace

TEST_CASE("every policy and SA field survives the state file") {
  etest::TempDir dir;
  auto be = etest::open(dir.state(), false, [] { return uint64_t{1700000000}; });
  auto p = etest::full_policy();
  auto plain = etest::host_policy(1);
  auto sa = etest::full_sa();
  auto out = etest::esp_sa(0x4444);
  out.mode = model::Mode::tunnel;
  out.dir = model::SaDirection::out;
  out.encap = model::Encapsulation{7, 4500, 4500, {}};
  out.nat_keepalive_interval = 20;
  out.extra_flags = 1;
  auto comp = etest::esp_sa(0x55);
  comp.proto = model::Protocol::ipcomp;
  comp.auth.reset();
  comp.crypt.reset();
  comp.comp = model::AlgorithmSetting{"deflate", {}, 0};
  auto r = be->apply(std::vector<Change>{Change{p, Change::Verb::add, 0}, Change{plain, Change::Verb::add, 1},
                                         Change{sa, Change::Verb::add, 2}, Change{out, Change::Verb::add, 3},
                                         Change{comp, Change::Verb::add, 4}},
                     ApplyOptions{false});
  for (const auto& e : r.errors) FAIL_CHECK("tag ", e.tag, ": ", e.message, " (", e.extack, ")");
  REQUIRE(r.applied == 5);

  auto again = etest::open(dir.state(), true);
  auto ps = again->dump_policies();
  REQUIRE(ps.ok());
  REQUIRE(ps->size() == 2);
  auto expected_p = p;
  expected_p.current.add_time = 1700000000;  // what the engine stamps, as the kernel does
  // Dumps list the newest first, as the kernel's do.
  CHECK(etest::diff((*ps)[1], expected_p) == "");
  CHECK((*ps)[0].index != 0);
  CHECK((*ps)[0].templates[0].family == model::Family::inet);  // filled from the selector, as validate_tmpl does
  auto sas = again->dump_sas(std::nullopt);
  REQUIRE(sas.ok());
  REQUIRE(sas->size() == 3);
  std::vector<model::SecurityAssociation> expected{comp, out, sa};
  // A transport SA without a selector family comes back with its own, as from the kernel.
  expected[0].sel.family = expected[0].sel.src.addr.family = expected[0].sel.dst.addr.family = model::Family::inet;
  for (size_t i = 0; i < 3; ++i) {
    expected[i].current = {};
    expected[i].current.add_time = 1700000000;
    CAPTURE(i);
    CHECK(etest::diff((*sas)[i], expected[i]) == "");
  }
  // Other state the file carries.
  REQUIRE(be->set_default_policy(model::DefaultPolicy{model::PolicyAction::block, model::PolicyAction::block,
                                                      model::PolicyAction::allow}).ok());
  REQUIRE(be->set_host_knob("dfbit", 2).ok());
  auto third = etest::open(dir.state(), true);
  CHECK(third->get_default_policy()->fwd == model::PolicyAction::block);
  CHECK(*third->get_host_knob("dfbit") == 2);
  CHECK(third->dump_sas(model::Protocol::ipcomp)->size() == 1);
}

TEST_CASE("the state file is 0600 in 0700 directories, whatever the umask") {
  etest::TempDir dir;
  mode_t old = ::umask(0);
  auto be = etest::open(dir.state());
  REQUIRE(be->apply(etest::adds({etest::host_policy(1)}), ApplyOptions{}).errors.empty());
  ::umask(old);
  struct stat st {};
  REQUIRE(::stat(dir.state().c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  REQUIRE(::stat(dir.state().parent_path().c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
  auto journal = dir.state();
  journal += ".journal";
  REQUIRE(::stat(journal.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("damaged, foreign and newer files are refused with a clear error") {
  etest::TempDir dir;
  {
    auto be = etest::open(dir.state());
    REQUIRE(be->apply(etest::adds({etest::host_policy(1), etest::host_policy(2)}), ApplyOptions{}).errors.empty());
  }
  std::string good = slurp(dir.state());
  REQUIRE(good.size() > 40);
  auto path = dir.state();

  spit(path, "# a setkey file, not engine state\nspdflush;\n");
  auto foreign = open_error(path);
  CHECK(foreign.code == EINVAL);
  CHECK(foreign.message.find("not an xfrmpp engine state file") != std::string::npos);
  CHECK(foreign.message.find(path.string()) != std::string::npos);

  std::string newer = good;
  newer[8] = 3;  // version 3 (this build writes 2)
  spit(path, newer);
  auto nv = open_error(path);
  CHECK(nv.code == EPROTO);
  CHECK(nv.message.find("newer") != std::string::npos);

  std::string flipped = good;
  flipped[flipped.size() - 10] ^= 0x40;
  spit(path, flipped);
  auto damaged = open_error(path);
  CHECK(damaged.code == EBADMSG);
  CHECK(damaged.message.find("damaged") != std::string::npos);

  spit(path, good.substr(0, good.size() - 1));
  CHECK(open_error(path).code == EBADMSG);
  spit(path, good.substr(0, 12));
  CHECK(open_error(path).code == EBADMSG);

  spit(path, good);
  auto ok = etest::open(path);
  CHECK(ok->dump_policies()->size() == 2);
}

TEST_CASE("read-only: a missing file is empty and is not created; changes fail with EROFS") {
  etest::TempDir dir;
  auto be = etest::open(dir.state(), true);
  CHECK(be->dump_policies()->empty());
  CHECK(be->dump_sas(std::nullopt)->empty());
  auto r = be->apply(etest::adds({etest::host_policy(1)}), ApplyOptions{});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].code == EROFS);
  CHECK(r.applied == 0);
  CHECK(be->flush_policies().error().code == EROFS);
  CHECK(be->set_host_knob("dfbit", 1).error().code == EROFS);
  CHECK_FALSE(std::filesystem::exists(dir.state().parent_path()));
  // A writer's changes are seen by the read-only reader on its next call.
  auto w = etest::open(dir.state());
  REQUIRE(w->apply(etest::adds({etest::host_policy(1)}), ApplyOptions{}).errors.empty());
  CHECK(be->dump_policies()->size() == 1);
}

TEST_CASE("concurrent writers (threads and processes) lose nothing") {
  etest::TempDir dir;
  constexpr uint32_t kEach = 60;
  auto writer = [&dir](uint32_t base) {
    auto be = etest::open(dir.state());
    for (uint32_t i = 0; i < kEach; ++i) {
      auto p = etest::host_policy(base + i);
      auto r = be->apply(std::vector<Change>{Change{p, Change::Verb::add, i}}, ApplyOptions{});
      if (!r.errors.empty()) return false;
    }
    return true;
  };
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    bool ok = false;
    try {
      ok = writer(10000);
    } catch (...) {
    }
    ::_exit(ok ? 0 : 1);
  }
  bool t1 = false, t2 = false;
  std::thread a([&] { t1 = writer(0); });
  std::thread b([&] { t2 = writer(1000); });
  a.join();
  b.join();
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(t1);
  CHECK(t2);
  auto be = etest::open(dir.state(), true);
  auto ps = be->dump_policies();
  REQUIRE(ps.ok());
  CHECK(ps->size() == 3 * kEach);
  std::set<uint32_t> indexes;
  for (const auto& p : *ps) indexes.insert(p.index);
  CHECK(indexes.size() == ps->size());
}

TEST_CASE("open_backend gives the engine for BackendKind::engine, on the given state file") {
  etest::TempDir dir;
  BackendOptions o;
  o.kind = BackendKind::engine;
  o.state = dir.state();
  auto be = open_backend(o);
  REQUIRE(be.ok());
  REQUIRE((*be)->apply(etest::adds({etest::host_policy(1)}), ApplyOptions{}).errors.empty());
  CHECK(etest::open(dir.state(), true)->dump_policies()->size() == 1);
  o.read_only = true;
  auto ro = open_backend(o);
  REQUIRE(ro.ok());
  CHECK((*ro)->flush_policies().error().code == EROFS);
}
