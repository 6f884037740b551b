#include <doctest/doctest.h>

#include "xfrmpp/diag/diagnostic.hpp"

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
