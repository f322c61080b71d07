// store/attachments.cpp — content-addressed attachment files.
//
// A file is copied into DIR/attachments/.incoming-<random> while it is hashed
// (one read of the source, so what is hashed is what is stored), fsync'd,
// then renamed to DIR/attachments/<first two hex>/<sha256> and the folder
// fsync'd. A crash leaves either no file or the whole file under its hash;
// a leftover .incoming- file is garbage, never mistaken for an attachment.
// The row is written after the file is in place, so a row always has a file.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/sha256.h"
#include "store/store_impl.h"

namespace fieldsync::store {

using internal::Stmt;
using internal::Transaction;

namespace {

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int Close() {
    int rc = 0;
    if (fd_ >= 0) rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status Errno(const std::string& what) {
  return Status::IOError(what + ": " + std::strerror(errno));
}

Status FsyncDir(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) return Errno("cannot open folder '" + dir.string() + "'");
  if (::fsync(fd.get()) != 0) return Errno("cannot flush folder '" + dir.string() + "' to disk");
  return Status::Ok();
}

std::string GuessMime(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  for (auto& ch : ext) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".webp") return "image/webp";
  if (ext == ".gif") return "image/gif";
  if (ext == ".pdf") return "application/pdf";
  if (ext == ".txt") return "text/plain";
  if (ext == ".csv") return "text/csv";
  return "application/octet-stream";
}

struct CopiedFile {
  std::string sha256;
  int64_t size = 0;
};

// Copies `source` to `temp` (created exclusively), hashing on the way, and
// flushes it to disk.
Result<CopiedFile> CopyAndHash(const std::filesystem::path& source,
                               const std::filesystem::path& temp) {
  Fd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.ok()) return Errno("cannot read '" + source.string() + "'");
  Fd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!out.ok()) return Errno("cannot create '" + temp.string() + "'");
  Sha256Stream hash;
  CopiedFile result;
  std::string buf(1 << 16, '\0');
  for (;;) {
    ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read '" + source.string() + "'");
    }
    if (n == 0) break;
    hash.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    result.size += n;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out.get(), buf.data() + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return Errno("cannot write '" + temp.string() + "'");
      }
      done += w;
    }
  }
  if (::fsync(out.get()) != 0) return Errno("cannot flush '" + temp.string() + "' to disk");
  if (out.Close() != 0) return Errno("cannot write '" + temp.string() + "'");
  result.sha256 = hash.FinishHex();
  return result;
}

}  // namespace

std::filesystem::path Store::AttachmentPath(const std::string& sha256) const {
  if (!internal::IsSha256Hex(sha256)) return std::filesystem::path();
  return data_dir_ / "attachments" / sha256.substr(0, 2) / sha256;
}

Result<Attachment> Store::AddAttachment(const std::filesystem::path& file,
                                        const std::string& mime) {
  std::filesystem::path root = data_dir_ / "attachments";
  std::filesystem::path temp = root / (".incoming-" + NewReportId());
  Result<CopiedFile> copied = CopyAndHash(file, temp);
  if (!copied.ok()) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    return copied.status();
  }
  const std::string& sha = copied->sha256;
  std::filesystem::path dest = AttachmentPath(sha);
  std::error_code ec;
  bool created_dir = std::filesystem::create_directory(dest.parent_path(), ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return Status::IOError("cannot create folder '" + dest.parent_path().string() +
                           "': " + ec.message());
  }
  if (std::filesystem::exists(dest, ec) &&
      std::filesystem::file_size(dest, ec) == static_cast<uintmax_t>(copied->size)) {
    std::filesystem::remove(temp, ec);  // same content already stored
  } else {
    if (::rename(temp.c_str(), dest.c_str()) != 0) {
      Status s = Errno("cannot move the attachment into '" + dest.string() + "'");
      std::filesystem::remove(temp, ec);
      return s;
    }
    FS_RETURN_IF_ERROR(FsyncDir(dest.parent_path()));
  }
  if (created_dir) FS_RETURN_IF_ERROR(FsyncDir(root));

  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  {
    STORE_ASSIGN_OR_RETURN(
        Stmt st, impl_->stmts.Prepare(
                     "INSERT INTO attachments(sha256, size, mime, original_name, uploaded_bytes, "
                     "uploaded, created_at_ms) VALUES(?1, ?2, ?3, ?4, 0, 0, ?5) "
                     "ON CONFLICT(sha256) DO NOTHING"));
    st.Bind(1, sha).Bind(2, copied->size).Bind(3, mime.empty() ? GuessMime(file) : mime);
    st.Bind(4, file.filename().string()).Bind(5, NowMs());
    FS_RETURN_IF_ERROR(st.Run());
  }
  FS_RETURN_IF_ERROR(tx.Commit());
  return GetAttachment(sha);
}

Result<Attachment> Store::GetAttachment(const std::string& sha256) {
  if (!internal::IsSha256Hex(sha256))
    return Status::InvalidArgument("'" + sha256 + "' is not a SHA-256 (64 lowercase hex digits)");
  STORE_ASSIGN_OR_RETURN(
      Stmt st, impl_->stmts.Prepare("SELECT sha256, size, mime, original_name, uploaded_bytes, "
                                    "uploaded FROM attachments WHERE sha256 = ?1"));
  st.Bind(1, sha256);
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("attachment " + sha256 + " is not on this device");
  return Attachment{st.Text(0), st.Int(1), st.Text(2), st.Text(3), st.Int(4), st.Int(5) != 0};
}

Result<std::vector<Attachment>> Store::PendingAttachments() {
  STORE_ASSIGN_OR_RETURN(
      Stmt st, impl_->stmts.Prepare("SELECT sha256, size, mime, original_name, uploaded_bytes, "
                                    "uploaded FROM attachments WHERE uploaded = 0 "
                                    "ORDER BY created_at_ms, sha256"));
  std::vector<Attachment> out;
  for (;;) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(
        Attachment{st.Text(0), st.Int(1), st.Text(2), st.Text(3), st.Int(4), st.Int(5) != 0});
  }
  return out;
}

Status Store::SetAttachmentProgress(const std::string& sha256, int64_t uploaded_bytes, bool done) {
  Transaction tx(db_);
  FS_RETURN_IF_ERROR(tx.Begin());
  STORE_ASSIGN_OR_RETURN(
      Stmt st, impl_->stmts.Prepare("UPDATE attachments SET uploaded_bytes = ?2, uploaded = ?3 "
                                    "WHERE sha256 = ?1"));
  FS_RETURN_IF_ERROR(st.Bind(1, sha256).Bind(2, uploaded_bytes).Bind(3, done ? 1 : 0).Run());
  if (st.Changes() == 0) return Status::NotFound("attachment " + sha256 + " is not on this device");
  return tx.Commit();
}

}  // namespace fieldsync::store
