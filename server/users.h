// server/users.h — HQ users of the web dashboard: accounts, sign-in,
// sessions, roles and the throttling of failed sign-ins.
//
// Accounts: a name, a role and an optional region. Passwords are hashed with
// Argon2id (libsodium crypto_pwhash_str_alg); only the hash is stored.
//
// Roles, each including the one before:
//   viewer   — reads the inbox, reports, charts, the registry; exports
//   reviewer — also approves and returns reports
//   admin    — also enrolls and revokes devices and imports the registry
// A user with a region sees only the reports (and charts, exports) of the
// projects of that region; projects without a region are outside every
// region, so only users without a region see them.
//
// Sessions: Login answers a random 32-byte token (hex) for the session
// cookie; the server stores only its SHA-256. A session ends at the first of:
// logout, `session_lifetime` after sign-in, `idle_timeout` after its last
// request, the user being disabled. Authenticate says which, for a person.
//
// Throttling: failed sign-ins are counted per (user name, client address).
// After `max_failures` failures within `failure_window`, further attempts for
// that pair are refused without checking the password for `lockout`,
// doubling with each further failure up to `max_lockout`; a success clears
// the count. The same applies per client address alone with
// `max_failures_per_client` (one address trying many names). The counts live
// in memory (one server process); a restart forgets them. At most
// `max_concurrent_hashes` Argon2id computations run at once (each takes the
// hash's memory), so a burst of sign-ins queues instead of exhausting memory.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/service.h"
#include "server/storage.h"

namespace fieldsync::server {

enum class HqRole { kViewer = 0, kReviewer = 1, kAdmin = 2 };
std::string_view HqRoleName(HqRole role);
// false for anything but "admin", "reviewer", "viewer".
bool ParseHqRole(std::string_view name, HqRole* out);

// Who is making a dashboard request.
struct HqPrincipal {
  std::string user;
  HqRole role = HqRole::kViewer;
  std::string region;      // empty = every region
  std::string token_hash;  // of the session
  int64_t expires_at_ms = 0;

  bool AtLeast(HqRole r) const { return static_cast<int>(role) >= static_cast<int>(r); }
};

// PermissionDenied naming the user, their role, the action and the role it
// needs, e.g. "'vera' is a viewer; approving or returning reports needs the
// reviewer or admin role". Ok when the principal has at least `needed`.
Status RequireRole(const HqPrincipal& who, HqRole needed, std::string_view action);

struct HqAuthOptions {
  std::chrono::milliseconds session_lifetime = std::chrono::hours(12);
  std::chrono::milliseconds idle_timeout = std::chrono::hours(2);
  int max_failures = 5;
  int max_failures_per_client = 50;
  int max_concurrent_hashes = 2;
  std::chrono::milliseconds failure_window = std::chrono::minutes(15);
  std::chrono::milliseconds lockout = std::chrono::minutes(1);
  std::chrono::milliseconds max_lockout = std::chrono::minutes(15);
  // Argon2id cost; 0 = libsodium's "interactive" limits (about 0.1 s and
  // 64 MiB per hash). Tests lower them; a stored hash carries its own cost,
  // so verification follows whatever made it.
  unsigned long long pwhash_opslimit = 0;
  size_t pwhash_memlimit = 0;
};

struct HqLogin {
  std::string token;  // for the cookie; shown once, stored only as its hash
  HqPrincipal principal;
};

class HqAuth {
 public:
  // The service (its storage and clock) must outlive this object.
  explicit HqAuth(Service& service, HqAuthOptions options = {});

  const HqAuthOptions& options() const { return options_; }

  // Creates a user. InvalidArgument for a bad name (1-64 of letters, digits,
  // '.', '_', '-', '@'), role or password (8-1024 characters);
  // AlreadyExists when the name is taken.
  Status AddUser(const std::string& name, const std::string& role, const std::string& region,
                 const std::string& password);
  // Replaces a user's password (and ends none of their sessions). NotFound.
  Status SetPassword(const std::string& name, const std::string& password);
  // Disables (true) or re-enables a user; a disabled user's sessions stop
  // working at once. NotFound.
  Status SetDisabled(const std::string& name, bool disabled);
  Result<std::vector<HqUser>> ListUsers();

  // Signs in. `client` is the caller's address (for throttling).
  // Unauthenticated "wrong user name or password" for an unknown user or a
  // wrong password (the same words and about the same time for both), or
  // naming a disabled account; Unavailable when throttled, with
  // *retry_after_ms set to the wait (it is 0 otherwise).
  Result<HqLogin> Login(const std::string& user, const std::string& password,
                        const std::string& client, int64_t* retry_after_ms);
  // Ends the session of `token`; ok when there was none.
  Status Logout(std::string_view token);
  // The principal of a session token. Unauthenticated with a sentence saying
  // why (none given, unknown or signed out, expired, user disabled).
  Result<HqPrincipal> Authenticate(std::string_view token);

 private:
  struct Failures {
    int count = 0;            // within the window
    int64_t first_at_ms = 0;  // of the window
    int64_t locked_until_ms = 0;
  };
  std::string HashPassword(const std::string& password);
  bool VerifyPassword(const std::string& hash, const std::string& password);
  // 0 when the pair may try now, else the milliseconds to wait.
  int64_t ThrottleWait(const std::string& key, int64_t now);
  void RecordFailure(const std::string& key, int64_t now, int max_failures);
  // Runs fn while holding one of the max_concurrent_hashes slots.
  template <typename Fn>
  auto WithHashSlot(Fn&& fn);
  void ClearFailures(const std::string& key);

  Service& service_;
  HqAuthOptions options_;
  std::mutex mu_;
  std::map<std::string, Failures> failures_;  // "user\nclient"
  std::string dummy_hash_;                    // verified for unknown users, so timing tells nothing
  std::mutex hash_mu_;
  std::condition_variable hash_cv_;
  int hashing_ = 0;  // Argon2id computations running
};

}  // namespace fieldsync::server
