// tests/gui/i18n_test.cpp — every UI string exists in en, fr, es and pt, is
// really translated, and keeps its placeholders.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>

#include "client/gui/i18n.h"

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

TEST_CASE("French and Portuguese are translations, not copies of the English") {
  // Words that are the same in both languages (cognates, acronyms).
  const std::set<std::string> same_fr = {"Agriculture", "Total", "Latitude", "Longitude", "Wi-Fi connecté",
                                         "Regional"};
  int copies_fr = 0, copies_es = 0, copies_pt = 0;
  for (int i = 0; i < static_cast<int>(Str::kCount); ++i) {
    const Str id = static_cast<Str>(i);
    const std::string en = Tr(id, Lang::kEn);
    if (en == Tr(id, Lang::kFr) && !same_fr.count(en)) {
      ++copies_fr;
      MESSAGE("fr copies en: " << en);
    }
    if (en == Tr(id, Lang::kEs)) ++copies_es;
    if (en == Tr(id, Lang::kPt)) ++copies_pt;
  }
  CHECK(copies_fr == 0);
  // Spanish and Portuguese share more words with English ("Error: {0}",
  // "Total", "Bilateral"): a handful, not a missing translation.
  CHECK(copies_es < 8);
  CHECK(copies_pt < 8);
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
