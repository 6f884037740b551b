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
