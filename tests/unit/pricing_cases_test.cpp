// Runs every tests/unit/cases/pricing/*.case through core::PriceBasket (and SettlePayments when
// the case pays): one GoogleTest per file. Each file is a receipt worked out by hand in its
// comments; the runner compares every line, every discount and every total exactly.
//
// Format: one directive per line; '#' starts a comment line; blank lines are ignored. Amounts
// are in yuan ("39.90"); percents are whole numbers.
//   rounding <half_up|half_even|down|up>        (default half_up)
//   line <genre> <unit price> [x<qty>] [tax <pct>] [nodiscount]
//   tier <name> <pct>        the member's tier discount
//   club <name> <pct>        the member's club discount
//   coupon <code> percent <pct> | fixed <amount> | spend <X> off <Y> [repeat]
//          [min <amount>] [genres <a,b>] [exclusive]
//   points <n> balance <b> rate <points> per <amount> [max <pct>]
//   pay <cash|card|mobile|stored_value> <amount>
//   expect_line <n> gross <a> member <a> coupon <a> net <a> points <a> paid <a> tax <a>
//                            every line, in order
//   expect_discount <rule> <amount> <applied|not_applied> <detail…>
//                            every discount, in order
//   expect_totals subtotal <a> discounts <a> net <a> points <a> due <a> tax <a>
//   expect_change <amount>   the change SettlePayments gives (with pay lines)
//   expect_error <message…>  PriceBasket refuses with exactly this message
//   expect_pay_error <message…>  SettlePayments refuses with exactly this message
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/pricing.h"

using namespace shuyou::core;

namespace {

const std::filesystem::path kCaseDir = std::filesystem::path(__FILE__).parent_path() / "cases" / "pricing";

struct ExpectedDiscount {
  std::string rule, amount, detail;
  bool applied;
};

struct Case {
  PricingInput input;
  std::vector<Payment> payments;
  std::vector<std::string> lines;  // "gross … tax …" per line, in the runner's own words
  std::vector<ExpectedDiscount> discounts;
  std::string totals, change, error, pay_error;
};

class CaseParser {
 public:
  explicit CaseParser(const std::filesystem::path& file) : file_(file) {}

  Case Parse() {
    std::ifstream in(file_);
    if (!in) Fail("cannot open");
    Case c;
    std::string text;
    while (std::getline(in, text)) {
      ++line_no_;
      if (text.empty() || text[0] == '#') continue;
      std::istringstream words(text);
      std::string key;
      words >> key;
      Directive(c, key, words);
    }
    if (c.totals.empty() && c.error.empty()) Fail("no expect_totals or expect_error");
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
  Money Amount(const std::string& s) {
    auto m = ParseMoney(s, kCNY);
    if (!m.ok()) Fail(m.status().message());
    return *m;
  }
  std::string Rest(std::istringstream& in) {
    std::string rest;
    std::getline(in >> std::ws, rest);
    return rest;
  }
  // "gross 1.00 member 0.00 …": the same words the runner writes for a priced line.
  std::string Normalized(std::istringstream& in, const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) {
      if (Word(in) != k) Fail("expected '" + k + "'");
      out += k + " " + FormatMoney(Amount(Word(in))) + " ";
    }
    return out;
  }

  void Directive(Case& c, const std::string& key, std::istringstream& in) {
    PricingInput& p = c.input;
    if (key == "rounding") {
      auto mode = ParseRounding(Word(in));
      if (!mode) Fail("unknown rounding mode");
      p.rounding = *mode;
    } else if (key == "line") {
      PricingLine l;
      l.genre = Word(in);
      l.unit_price = Amount(Word(in));
      for (std::string w; in >> w;) {
        if (w.size() > 1 && w[0] == 'x') l.quantity = Int(w.substr(1));
        else if (w == "tax") l.tax_rate_bp = Int(Word(in)) * 100;
        else if (w == "nodiscount") l.discountable = false;
        else Fail("unknown line option: " + w);
      }
      p.lines.push_back(l);
    } else if (key == "tier") {
      p.tier = Word(in);
      p.tier_discount_pct = Int(Word(in));
    } else if (key == "club") {
      p.club = Word(in);
      p.club_discount_pct = Int(Word(in));
    } else if (key == "coupon") {
      Coupon k;
      k.code = Word(in);
      std::string kind = Word(in);
      if (kind == "percent") {
        k.kind = CouponKind::kPercent;
        k.percent = Int(Word(in));
      } else if (kind == "fixed") {
        k.kind = CouponKind::kFixed;
        k.amount = Amount(Word(in));
      } else if (kind == "spend") {
        k.kind = CouponKind::kSpendGet;
        k.threshold = Amount(Word(in));
        if (Word(in) != "off") Fail("expected: spend <X> off <Y>");
        k.amount = Amount(Word(in));
      } else {
        Fail("unknown coupon kind: " + kind);
      }
      for (std::string w; in >> w;) {
        if (w == "repeat") k.repeat = true;
        else if (w == "exclusive") k.exclusive = true;
        else if (w == "min") k.min_spend = Amount(Word(in));
        else if (w == "genres") {
          std::stringstream list(Word(in));
          for (std::string g; std::getline(list, g, ',');) k.genres.push_back(g);
        } else Fail("unknown coupon option: " + w);
      }
      p.coupons.push_back(k);
    } else if (key == "points") {
      p.points_to_redeem = Int(Word(in));
      if (Word(in) != "balance") Fail("expected: points <n> balance <b> rate <points> per <amount>");
      p.points_balance = Int(Word(in));
      if (Word(in) != "rate") Fail("expected: rate");
      p.points_rate.points = Int(Word(in));
      if (Word(in) != "per") Fail("expected: per");
      p.points_rate.worth = Amount(Word(in));
      std::string w;
      if (in >> w) {
        if (w != "max") Fail("expected: max <pct>");
        p.points_rate.max_pct = Int(Word(in));
      }
    } else if (key == "pay") {
      auto m = ParsePaymentMethod(Word(in));
      if (!m) Fail("unknown payment method");
      c.payments.push_back({*m, Amount(Word(in))});
    } else if (key == "expect_line") {
      if (Int(Word(in)) != int64_t(c.lines.size() + 1)) Fail("expect_line numbers must count up from 1");
      c.lines.push_back(Normalized(in, {"gross", "member", "coupon", "net", "points", "paid", "tax"}));
    } else if (key == "expect_discount") {
      ExpectedDiscount d;
      d.rule = Word(in);
      d.amount = FormatMoney(Amount(Word(in)));
      std::string a = Word(in);
      if (a != "applied" && a != "not_applied") Fail("expected applied or not_applied");
      d.applied = a == "applied";
      d.detail = Rest(in);
      c.discounts.push_back(d);
    } else if (key == "expect_totals") {
      c.totals = Normalized(in, {"subtotal", "discounts", "net", "points", "due", "tax"});
    } else if (key == "expect_change") {
      c.change = FormatMoney(Amount(Word(in)));
    } else if (key == "expect_error") {
      c.error = Rest(in);
    } else if (key == "expect_pay_error") {
      c.pay_error = Rest(in);
    } else {
      Fail("unknown directive: " + key);
    }
    if (key != "expect_discount" && key != "expect_error" && key != "expect_pay_error" && !Rest(in).empty())
      Fail("unexpected words at the end of the line");
  }

  std::filesystem::path file_;
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

std::string LineWords(const PricedLine& l) {
  std::string out;
  auto add = [&](const char* k, const Money& m) { out += std::string(k) + " " + FormatMoney(m) + " "; };
  add("gross", l.gross);
  add("member", l.member_discount);
  add("coupon", l.coupon_discount);
  add("net", l.net);
  add("points", l.points_share);
  add("paid", l.paid);
  add("tax", l.tax);
  return out;
}

std::string TotalWords(const Pricing& p) {
  std::string out;
  auto add = [&](const char* k, const Money& m) { out += std::string(k) + " " + FormatMoney(m) + " "; };
  add("subtotal", p.subtotal);
  add("discounts", p.discount_total);
  add("net", p.net_total);
  add("points", p.points_value);
  add("due", p.due);
  add("tax", p.tax_total);
  return out;
}

class PricingCase : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(PricingCase, MatchesHandComputedReceipt) {
  Case c = CaseParser(GetParam()).Parse();
  auto got = PriceBasket(c.input);
  if (!c.error.empty()) {
    ASSERT_FALSE(got.ok()) << "expected an error, got " << TotalWords(got.value());
    EXPECT_EQ(got.status().message(), c.error);
    return;
  }
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->lines.size(), c.lines.size()) << "the case must list every line";
  for (size_t i = 0; i < c.lines.size(); ++i) EXPECT_EQ(LineWords(got->lines[i]), c.lines[i]) << "line " << i + 1;
  ASSERT_EQ(got->discounts.size(), c.discounts.size()) << "the case must list every discount";
  for (size_t i = 0; i < c.discounts.size(); ++i) {
    const auto& d = got->discounts[i];
    EXPECT_EQ(d.rule, c.discounts[i].rule);
    EXPECT_EQ(FormatMoney(d.amount), c.discounts[i].amount) << d.rule;
    EXPECT_EQ(d.applied, c.discounts[i].applied) << d.rule;
    EXPECT_EQ(d.detail, c.discounts[i].detail) << d.rule;
    int64_t sum = 0;
    for (const auto& m : d.per_line) sum += m.minor();
    EXPECT_EQ(sum, d.amount.minor()) << d.rule << ": the per-line shares must add up";
  }
  EXPECT_EQ(TotalWords(*got), c.totals);
  // Invariants every receipt keeps, whatever the case.
  int64_t net = 0, paid = 0, points = 0, tax = 0;
  for (const auto& l : got->lines) {
    EXPECT_EQ(l.gross.minor() - l.member_discount.minor() - l.coupon_discount.minor(), l.net.minor());
    EXPECT_GE(l.net.minor(), 0);
    EXPECT_GE(l.paid.minor(), 0);
    net += l.net.minor();
    paid += l.paid.minor();
    points += l.points_share.minor();
    tax += l.tax.minor();
  }
  EXPECT_EQ(net, got->net_total.minor());
  EXPECT_EQ(paid, got->due.minor());
  EXPECT_EQ(points, got->points_value.minor());
  EXPECT_EQ(tax, got->tax_total.minor());

  if (c.payments.empty()) return;
  auto settled = SettlePayments(got->due, c.payments);
  if (!c.pay_error.empty()) {
    ASSERT_FALSE(settled.ok()) << "expected a payment error";
    EXPECT_EQ(settled.status().message(), c.pay_error);
    return;
  }
  ASSERT_TRUE(settled.ok()) << settled.status().message();
  EXPECT_EQ(FormatMoney(settled->change_due), c.change);
  int64_t kept = 0;
  for (const auto& p : settled->payments) kept += p.amount.minor();
  EXPECT_EQ(kept, got->due.minor()) << "after change, the payments must equal what is due";
}

std::string CaseName(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string name = info.param.stem().string();
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, PricingCase, ::testing::ValuesIn(CaseFiles()), CaseName);

TEST(PricingCases, FolderHoldsTheCases) {
  EXPECT_GE(CaseFiles().size(), 8u) << "no case files found under " << kCaseDir;
}

}  // namespace
