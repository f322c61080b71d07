// client/cli/commands_sync.cpp — `enroll` and `sync`: the device's link to HQ.
//
//   fieldsync-cli [--data DIR] enroll --server URL --code CODE [--name NAME] [--ca-file F]
//   fieldsync-cli [--data DIR] sync [--json] [--max-attempts N] [--time-budget SECONDS]
//                                   [--batch-kib N]
//   fieldsync-cli [--data DIR] bundle export FILE | bundle import FILE
//
// `sync` runs one complete sync (sync/engine.h) and exits 0 only when
// everything is acknowledged, pulled and uploaded; otherwise it prints one
// line on stderr (and, with --json, the report on stdout) and exits 1.
#include <unistd.h>

#include <ostream>

#include "client/cli/command_table.h"
#include "client/cli/output.h"
#include "sync/bundle.h"
#include "sync/curl_transport.h"
#include "sync/engine.h"

namespace fieldsync::cli_app {

namespace {

constexpr char kCaFileSetting[] = "sync.ca_file";

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "device";
  return buf;
}

Result<long> PositiveNumber(CliContext& ctx, const cli::ParsedArgs& args, std::string_view name,
                            long fallback) {
  if (!args.Has(name)) return fallback;
  std::string text = args.Get(name);
  try {
    size_t used = 0;
    long v = std::stol(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  return UsageError(ctx,
                    std::string(name) + " expects a positive whole number, got '" + text + "'");
}

Status RunEnroll(CliContext& ctx, const cli::ParsedArgs& args) {
  if (!args.Has("--server")) return UsageError(ctx, "enroll needs --server URL");
  if (!args.Has("--code")) return UsageError(ctx, "enroll needs --code CODE (from HQ)");
  auto url = sync::NormalizeServerUrl(args.Get("--server"));
  if (!url.ok()) return UsageError(ctx, url.status().message());
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  store::Store& st = (*app)->store();

  sync::CurlOptions curl;
  curl.ca_file = args.Get("--ca-file");
  sync::CurlTransport transport(curl);
  auto e = sync::Enroll(st, transport, *url, args.Get("--code"), args.Get("--name", HostName()));
  if (!e.ok()) return e.status();
  FS_RETURN_IF_ERROR(st.SetSetting(kCaFileSetting, curl.ca_file));
  if (args.Has("--json")) {
    PrintJson(*ctx.out, {{"device_id", e->device_id},
                         {"officer", e->officer},
                         {"region", e->region},
                         {"server_url", *url}});
  } else {
    *ctx.out << "Enrolled as device " << e->device_id << " for " << e->officer
             << (e->region.empty() ? "" : " (" + e->region + ")") << " at " << *url << "\n";
  }
  return Status::Ok();
}

std::string Summary(const sync::SyncReport& r) {
  std::string s = "sent " + std::to_string(r.pushed) + (r.pushed == 1 ? " change" : " changes");
  std::vector<std::string> parts;
  if (r.merged > 0) parts.push_back(std::to_string(r.merged) + " merged");
  if (r.conflicts > 0) parts.push_back(std::to_string(r.conflicts) + " with conflicts");
  if (r.rejected > 0) parts.push_back(std::to_string(r.rejected) + " rejected");
  if (!parts.empty()) s += " (" + Join(parts) + ")";
  s += ", received " + std::to_string(r.pulled) + (r.pulled == 1 ? " update" : " updates");
  if (r.photos_uploaded > 0) s += ", uploaded " + std::to_string(r.photos_uploaded) + " photo(s)";
  s += "; " + std::to_string(r.requests) + " request(s), " + std::to_string(r.bytes_up) +
       " B up, " + std::to_string(r.bytes_down) + " B down";
  return s;
}

Status RunSync(CliContext& ctx, const cli::ParsedArgs& args) {
  auto attempts = PositiveNumber(ctx, args, "--max-attempts", 8);
  if (!attempts.ok()) return attempts.status();
  auto budget = PositiveNumber(ctx, args, "--time-budget", 15 * 60);
  if (!budget.ok()) return budget.status();
  sync::SyncOptions options;
  auto batch_kib = PositiveNumber(ctx, args, "--batch-kib",
                                  static_cast<long>(options.batch.initial_bytes >> 10));
  if (!batch_kib.ok()) return batch_kib.status();
  if (*batch_kib > 1024) return UsageError(ctx, "--batch-kib is at most 1024");
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  store::Store& st = (*app)->store();

  sync::CurlOptions curl;
  auto ca = st.GetSetting(kCaFileSetting);
  if (ca.ok()) curl.ca_file = *ca;
  sync::CurlTransport transport(curl);
  options.batch.initial_bytes = static_cast<size_t>(*batch_kib) << 10;
  options.max_attempts = static_cast<int>(*attempts);
  options.time_budget = std::chrono::seconds(*budget);
  sync::SyncReport r = sync::SyncOnce(st, transport, options);

  if (args.Has("--json")) {
    PrintJson(*ctx.out, r.ToJson());
  } else if (r.complete || r.requests > 0) {
    *ctx.out << (r.complete ? "Synced: " : "Partly synced: ") << Summary(r) << "\n";
    if (r.dead_letters > 0) {
      *ctx.out << r.dead_letters
               << " change(s) refused by HQ are waiting to be fixed (see 'fieldsync-cli status')\n";
    }
  }
  if (r.complete) return Status::Ok();
  std::string waiting;
  if (r.pending_after > 0 || r.photos_pending_after > 0) {
    waiting = " (" + std::to_string(r.pending_after) + " change(s), " +
              std::to_string(r.photos_pending_after) + " photo(s) still waiting)";
  }
  return Status(r.error).WithContext("sync incomplete" + waiting);
}

Status RunBundleExport(CliContext& ctx, const cli::ParsedArgs& args) {
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto r = sync::ExportBundle((*app)->store(), args.positionals[0]);
  if (!r.ok()) return r.status();
  if (args.Has("--json")) {
    PrintJson(*ctx.out, {{"file", args.positionals[0]},
                         {"entries", r->entries},
                         {"photos", r->photos},
                         {"bytes", r->bytes}});
  } else {
    *ctx.out << "Wrote " << r->entries << " change(s) and " << r->photos << " photo(s) to "
             << args.positionals[0] << " (" << r->bytes
             << " bytes); carry it to HQ, then import HQ's reply here\n";
  }
  return Status::Ok();
}

Status RunBundleImport(CliContext& ctx, const cli::ParsedArgs& args) {
  auto app = ctx.App();
  if (!app.ok()) return app.status();
  auto r = sync::ImportReplyBundle((*app)->store(), args.positionals[0]);
  if (!r.ok()) return r.status();
  if (args.Has("--json")) {
    PrintJson(*ctx.out, {{"acknowledged", r->acknowledged},
                         {"rejected", r->rejected},
                         {"pulled", r->pulled},
                         {"pull_skipped", r->pull_skipped},
                         {"more", r->more},
                         {"photos", r->photos}});
  } else {
    *ctx.out << "HQ acknowledged " << r->acknowledged << " change(s)"
             << (r->rejected > 0 ? " (" + std::to_string(r->rejected) + " refused: see status)"
                                 : "")
             << "; " << r->pulled << " update(s) from HQ"
             << (r->pull_skipped ? " (skipped: this device has synced since the export)" : "")
             << (r->photos > 0 ? "; " + std::to_string(r->photos) + " photo(s) delivered" : "")
             << (r->more ? "; HQ has more: export and carry again" : "") << "\n";
  }
  return Status::Ok();
}

const CommandRegistrar kSync([](CommandTable& t) {
  cli::CommandSpec enroll;
  enroll.name = "enroll";
  enroll.summary = "register this device with HQ using a one-time code";
  enroll.options = {
      {"--server", "URL", "HQ's address, e.g. https://hq.example.org", false},
      {"--code", "CODE", "the one-time code HQ gave you (fieldsync-server admin enroll)", false},
      {"--name", "NAME", "this device's name as HQ will see it (default: the host name)", false},
      {"--ca-file", "FILE", "PEM certificates to trust for HQ's TLS (default: the system's)",
       false},
      {"--json", "", "print the enrollment as JSON", false}};
  enroll.details =
      "Example:\n  fieldsync-cli enroll --server https://hq.example.org --code K7Q4-93TX-PL2M";
  t.Add({enroll, RunEnroll, 85});

  cli::CommandSpec sync;
  sync.name = "sync";
  sync.summary = "send waiting changes and photos, fetch HQ's (exit 0 only when all acknowledged)";
  sync.options = {
      {"--json", "", "print the sync report as JSON", false},
      {"--max-attempts", "N", "give up after N consecutive failed requests (default 8)", false},
      {"--time-budget", "SECONDS", "stop retrying after this long (default 900)", false},
      {"--batch-kib", "N",
       "size of the first batch in KiB as sent (default 64; smaller on a very flaky link)", false}};
  sync.details =
      "Retries back off exponentially with jitter; a stalled link (under 10 B/s for 30 s) is\n"
      "retried with smaller batches. Nothing is lost when a sync stops: run it again.";
  t.Add({sync, RunSync, 86});

  cli::CommandSpec exp;
  exp.name = "bundle export";
  exp.summary = "write waiting changes and photos to a file to carry to HQ (no link needed)";
  exp.positionals = "FILE";
  exp.min_positionals = exp.max_positionals = 1;
  exp.options = {{"--json", "", "print what was written as JSON", false}};
  exp.details =
      "HQ imports the file and gives back a reply file; 'bundle import' applies it here.\n"
      "Exporting again before importing the reply is safe: HQ applies each change once.";
  t.Add({exp, RunBundleExport, 87});

  cli::CommandSpec imp;
  imp.name = "bundle import";
  imp.summary = "apply HQ's reply file: acknowledgements, refusals, HQ's changes";
  imp.positionals = "FILE";
  imp.min_positionals = imp.max_positionals = 1;
  imp.options = {{"--json", "", "print what was applied as JSON", false}};
  imp.details = "Importing the same reply twice changes nothing the second time.";
  t.Add({imp, RunBundleImport, 88});
});

}  // namespace

}  // namespace fieldsync::cli_app
