// server/service.cpp — the HQ server's logic: enrollment, auth, sync,
// attachments, review and administration.
#include "server/service.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>
#include <set>

#include "common/sha256.h"
#include "common/text.h"
#include "schema/validate.h"
#include "server/merge.h"

namespace fieldsync::server {
namespace {

using nlohmann::json;

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : buf) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

// No 0/O, 1/I: codes are read aloud over bad phone lines.
constexpr std::string_view kCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

std::string NewEnrollCode() {
  std::string code;
  for (int i = 0; i < 12; ++i) {
    if (i > 0 && i % 4 == 0) code.push_back('-');
    code.push_back(kCodeAlphabet[randombytes_uniform(static_cast<uint32_t>(kCodeAlphabet.size()))]);
  }
  return code;
}

bool IsReportId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string FormKey(const std::string& id, int version) {
  return id + "@" + std::to_string(version);
}

bool RegionAllows(const std::string& device_region, const std::string& project_region) {
  return device_region.empty() || project_region.empty() || device_region == project_region;
}

// One entry of a sync batch after the envelope and content checks.
struct Entry {
  int64_t seq = 0;
  std::string kind;
  int64_t base_version = 0;
  std::optional<std::vector<std::string>> changed;
  IncomingReport report;
  std::string reject;  // non-empty: rejected before the transaction
  std::vector<std::string> photos;  // attachment hashes the report refers to
};

// Step 1 of the sync contract: the envelope. InvalidArgument names the path.
Status ParseEnvelope(const json& req, std::vector<Entry>* entries, int64_t* cursor,
                     std::string* cursor_text, int* pull_limit) {
  if (!req.is_object()) return Status::InvalidArgument("sync body must be a JSON object");
  if (req.contains("batch") && !req["batch"].is_null()) {
    const json& batch = req["batch"];
    if (!batch.is_array()) return Status::InvalidArgument("'batch' must be an array");
    int64_t last = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      const json& e = batch[i];
      std::string where = "batch[" + std::to_string(i) + "]";
      if (!e.is_object()) return Status::InvalidArgument(where + " must be an object");
      if (!e.contains("seq") || !e["seq"].is_number_integer())
        return Status::InvalidArgument(where + ".seq must be an integer");
      int64_t seq = e["seq"].get<int64_t>();
      if (seq <= 0) return Status::InvalidArgument(where + ".seq must be positive");
      if (seq <= last)
        return Status::InvalidArgument(where + ".seq " + std::to_string(seq) +
                                       " is not above the previous entry's " +
                                       std::to_string(last) + "; send entries in seq order");
      last = seq;
      if (!e.contains("kind") || !e["kind"].is_string())
        return Status::InvalidArgument(where + ".kind must be a string");
      Entry entry;
      entry.seq = seq;
      entry.kind = e["kind"].get<std::string>();
      entries->push_back(std::move(entry));
    }
  }
  *cursor = 0;
  cursor_text->clear();
  if (req.contains("cursor") && !req["cursor"].is_null()) {
    const json& c = req["cursor"];
    if (c.is_number_unsigned()) {
      *cursor = c.get<int64_t>();
      *cursor_text = std::to_string(*cursor);
    } else if (c.is_string()) {
      std::string s = c.get<std::string>();
      if (!s.empty()) {
        if (s.size() > 18 || !std::all_of(s.begin(), s.end(), ::isdigit))
          return Status::InvalidArgument("'cursor' must be a decimal number, got '" + s + "'");
        *cursor = std::stoll(s);
      }
      *cursor_text = s;
    } else {
      return Status::InvalidArgument("'cursor' must be a string");
    }
  }
  *pull_limit = kDefaultPullLimit;
  if (req.contains("pull_limit") && !req["pull_limit"].is_null()) {
    if (!req["pull_limit"].is_number_integer())
      return Status::InvalidArgument("'pull_limit' must be an integer");
    *pull_limit = static_cast<int>(
        std::clamp<int64_t>(req["pull_limit"].get<int64_t>(), 1, kMaxPullLimit));
  }
  return Status::Ok();
}

// Step 2: the entry's content. Returns a reason for a person, or "".
std::string CheckContent(const json& e, Entry* entry) {
  if (entry->kind != "report")
    return "unknown entry kind '" + entry->kind + "'; this server accepts 'report'";
  if (e.contains("base_version") && !e["base_version"].is_null()) {
    if (!e["base_version"].is_number_integer() || e["base_version"].get<int64_t>() < 0)
      return "base_version must be a whole number";
    entry->base_version = e["base_version"].get<int64_t>();
  }
  if (e.contains("changed") && !e["changed"].is_null()) {
    if (!e["changed"].is_array()) return "changed must be a list of field names";
    std::vector<std::string> names;
    for (const json& n : e["changed"]) {
      if (!n.is_string()) return "changed must be a list of field names";
      names.push_back(n.get<std::string>());
    }
    entry->changed = std::move(names);
  }
  if (!e.contains("report") || !e["report"].is_object()) return "the entry carries no report";
  const json& r = e["report"];
  std::vector<std::string> problems;
  auto text = [&](const char* name, std::string* out, bool required) {
    if (!r.contains(name) || r[name].is_null()) {
      if (required) problems.push_back(std::string("'") + name + "' is missing");
      return;
    }
    if (!r[name].is_string()) {
      problems.push_back(std::string("'") + name + "' must be text");
      return;
    }
    *out = r[name].get<std::string>();
    if (required && out->empty()) problems.push_back(std::string("'") + name + "' is empty");
  };
  auto integer = [&](const char* name, int64_t* out, bool required) {
    if (!r.contains(name) || r[name].is_null()) {
      if (required) problems.push_back(std::string("'") + name + "' is missing");
      return;
    }
    if (!r[name].is_number_integer()) {
      problems.push_back(std::string("'") + name + "' must be a whole number");
      return;
    }
    *out = r[name].get<int64_t>();
  };
  IncomingReport& inc = entry->report;
  text("id", &inc.id, true);
  text("project", &inc.project, true);
  text("form_id", &inc.form_id, true);
  int64_t form_version = 0;
  integer("form_version", &form_version, true);
  inc.form_version = static_cast<int>(form_version);
  text("status", &inc.status, true);
  text("author", &inc.author, false);
  text("period", &inc.period, false);
  integer("created_at_ms", &inc.created_at_ms, false);
  integer("updated_at_ms", &inc.updated_at_ms, false);
  if (!r.contains("values") || !r["values"].is_object()) {
    problems.push_back("'values' must be an object");
  } else {
    inc.values = r["values"];
  }
  if (!inc.id.empty() && !IsReportId(inc.id))
    problems.push_back("'id' must be 1-64 letters, digits, '-' or '_'");
  if (!inc.status.empty() && inc.status != "draft" && inc.status != "finalized" &&
      inc.status != "returned" && inc.status != "received" && inc.status != "approved")
    problems.push_back("'status' must be draft, finalized, returned, received or approved, got '" +
                       inc.status + "'");
  if (inc.period.empty() && inc.values.is_object() && inc.values.contains("period") &&
      inc.values["period"].is_string())
    inc.period = inc.values["period"].get<std::string>();
  if (problems.empty()) return "";
  std::string reason = "malformed report: ";
  for (size_t i = 0; i < problems.size(); ++i) reason += (i ? "; " : "") + problems[i];
  return reason;
}

json RejectedResult(int64_t seq, const std::string& reason) {
  return {{"seq", seq}, {"outcome", "rejected"}, {"reason", reason}};
}

}  // namespace

std::string HashSecret(std::string_view secret) { return Sha256Hex(secret); }

Service::Service(std::unique_ptr<Storage> storage, ServiceOptions options)
    : storage_(std::move(storage)), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = WallClockMs;
}

Result<std::unique_ptr<Service>> Service::Open(std::unique_ptr<Storage> storage,
                                               ServiceOptions options) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::unique_ptr<Service> svc(new Service(std::move(storage), std::move(options)));
  // Seed the shipped forms on a database that has none.
  FS_RETURN_IF_ERROR(svc->storage_->Write([&](StorageWriter& tx) -> Status {
    auto forms = tx.ListForms();
    if (!forms.ok()) return forms.status();
    if (!forms->empty()) return Status::Ok();
    for (const schema::Form& f : schema::ShippedForms()) {
      json def = schema::FormToJson(f);
      FS_RETURN_IF_ERROR(tx.UpsertForm(f.id, f.version, def));
      auto seq = tx.Publish("form", f.Key(), "", def);
      if (!seq.ok()) return seq.status();
    }
    return Status::Ok();
  }));
  FS_RETURN_IF_ERROR(svc->LoadForms());
  return svc;
}

Status Service::LoadForms() {
  std::vector<json> defs;
  FS_RETURN_IF_ERROR(storage_->Read([&](StorageReader& tx) -> Status {
    auto forms = tx.ListForms();
    if (!forms.ok()) return forms.status();
    defs = std::move(forms).value();
    return Status::Ok();
  }));
  std::map<std::string, std::shared_ptr<const schema::Form>> parsed;
  for (const json& def : defs) {
    auto form = schema::ParseForm(def);
    if (!form.ok())
      return Status::Corruption("a stored form definition no longer parses: " +
                                form.status().message());
    auto shared = std::make_shared<const schema::Form>(std::move(form).value());
    parsed[shared->Key()] = shared;
  }
  std::unique_lock<std::shared_mutex> lock(forms_mu_);
  forms_ = std::move(parsed);
  return Status::Ok();
}

std::shared_ptr<const schema::Form> Service::FindForm(const std::string& id, int version) {
  {
    std::shared_lock<std::shared_mutex> lock(forms_mu_);
    auto it = forms_.find(FormKey(id, version));
    if (it != forms_.end()) return it->second;
  }
  // Another process (the admin CLI) may have added it since we loaded.
  if (!LoadForms().ok()) return nullptr;
  std::shared_lock<std::shared_mutex> lock(forms_mu_);
  auto it = forms_.find(FormKey(id, version));
  return it == forms_.end() ? nullptr : it->second;
}

// --- enrollment and auth ---

Result<std::string> Service::CreateEnrollCode(const std::string& officer,
                                              const std::string& region,
                                              std::chrono::milliseconds lifetime) {
  if (officer.empty()) return Status::InvalidArgument("the officer's name is empty");
  std::string code = NewEnrollCode();
  EnrollCode e;
  e.code_hash = HashSecret(NormalizeEnrollCode(code));
  e.officer = officer;
  e.region = region;
  e.created_at_ms = Now();
  e.expires_at_ms = e.created_at_ms + lifetime.count();
  FS_RETURN_IF_ERROR(storage_->Write([&](StorageWriter& tx) { return tx.InsertEnrollCode(e); }));
  return code;
}

Result<Enrollment> Service::Enroll(std::string_view code, std::string_view device_name,
                                   std::string_view device_token) {
  std::string normalized = NormalizeEnrollCode(code);
  if (normalized.empty()) return Status::InvalidArgument("'code' is empty");
  if (!device_token.empty() && !IsLowerHex(device_token, 64))
    return Status::InvalidArgument(
        "'token' must be 64 lowercase hex digits (256 random bits chosen by the device)");
  const std::string hash = HashSecret(normalized);
  const int64_t now = Now();
  Enrollment out;
  Status st = storage_->Write([&](StorageWriter& tx) -> Status {
    auto found = tx.FindEnrollCode(hash);
    if (!found.ok()) return found.status();
    if (!found->has_value())
      return Status::Unauthenticated(
          "unknown enrollment code; check it, or ask HQ for a new one");
    const EnrollCode& ec = **found;
    if (ec.used_at_ms != 0 && !device_token.empty() && ec.expires_at_ms > now) {
      // The device that used the code asks again (its answer was lost):
      // the same token proves it; answer the same enrollment.
      auto d = tx.FindDevice(ec.device_id);
      if (!d.ok()) return d.status();
      if (d->has_value() && !(*d)->revoked() &&
          (*d)->token_hash == HashSecret(std::string(device_token))) {
        out.device_id = (*d)->id;
        out.token = std::string(device_token);
        out.officer = (*d)->officer;
        out.region = (*d)->region;
        return Status::Ok();
      }
    }
    if (ec.used_at_ms != 0)
      return Status::Unauthenticated("enrollment code already used (on " +
                                     FormatUtc(ec.used_at_ms) + "); ask HQ for a new one");
    if (ec.expires_at_ms <= now)
      return Status::Unauthenticated("enrollment code expired on " + FormatUtc(ec.expires_at_ms) +
                                     "; ask HQ for a new one");
    Device d;
    d.id = "d_" + RandomHex(8);
    d.name = std::string(device_name);
    d.officer = ec.officer;
    d.region = ec.region;
    out.token = device_token.empty() ? RandomHex(32) : std::string(device_token);
    d.token_hash = HashSecret(out.token);
    d.enrolled_at_ms = now;
    d.last_seen_ms = now;
    auto used = tx.UseEnrollCode(hash, d.id, now);
    if (!used.ok()) return used.status();
    if (!*used) return Status::Unauthenticated("enrollment code already used; ask HQ for a new one");
    FS_RETURN_IF_ERROR(tx.InsertDevice(d));
    out.device_id = d.id;
    out.officer = d.officer;
    out.region = d.region;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Device> Service::Authenticate(std::string_view token) {
  if (token.empty())
    return Status::Unauthenticated("missing bearer token; send 'Authorization: Bearer <token>'");
  if (!IsLowerHex(token, 64))
    return Status::Unauthenticated("malformed bearer token; enroll the device again");
  std::optional<Device> device;
  FS_RETURN_IF_ERROR(storage_->Read([&](StorageReader& tx) -> Status {
    auto d = tx.FindDeviceByTokenHash(HashSecret(token));
    if (!d.ok()) return d.status();
    device = std::move(d).value();
    return Status::Ok();
  }));
  if (!device) return Status::Unauthenticated("unknown token; enroll the device again");
  if (device->revoked())
    return Status::Unauthenticated("device " + device->id + " was revoked on " +
                                   FormatUtc(device->revoked_at_ms) +
                                   "; ask HQ to enroll it again");
  return *device;
}

Result<Device> Service::DeviceForBundle(const std::string& device_id) {
  std::optional<Device> device;
  FS_RETURN_IF_ERROR(storage_->Read([&](StorageReader& tx) -> Status {
    auto d = tx.FindDevice(device_id);
    if (!d.ok()) return d.status();
    device = std::move(d).value();
    return Status::Ok();
  }));
  if (!device)
    return Status::NotFound("no device '" + device_id +
                            "' is enrolled here; the bundle comes from another HQ or a device "
                            "enrolled again since");
  if (device->revoked())
    return Status::Unauthenticated("device " + device->id + " was revoked on " +
                                   FormatUtc(device->revoked_at_ms) +
                                   "; ask HQ to enroll it again");
  return *device;
}

Status Service::RevokeDevice(const std::string& device_id) {
  return storage_->Write([&](StorageWriter& tx) { return tx.RevokeDevice(device_id, Now()); });
}

Result<std::vector<Device>> Service::ListDevices() {
  std::vector<Device> out;
  FS_RETURN_IF_ERROR(storage_->Read([&](StorageReader& tx) -> Status {
    auto d = tx.ListDevices();
    if (!d.ok()) return d.status();
    out = std::move(d).value();
    return Status::Ok();
  }));
  return out;
}

// --- sync ---

Result<json> Service::Sync(const Device& device, const json& request) {
  std::vector<Entry> entries;
  int64_t cursor = 0;
  std::string cursor_text;
  int pull_limit = kDefaultPullLimit;
  FS_RETURN_IF_ERROR(ParseEnvelope(request, &entries, &cursor, &cursor_text, &pull_limit));

  // Step 2, outside the transaction: content and form validation.
  const json* batch = request.contains("batch") ? &request["batch"] : nullptr;
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    e.reject = CheckContent((*batch)[i], &e);
    if (!e.reject.empty()) continue;
    auto form = FindForm(e.report.form_id, e.report.form_version);
    if (!form) {
      e.reject = "unknown form '" + e.report.form_id + "' version " +
                 std::to_string(e.report.form_version);
      continue;
    }
    schema::ValidateOptions vo;
    // Finalized (and HQ-held) reports must be complete; drafts and returned
    // reports being corrected need only be well-typed and within constraints.
    vo.mode = e.report.status == "draft" || e.report.status == "returned"
                  ? schema::ValidationMode::kDraft
                  : schema::ValidationMode::kFinalize;
    vo.today = options_.today;
    std::vector<schema::FieldError> errors = schema::Validate(*form, e.report.values, vo);
    if (!errors.empty()) {
      e.reject = "fails validation against form '" + form->Key() + "': ";
      for (size_t k = 0; k < errors.size(); ++k)
        e.reject += (k ? "; " : "") + errors[k].ToString();
      continue;
    }
    for (const schema::Question& q : form->questions) {
      if (q.type != schema::QuestionType::kPhoto) continue;
      auto it = e.report.values.find(q.name);
      if (it != e.report.values.end() && it->is_string()) e.photos.push_back(it->get<std::string>());
    }
  }

  json results = json::array();
  int64_t acked_seq = 0;
  const int64_t now = Now();
  if (!entries.empty()) {
    FS_RETURN_IF_ERROR(storage_->Write([&](StorageWriter& tx) -> Status {
      results = json::array();
      // Project code → its region (nullopt: unknown), looked up once per batch.
      std::map<std::string, std::optional<std::string>> project_regions;
      for (const Entry& e : entries) {
        auto claimed = tx.ClaimSeq(device.id, e.seq, e.report.id, now);
        if (!claimed.ok()) return claimed.status();
        if (!*claimed) {  // a replay: answer what was decided the first time
          auto stored = tx.SeqResult(device.id, e.seq);
          if (!stored.ok()) return stored.status();
          json r = std::move(stored).value();
          if (!r.is_object()) r = {{"seq", e.seq}, {"outcome", "applied"}};
          results.push_back(std::move(r));
          continue;
        }
        json result;
        auto decide = [&]() -> Status {
          if (!e.reject.empty()) {
            result = RejectedResult(e.seq, e.reject);
            return Status::Ok();
          }
          auto region = project_regions.find(e.report.project);
          if (region == project_regions.end()) {
            auto project = tx.FindProject(e.report.project);
            if (!project.ok()) return project.status();
            region = project_regions
                         .emplace(e.report.project,
                                  project->has_value() ? std::optional((*project)->region)
                                                       : std::nullopt)
                         .first;
          }
          if (!region->second) {
            result = RejectedResult(e.seq, "unknown project '" + e.report.project + "'");
            return Status::Ok();
          }
          if (!RegionAllows(device.region, *region->second)) {
            result = RejectedResult(e.seq, "project '" + e.report.project + "' is in region '" +
                                               *region->second + "', outside this device's '" +
                                               device.region + "'");
            return Status::Ok();
          }
          auto current = tx.FindReport(e.report.id);
          if (!current.ok()) return current.status();
          const std::optional<StoredReport>& cur = *current;
          if (cur && cur->device_id != device.id) {
            result = RejectedResult(e.seq, "report " + e.report.id + " belongs to another device");
            return Status::Ok();
          }
          if (cur && e.seq < cur->max_seq) {  // superseded by a later edit already applied
            result = {{"seq", e.seq}, {"outcome", "applied"}, {"server_version", cur->server_version}};
            return Status::Ok();
          }
          MergeInput in;
          in.current = cur ? &*cur : nullptr;
          in.incoming = e.report;
          in.device_id = device.id;
          in.seq = e.seq;
          in.base_version = e.base_version;
          in.changed = e.changed;
          in.now_ms = now;
          MergeOutput m = MergeDeviceEdit(in);
          FS_RETURN_IF_ERROR(tx.PutReport(m.report));
          FS_RETURN_IF_ERROR(tx.AddHistory(m.history));
          for (const std::string& sha : e.photos)
            FS_RETURN_IF_ERROR(tx.AddAttachmentRef(sha, device.id, m.report.id));
          result = {{"seq", e.seq}, {"outcome", m.outcome},
                    {"server_version", m.report.server_version}};
          if (m.outcome != "applied") result["report"] = ReportToJson(m.report);
          if (m.outcome == "conflict") result["conflicts"] = m.conflicts;
          return Status::Ok();
        };
        FS_RETURN_IF_ERROR(decide());
        FS_RETURN_IF_ERROR(tx.SetSeqResult(device.id, e.seq, result));
        results.push_back(std::move(result));
      }
      auto max = tx.MaxSeq(device.id);
      if (!max.ok()) return max.status();
      acked_seq = *max;
      return tx.TouchDevice(device.id, now);
    }));
  }

  // Step 4: the pull page, from a snapshot after the commit.
  json changes = json::array();
  bool more = false;
  std::string next_cursor = cursor_text;
  FS_RETURN_IF_ERROR(storage_->Read([&](StorageReader& tx) -> Status {
    if (entries.empty()) {
      auto max = tx.MaxSeq(device.id);
      if (!max.ok()) return max.status();
      acked_seq = *max;
    }
    FeedFilter filter{device.id, device.region};
    auto feed = tx.ReadFeed(cursor, filter, pull_limit + 1);
    if (!feed.ok()) return feed.status();
    more = static_cast<int>(feed->size()) > pull_limit;
    if (more) feed->resize(static_cast<size_t>(pull_limit));
    for (FeedEntry& f : *feed)
      changes.push_back({{"kind", f.kind}, {"key", f.key}, {"data", std::move(f.data)}});
    if (!feed->empty()) next_cursor = std::to_string(feed->back().feed_seq);
    return Status::Ok();
  }));
  // A pull-only sync still says the device was seen (at most once a minute).
  if (entries.empty() && now - device.last_seen_ms > 60'000)
    (void)storage_->Write([&](StorageWriter& tx) { return tx.TouchDevice(device.id, now); });

  return json{{"acked_seq", acked_seq},
              {"results", std::move(results)},
              {"changes", std::move(changes)},
              {"cursor", next_cursor},
              {"more", more}};
}

// --- attachments ---

namespace {
Status CheckSha(const std::string& sha256) {
  if (!IsLowerHex(sha256, 64))
    return Status::InvalidArgument("'" + sha256 + "' is not a lowercase hex SHA-256");
  return Status::Ok();
}
Status NotReferenced(const std::string& sha256) {
  return Status::PermissionDenied("no report of this device refers to attachment " + sha256 +
                                  "; sync the report before its photos");
}
}  // namespace

Status Service::AttachmentStatus(const Device& device, const std::string& sha256,
                                 AttachmentState* state) {
  FS_RETURN_IF_ERROR(CheckSha(sha256));
  *state = AttachmentState{sha256, 0, 0, false};
  return storage_->Read([&](StorageReader& tx) -> Status {
    auto ref = tx.AttachmentReferencedBy(sha256, device.id);
    if (!ref.ok()) return ref.status();
    if (!*ref) return NotReferenced(sha256);
    auto a = tx.FindAttachment(sha256);
    if (!a.ok()) return a.status();
    if (a->has_value()) *state = **a;
    return Status::Ok();
  });
}

Status Service::PutAttachmentChunk(const Device& device, const std::string& sha256,
                                   int64_t offset, int64_t total, std::string_view bytes,
                                   AttachmentState* state) {
  FS_RETURN_IF_ERROR(CheckSha(sha256));
  if (bytes.size() > kMaxChunkBytes)
    return Status::TooLarge("a chunk holds at most 1 MiB; this one holds " +
                            std::to_string(bytes.size()) + " bytes");
  if (total <= 0) return Status::InvalidArgument("'total' must be a positive byte count");
  if (total > kMaxAttachmentBytes)
    return Status::TooLarge("an attachment holds at most 64 MiB; this one declares " +
                            std::to_string(total) + " bytes");
  if (offset < 0) return Status::InvalidArgument("'offset' must not be negative");
  *state = AttachmentState{sha256, 0, 0, false};
  Status outcome;  // what the device hears; committed writes happen either way
  FS_RETURN_IF_ERROR(storage_->Write([&](StorageWriter& tx) -> Status {
    auto ref = tx.AttachmentReferencedBy(sha256, device.id);
    if (!ref.ok()) return ref.status();
    if (!*ref) return NotReferenced(sha256);
    auto found = tx.FindAttachment(sha256);
    if (!found.ok()) return found.status();
    AttachmentState a = found->value_or(AttachmentState{sha256, total, 0, false});
    *state = a;
    if (a.complete) return Status::Ok();  // already whole: nothing to do
    if (a.received == 0) a.total = total;
    if (a.total != total) {
      outcome = Status::InvalidArgument("attachment " + sha256 + " was started with total " +
                                        std::to_string(a.total) + ", not " +
                                        std::to_string(total));
      return Status::Ok();
    }
    if (offset != a.received) {
      outcome = Status::Conflict("the server holds " + std::to_string(a.received) +
                                 " bytes of this attachment; resume from there");
      return Status::Ok();
    }
    if (bytes.empty()) {
      outcome = Status::InvalidArgument("the chunk is empty");
      return Status::Ok();
    }
    if (offset + static_cast<int64_t>(bytes.size()) > total) {
      outcome = Status::InvalidArgument("the chunk ends past 'total' (" + std::to_string(total) +
                                        " bytes)");
      return Status::Ok();
    }
    FS_RETURN_IF_ERROR(tx.AppendAttachmentChunk(sha256, offset, bytes));
    a.received += static_cast<int64_t>(bytes.size());
    if (a.received == a.total) {
      Sha256Stream hasher;
      FS_RETURN_IF_ERROR(tx.ReadAttachment(sha256, [&](std::string_view chunk) {
        hasher.Update(chunk);
        return Status::Ok();
      }));
      std::string got = hasher.FinishHex();
      if (got != sha256) {
        FS_RETURN_IF_ERROR(tx.DiscardAttachmentChunks(sha256));
        a.received = 0;
        a.total = 0;
        outcome = Status::FailedPrecondition("the uploaded bytes hash to " + got + ", not " +
                                             sha256 + "; the upload was discarded, start again");
      } else {
        a.complete = true;
      }
    }
    FS_RETURN_IF_ERROR(tx.PutAttachment(a));
    *state = a;
    return Status::Ok();
  }));
  return outcome;
}

// --- HQ administration ---

Result<size_t> Service::ImportProjects(const std::vector<schema::Project>& projects) {
  FS_RETURN_IF_ERROR(storage_->Write([&](StorageWriter& tx) -> Status {
    for (const schema::Project& p : projects) {
      json data = schema::ProjectToJson(p);
      FS_RETURN_IF_ERROR(tx.UpsertProject({p.code, p.region, data}));
      auto seq = tx.Publish("project", p.code, p.region.empty() ? "" : "region:" + p.region, data);
      if (!seq.ok()) return seq.status();
    }
    return Status::Ok();
  }));
  return projects.size();
}

Result<size_t> Service::ImportProjectsCsv(std::string_view csv_text) {
  auto projects = schema::ParseProjectsCsv(csv_text);
  if (!projects.ok()) return projects.status();
  return ImportProjects(*projects);
}

Status Service::AddForm(const schema::Form& form) {
  json def = schema::FormToJson(form);
  FS_RETURN_IF_ERROR(storage_->Write([&](StorageWriter& tx) -> Status {
    FS_RETURN_IF_ERROR(tx.UpsertForm(form.id, form.version, def));
    auto seq = tx.Publish("form", form.Key(), "", def);
    return seq.ok() ? Status::Ok() : seq.status();
  }));
  return LoadForms();
}

Result<StoredReport> Service::ReviewReport(const std::string& report_id,
                                           const std::string& decision_in,
                                           const std::string& comment,
                                           const json& field_comments,
                                           const std::string& reviewer) {
  std::string decision;
  if (decision_in == "approve" || decision_in == "approved") decision = "approved";
  else if (decision_in == "return" || decision_in == "returned") decision = "returned";
  else return Status::InvalidArgument("a decision is 'approve' or 'return', not '" + decision_in + "'");
  if (!field_comments.is_null() && !field_comments.is_object())
    return Status::InvalidArgument("field comments must map field names to text");
  const int64_t now = Now();
  StoredReport out;
  FS_RETURN_IF_ERROR(storage_->Write([&](StorageWriter& tx) -> Status {
    auto found = tx.FindReport(report_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return Status::NotFound("no report '" + report_id + "'");
    StoredReport r = **found;
    if (r.status == "draft")
      return Status::FailedPrecondition("report " + report_id +
                                        " is still a draft; only finalized reports are reviewed");
    std::string old_status = r.status;
    r.server_version += 1;
    r.status = decision;
    r.field_versions["status"] = {r.server_version, r.server_version};
    r.received_at_ms = now;
    FS_RETURN_IF_ERROR(tx.PutReport(r));
    HistoryRow h;
    h.report_id = r.id;
    h.at_ms = now;
    h.server_version = r.server_version;
    h.source = "review";
    h.author = reviewer;
    h.field = "status";
    h.old_value = old_status;
    h.new_value = decision;
    h.note = comment;
    FS_RETURN_IF_ERROR(tx.AddHistory({h}));
    Review rv{r.id, decision, comment,
              field_comments.is_object() ? field_comments : json::object(), reviewer, now,
              r.server_version};
    FS_RETURN_IF_ERROR(tx.AddReview(rv));
    json data = {{"report_id", r.id},           {"decision", decision},
                 {"comment", comment},          {"field_comments", rv.field_comments},
                 {"reviewer", reviewer},        {"at", now},
                 {"server_version", r.server_version}};
    auto seq = tx.Publish("review", r.id, "device:" + r.device_id, data);
    if (!seq.ok()) return seq.status();
    out = std::move(r);
    return Status::Ok();
  }));
  return out;
}

Result<StoredReport> Service::CorrectReport(const std::string& report_id, const json& changes,
                                            const std::string& editor) {
  if (!changes.is_object() || changes.empty())
    return Status::InvalidArgument("a correction names at least one field and its new value");
  // The form is looked up before the transaction (a cache miss reads storage).
  auto before = GetReport(report_id);
  if (!before.ok()) return before.status();
  if (!before->has_value()) return Status::NotFound("no report '" + report_id + "'");
  auto form = FindForm((*before)->form_id, (*before)->form_version);
  if (!form)
    return Status::FailedPrecondition("report " + report_id + " uses unknown form " +
                                      FormKey((*before)->form_id, (*before)->form_version));
  const int64_t now = Now();
  StoredReport out;
  FS_RETURN_IF_ERROR(storage_->Write([&](StorageWriter& tx) -> Status {
    auto found = tx.FindReport(report_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return Status::NotFound("no report '" + report_id + "'");
    StoredReport r = **found;
    if (r.form_id != form->id || r.form_version != form->version)
      return Status::Unavailable("report " + report_id + " changed meanwhile; try again");
    const int64_t v = r.server_version + 1;
    std::vector<HistoryRow> history;
    for (auto it = changes.begin(); it != changes.end(); ++it) {
      json old = r.values.contains(it.key()) ? r.values[it.key()] : json(nullptr);
      if (old == it.value()) continue;
      if (it.value().is_null()) r.values.erase(it.key());
      else r.values[it.key()] = it.value();
      r.field_versions[it.key()] = {v, v};
      HistoryRow h;
      h.report_id = r.id;
      h.at_ms = now;
      h.server_version = v;
      h.source = "hq";
      h.author = editor;
      h.field = it.key();
      h.old_value = old;
      h.new_value = it.value();
      history.push_back(std::move(h));
    }
    if (history.empty()) {
      out = r;
      return Status::Ok();
    }
    schema::ValidateOptions vo;
    vo.mode = r.status == "draft" ? schema::ValidationMode::kDraft
                                  : schema::ValidationMode::kFinalize;
    vo.today = options_.today;
    auto errors = schema::Validate(*form, r.values, vo);
    if (!errors.empty()) {
      std::string msg = "the corrected report fails validation: ";
      for (size_t k = 0; k < errors.size(); ++k) msg += (k ? "; " : "") + errors[k].ToString();
      return Status::InvalidArgument(msg);
    }
    r.server_version = v;
    r.received_at_ms = now;
    FS_RETURN_IF_ERROR(tx.PutReport(r));
    FS_RETURN_IF_ERROR(tx.AddHistory(history));
    auto seq = tx.Publish("report", r.id, "device:" + r.device_id, ReportToJson(r));
    if (!seq.ok()) return seq.status();
    out = std::move(r);
    return Status::Ok();
  }));
  return out;
}

Result<std::optional<StoredReport>> Service::GetReport(const std::string& report_id) {
  std::optional<StoredReport> out;
  FS_RETURN_IF_ERROR(storage_->Read([&](StorageReader& tx) -> Status {
    auto r = tx.FindReport(report_id);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<HistoryRow>> Service::History(const std::string& report_id) {
  std::vector<HistoryRow> out;
  FS_RETURN_IF_ERROR(storage_->Read([&](StorageReader& tx) -> Status {
    auto h = tx.History(report_id);
    if (!h.ok()) return h.status();
    out = std::move(h).value();
    return Status::Ok();
  }));
  return out;
}

Result<Stats> Service::GetStats() {
  Stats out;
  FS_RETURN_IF_ERROR(storage_->Read([&](StorageReader& tx) -> Status {
    auto s = tx.GetStats();
    if (!s.ok()) return s.status();
    out = std::move(s).value();
    return Status::Ok();
  }));
  return out;
}

}  // namespace fieldsync::server
