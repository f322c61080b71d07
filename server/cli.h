// server/cli.h — the fieldsync-server command line (serve and admin).
//
//   fieldsync-server serve --db PATH|postgresql://... --listen HOST:PORT
//                          [--tls-cert F --tls-key F] [--threads N] [--quiet]
//   fieldsync-server admin --db PATH <command> ...
//     enroll --officer NAME [--region R] [--json]
//     revoke DEVICE
//     devices [--json]
//     projects import FILE.csv
//     export --format csv|json|geojson|followup-csv|followup-html [--out FILE]
//            [--labels FILE] [--lang L] [--status S] [--region R] [--sector S]
//            [--measure N] [--from YYYY-MM] [--to YYYY-MM]
//     user add NAME --role admin|reviewer|viewer [--region R]   (password on stdin)
//     user list [--json] | user password NAME | user disable NAME [--enable]
//     stats [--json]
//     review REPORT_ID --approve|--return [--comment TEXT] [--reviewer NAME]
//                      [--field-comment NAME=TEXT]...
//     correct REPORT_ID NAME=VALUE... [--by NAME]
//
// Every command has --help. Exit status: 0 on success, 2 for a usage error
// (unknown command or option, missing argument), 1 for any other error; each
// error is one line "fieldsync-server: <message>" on stderr.
// `serve` prints "listening on http://HOST:PORT" (the real port when 0 was
// asked) once it accepts connections, and stops cleanly on SIGTERM/SIGINT:
// no new connections, in-flight requests finish, the database is closed.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace fieldsync::server {

// Runs the tool on argv-style arguments (without the program name).
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fieldsync::server
