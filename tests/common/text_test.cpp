// tests/common/text_test.cpp — the shared text helpers (common/text.h).
#include <doctest/doctest.h>

#include "common/text.h"

using namespace fieldsync;

TEST_CASE("FormatUtc writes the minute in UTC") {
  CHECK(FormatUtc(0) == "1970-01-01 00:00 UTC");
  CHECK(FormatUtc(1795851960000) == "2026-11-28 07:46 UTC");
  CHECK(FormatUtc(1795851960000 + 59'999) == "2026-11-28 07:46 UTC");  // seconds are dropped
}

TEST_CASE("an enrollment code is compared in upper case without dashes or spaces") {
  CHECK(NormalizeEnrollCode("k7q4-93tx pl2m") == "K7Q493TXPL2M");
  CHECK(NormalizeEnrollCode("K7Q493TXPL2M") == "K7Q493TXPL2M");
  CHECK(NormalizeEnrollCode(" - ").empty());
}

TEST_CASE("IsLowerHex wants the exact length and lowercase digits only") {
  CHECK(IsLowerHex("0123456789abcdef", 16));
  CHECK_FALSE(IsLowerHex("0123456789abcdef", 15));
  CHECK_FALSE(IsLowerHex("0123456789ABCDEF", 16));
  CHECK_FALSE(IsLowerHex("0123456789abcdeg", 16));
  CHECK(IsLowerHex("", 0));
}
