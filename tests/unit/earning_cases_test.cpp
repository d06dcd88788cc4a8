// Runs every tests/unit/cases/earning/*.case through core::EarnPoints: one GoogleTest per file.
// Adding a case is adding a file; its expected numbers are worked out by hand in its comments.
//
// Format: one directive per line; '#' starts a comment line; blank lines are ignored.
//   currency <CODE>                      the program's currency (default CNY); put it first
//   rate <points> per <amount> <mode>    base rate; mode is half_up | half_even | down | up
//   genre <name> <pct>                   genre multiplier in percent (0 = excluded)
//   tier <name> <pct>                    tiers in rank order with their points multiplier; the
//                                        first is the entry tier (thresholds do not matter here)
//   event <name> <first> <last> [<mon..sun>] <pct>   bonus event, dates YYYY-MM-DD inclusive
//   birthday <pct>                       birthday-month multiplier
//   first_purchase <points>              first-purchase bonus
//   member [tier=<name>] [birth_month=<1–12>] [first_purchase=yes|no]
//   date <YYYY-MM-DD>                    the day of the purchase
//   line <genre> <amount> [<CODE>]       a basket line: genre and amount paid (default currency)
//   expect <points>                      the total...
//   explain <rule> <points> <detail…>    ...and every explanation line, in order, exactly
//   expect_error <message…>              or: EarnPoints refuses, with exactly this message
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/encoding.h"
#include "core/points.h"

using namespace shuyou::core;

namespace {

const std::filesystem::path kCaseDir = std::filesystem::path(__FILE__).parent_path() / "cases" / "earning";

struct Case {
  Program program;
  Basket basket;
  MemberFacts member;
  Date date{};
  bool has_expect = false;
  int64_t points = 0;
  std::vector<Explanation> lines;
  std::string error;  // expected error message, when the case expects a refusal
};

// Throws std::runtime_error with the line number: a malformed case file is a bug in the test.
class CaseParser {
 public:
  explicit CaseParser(const std::filesystem::path& file) : file_(file) {}

  Case Parse() {
    std::ifstream in(file_);
    if (!in) Fail("cannot open");
    Case c;
    currency_ = kCNY;
    std::string text;
    while (std::getline(in, text)) {
      ++line_no_;
      if (text.empty() || text[0] == '#') continue;
      std::istringstream words(text);
      std::string key;
      words >> key;
      Directive(c, key, words);
    }
    if (!c.date.ok()) Fail("no date");
    if (!c.has_expect && c.error.empty()) Fail("no expect or expect_error");
    return c;
  }

 private:
  [[noreturn]] void Fail(const std::string& why) const {
    throw std::runtime_error(file_.filename().string() + ":" + std::to_string(line_no_) + ": " + why);
  }

  std::string Word(std::istringstream& in) {
    std::string w;
    if (!(in >> w)) Fail("missing a value");
    return w;
  }

  int64_t Int(const std::string& s) {
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(s, &used);
    } catch (const std::exception&) {
      Fail("not a number: " + s);
    }
    if (used != s.size()) Fail("not a number: " + s);
    return v;
  }

  Money Amount(const std::string& s, const Currency& currency) {
    auto m = ParseMoney(s, currency);
    if (!m.ok()) Fail(m.status().message());
    return *m;
  }

  Date ParseDate(const std::string& s) {
    auto ms = ParseIsoUtc(s);
    if (!ms || s.size() != 10) Fail("not a date: " + s);
    return Date{std::chrono::sys_days(std::chrono::days(*ms / 86400000))};
  }

  std::chrono::weekday Weekday(const std::string& s) {
    static const char* const kNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    for (unsigned i = 0; i < 7; ++i)
      if (s == kNames[i]) return std::chrono::weekday(i);
    Fail("not a weekday: " + s);
  }

  std::string Rest(std::istringstream& in) {
    std::string rest;
    std::getline(in >> std::ws, rest);
    return rest;
  }

  void Directive(Case& c, const std::string& key, std::istringstream& in) {
    Program& p = c.program;
    if (key == "currency") {
      auto found = FindCurrency(Word(in));
      if (!found) Fail("unknown currency");
      currency_ = *found;
      p.base_per = Money(p.base_per.minor(), currency_);
    } else if (key == "rate") {
      p.base_points = Int(Word(in));
      if (Word(in) != "per") Fail("expected: rate <points> per <amount> <mode>");
      p.base_per = Amount(Word(in), currency_);
      auto mode = ParseRounding(Word(in));
      if (!mode) Fail("unknown rounding mode");
      p.rounding = *mode;
    } else if (key == "genre") {
      std::string name = Word(in);
      p.genres.push_back({name, Int(Word(in))});
    } else if (key == "tier") {
      Tier t;
      t.name = Word(in);
      t.points_pct = Int(Word(in));
      if (!p.tiers.empty()) t.min_visits = int64_t(p.tiers.size());
      p.tiers.push_back(t);
    } else if (key == "event") {
      std::vector<std::string> w;
      for (std::string s; in >> s;) w.push_back(s);
      if (w.size() != 4 && w.size() != 5) Fail("expected: event <name> <first> <last> [<weekday>] <pct>");
      BonusEvent e{w[0], ParseDate(w[1]), ParseDate(w[2]), std::nullopt, Int(w.back())};
      if (w.size() == 5) e.weekday = Weekday(w[3]);
      p.events.push_back(e);
    } else if (key == "birthday") {
      p.birthday_month_pct = Int(Word(in));
    } else if (key == "first_purchase") {
      p.first_purchase_bonus = Int(Word(in));
    } else if (key == "member") {
      for (std::string kv; in >> kv;) {
        size_t eq = kv.find('=');
        std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (k == "tier") c.member.tier = v;
        else if (k == "birth_month") c.member.birth_month = std::chrono::month(unsigned(Int(v)));
        else if (k == "first_purchase" && (v == "yes" || v == "no")) c.member.first_purchase = v == "yes";
        else Fail("unknown member fact: " + kv);
      }
    } else if (key == "date") {
      c.date = ParseDate(Word(in));
    } else if (key == "line") {
      std::string genre = Word(in), amount = Word(in), code;
      Currency currency = currency_;
      if (in >> code) {
        auto found = FindCurrency(code);
        if (!found) Fail("unknown currency");
        currency = *found;
      }
      c.basket.push_back({genre, Amount(amount, currency)});
    } else if (key == "expect") {
      c.has_expect = true;
      c.points = Int(Word(in));
    } else if (key == "explain") {
      std::string rule = Word(in);
      int64_t points = Int(Word(in));
      c.lines.push_back({rule, Rest(in), points});
    } else if (key == "expect_error") {
      c.error = Rest(in);
    } else {
      Fail("unknown directive: " + key);
    }
    if (key != "explain" && key != "expect_error" && !Rest(in).empty())
      Fail("unexpected words at the end of the line");
  }

  std::filesystem::path file_;
  Currency currency_ = kCNY;
  int line_no_ = 0;
};

std::vector<std::filesystem::path> CaseFiles() {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kCaseDir, ec))
    if (entry.path().extension() == ".case") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string Describe(const EarnResult& r) {
  std::string out = "total " + std::to_string(r.points) + "\n";
  for (const auto& l : r.lines) out += "  explain " + l.rule + " " + std::to_string(l.points) + " " + l.detail + "\n";
  return out;
}

class EarningCase : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(EarningCase, MatchesHandComputedResult) {
  Case c = CaseParser(GetParam()).Parse();
  auto got = EarnPoints(c.program, c.basket, c.member, c.date);
  if (!c.error.empty()) {
    ASSERT_FALSE(got.ok()) << "expected an error, got\n" << Describe(got.value());
    EXPECT_EQ(got.status().code(), shuyou::Code::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.error);
    return;
  }
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->points, c.points) << Describe(got.value());
  EXPECT_EQ(got->lines, c.lines) << Describe(got.value());
  int64_t sum = 0;
  for (const auto& l : got->lines) sum += l.points;
  EXPECT_EQ(sum, got->points) << "the explanation lines must add up to the total";
}

std::string CaseName(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string name = info.param.stem().string();
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, EarningCase, ::testing::ValuesIn(CaseFiles()), CaseName);

TEST(EarningCases, FolderHoldsTheCases) {
  EXPECT_GE(CaseFiles().size(), 8u) << "no case files found under " << kCaseDir;
}

}  // namespace
