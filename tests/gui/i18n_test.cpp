// tests/gui/i18n_test.cpp — every UI string exists in en, fr, es and pt, is
// really translated, and keeps its placeholders.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>

#include "client/gui/i18n.h"
#include "client/gui/model.h"

using namespace fieldsync::gui;

namespace {

std::set<std::string> Placeholders(const std::string& s) {
  std::set<std::string> out;
  static const std::regex re("\\{[0-9]\\}");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) {
    out.insert(it->str());
  }
  return out;
}

}  // namespace

TEST_CASE("every string exists in every language with the same placeholders") {
  for (int i = 0; i < static_cast<int>(Str::kCount); ++i) {
    const Str id = static_cast<Str>(i);
    const std::string en = Tr(id, Lang::kEn);
    INFO("string #" << i << " (en: '" << en << "')");
    REQUIRE(en != "?");
    REQUIRE_FALSE(en.empty());
    for (Lang l : {Lang::kFr, Lang::kEs, Lang::kPt}) {
      const std::string t = Tr(id, l);
      CHECK_FALSE(t.empty());
      CHECK(Placeholders(t) == Placeholders(en));
    }
  }
}

TEST_CASE("French, Spanish and Portuguese are translations, not copies of the English") {
  // Words that really are the same in the language (cognates, acronyms).
  const std::set<std::string> same[] = {
      {},
      {"Agriculture", "Total", "Latitude", "Longitude"},
      {"Error: {0}", "{0}: {1}", "Sector", "No", "Bilateral", "Triangular", "Regional", "Total", "GPS: ±{0} m"},
      {"{0}: {1}", "Bilateral", "Triangular", "Regional", "Total", "Latitude", "Longitude", "GPS: ±{0} m"},
  };
  for (Lang l : {Lang::kFr, Lang::kEs, Lang::kPt}) {
    for (int i = 0; i < static_cast<int>(Str::kCount); ++i) {
      const Str id = static_cast<Str>(i);
      const std::string en = Tr(id, Lang::kEn);
      INFO(LangCode(l) << " copies the English '" << en << "'");
      if (en == Tr(id, l)) CHECK(same[static_cast<int>(l)].count(en) == 1);
    }
  }
}

TEST_CASE("Format fills placeholders in order and leaves unknown ones") {
  CHECK(Format("{0} waiting, {1} sent", {"3", "5"}) == "3 waiting, 5 sent");
  CHECK(Format("{1} before {0}", {"a", "b"}) == "b before a");
  CHECK(Format("{2} stays", {"a"}) == "{2} stays");
  CHECK(Format("no placeholder", {}) == "no placeholder");
}

TEST_CASE("language codes and month names") {
  Lang l;
  CHECK(ParseLang("fr", &l));
  CHECK(l == Lang::kFr);
  CHECK_FALSE(ParseLang("de", &l));
  CHECK(std::string(LangCode(Lang::kPt)) == "pt");
  CHECK(std::string(MonthShort(2, Lang::kFr)) == "févr.");
  CHECK(std::string(MonthShort(12, Lang::kPt)) == "dez");
  CHECK(std::string(MonthShort(13, Lang::kEn)) == "?");
  // French typography: a no-break space before the colon.
  CHECK(std::string(Tr(Str::kLastSync, Lang::kFr)).find("\u00a0:") != std::string::npos);
}

TEST_CASE("short numbers use the language's decimal mark") {
  CHECK(ShortNumber(950) == "950");
  CHECK(ShortNumber(27900) == "27.9k");
  CHECK(ShortNumber(27900, Lang::kFr) == "27,9\u00a0k");
  CHECK(ShortNumber(2500000, Lang::kPt) == "2,5\u00a0M");
  CHECK(ShortNumber(12.5, Lang::kEs) == "12,5");
}
