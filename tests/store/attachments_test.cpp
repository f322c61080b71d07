// tests/store/attachments_test.cpp — content-addressed attachment files and
// their upload progress.
#include <fstream>
#include <sstream>

#include "common/sha256.h"
#include "store_test_util.h"

namespace fieldsync::store {
namespace {

using testing::OpenStore;
using testing::TempDir;

std::filesystem::path WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int CountIncoming(const std::filesystem::path& root) {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.path().filename().string().rfind(".incoming-", 0) == 0) ++n;
  return n;
}

TEST_CASE("AddAttachment stores the file under its SHA-256") {
  TempDir dir;
  auto s = OpenStore(dir.path() / "data");
  std::string bytes(200000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31 % 251);
  auto src = WriteFile(dir.path() / "Well.JPG", bytes);

  auto a = s->AddAttachment(src);
  REQUIRE(a.ok());
  CHECK(a->sha256 == Sha256Hex(bytes));
  CHECK(a->size == static_cast<int64_t>(bytes.size()));
  CHECK(a->mime == "image/jpeg");
  CHECK(a->original_name == "Well.JPG");
  CHECK_FALSE(a->uploaded);
  auto path = s->AttachmentPath(a->sha256);
  CHECK(path == dir.path() / "data" / "attachments" / a->sha256.substr(0, 2) / a->sha256);
  CHECK(ReadFile(path) == bytes);
  CHECK(CountIncoming(dir.path() / "data" / "attachments") == 0);

  // Same content from another file: same hash, one row, one file.
  auto copy = WriteFile(dir.path() / "copy.bin", bytes);
  auto b = s->AddAttachment(copy, "image/png");
  REQUIRE(b.ok());
  CHECK(b->sha256 == a->sha256);
  CHECK(b->mime == "image/jpeg");  // the first record stands
  CHECK(s->PendingAttachments()->size() == 1);

  auto other = s->AddAttachment(WriteFile(dir.path() / "note.txt", "hello"), "");
  REQUIRE(other.ok());
  CHECK(other->sha256 == Sha256Hex("hello"));
  CHECK(other->mime == "text/plain");
  CHECK(s->PendingAttachments()->size() == 2);
}

TEST_CASE("Attachment upload progress and errors") {
  TempDir dir;
  auto s = OpenStore(dir.path() / "data");
  auto a = s->AddAttachment(WriteFile(dir.path() / "p.png", std::string(1000, 'p')));
  REQUIRE(a.ok());
  REQUIRE(s->SetAttachmentProgress(a->sha256, 400, false).ok());
  auto got = s->GetAttachment(a->sha256);
  REQUIRE(got.ok());
  CHECK(got->uploaded_bytes == 400);
  CHECK(s->PendingAttachments()->size() == 1);
  REQUIRE(s->SetAttachmentProgress(a->sha256, 1000, true).ok());
  CHECK(s->GetAttachment(a->sha256)->uploaded);
  CHECK(s->PendingAttachments()->empty());

  std::string unknown(64, 'a');
  CHECK(s->SetAttachmentProgress(unknown, 1, false).code() == Status::Code::kNotFound);
  CHECK(s->GetAttachment(unknown).status().code() == Status::Code::kNotFound);
  CHECK(s->GetAttachment("../../etc/passwd").status().code() == Status::Code::kInvalidArgument);
  CHECK(s->AttachmentPath("../x").empty());

  auto missing = s->AddAttachment(dir.path() / "does-not-exist.jpg");
  CHECK(missing.status().code() == Status::Code::kIOError);
  CHECK(missing.status().message().find("does-not-exist.jpg") != std::string::npos);
  CHECK(CountIncoming(dir.path() / "data" / "attachments") == 0);
}

}  // namespace
}  // namespace fieldsync::store
