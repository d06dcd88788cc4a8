// Phone normalization to E.164 through libphonenumber (see phone.h).
#include "core/phone.h"

#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <atomic>
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

// Mainland mobiles typed as 11 digits "1[3-9]…" are most of what a Chinese store sees (a member
// import is a million of them), and libphonenumber spends its time in regular expressions on
// each. Its verdict on such a number depends only on the first five digits (the mobile ranges in
// its metadata are prefixes of at most five digits followed by free digits; the unit test
// PhoneFastPath checks this against the installed metadata for every prefix), so the verdict is
// remembered per prefix: 0 unknown, 1 valid, 2 invalid. A valid prefix answers "+86" + digits.
std::array<std::atomic<uint8_t>, 7000>& MobilePrefixVerdicts() {
  static std::array<std::atomic<uint8_t>, 7000> verdicts{};
  return verdicts;
}

// The slot of an 11-digit "1[3-9]…" number's five-digit prefix, or -1 for any other shape.
int MobilePrefixSlot(const std::string& digits) {
  if (digits.size() != 11 || digits[0] != '1' || digits[1] < '3') return -1;
  for (char c : digits)
    if (c < '0' || c > '9') return -1;
  return (digits[1] - '3') * 1000 + (digits[2] - '0') * 100 + (digits[3] - '0') * 10 + (digits[4] - '0');
}

}  // namespace

// libphonenumber's reading of `digits` (after DigitsOf and the "00" rule) in `region`.
static Result<std::string> NormalizeWithMetadata(const std::string& digits, bool international, const std::string& region);
// DigitsOf, the "00" rule and the region check, then the cache (when `use_cache`) or the metadata.
static Result<std::string> Normalize(std::string_view typed, std::string_view default_region, bool use_cache);

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
  return Normalize(typed, default_region, true);
}

Result<std::string> NormalizePhoneUncached(std::string_view typed, std::string_view default_region) {
  return Normalize(typed, default_region, false);
}

static Result<std::string> Normalize(std::string_view typed, std::string_view default_region, bool use_cache) {
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

  const int slot = use_cache && !international && region == "CN" ? MobilePrefixSlot(digits) : -1;
  if (slot >= 0 && MobilePrefixVerdicts()[slot].load(std::memory_order_relaxed) == 1) return "+86" + digits;
  Result<std::string> full = NormalizeWithMetadata(digits, international, region);
  if (slot >= 0) {
    bool valid = full.ok() && *full == "+86" + digits;
    MobilePrefixVerdicts()[slot].store(valid ? 1 : 2, std::memory_order_relaxed);
  }
  return full;
}

static Result<std::string> NormalizeWithMetadata(const std::string& digits, bool international, const std::string& region) {
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
