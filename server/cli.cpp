// server/cli.cpp — the fieldsync-server command line over Service and HttpServer.
#include "server/cli.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "common/cli_args.h"
#include "server/export.h"
#include "server/http_server.h"
#include "server/merge.h"
#include "server/service.h"
#include "server/users.h"
#include "sync/bundle.h"

namespace fieldsync::server {
namespace {

using nlohmann::json;
constexpr std::string_view kProgram = "fieldsync-server";
constexpr int kErrorExit = 1;

const cli::OptionSpec kDbOption{"--db", "PATH",
                                "the server database: a SQLite file (created when missing) "
                                "or postgresql://... (not built yet)",
                                false};

cli::CommandSpec ServeSpec() {
  cli::CommandSpec s;
  s.name = "serve";
  s.summary = "run the HQ server";
  s.options = {kDbOption,
               {"--listen", "HOST:PORT", "address to listen on; port 0 picks a free port", false},
               {"--tls-cert", "FILE", "PEM certificate: serve HTTPS (with --tls-key)", false},
               {"--tls-key", "FILE", "PEM private key of --tls-cert", false},
               {"--threads", "N", "request threads (default 8)", false},
               {"--quiet", "", "do not log one line per request", false}};
  s.details =
      "Prints 'listening on http://HOST:PORT' once ready. SIGTERM or SIGINT stops it cleanly.\n"
      "Example: fieldsync-server serve --db /var/lib/fieldsync/hq.db --listen 0.0.0.0:8443 \\\n"
      "           --tls-cert hq.pem --tls-key hq.key";
  return s;
}

std::vector<cli::CommandSpec> AdminSpecs() {
  std::vector<cli::CommandSpec> v;
  {
    cli::CommandSpec s;
    s.name = "enroll";
    s.summary = "make a one-time enrollment code for a device (valid 24 h)";
    s.options = {kDbOption,
                 {"--officer", "NAME", "the field officer the device belongs to", false},
                 {"--region", "R", "the officer's region (default: every region)", false},
                 {"--json", "", "print {\"code\",\"officer\",\"region\",\"expires_at_ms\"}", false}};
    s.details = "Prints the code, e.g. K7Q4-93TX-PL2M; give it to the officer once.";
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "revoke";
    s.summary = "revoke a device: its token is refused from its next request";
    s.positionals = "DEVICE";
    s.min_positionals = s.max_positionals = 1;
    s.options = {kDbOption};
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "devices";
    s.summary = "list enrolled devices";
    s.options = {kDbOption, {"--json", "", "print a JSON array", false}};
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "projects import";
    s.summary = "import the project registry from CSV (all or nothing)";
    s.positionals = "FILE.csv";
    s.min_positionals = s.max_positionals = 1;
    s.options = {kDbOption};
    s.details =
        "Columns: code,title,sector,measures,modality,providers,beneficiaries,\n"
        "funding_partner,agency,region,ldc,lldc,sids (lists separated by ';').";
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "export";
    s.summary = "export reports (CSV, JSON, GeoJSON) or the follow-up report by Framework measure";
    s.options = {kDbOption,
                 {"--format", "csv|json|geojson|followup-csv|followup-html", "output format", false},
                 {"--out", "FILE", "write to FILE instead of standard output", false},
                 {"--labels", "FILE", "csv: also write the columns' labels, types and choices to FILE",
                  false},
                 {"--lang", "en|fr|es|pt", "language of labels (default en)", false},
                 {"--status", "S", "only reports with this status", false},
                 {"--region", "R", "only reports of projects in region R", false},
                 {"--sector", "S", "only reports of projects in sector S", false},
                 {"--measure", "N", "only reports of projects implementing Framework measure N", false},
                 {"--from", "YYYY-MM", "only reporting periods from this month", false},
                 {"--to", "YYYY-MM", "only reporting periods up to this month", false}};
    s.details =
        "CSV: a row per report, fixed columns then a column per form field; --labels FILE\n"
        "describes each column. GeoJSON: reports with a location. followup-csv and\n"
        "followup-html: per Framework measure, sector and beneficiary group (LDC, LLDC, SIDS),\n"
        "the projects, reports and sums of key indicators (received and approved reports\n"
        "unless --status says otherwise). See docs/hq.md.";
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "stats";
    s.summary = "counts of reports by status, devices, projects";
    s.options = {kDbOption, {"--json", "", "print JSON", false}};
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "review";
    s.summary = "approve or return a finalized report; the device gets the review";
    s.positionals = "REPORT_ID";
    s.min_positionals = s.max_positionals = 1;
    s.options = {kDbOption,
                 {"--approve", "", "approve the report", false},
                 {"--return", "", "return the report to the officer for changes", false},
                 {"--comment", "TEXT", "a comment for the officer", false},
                 {"--field-comment", "NAME=TEXT", "a comment on one field", true},
                 {"--reviewer", "NAME", "who reviews (default: HQ)", false}};
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "user add";
    s.summary = "add an HQ user of the web dashboard (password read from standard input)";
    s.positionals = "NAME";
    s.min_positionals = s.max_positionals = 1;
    s.options = {kDbOption,
                 {"--role", "admin|reviewer|viewer", "what the user may do", false},
                 {"--region", "R", "limit the user to reports of region R", false}};
    s.details =
        "viewer: reads reports, charts, exports; reviewer: also approves and returns;\n"
        "admin: also enrolls and revokes devices and imports the registry.\n"
        "Example: printf '%s\\n' \"$PASSWORD\" | fieldsync-server admin --db hq.db user add vera "
        "--role reviewer --region west-africa";
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "user list";
    s.summary = "list HQ users";
    s.options = {kDbOption, {"--json", "", "print a JSON array", false}};
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "user password";
    s.summary = "set an HQ user's password (read from standard input)";
    s.positionals = "NAME";
    s.min_positionals = s.max_positionals = 1;
    s.options = {kDbOption};
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "user disable";
    s.summary = "stop an HQ user from signing in (their sessions end at once)";
    s.positionals = "NAME";
    s.min_positionals = s.max_positionals = 1;
    s.options = {kDbOption, {"--enable", "", "allow the user to sign in again", false}};
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "correct";
    s.summary = "correct values of a report at HQ; the device gets the change";
    s.positionals = "REPORT_ID NAME=VALUE...";
    s.min_positionals = 2;
    s.max_positionals = cli::kUnlimited;
    s.options = {kDbOption, {"--by", "NAME", "who corrects (default: HQ)", false}};
    s.details = "Values are typed as the form question expects; an empty VALUE clears it.";
    v.push_back(s);
  }
  {
    cli::CommandSpec s;
    s.name = "bundle import";
    s.summary = "answer a device's carried bundle file (no link) and write the reply file";
    s.positionals = "IN --reply OUT";
    s.min_positionals = s.max_positionals = 1;
    s.options = {kDbOption,
                 {"--reply", "OUT", "where to write the reply bundle for the device", false},
                 {"--json", "", "print the summary as a JSON object", false}};
    s.details =
        "IN is a file from 'fieldsync-cli bundle export'. Its changes are applied exactly as a\n"
        "sync over the network would apply them (same checks, same merge, each change once),\n"
        "its photos are stored, and OUT gets HQ's answer: acknowledgements, refusals and HQ's\n"
        "changes for the device (reviews, corrections, projects, forms). The officer carries\n"
        "OUT back and runs 'fieldsync-cli bundle import OUT'. Importing the same IN again\n"
        "changes nothing and writes an equivalent reply.\n"
        "Example: fieldsync-server admin --db hq.db bundle import amina.fsb --reply "
        "amina-reply.fsb";
    v.push_back(s);
  }
  return v;
}

int Report(std::ostream& err, int code, const std::string& message) {
  err << kProgram << ": " << message << "\n";
  return code;
}

int Usage(std::ostream& err, const Status& s) { return Report(err, cli::kUsageExit, s.message()); }
int Error(std::ostream& err, const Status& s) { return Report(err, kErrorExit, s.message()); }

Result<std::unique_ptr<Service>> OpenService(const std::string& db) {
  auto storage = OpenStorage(db);
  if (!storage.ok()) return storage.status();
  return Service::Open(std::move(storage).value());
}

std::string FormatTime(int64_t ms) {
  if (ms == 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

json DeviceJson(const Device& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"officer", d.officer},
          {"region", d.region},
          {"enrolled_at_ms", d.enrolled_at_ms},
          {"last_seen_ms", d.last_seen_ms},
          {"revoked", d.revoked()},
          {"revoked_at_ms", d.revoked_at_ms}};
}

json StatsJson(const Stats& s) {
  json by_status = json::object();
  for (const char* st : {"draft", "received", "approved", "returned"}) by_status[st] = 0;
  for (const auto& [k, n] : s.reports_by_status) by_status[k] = n;
  return {{"reports", {{"total", s.reports}, {"by_status", by_status}}},
          {"devices", {{"active", s.devices_active}, {"revoked", s.devices_revoked}}},
          {"projects", s.projects},
          {"forms", s.forms},
          {"attachments", {{"complete", s.attachments_complete}, {"pending", s.attachments_pending}}}};
}

// Writes through a temporary file renamed into place, so a failed export
// never leaves a half file under the asked name.
Status WriteExport(const std::string& path, const std::function<Status(std::ostream&)>& fn,
                   std::ostream& out) {
  if (path.empty()) return fn(out);
  std::filesystem::path tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::IOError("cannot write '" + tmp.string() + "'");
    Status s = fn(f);
    f.flush();
    if (s.ok() && !f) s = Status::IOError("writing '" + tmp.string() + "' failed (disk full?)");
    if (!s.ok()) {
      f.close();
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return s;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot move the export to '" + path + "': " + ec.message());
  return Status::Ok();
}

// `export`: reports through server/export.h (filters, --labels), or the
// follow-up report.
int RunExport(Service& svc, const cli::ParsedArgs& a, std::ostream& out, std::ostream& err) {
  const std::string format = a.Get("--format");
  const std::string lang = a.Get("--lang", "en");
  if (lang != "en" && lang != "fr" && lang != "es" && lang != "pt")
    return Usage(err, Status::InvalidArgument("--lang is en, fr, es or pt, not '" + lang + "'"));
  ReportFilter filter;
  filter.status = a.Get("--status");
  filter.region = a.Get("--region");
  filter.sector = a.Get("--sector");
  filter.period_from = a.Get("--from");
  filter.period_to = a.Get("--to");
  if (a.Has("--measure")) {
    std::string m = a.Get("--measure");
    if (m.empty() || m.size() > 2 || m.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(m) < 1 || std::stoi(m) > 50)
      return Usage(err, Status::InvalidArgument("--measure is a number from 1 to 50"));
    filter.measure = std::stoi(m);
  }
  Status s;
  if (format == "followup-csv" || format == "followup-html") {
    auto fu = BuildFollowUp(svc, filter);
    if (!fu.ok()) return Error(err, fu.status());
    s = WriteExport(
        a.Get("--out"),
        [&](std::ostream& o) {
          return format == "followup-csv" ? WriteFollowUpCsv(*fu, o) : WriteFollowUpHtml(*fu, o, lang);
        },
        out);
  } else {
    ReportExportFormat f = format == "csv"    ? ReportExportFormat::kCsv
                           : format == "json" ? ReportExportFormat::kJson
                                              : ReportExportFormat::kGeoJson;
    std::ostringstream labels;
    s = WriteExport(
        a.Get("--out"),
        [&](std::ostream& o) {
          return ExportReports(svc, f, filter, o, a.Has("--labels") ? &labels : nullptr, lang);
        },
        out);
    if (s.ok() && a.Has("--labels")) {
      std::string text = labels.str();
      s = WriteExport(
          a.Get("--labels"),
          [&](std::ostream& o) {
            o << text;
            return o ? Status::Ok() : Status::IOError("writing the labels failed");
          },
          out);
    }
  }
  if (!s.ok()) return Error(err, s);
  return 0;
}

// A password from standard input: the first line, without echo on a terminal.
Result<std::string> ReadPassword(std::ostream& err) {
  const bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    err << "password: " << std::flush;
    if (tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    err << "\n";
  }
  if (!got || line.empty())
    return Status::InvalidArgument("no password on standard input; pipe it in, e.g. "
                                   "printf '%s\\n' \"$PASSWORD\" | fieldsync-server admin ... user add NAME");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int RunUser(Service& svc, const std::string& command, const cli::ParsedArgs& a, std::ostream& out,
            std::ostream& err) {
  HqAuth auth(svc);
  if (command == "user add" || command == "user password") {
    auto password = ReadPassword(err);
    if (!password.ok()) return Error(err, password.status());
    const std::string& name = a.positionals[0];
    Status s = command == "user add"
                   ? auth.AddUser(name, a.Get("--role"), a.Get("--region"), *password)
                   : auth.SetPassword(name, *password);
    if (!s.ok()) return Error(err, s);
    if (command == "user add")
      out << "added " << a.Get("--role") << " " << name
          << (a.Get("--region").empty() ? "" : " (region " + a.Get("--region") + ")") << "\n";
    else
      out << "password of " << name << " changed\n";
    return 0;
  }
  if (command == "user disable") {
    Status s = auth.SetDisabled(a.positionals[0], !a.Has("--enable"));
    if (!s.ok()) return Error(err, s);
    out << (a.Has("--enable") ? "enabled " : "disabled ") << a.positionals[0] << "\n";
    return 0;
  }
  auto users = auth.ListUsers();
  if (!users.ok()) return Error(err, users.status());
  if (a.Has("--json")) {
    json arr = json::array();
    for (const HqUser& u : *users)
      arr.push_back({{"name", u.name},
                     {"role", u.role},
                     {"region", u.region},
                     {"created_at_ms", u.created_at_ms},
                     {"disabled", u.disabled_at_ms != 0}});
    out << arr.dump(2) << "\n";
  } else {
    for (const HqUser& u : *users)
      out << u.name << "  " << u.role << "  region=" << (u.region.empty() ? "*" : u.region)
          << (u.disabled_at_ms ? "  DISABLED" : "") << "\n";
    if (users->empty()) out << "no users; add one with 'user add NAME --role admin'\n";
  }
  return 0;
}

// What became of one photo a bundle carried.
struct PhotoOutcome {
  bool held = false;     // HQ holds it completely now
  bool new_now = false;  // completed by this import
  std::string reason;    // why it was not stored (empty when held)
};

// Stores one photo of a bundle through the chunked-upload path (the same
// checks as PUT /api/v1/attachments: a report of the device must refer to
// it, sizes, hash), resuming from what HQ already holds.
Result<PhotoOutcome> StoreBundlePhoto(Service& svc, const Device& device,
                                      const sync::PushBundle::Photo& photo) {
  PhotoOutcome out;
  AttachmentState state;
  Status s = svc.AttachmentStatus(device, photo.sha256, &state);
  if (s.code() == Status::Code::kPermissionDenied || s.code() == Status::Code::kInvalidArgument) {
    out.reason = s.message();
    return out;
  }
  if (!s.ok()) return s;
  if (state.complete) {
    out.held = true;
    return out;
  }
  const int64_t total = static_cast<int64_t>(photo.data.size());
  int64_t offset = state.received;
  // Each chunk moves the offset forward; a Conflict resets it to what HQ
  // holds. Bounded so that a misbehaving store cannot loop forever.
  for (int guard = 0; guard < 4 * (total / static_cast<int64_t>(kMaxChunkBytes) + 2); ++guard) {
    if (offset < 0 || offset > total) offset = 0;
    const size_t n = std::min(kMaxChunkBytes, static_cast<size_t>(total - offset));
    s = svc.PutAttachmentChunk(device, photo.sha256, offset, total,
                               std::string_view(photo.data).substr(static_cast<size_t>(offset), n),
                               &state);
    if (state.complete) {
      out.held = out.new_now = true;
      return out;
    }
    if (s.code() == Status::Code::kConflict) {
      offset = state.received;
      continue;
    }
    if (!s.ok()) {
      if (s.code() == Status::Code::kInternal || s.code() == Status::Code::kIOError ||
          s.code() == Status::Code::kCorruption)
        return s;
      out.reason = s.message();
      return out;
    }
    offset = state.received;
  }
  out.reason = "the upload did not complete";
  return out;
}

// `bundle import`: a push bundle answered through Service::Sync (the code
// behind POST /api/v1/sync), its photos through the chunked-upload path, and
// the reply written with sync::WriteReplyBundle. The bundle is read before the
// database is opened: a damaged file writes nothing.
int RunBundleImport(const cli::ParsedArgs& a, const std::string& db, std::ostream& out,
                    std::ostream& err) {
  const std::string in = a.positionals[0];
  const std::string reply = a.Get("--reply");
  if (reply.empty())
    return Usage(err, Status::InvalidArgument("'bundle import' needs --reply OUT (the file the "
                                              "officer carries back)"));
  {
    std::error_code ec;
    if (std::filesystem::equivalent(in, reply, ec))
      return Usage(err, Status::InvalidArgument("--reply must not be the bundle being imported"));
    // Checked before anything is applied: a reply that cannot be written
    // would leave the device without its answer.
    std::filesystem::path dir = std::filesystem::path(reply).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
      return Usage(err, Status::InvalidArgument("--reply " + reply + ": there is no folder '" +
                                                dir.string() + "'"));
  }
  Result<sync::PushBundle> push = Status::Internal("unread");
  try {
    push = sync::ReadPushBundle(in);
  } catch (const std::exception& e) {  // nlohmann::json on a hostile document
    push = Status::InvalidArgument(in + " is not a readable fieldsync bundle (" + e.what() + ")");
  }
  if (!push.ok()) return Error(err, push.status());

  // A bundle goes to an existing HQ database: never create one by mistake.
  if (db.rfind("postgresql://", 0) != 0 && db.rfind("postgres://", 0) != 0) {
    std::error_code ec;
    if (!std::filesystem::exists(db, ec))
      return Error(err, Status::NotFound("no HQ database at '" + db +
                                         "'; give the --db the server runs on"));
  }
  auto opened = OpenService(db);
  if (!opened.ok()) return Error(err, opened.status());
  Service& svc = **opened;

  auto device = svc.DeviceForBundle(push->device_id);
  if (!device.ok()) return Error(err, device.status().WithContext(in));

  // Entries HQ held before: answered from their stored results (a replay).
  int64_t held_seq = 0;
  Status read = svc.storage().Read([&](StorageReader& tx) -> Status {
    auto m = tx.MaxSeq(device->id);
    if (!m.ok()) return m.status();
    held_seq = *m;
    return Status::Ok();
  });
  if (!read.ok()) return Error(err, read);

  auto answer = svc.Sync(*device, push->request);
  if (!answer.ok()) {
    if (answer.status().code() == Status::Code::kInvalidArgument)
      return Error(err,
                   Status::InvalidArgument(in + ": HQ refused its request (" +
                                           answer.status().message() + "); nothing was applied"));
    return Error(err, answer.status().WithContext(in));
  }

  std::map<std::string, int64_t> outcomes;
  for (const char* k : {"applied", "merged", "conflict", "rejected"}) outcomes[k] = 0;
  int64_t entries = 0, replayed = 0;
  json rejections = json::array();
  for (const json& r : (*answer)["results"]) {
    ++entries;
    const std::string outcome = r.value("outcome", "");
    ++outcomes[outcome];
    if (r.value("seq", int64_t{0}) <= held_seq) ++replayed;
    if (outcome == "rejected")
      rejections.push_back(
          {{"seq", r.value("seq", int64_t{0})}, {"reason", r.value("reason", "")}});
  }

  std::vector<std::string> received;
  int64_t photos_new = 0;
  json photos_skipped = json::array();
  for (const auto& photo : push->photos) {
    auto o = StoreBundlePhoto(svc, *device, photo);
    if (!o.ok())
      return Error(err, o.status().WithContext("storing photo " + photo.sha256.substr(0, 12) +
                                               " (the reports were applied; import again)"));
    if (o->held) {
      received.push_back(photo.sha256);
      if (o->new_now) ++photos_new;
    } else {
      photos_skipped.push_back({{"sha256", photo.sha256}, {"reason", o->reason}});
    }
  }

  Status wrote = sync::WriteReplyBundle(reply, *push, *answer, received);
  if (!wrote.ok())
    return Error(err, wrote.WithContext("the bundle was applied but its reply could not be "
                                        "written; import it again to write the reply"));

  const size_t changes = (*answer)["changes"].size();
  const bool more = answer->value("more", false);
  if (a.Has("--json")) {
    out << json{{"bundle", in},
                {"device_id", device->id},
                {"officer", device->officer},
                {"entries", entries},
                {"replayed", replayed},
                {"applied", outcomes["applied"]},
                {"merged", outcomes["merged"]},
                {"conflict", outcomes["conflict"]},
                {"rejected", outcomes["rejected"]},
                {"rejections", rejections},
                {"acked_seq", answer->value("acked_seq", int64_t{0})},
                {"photos", push->photos.size()},
                {"photos_stored", received.size()},
                {"photos_new", photos_new},
                {"photos_skipped", photos_skipped},
                {"changes", changes},
                {"more", more},
                {"reply", reply}}
               .dump()
        << "\n";
    return 0;
  }
  auto plural = [](size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  out << "imported " << in << " from " << device->id
      << (device->officer.empty() ? "" : " (" + device->officer + ")") << ": " << entries
      << (entries == 1 ? " entry" : " entries") << " (" << outcomes["applied"] << " applied, "
      << outcomes["merged"] << " merged, " << outcomes["conflict"] << " conflict, "
      << outcomes["rejected"] << " rejected"
      << (replayed ? ", " + std::to_string(replayed) + " already held" : "") << "), "
      << received.size() << " of " << plural(push->photos.size(), "photo") << " stored"
      << (photos_skipped.empty() ? "" : " (" + std::to_string(photos_skipped.size()) + " refused)")
      << ", " << plural(changes, "change") << " for the device; reply written to " << reply
      << (more ? "; HQ has more changes: after importing the reply, the device exports again and "
                 "the officer carries the next bundle"
               : "")
      << "\n";
  return 0;
}

int RunAdminCommand(const cli::CommandSpec& spec, const cli::ParsedArgs& a, const std::string& db,
                     std::ostream& out, std::ostream& err) {
  if (spec.name == "export") {
    std::string format = a.Get("--format");
    if (format.empty())
      return Usage(err, Status::InvalidArgument("'export' needs --format csv|json|geojson"));
    if (format != "csv" && format != "json" && format != "geojson" && format != "followup-csv" &&
        format != "followup-html")
      return Usage(err, Status::InvalidArgument("--format is csv, json, geojson, followup-csv or "
                                                "followup-html, not '" + format + "'"));
    if (a.Has("--labels") && format != "csv")
      return Usage(err, Status::InvalidArgument("--labels goes with --format csv"));
  }
  if (spec.name == "user add") {
    HqRole role;
    if (!ParseHqRole(a.Get("--role"), &role))
      return Usage(err, Status::InvalidArgument("'user add' needs --role admin, reviewer or viewer"));
  }
  if (spec.name == "enroll" && a.Get("--officer").empty())
    return Usage(err, Status::InvalidArgument("'enroll' needs --officer NAME"));
  if (spec.name == "review" && a.Has("--approve") == a.Has("--return"))
    return Usage(err, Status::InvalidArgument("'review' needs exactly one of --approve, --return"));

  if (spec.name == "bundle import") return RunBundleImport(a, db, out, err);

  auto opened = OpenService(db);
  if (!opened.ok()) return Error(err, opened.status());
  Service& svc = **opened;

  if (spec.name == "enroll") {
    auto code = svc.CreateEnrollCode(a.Get("--officer"), a.Get("--region"));
    if (!code.ok()) return Error(err, code.status());
    if (a.Has("--json")) {
      out << json{{"code", *code},
                  {"officer", a.Get("--officer")},
                  {"region", a.Get("--region")},
                  {"expires_at_ms",
                   svc.Now() + std::chrono::milliseconds(kEnrollCodeLifetime).count()}}
                 .dump()
          << "\n";
    } else {
      out << *code << "\n";
    }
    return 0;
  }
  if (spec.name == "revoke") {
    Status s = svc.RevokeDevice(a.positionals[0]);
    if (!s.ok()) return Error(err, s);
    out << "revoked " << a.positionals[0] << "\n";
    return 0;
  }
  if (spec.name == "devices") {
    auto devices = svc.ListDevices();
    if (!devices.ok()) return Error(err, devices.status());
    if (a.Has("--json")) {
      json arr = json::array();
      for (const Device& d : *devices) arr.push_back(DeviceJson(d));
      out << arr.dump(2) << "\n";
    } else {
      for (const Device& d : *devices)
        out << d.id << "  " << d.officer << "  region=" << (d.region.empty() ? "*" : d.region)
            << "  name=" << (d.name.empty() ? "-" : d.name)
            << "  enrolled=" << FormatTime(d.enrolled_at_ms)
            << "  last_seen=" << FormatTime(d.last_seen_ms)
            << (d.revoked() ? "  REVOKED " + FormatTime(d.revoked_at_ms) : "") << "\n";
      if (devices->empty()) out << "no devices enrolled\n";
    }
    return 0;
  }
  if (spec.name == "projects import") {
    std::ifstream f(a.positionals[0], std::ios::binary);
    if (!f) return Error(err, Status::IOError("cannot read '" + a.positionals[0] + "'"));
    std::stringstream ss;
    ss << f.rdbuf();
    auto n = svc.ImportProjectsCsv(ss.str());
    if (!n.ok()) return Error(err, n.status().WithContext(a.positionals[0]));
    out << "imported " << *n << " project" << (*n == 1 ? "" : "s") << "\n";
    return 0;
  }
  if (spec.name == "export") return RunExport(svc, a, out, err);
  if (spec.name.rfind("user ", 0) == 0) return RunUser(svc, spec.name, a, out, err);
  if (spec.name == "stats") {
    auto st = svc.GetStats();
    if (!st.ok()) return Error(err, st.status());
    json j = StatsJson(*st);
    if (a.Has("--json")) {
      out << j.dump() << "\n";
    } else {
      out << "reports: " << st->reports;
      for (const auto& [k, n] : st->reports_by_status) out << "  " << k << "=" << n;
      out << "\ndevices: " << st->devices_active << " active, " << st->devices_revoked
          << " revoked\nprojects: " << st->projects << "\nforms: " << st->forms
          << "\nattachments: " << st->attachments_complete << " complete, "
          << st->attachments_pending << " pending\n";
    }
    return 0;
  }
  if (spec.name == "review") {
    json field_comments = json::object();
    for (const std::string& fc : a.GetAll("--field-comment")) {
      size_t eq = fc.find('=');
      if (eq == std::string::npos || eq == 0)
        return Usage(err, Status::InvalidArgument("--field-comment takes NAME=TEXT, got '" +
                                                  fc + "'"));
      field_comments[fc.substr(0, eq)] = fc.substr(eq + 1);
    }
    auto r = svc.ReviewReport(a.positionals[0], a.Has("--approve") ? "approve" : "return",
                              a.Get("--comment"), field_comments, a.Get("--reviewer", "HQ"));
    if (!r.ok()) return Error(err, r.status());
    out << "report " << r->id << " " << r->status << " (version " << r->server_version << ")\n";
    return 0;
  }
  if (spec.name == "correct") {
    const std::string& id = a.positionals[0];
    auto report = svc.GetReport(id);
    if (!report.ok()) return Error(err, report.status());
    if (!report->has_value()) return Error(err, Status::NotFound("no report '" + id + "'"));
    auto form = svc.FindForm((*report)->form_id, (*report)->form_version);
    if (!form) return Error(err, Status::FailedPrecondition("report " + id + " uses an unknown form"));
    json changes = json::object();
    for (size_t i = 1; i < a.positionals.size(); ++i) {
      const std::string& kv = a.positionals[i];
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        return Usage(err, Status::InvalidArgument("expected NAME=VALUE, got '" + kv + "'"));
      std::string name = kv.substr(0, eq);
      const schema::Question* q = form->Find(name);
      if (!q)
        return Error(err, Status::InvalidArgument("form '" + form->Key() + "' has no field '" +
                                                  name + "'"));
      auto v = schema::ParseValue(*q, kv.substr(eq + 1));
      if (!v.ok()) return Error(err, v.status());
      changes[name] = *v;
    }
    auto r = svc.CorrectReport(id, changes, a.Get("--by", "HQ"));
    if (!r.ok()) return Error(err, r.status());
    out << "report " << r->id << " corrected (version " << r->server_version << ")\n";
    return 0;
  }
  return Error(err, Status::Internal("command '" + spec.name + "' has no implementation"));
}

int RunAdmin(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  static const std::vector<cli::CommandSpec> specs = AdminSpecs();
  std::vector<const cli::CommandSpec*> table;
  for (const auto& s : specs) table.push_back(&s);
  const std::string intro = "HQ administration. Usage: fieldsync-server admin --db PATH <command>";

  // Options before the command word: --db and --help.
  std::string db;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& w = args[i];
    if (w == "--db") {
      if (i + 1 >= args.size()) return Usage(err, Status::InvalidArgument("--db needs a PATH"));
      db = args[++i];
    } else if (w.rfind("--db=", 0) == 0) {
      db = w.substr(5);
    } else if (w == "--help" || w == "-h") {
      out << cli::CommandListText(std::string(kProgram) + " admin", intro, table, {kDbOption});
      return 0;
    } else if (!w.empty() && w[0] == '-') {
      return Usage(err, Status::InvalidArgument(
                            "unknown option '" + w + "' for 'admin'" +
                            cli::DidYouMean(w, {"--db", "--help"})));
    } else {
      break;
    }
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(i), args.end());
  if (rest.empty())
    return Usage(err, Status::InvalidArgument(
                          "'admin' needs a command: enroll, revoke, devices, projects import, "
                          "export, stats, review, correct, bundle import (see 'admin --help')"));
  size_t consumed = 0;
  auto found = cli::FindCommand(table, rest, &consumed);
  if (!found.ok()) return Usage(err, found.status());
  const cli::CommandSpec& spec = **found;
  std::vector<std::string> cmd_args(rest.begin() + static_cast<long>(consumed), rest.end());
  auto parsed = cli::Parse(spec, cmd_args);
  if (!parsed.ok()) return Usage(err, parsed.status());
  if (parsed->help) {
    out << cli::HelpText(std::string(kProgram) + " admin", spec);
    return 0;
  }
  if (parsed->Has("--db")) db = parsed->Get("--db");
  if (db.empty())
    return Usage(err, Status::InvalidArgument("'admin " + spec.name + "' needs --db PATH"));
  return RunAdminCommand(spec, *parsed, db, out, err);
}

bool ParseListen(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = listen.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']')
    *host = host->substr(1, host->size() - 2);
  std::string p = listen.substr(colon + 1);
  if (p.empty() || p.size() > 5) return false;
  for (char c : p)
    if (c < '0' || c > '9') return false;
  *port = std::stoi(p);
  return *port <= 65535;
}

int RunServe(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const cli::CommandSpec spec = ServeSpec();
  auto parsed = cli::Parse(spec, args);
  if (!parsed.ok()) return Usage(err, parsed.status());
  if (parsed->help) {
    out << cli::HelpText(kProgram, spec);
    return 0;
  }
  const cli::ParsedArgs& a = *parsed;
  if (a.Get("--db").empty()) return Usage(err, Status::InvalidArgument("'serve' needs --db PATH"));
  HttpOptions opts;
  if (!ParseListen(a.Get("--listen"), &opts.host, &opts.port))
    return Usage(err, Status::InvalidArgument("'serve' needs --listen HOST:PORT (e.g. "
                                              "127.0.0.1:8080; port 0 picks a free one), got '" +
                                              a.Get("--listen") + "'"));
  opts.tls_cert = a.Get("--tls-cert");
  opts.tls_key = a.Get("--tls-key");
  if (opts.tls_cert.empty() != opts.tls_key.empty())
    return Usage(err, Status::InvalidArgument("--tls-cert and --tls-key go together"));
  if (a.Has("--threads")) {
    std::string t = a.Get("--threads");
    if (t.empty() || t.size() > 3 || t.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(t) < 1)
      return Usage(err, Status::InvalidArgument("--threads takes a number from 1 to 999"));
    opts.threads = std::stoi(t);
  }
  opts.log_requests = !a.Has("--quiet");

  auto opened = OpenService(a.Get("--db"));
  if (!opened.ok()) return Error(err, opened.status());
  std::unique_ptr<Service> svc = std::move(opened).value();

  // Signals go to a watcher thread: block them here, before any server
  // thread exists, so every thread inherits the mask.
  sigset_t sigs, old_mask;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, &old_mask);

  HttpServer server(*svc, opts);
  Status bound = server.Bind();
  if (!bound.ok()) {
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    return Error(err, bound);
  }
  std::atomic<bool> done{false};
  std::atomic<int> got_signal{0};
  std::thread watcher([&] {
    timespec tick{0, 200 * 1000 * 1000};
    while (!done) {
      int sig = sigtimedwait(&sigs, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        got_signal = sig;
        server.Stop();
        return;
      }
    }
  });
  out << "listening on " << server.url() << std::endl;
  Status ran = server.Run();
  done = true;
  watcher.join();
  server.Stop();
  svc.reset();  // closes the database
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (!ran.ok()) return Error(err, ran);
  if (got_signal) err << kProgram << ": stopped on " << (got_signal == SIGTERM ? "SIGTERM" : "SIGINT") << "\n";
  return 0;
}

std::string OverviewText() {
  std::ostringstream o;
  o << "fieldsync-server " << kServerVersion << " — the fieldsync HQ server\n\n"
    << "Usage:\n"
    << "  fieldsync-server serve --db PATH --listen HOST:PORT [--tls-cert F --tls-key F]\n"
    << "  fieldsync-server admin --db PATH <command> ...\n\n"
    << "Admin commands: enroll, revoke, devices, projects import, export, stats, review, "
       "correct, user add|list|password|disable, bundle import\n"
    << "No link at all: 'admin --db PATH bundle import IN --reply OUT' answers a device's\n"
    << "  carried bundle file (fieldsync-cli bundle export) with a reply file to carry back.\n"
    << "Run 'fieldsync-server serve --help' or 'fieldsync-server admin --help' for details.\n";
  return o.str();
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty())
    return Usage(err, Status::InvalidArgument(
                          "missing command: serve or admin (see 'fieldsync-server --help')"));
  const std::string& cmd = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    out << OverviewText();
    return 0;
  }
  if (cmd == "--version") {
    out << "fieldsync-server " << kServerVersion << "\n";
    return 0;
  }
  if (cmd == "serve") return RunServe(rest, out, err);
  if (cmd == "admin") return RunAdmin(rest, out, err);
  return Usage(err, Status::InvalidArgument("unknown command '" + cmd + "'" +
                                            cli::DidYouMean(cmd, {"serve", "admin"})));
}

}  // namespace fieldsync::server
