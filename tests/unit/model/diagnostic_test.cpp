// SPDX-License-Identifier: BSD-3-Clause
#include <doctest/doctest.h>

#include "xfrmpp/diag/diagnostic.hpp"
#include "xfrmpp/util/large_buffer.hpp"

#include <cstring>

using namespace xfrmpp::diag;

TEST_CASE("line and column of an offset, and the line around it") {
  SourceBuffer s("f", "one\ntwo three\n\nlast");
  CHECK(s.line_col(0).line == 1);
  CHECK(s.line_col(4).line == 2);
  CHECK(s.line_col(8).column == 5);
  CHECK(s.line_text(8) == "two three");
  CHECK(s.line_text(14) == "");
  CHECK(s.line_text(15) == "last");
  CHECK(s.line_col(15).line == 4);
}

TEST_CASE("format: location, message, source line, caret run, notes") {
  SourceBuffer s("x.conf", "\tspdadd foo;\n");
  Diagnostic d{Severity::error, {8, 11}, "bad thing", {"did you mean 'bar'?"}};
  CHECK(format(s, d) ==
        "x.conf:1:9: error: bad thing\n"
        "\tspdadd foo;\n"
        "\t       ^~~\n"
        "x.conf:1:9: note: did you mean 'bar'?\n");
}

TEST_CASE("suggestions only for near misses") {
  CHECK(suggest("requir", {"default", "use", "require", "unique"}) == "require");
  CHECK(suggest("xyz", {"default", "use", "require", "unique"}).empty());
  CHECK(suggest("tunel", {"transport", "tunnel"}) == "tunnel");
}

TEST_CASE("scrub_message cuts key-shaped runs and secret texts, and nothing else") {
  CHECK(scrub_message("unknown option '0x00112233445566778899aabbccddeeff'") == "unknown option '<key>'");
  CHECK(scrub_message("field \"00112233445566778899aabbccddeeff/128\"") == "field \"<key>/128\"");
  // Long decimals (limits, ranges) are not keys; short hex (SPIs) neither.
  CHECK(scrub_message("a number from 0 to 18446744073709551615") == "a number from 0 to 18446744073709551615");
  CHECK(scrub_message("invalid SPI '0x1000x'") == "invalid SPI '0x1000x'");
  std::string secret = "my pass phrase";
  std::unordered_set<std::string_view> texts{secret};
  CHECK(scrub_message("Unknown extension field \"my pass phrase\"", texts) == "Unknown extension field \"<key>\"");
  CHECK(scrub_message("my pass is not it", texts) == "my pass is not it");
}

TEST_CASE("the sink scrubs messages and notes of every secret, however the message quotes it") {
  std::string text = "add ... \"longquotedkey\" ... 0011223344556677 ... tok=\"half quoted\"";
  DiagnosticSink sink;
  size_t q = text.find("\"long"), h = text.find("\"half");
  sink.add_secrets(text, {{q, q + 15}, {h, text.size()}});
  sink.error({0, 3}, "unknown word 'longquotedkey'", {"not 'longquotedkey' either"});
  sink.warning({h, h + 5}, "invalid mark '\"half'");  // a fragment of a secret, quoted by a message about it
  REQUIRE(sink.all().size() == 2);
  CHECK(sink.all()[0].message == "unknown word '<key>'");
  CHECK(sink.all()[0].notes[0] == "not '<key>' either");
  CHECK(sink.all()[1].message == "invalid mark '\"<key>'");
}

TEST_CASE("a key that is the prefix of a longer key in the same message does not leave the longer one's tail") {
  // fuzz finding: two hex keys on one statement, the second the first 32 digits of the first; masking piece by
  // piece cut the shared prefix out of the long key and left "1011121314151617" in the message.
  std::string text = "prio high 0x000102030405060708090a0b0c0d0e0f1011121314151617 -A x 0x000102030405060708090a0b0c0d0e0f;";
  size_t k1 = text.find("0x"), k2 = text.find("0x", k1 + 2);
  DiagnosticSink sink;
  sink.add_secrets(text, {{k1, k1 + 50}, {k2, k2 + 34}});
  sink.error({5, text.size() - 1}, "invalid priority 'high0x000102030405060708090a0b0c0d0e0f1011121314151617-Ax0x000102030405060708090a0b0c0d0e0f'");
  REQUIRE(sink.all().size() == 1);
  CHECK(sink.all()[0].message == "invalid priority 'high<key>-Ax<key>'");
}

TEST_CASE("secrets come back sorted and without duplicates") {
  DiagnosticSink sink;
  sink.add_secrets("0123456789abcdef0123456789", {{4, 8}, {10, 12}});
  sink.secret({10, 12});
  sink.secret({0, 2});
  REQUIRE(sink.secrets().size() == 3);
  CHECK(sink.secrets()[0].begin == 0);
  CHECK(sink.secrets()[1].begin == 4);
  CHECK(sink.secrets()[2].begin == 10);
}

// Lines 2 and 3 of a format() result: the echoed source and the caret line.
static std::pair<std::string, std::string> shown_lines(const std::string& out) {
  size_t a = out.find('\n'), b = out.find('\n', a + 1), c = out.find('\n', b + 1);
  return {out.substr(a + 1, b - a - 1), out.substr(b + 1, c - b - 1)};
}

TEST_CASE("format: a long line is a window around the caret, cut with '...', caret still under the token") {
  std::string text = "spdadd " + std::string(5000, 'x') + " BAD " + std::string(5000, 'y') + ";\n";
  SourceBuffer s("long.conf", text);
  Offset bad = text.find("BAD");
  auto out = format(s, Diagnostic{Severity::error, {bad, bad + 3}, "oops", {}});
  CHECK(out.rfind("long.conf:1:5009: error: oops\n", 0) == 0);
  auto [line, caret] = shown_lines(out);
  CHECK(line.size() == kWindowColumns + 6);
  CHECK(line.substr(0, 3) == "...");
  CHECK(line.substr(line.size() - 3) == "...");
  size_t at = caret.find('^');
  REQUIRE(at != std::string::npos);
  CHECK(line.substr(at, 3) == "BAD");
  CHECK(caret.substr(at) == "^~~");
  CHECK(out.size() < 600);

  // At the start of the line: no left cut. At the end: no right cut, and the window keeps its width.
  auto head = shown_lines(format(s, Diagnostic{Severity::error, {0, 6}, "x", {}}));
  CHECK(head.first.substr(0, 7) == "spdadd ");
  CHECK(head.second == "^~~~~~");
  Offset semi = text.find(';');
  auto tail = shown_lines(format(s, Diagnostic{Severity::error, {semi, semi + 1}, "x", {}}));
  CHECK(tail.first == "..." + std::string(kWindowColumns - 1, 'y') + ";");
  CHECK(tail.second.find('^') == kWindowColumns + 2);
}

TEST_CASE("format: short lines are echoed whole, and a huge message keeps both ends") {
  std::string text(kWholeLineLimit, 'a');
  SourceBuffer s("f", text);
  auto [line, caret] = shown_lines(format(s, Diagnostic{Severity::error, {10, 11}, "m", {}}));
  CHECK(line == text);
  CHECK(caret == std::string(10, ' ') + "^");
  std::string msg = "cannot resolve '" + std::string(1 << 20, 'q') + "' (end)";
  auto out = format(s, Diagnostic{Severity::error, {0, 1}, msg, {msg}});
  CHECK(out.size() < 3000);
  CHECK(out.find("f:1:1: error: cannot resolve 'qqq") == 0);
  CHECK(out.find("qqq' (end)\n") != std::string::npos);
  CHECK(out.find("f:1:1: note: cannot resolve 'qqq") != std::string::npos);
}

TEST_CASE("secrets are kept sorted and merged, and masked inside a window") {
  DiagnosticSink sink;
  sink.secret({50, 60});
  sink.secret({10, 20});
  sink.secret({18, 30});  // overlaps the previous one
  sink.secret({30, 35});  // touches it
  sink.secret({70, 70});  // empty: ignored
  REQUIRE(sink.secrets().size() == 2);
  CHECK(sink.secrets()[0].begin == 10);
  CHECK(sink.secrets()[0].end == 35);
  CHECK(sink.secrets()[1].begin == 50);
  sink.secret({5, 80});  // swallows both
  REQUIRE(sink.secrets().size() == 1);
  CHECK(sink.secrets()[0].begin == 5);
  CHECK(sink.secrets()[0].end == 80);

  // Thousands of keys on one 2 MB line: only the window's are looked at, and every one of them is masked.
  std::string text;
  DiagnosticSink keys;
  for (int i = 0; i < 20000; ++i) {
    text += "k ";
    keys.secret({text.size(), text.size() + 64});
    text += std::string(64, 'f') + " ; ";
  }
  SourceBuffer s("k.conf", text);
  Offset at = text.size() / 2;
  at = text.find(" ; ", at) + 3;  // a 'k'
  auto [line, caret] = shown_lines(format(s, Diagnostic{Severity::error, {at, at + 1}, "bad", {}}, keys.secrets()));
  CHECK(line.find('f') == std::string::npos);
  CHECK(line.find("****") != std::string::npos);
  CHECK(line[caret.find('^')] == 'k');
}

// 4 GiB and a page of zero bytes that are never written: untouched anonymous memory costs no RAM, and
// reading it maps the shared zero page, so these tests stay cheap.
static xfrmpp::util::LargeBuffer past_4gib() { return xfrmpp::util::LargeBuffer::allocate((size_t{1} << 32) + 4096); }

TEST_CASE("suggest: a word far longer than every candidate gets no suggestion (and costs nothing)") {
  std::vector<std::string_view> names{"require", "unique", "default", "use", "transport", "tunnel", "esp", "ah", "ipcomp"};
  CHECK(suggest("requiree", names) == "require");
  CHECK(suggest("ipcompxxx", names) == "ipcomp");  // within the limit of 3
  CHECK(suggest(std::string(1 << 20, 'r'), names).empty());
  // Compared anyway, this word would keep the test busy for minutes (CTest's TIMEOUT ends it): a hang guard.
  auto buf = past_4gib();
  if (!buf) {
    MESSAGE("cannot map 4 GiB here; the 4 GiB word is not tried");
    return;
  }
  CHECK(suggest(std::string_view(buf.data(), size_t{1} << 32), names).empty());
}

TEST_CASE("offsets past 4 GiB: line, column, line text and key masking stay exact") {
  auto buf = past_4gib();
  if (!buf) {
    MESSAGE("cannot map 4 GiB here; skipped");
    return;
  }
  const std::string stmt = "add 10.0.0.1 10.0.0.2 esp 0x1000 -E aes-cbc 0x00112233445566778899aabbccddeeff;";
  const Offset nl = (Offset{1} << 32) + 9;  // line 1 is 4 GiB of NUL bytes
  buf.data()[nl] = '\n';
  std::memcpy(buf.data() + nl + 1, stmt.data(), stmt.size());
  SourceBuffer s("big.conf", std::move(buf), nl + 1 + stmt.size());
  const Offset start = nl + 1;
  CHECK(s.line_start(start + 7) == start);
  CHECK(s.line_col(start + 4).line == 2);
  CHECK(s.line_col(start + 4).column == 5);
  CHECK(s.line_col(nl).line == 1);
  CHECK(s.line_col(nl).column == nl + 1);
  CHECK(s.line_text(start) == stmt);
  DiagnosticSink sink;
  Offset key = start + stmt.find("0x0011");
  sink.secret({key, key + 34});
  Offset alg = start + stmt.find("aes-cbc");
  auto out = format(s, Diagnostic{Severity::error, {alg, alg + 7}, "bad", {}}, sink.secrets());
  CHECK(out == "big.conf:2:37: error: bad\n"
               "add 10.0.0.1 10.0.0.2 esp 0x1000 -E aes-cbc **********************************;\n"
               "                                    ^~~~~~~\n");
}

TEST_CASE("nested secret ranges (a quoted key and a hex run inside it) are merged: the whole key is masked") {
  std::string text = "add -E x \"0123456789abcdef0123\nSECRETSECRETSEC\" -A bogus;\n";
  SourceBuffer s("n.conf", text);
  DiagnosticSink sink;
  Offset q = text.find('"'), close = text.rfind('"');
  sink.add_secrets(text, {{q, close + 1}, {q + 1, q + 21}});
  Offset bad = text.find("bogus");
  sink.error({bad, bad + 5}, "unknown algorithm");
  auto out = format(s, sink.all()[0], sink.secrets());
  CHECK(out.find("SECRET") == std::string::npos);
  CHECK(out.find("*************** -A bogus;") != std::string::npos);
  REQUIRE(sink.secrets().size() == 1);
  // A parser's own range inside a merged one adds nothing.
  sink.secret({q + 1, q + 5});
  CHECK(sink.secrets().size() == 1);
}
