// Phone numbers to E.164 ("+8613800138000", "+14155550100", "+442079460958") with
// libphonenumber's metadata: any valid number of any region is accepted. A number typed with
// "+" or the "00" international prefix is read as international; any other number is read in
// the store's default region (CN unless configured). Pure: no I/O, no global state beyond
// libphonenumber's immutable metadata and a cache of its verdict per five-digit prefix of
// mainland mobiles typed as 11 digits (phone.cpp); safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace shuyou::core {

// The E.164 form of a number as typed ("+86 138 0013 8000", "0086 10 1234 5678",
// "138-0013-8000", "(010) 1234-5678", "+1 (415) 555-0100", "４１５５５５０１００").
// Spaces, '-', '.', '/', '(' and ')' are ignored; full-width digits and '＋' are read as
// ASCII. Letters, extensions and anything else are refused. Invalid with a message a cashier
// can read otherwise ("not a valid phone number for CN (e.g. 131 2345 6789)").
Result<std::string> NormalizePhone(std::string_view typed, std::string_view default_region = "CN");

// The same without the mainland-mobile prefix cache: every number through libphonenumber (the
// unit tests compare the two).
Result<std::string> NormalizePhoneUncached(std::string_view typed, std::string_view default_region = "CN");

// True for a two-letter region code (ISO 3166, upper case: "CN", "US", "GB") libphonenumber
// has numbering metadata for.
bool IsSupportedRegion(std::string_view region);

}  // namespace shuyou::core
