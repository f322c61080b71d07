// client/cli/output.h — how fieldsync-cli prints: aligned tables for people,
// stable JSON for scripts, and the one error line.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/cli/command_table.h"
#include "common/status.h"

namespace fieldsync::cli_app {

// "fieldsync-cli: <message>" on one line (newlines in the message become spaces).
void PrintError(std::ostream& err, std::string_view message);

// Pretty JSON (2 spaces) followed by a newline; invalid UTF-8 is replaced,
// never thrown.
void PrintJson(std::ostream& out, const nlohmann::json& j);

// A usage error found by a command itself (a bad --status value, a malformed
// NAME=VALUE): sets the exit code to 2 and returns InvalidArgument(message).
Status UsageError(CliContext& ctx, std::string message);

// Columns padded to their widest cell (by UTF-8 code points), two spaces apart;
// the last column is not padded.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Local time "YYYY-MM-DD HH:MM" for ms since the epoch; "-" for 0.
std::string FormatTime(int64_t ms);
// "a, b, c".
std::string Join(const std::vector<std::string>& items, std::string_view sep = ", ");
// At most `width` code points, with "…" when cut.
std::string Ellipsize(const std::string& s, size_t width);

}  // namespace fieldsync::cli_app
