// common/status.h — how errors cross module boundaries in fieldsync.
//
// Every fallible call returns a Status, or a Result<T> holding either a T or a
// non-ok Status. The message is written for a person: it names the thing that
// is wrong and, where it can, what to do about it ("field 'hiv_tested' expects a
// whole number, got 'abc'"). Success is cheap (no allocation).
//
// Thread safety: values; safe to copy between threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace fieldsync {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,   // bad input from a person or a peer; fix the input
    kNotFound,          // the named thing does not exist
    kAlreadyExists,     // a unique thing was created twice
    kFailedPrecondition,// the operation is not allowed in the current state
    kPermissionDenied,  // authenticated but not allowed
    kUnauthenticated,   // missing, expired, revoked or forged credentials
    kConflict,          // concurrent change; see the message
    kCorruption,        // stored data is damaged
    kIOError,           // disk or OS failure
    kUnavailable,       // transient: link down, server busy; retry later
    kTooLarge,          // a size limit was exceeded
    kInternal,          // a bug
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
  static Status FailedPrecondition(std::string m) { return Status(Code::kFailedPrecondition, std::move(m)); }
  static Status PermissionDenied(std::string m) { return Status(Code::kPermissionDenied, std::move(m)); }
  static Status Unauthenticated(std::string m) { return Status(Code::kUnauthenticated, std::move(m)); }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status TooLarge(std::string m) { return Status(Code::kTooLarge, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>" — for logs; people see message().
  std::string ToString() const;
  // A stable lowercase name for the code ("invalid_argument"), used in JSON bodies.
  static std::string_view CodeName(Code c);
  // Inverse of CodeName; unknown names map to kInternal.
  static Code CodeFromName(std::string_view name);

  // Returns a copy whose message is "<prefix>: <message>" (for adding context).
  Status WithContext(std::string_view prefix) const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a T on success, a non-ok Status on failure.
// REQUIRES: value() only when ok(); constructing from an ok Status is a bug.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result from an ok Status has no value");
    if (status_.ok()) status_ = Status::Internal("Result built from an ok Status");
  }
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace fieldsync

// Early-return helpers. FS_RETURN_IF_ERROR(expr) returns a non-ok Status.
#define FS_RETURN_IF_ERROR(expr)                 \
  do {                                           \
    ::fieldsync::Status fs_status_ = (expr);     \
    if (!fs_status_.ok()) return fs_status_;     \
  } while (0)
