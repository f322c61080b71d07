#include "sync/codec.h"

#include <doctest/doctest.h>

using namespace fieldsync;
using namespace fieldsync::sync;

TEST_CASE("bodies round-trip in every format and encoding") {
  nlohmann::json v = {{"batch", nlohmann::json::array({{{"seq", 1}, {"kind", "report"}}})},
                      {"cursor", "12"}};
  for (BodyFormat f : {BodyFormat::kJson, BodyFormat::kMsgpack}) {
    for (bool z : {false, true}) {
      std::string wire = EncodeBody(v, f, z);
      auto back = DecodeBody(wire, f, z ? "zstd" : "");
      REQUIRE(back.ok());
      CHECK(*back == v);
    }
  }
}

TEST_CASE("zstd shrinks repetitive bodies") {
  nlohmann::json many = nlohmann::json::array();
  for (int i = 0; i < 200; ++i) many.push_back({{"hiv_tested", i}, {"period", "2026-10"}});
  std::string plain = EncodeBody(many, BodyFormat::kJson, false);
  std::string packed = EncodeBody(many, BodyFormat::kJson, true);
  CHECK(packed.size() * 4 < plain.size());
}

TEST_CASE("bad bodies give a clear error") {
  auto r = DecodeBody("{not json", BodyFormat::kJson, "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kInvalidArgument);
  CHECK(r.status().message().find("malformed JSON") != std::string::npos);

  auto z = DecodeBody("definitely not zstd", BodyFormat::kJson, "zstd");
  REQUIRE_FALSE(z.ok());
  CHECK(z.status().message().find("zstd") != std::string::npos);

  auto enc = DecodeBody("{}", BodyFormat::kJson, "br");
  REQUIRE_FALSE(enc.ok());
  CHECK(enc.status().message().find("'br'") != std::string::npos);

  CHECK_FALSE(FormatFromContentType("text/html").ok());
  CHECK(FormatFromContentType("application/json; charset=utf-8").ok());
}

TEST_CASE("a zstd bomb is refused before it is inflated") {
  std::string zeros(4u << 20, '\0');
  std::string bomb = ZstdCompress(zeros, 19);
  CHECK(bomb.size() < 4096);
  auto r = ZstdDecompress(bomb, 1u << 20);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Status::Code::kTooLarge);
}

TEST_CASE("error bodies map back to statuses") {
  Status s = Status::PermissionDenied("device d_1 may not see project X");
  nlohmann::json body = ErrorBody(s);
  Status back = StatusFromErrorBody(body, Status::Code::kInternal, "HTTP 403");
  CHECK(back.code() == Status::Code::kPermissionDenied);
  CHECK(back.message() == s.message());
  CHECK(HttpStatusFor(back.code()) == 403);
  Status html = StatusFromErrorBody(nlohmann::json(), Status::Code::kUnavailable, "HTTP 502");
  CHECK(html.code() == Status::Code::kUnavailable);
  CHECK(html.message() == "HTTP 502");
}
