// Phone numbers to E.164 ("+8613800138000", "+14155550100") without a phone library: only
// mainland Chinese mobiles (+86, 11 digits starting 1[3-9]) and North-American numbers (+1,
// NANP: area code and exchange not starting 0 or 1) are recognized for now. A number without
// "+" is read in the default region (CN first, then 10 digits as US/CA). Pure, no I/O.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace shuyou::core {

// The E.164 form of a number as typed ("+86 138 0013 8000", "138-0013-8000",
// "+1 (415) 555-0100", "4155550100"); spaces, '-', '.', '(' and ')' are ignored.
// Invalid with a message a cashier can read otherwise.
Result<std::string> NormalizePhone(std::string_view typed);

}  // namespace shuyou::core
