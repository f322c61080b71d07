// client/cli/commands_status.cpp — `status`: what is waiting to be sent, what
// HQ refused, and the device's sync state (the "N reports waiting" badge).
#include <ostream>

#include "client/cli/command_table.h"
#include "client/cli/output.h"

namespace fieldsync::cli_app {

namespace {

nlohmann::json NullIfZero(int64_t ms) { return ms > 0 ? nlohmann::json(ms) : nlohmann::json(); }

Status RunStatus(CliContext& ctx, const cli::ParsedArgs& args) {
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto st = (*app)->GetStatus();
  if (!st.ok()) return st.status();
  const store::DeviceState& d = st->device;
  if (args.Has("--json")) {
    // The token is a secret: never printed.
    nlohmann::json dead = nlohmann::json::array();
    for (const auto& l : st->dead_letters) {
      dead.push_back({{"seq", l.seq}, {"report_id", l.report_id}, {"reason", l.reason},
                      {"at_ms", l.at_ms}});
    }
    nlohmann::json j = {
        {"data_dir", (*app)->data_dir().string()},
        {"pending", st->pending_changes},
        {"pending_attachments", st->pending_attachments},
        {"dead_letters", dead},
        {"reports", st->reports_by_status},
        {"reports_total", st->reports_total},
        {"last_sync_ms", NullIfZero(d.last_sync_ok_ms)},
        {"last_error", d.last_error},
        {"last_error_ms", NullIfZero(d.last_error_ms)},
        {"cursor", d.cursor},
        {"enrolled", st->enrolled()},
        {"device_id", d.device_id},
        {"server_url", d.server_url},
        {"officer", d.officer},
        {"region", d.region},
    };
    PrintJson(*ctx.out, j);
    return Status::Ok();
  }
  std::ostream& out = *ctx.out;
  out << "Data folder    " << (*app)->data_dir().string() << "\n";
  if (st->enrolled()) {
    out << "Device         " << d.device_id << " (" << d.officer
        << (d.region.empty() ? "" : ", " + d.region) << ") → " << d.server_url << "\n";
  } else {
    out << "Device         not enrolled (fieldsync-cli enroll --server URL --code CODE)\n";
  }
  out << "Waiting        " << st->pending_changes
      << (st->pending_changes == 1 ? " change" : " changes") << " to send";
  if (st->pending_attachments > 0) {
    out << ", " << st->pending_attachments
        << (st->pending_attachments == 1 ? " photo" : " photos");
  }
  out << "\n";
  std::vector<std::string> counts;
  for (const auto& [status, n] : st->reports_by_status) {
    if (n > 0) counts.push_back(std::to_string(n) + " " + status);
  }
  out << "Reports        " << st->reports_total
      << (counts.empty() ? "" : " (" + Join(counts) + ")") << "\n";
  out << "Last sync      "
      << (d.last_sync_ok_ms > 0 ? FormatTime(d.last_sync_ok_ms) : std::string("never")) << "\n";
  if (!d.last_error.empty()) {
    out << "Last error     " << FormatTime(d.last_error_ms) << "  " << d.last_error << "\n";
  }
  out << "Cursor         " << (d.cursor.empty() ? "(from the start)" : d.cursor) << "\n";
  out << "Dead letters   " << st->dead_letters.size() << "\n";
  for (const auto& l : st->dead_letters) {
    out << "  - report " << l.report_id.substr(0, 8) << " (seq " << l.seq << "): " << l.reason << "\n";
  }
  return Status::Ok();
}

const CommandRegistrar kStatus([](CommandTable& t) {
  cli::CommandSpec status;
  status.name = "status";
  status.summary = "what is waiting to be sent, refused entries, last sync, cursor, enrollment";
  status.options = {{"--json", "", "print the status as JSON", false}};
  t.Add({status, RunStatus, 80});
});

}  // namespace

}  // namespace fieldsync::cli_app
