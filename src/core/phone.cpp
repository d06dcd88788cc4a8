// Phone normalization to E.164 through libphonenumber (see phone.h).
#include "core/phone.h"

#include <phonenumbers/phonenumberutil.h>

#include <set>

namespace shuyou::core {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& Util() { return *PhoneNumberUtil::GetInstance(); }

// The typed text reduced to an optional leading '+' and ASCII digits, or an error message.
// Full-width forms (U+FF10–U+FF19, U+FF0B '＋', U+3000 ideographic space) come from Chinese
// input methods and are read as their ASCII counterparts.
Result<std::string> DigitsOf(std::string_view typed) {
  std::string out;
  const auto bad = [] {
    return Invalid("the phone number may contain only digits, spaces, '-', '.', '/', '(', ')' and a leading '+'");
  };
  for (size_t i = 0; i < typed.size(); ++i) {
    char c = typed[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      std::string_view rest = typed.substr(i);
      if (rest.size() >= 3 && rest.substr(0, 2) == "\xEF\xBC") {
        unsigned char t = static_cast<unsigned char>(rest[2]);
        if (t >= 0x90 && t <= 0x99) c = char('0' + (t - 0x90));
        else if (t == 0x8B) c = '+';
        else if (t == 0x8D || t == 0x88 || t == 0x89) c = ' ';  // －（）
        else return bad();
      } else if (rest.substr(0, 3) == "\xE3\x80\x80") {
        c = ' ';
      } else {
        return bad();
      }
      i += 2;
    }
    if (c >= '0' && c <= '9') out += c;
    else if (c == '+' && out.empty()) out += c;
    else if (c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')' || c == '\t') continue;
    else return bad();
  }
  return out;
}

// " (e.g. 131 2345 6789)": a mobile number of the region as people there write it.
std::string ExampleFor(const std::string& region) {
  PhoneNumber ex;
  if (!Util().GetExampleNumberForType(region, PhoneNumberUtil::MOBILE, &ex)) return "";
  std::string shown;
  Util().Format(ex, PhoneNumberUtil::NATIONAL, &shown);
  return " (e.g. " + shown + ")";
}

}  // namespace

bool IsSupportedRegion(std::string_view region) {
  if (region.size() != 2) return false;
  static const std::set<std::string> kRegions = [] {
    std::set<std::string> s;
    Util().GetSupportedRegions(&s);
    return s;
  }();
  return kRegions.count(std::string(region)) > 0;
}

Result<std::string> NormalizePhone(std::string_view typed, std::string_view default_region) {
  SY_ASSIGN_OR_RETURN(std::string digits, DigitsOf(typed));
  if (digits.empty() || digits == "+") return Invalid("the phone number is empty");
  // "00" is the international prefix in most of the world (China included): read it as '+'
  // whatever the default region, so "0086 138…" is the same number in a US-configured store.
  if (digits.compare(0, 2, "00") == 0) digits.replace(0, 2, "+");
  if (digits.size() > 17) return Invalid("the phone number is too long");
  bool international = digits[0] == '+';
  std::string region(default_region);
  if (!international && !IsSupportedRegion(region))
    return Invalid("unknown phone region '" + region + "': type the number with its country code (+…)");

  PhoneNumber number;
  switch (Util().Parse(digits, international ? "ZZ" : region, &number)) {
    case PhoneNumberUtil::NO_PARSING_ERROR:
      break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      return Invalid("the phone number has an unknown country code");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
      return Invalid("the phone number is too short");
    case PhoneNumberUtil::TOO_LONG_NSN:
      return Invalid("the phone number is too long");
    default:
      return Invalid("not a phone number");
  }
  // The region the number belongs to: its country code's main region for "+" numbers.
  std::string where = region;
  if (international) Util().GetRegionCodeForCountryCode(number.country_code(), &where);
  if (!Util().IsValidNumber(number)) {
    if (where == "ZZ" || where == "001")
      return Invalid("not a valid phone number for country code +" + std::to_string(number.country_code()));
    std::string shape = ExampleFor(where);
    switch (Util().IsPossibleNumberWithReason(number)) {
      case PhoneNumberUtil::TOO_SHORT:
        return Invalid("the phone number is too short for " + where + shape);
      case PhoneNumberUtil::TOO_LONG:
        return Invalid("the phone number is too long for " + where + shape);
      default:
        return Invalid("not a valid phone number for " + where + shape);
    }
  }
  std::string e164;
  Util().Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

}  // namespace shuyou::core
