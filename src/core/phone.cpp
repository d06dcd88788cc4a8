// Phone normalization to E.164 (see phone.h).
#include "core/phone.h"

namespace shuyou::core {
namespace {

bool IsChineseMobile(std::string_view d) {  // national number, 11 digits
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

bool IsNanp(std::string_view d) {  // national number, 10 digits: NXX NXX XXXX
  return d.size() == 10 && d[0] >= '2' && d[3] >= '2';
}

const char* kShape =
    "must be a mainland Chinese mobile (11 digits, e.g. 138 0013 8000) or a US/Canadian number "
    "(10 digits, e.g. 415 555 0100); other countries need the +86 or +1 prefix";

}  // namespace

Result<std::string> NormalizePhone(std::string_view typed) {
  std::string digits;
  bool plus = false;
  bool seen = false;  // a digit or '+' came already
  for (char c : typed) {
    if (c >= '0' && c <= '9') {
      digits += c;
      seen = true;
    } else if (c == '+' && !seen) {
      plus = true;
      seen = true;
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') {
      continue;
    } else {
      return Invalid("the phone number may contain only digits, spaces, '-', '(', ')' and a leading '+'");
    }
  }
  if (digits.empty()) return Invalid("the phone number is empty");
  if (digits.size() > 15) return Invalid("the phone number is too long");
  std::string_view d = digits;
  if (plus) {
    if (d.substr(0, 2) == "86") {
      if (IsChineseMobile(d.substr(2))) return "+" + digits;
      return Invalid("a +86 number must be a mobile: 11 digits starting with 13–19");
    }
    if (d[0] == '1') {
      if (IsNanp(d.substr(1))) return "+" + digits;
      return Invalid("a +1 number must have 10 digits after +1, area code and exchange not starting with 0 or 1");
    }
    return Invalid("only +86 (China) and +1 (US/Canada) numbers are accepted for now");
  }
  if (IsChineseMobile(d)) return "+86" + digits;
  if (IsNanp(d)) return "+1" + digits;
  return Invalid(std::string("the phone number ") + kShape);
}

}  // namespace shuyou::core
