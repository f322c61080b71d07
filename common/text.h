// common/text.h — small text helpers shared by the device and HQ: a UTC
// timestamp for messages a person reads, a check for lowercase hex (tokens,
// hashes), and the normal form of an enrollment code.
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

// An enrollment code as HQ compares it: upper case, without the dashes and
// spaces a person may type ("k7q4-93tx pl2m" → "K7Q493TXPL2M"). The device
// uses the same form to recognise a code it tried before.
std::string NormalizeEnrollCode(std::string_view code);

}  // namespace fieldsync
