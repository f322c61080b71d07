// common/text.h — small text helpers shared by the server's modules and the
// tools: a UTC timestamp for messages a person reads, and a check for
// lowercase hex (tokens, hashes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fieldsync {

// "2026-11-28 07:46 UTC" for milliseconds since 1970.
std::string FormatUtc(int64_t ms);

// True when `s` is exactly `len` characters of 0-9a-f.
bool IsLowerHex(std::string_view s, size_t len);

}  // namespace fieldsync
