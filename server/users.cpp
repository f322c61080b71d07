// server/users.cpp — HQ accounts, Argon2id passwords, sessions, throttling.
#include "server/users.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "common/sha256.h"
#include "common/text.h"

namespace fieldsync::server {
namespace {

constexpr int64_t kTouchEveryMs = 60'000;  // a session's last_seen is written at most this often

std::string RandomTokenHex() {
  unsigned char buf[32];
  randombytes_buf(buf, sizeof buf);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char b : buf) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::string Duration(int64_t ms) {
  int64_t s = (ms + 999) / 1000;
  if (s < 120) return std::to_string(s) + (s == 1 ? " second" : " seconds");
  int64_t m = (s + 59) / 60;
  return std::to_string(m) + " minutes";
}

Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
               c == '@';
      }))
    return Status::InvalidArgument(
        "a user name is 1 to 64 letters, digits, '.', '_', '-' or '@'; '" + name + "' is not");
  return Status::Ok();
}

Status CheckPassword(const std::string& password) {
  if (password.size() < 8)
    return Status::InvalidArgument("the password is too short; use at least 8 characters");
  if (password.size() > 1024)
    return Status::InvalidArgument("the password is too long; use at most 1024 characters");
  return Status::Ok();
}

}  // namespace

std::string_view HqRoleName(HqRole role) {
  switch (role) {
    case HqRole::kAdmin:
      return "admin";
    case HqRole::kReviewer:
      return "reviewer";
    case HqRole::kViewer:
      return "viewer";
  }
  return "viewer";
}

bool ParseHqRole(std::string_view name, HqRole* out) {
  if (name == "admin")
    *out = HqRole::kAdmin;
  else if (name == "reviewer")
    *out = HqRole::kReviewer;
  else if (name == "viewer")
    *out = HqRole::kViewer;
  else
    return false;
  return true;
}

Status RequireRole(const HqPrincipal& who, HqRole needed, std::string_view action) {
  if (who.AtLeast(needed)) return Status::Ok();
  std::string roles = needed == HqRole::kAdmin ? "the admin role" : "the reviewer or admin role";
  std::string article = who.role == HqRole::kAdmin ? "an " : "a ";
  return Status::PermissionDenied("'" + who.user + "' is " + article +
                                  std::string(HqRoleName(who.role)) + "; " + std::string(action) +
                                  " needs " + roles);
}

HqAuth::HqAuth(Service& service, HqAuthOptions options) : service_(service), options_(options) {
  if (options_.pwhash_opslimit == 0) options_.pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  if (options_.pwhash_memlimit == 0) options_.pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

template <typename Fn>
auto HqAuth::WithHashSlot(Fn&& fn) {
  {
    std::unique_lock<std::mutex> lock(hash_mu_);
    hash_cv_.wait(lock, [&] { return hashing_ < std::max(1, options_.max_concurrent_hashes); });
    ++hashing_;
  }
  auto result = fn();
  {
    std::lock_guard<std::mutex> lock(hash_mu_);
    --hashing_;
  }
  hash_cv_.notify_one();
  return result;
}

std::string HqAuth::HashPassword(const std::string& password) {
  return WithHashSlot([&]() -> std::string {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), options_.pwhash_opslimit,
                              options_.pwhash_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
      return "";  // out of memory
    return out;
  });
}

bool HqAuth::VerifyPassword(const std::string& hash, const std::string& password) {
  return WithHashSlot([&] {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  });
}

Status HqAuth::AddUser(const std::string& name, const std::string& role, const std::string& region,
                       const std::string& password) {
  FS_RETURN_IF_ERROR(CheckName(name));
  HqRole r;
  if (!ParseHqRole(role, &r))
    return Status::InvalidArgument("a role is admin, reviewer or viewer, not '" + role + "'");
  FS_RETURN_IF_ERROR(CheckPassword(password));
  HqUser u;
  u.name = name;
  u.role = std::string(HqRoleName(r));
  u.region = region;
  u.password_hash = HashPassword(password);
  if (u.password_hash.empty())
    return Status::Internal("hashing the password failed (not enough memory?)");
  u.created_at_ms = service_.Now();
  return service_.storage().Write([&](StorageWriter& tx) { return tx.InsertHqUser(u); });
}

Status HqAuth::SetPassword(const std::string& name, const std::string& password) {
  FS_RETURN_IF_ERROR(CheckPassword(password));
  std::string hash = HashPassword(password);
  if (hash.empty()) return Status::Internal("hashing the password failed (not enough memory?)");
  return service_.storage().Write([&](StorageWriter& tx) -> Status {
    auto u = tx.FindHqUser(name);
    if (!u.ok()) return u.status();
    if (!u->has_value()) return Status::NotFound("no user named '" + name + "'");
    HqUser user = **u;
    user.password_hash = hash;
    return tx.UpdateHqUser(user);
  });
}

Status HqAuth::SetDisabled(const std::string& name, bool disabled) {
  const int64_t now = service_.Now();
  return service_.storage().Write([&](StorageWriter& tx) -> Status {
    auto u = tx.FindHqUser(name);
    if (!u.ok()) return u.status();
    if (!u->has_value()) return Status::NotFound("no user named '" + name + "'");
    HqUser user = **u;
    user.disabled_at_ms = disabled ? (user.disabled_at_ms ? user.disabled_at_ms : now) : 0;
    return tx.UpdateHqUser(user);
  });
}

Result<std::vector<HqUser>> HqAuth::ListUsers() {
  std::vector<HqUser> out;
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto u = tx.ListHqUsers();
    if (!u.ok()) return u.status();
    out = std::move(u).value();
    return Status::Ok();
  }));
  return out;
}

int64_t HqAuth::ThrottleWait(const std::string& key, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  return it->second.locked_until_ms > now ? it->second.locked_until_ms - now : 0;
}

void HqAuth::RecordFailure(const std::string& key, int64_t now, int max_failures) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t window = options_.failure_window.count();
  // Keep the table small: forget pairs whose window and lock are over.
  if (failures_.size() > 10000) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      if (it->second.first_at_ms + window < now && it->second.locked_until_ms < now)
        it = failures_.erase(it);
      else
        ++it;
    }
  }
  Failures& f = failures_[key];
  if (f.count == 0 || (f.first_at_ms + window < now && f.locked_until_ms < now)) {
    f.count = 0;
    f.first_at_ms = now;
  }
  f.count += 1;
  if (f.count >= max_failures) {
    int extra = std::min(f.count - max_failures, 20);
    int64_t lock_ms =
        std::min<int64_t>(options_.lockout.count() << extra, options_.max_lockout.count());
    f.locked_until_ms = now + lock_ms;
  }
}

void HqAuth::ClearFailures(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

Result<HqLogin> HqAuth::Login(const std::string& user, const std::string& password,
                              const std::string& client, int64_t* retry_after_ms) {
  *retry_after_ms = 0;
  if (user.empty() || password.empty())
    return Status::InvalidArgument("enter your user name and your password");
  const int64_t now = service_.Now();
  const std::string key = user + "\n" + client;
  const std::string client_key = "\n" + client;  // no user name has a newline
  if (int64_t wait = ThrottleWait(key, now); wait > 0) {
    *retry_after_ms = wait;
    return Status::Unavailable("too many failed sign-ins for '" + user +
                               "' from this address; try again in " + Duration(wait));
  }
  if (int64_t wait = ThrottleWait(client_key, now); wait > 0) {
    *retry_after_ms = wait;
    return Status::Unavailable("too many failed sign-ins from this address; try again in " +
                               Duration(wait));
  }
  std::optional<HqUser> found;
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto u = tx.FindHqUser(user);
    if (!u.ok()) return u.status();
    found = std::move(u).value();
    return Status::Ok();
  }));
  bool ok;
  if (found) {
    ok = VerifyPassword(found->password_hash, password);
  } else {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (dummy_hash_.empty()) dummy_hash_ = HashPassword("not a password of anyone");
    }
    (void)VerifyPassword(dummy_hash_, password);
    ok = false;
  }
  if (!ok) {
    RecordFailure(key, now, options_.max_failures);
    RecordFailure(client_key, now, options_.max_failures_per_client);
    return Status::Unauthenticated("wrong user name or password");
  }
  if (found->disabled_at_ms != 0)
    return Status::Unauthenticated("the account '" + user + "' was disabled on " +
                                   FormatUtc(found->disabled_at_ms) + "; ask an HQ admin");
  ClearFailures(key);
  HqRole role;
  if (!ParseHqRole(found->role, &role))
    return Status::Corruption("user '" + user + "' has an unknown role '" + found->role + "'");
  HqLogin login;
  login.token = RandomTokenHex();
  HqSession s;
  s.token_hash = Sha256Hex(login.token);
  s.user = found->name;
  s.created_at_ms = now;
  s.expires_at_ms = now + options_.session_lifetime.count();
  s.last_seen_ms = now;
  FS_RETURN_IF_ERROR(service_.storage().Write([&](StorageWriter& tx) -> Status {
    auto gone = tx.DeleteExpiredHqSessions(now);
    if (!gone.ok()) return gone.status();
    return tx.InsertHqSession(s);
  }));
  login.principal = {found->name, role, found->region, s.token_hash, s.expires_at_ms};
  return login;
}

Status HqAuth::Logout(std::string_view token) {
  if (!IsLowerHex(token, 64)) return Status::Ok();
  std::string hash = Sha256Hex(token);
  return service_.storage().Write([&](StorageWriter& tx) { return tx.DeleteHqSession(hash); });
}

Result<HqPrincipal> HqAuth::Authenticate(std::string_view token) {
  if (token.empty()) return Status::Unauthenticated("sign in to use the dashboard");
  if (!IsLowerHex(token, 64))
    return Status::Unauthenticated("your session is not valid; sign in again");
  const std::string hash = Sha256Hex(token);
  const int64_t now = service_.Now();
  std::optional<HqSession> session;
  std::optional<HqUser> user;
  FS_RETURN_IF_ERROR(service_.storage().Read([&](StorageReader& tx) -> Status {
    auto s = tx.FindHqSession(hash);
    if (!s.ok()) return s.status();
    session = std::move(s).value();
    if (!session) return Status::Ok();
    auto u = tx.FindHqUser(session->user);
    if (!u.ok()) return u.status();
    user = std::move(u).value();
    return Status::Ok();
  }));
  if (!session)
    return Status::Unauthenticated(
        "your session has ended (signed out, or signed in elsewhere "
        "after a restart); sign in again");
  auto end = [&](Status why) -> Status {
    (void)service_.storage().Write([&](StorageWriter& tx) { return tx.DeleteHqSession(hash); });
    return why;
  };
  if (session->expires_at_ms <= now)
    return end(Status::Unauthenticated("your session expired at " +
                                       FormatUtc(session->expires_at_ms) + "; sign in again"));
  const int64_t idle_end = session->last_seen_ms + options_.idle_timeout.count();
  if (idle_end <= now)
    return end(Status::Unauthenticated("your session expired after " +
                                       Duration(options_.idle_timeout.count()) +
                                       " without activity; sign in again"));
  if (!user)
    return end(Status::Unauthenticated("the account '" + session->user +
                                       "' no longer exists; ask an HQ admin"));
  if (user->disabled_at_ms != 0)
    return end(Status::Unauthenticated("the account '" + user->name + "' was disabled on " +
                                       FormatUtc(user->disabled_at_ms) + "; ask an HQ admin"));
  HqRole role;
  if (!ParseHqRole(user->role, &role))
    return Status::Corruption("user '" + user->name + "' has an unknown role '" + user->role + "'");
  // Best effort: a busy database must not fail the request it rides on.
  if (now - session->last_seen_ms >= kTouchEveryMs)
    (void)service_.storage().Write([&](StorageWriter& tx) { return tx.TouchHqSession(hash, now); });
  return HqPrincipal{user->name, role, user->region, hash, session->expires_at_ms};
}

}  // namespace fieldsync::server
