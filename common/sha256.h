// common/sha256.h — SHA-256 for content-addressed attachments (photos).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace fieldsync {

// Lowercase hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);

// Streams a file through SHA-256. Returns IOError naming the path on failure.
Result<std::string> Sha256File(const std::filesystem::path& path);

// Incremental hashing, for uploads that arrive in chunks.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view bytes);
  std::string FinishHex();  // lowercase hex; the stream must not be used after.

 private:
  void* ctx_;
};

}  // namespace fieldsync
