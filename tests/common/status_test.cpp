#include <doctest/doctest.h>

#include "common/sha256.h"
#include "common/status.h"

using fieldsync::Result;
using fieldsync::Status;

TEST_CASE("Status carries code and message") {
  Status s = Status::InvalidArgument("field 'x' expects a number");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.ToString() == "invalid argument: field 'x' expects a number");
  CHECK(Status::CodeName(s.code()) == "invalid_argument");
  CHECK(Status::CodeFromName("not_found") == Status::Code::kNotFound);
  CHECK(s.WithContext("report 12").message() == "report 12: field 'x' expects a number");
  CHECK(Status::Ok().ok());
}

TEST_CASE("Result holds a value or a status") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  Result<int> bad = Status::NotFound("no report 'abc'");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().message() == "no report 'abc'");
}

TEST_CASE("SHA-256 matches the published test vector") {
  CHECK(fieldsync::Sha256Hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fieldsync::Sha256Stream s;
  s.Update("a");
  s.Update("bc");
  CHECK(s.FinishHex() == fieldsync::Sha256Hex("abc"));
}
