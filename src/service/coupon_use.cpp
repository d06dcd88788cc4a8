// Coupons at checkout: see coupon_use.h.
#include "service/coupon_use.h"

#include <algorithm>

namespace shuyou::service {

namespace {

std::string Normalize(std::string code) {
  code.erase(0, code.find_first_not_of(" \t"));
  code.erase(code.find_last_not_of(" \t") + 1);
  for (char& c : code)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return code;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    if (nl > start) out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<SaleCoupon>> CouponsForSale(store::Tx& tx, const std::vector<std::string>& codes, int64_t store_id,
                                               std::optional<int64_t> member_id, const std::string& day) {
  std::vector<SaleCoupon> out;
  std::vector<std::string> seen;
  for (const auto& raw : codes) {
    std::string code = Normalize(raw);
    auto bad = [&](const std::string& why) { return Invalid("coupon " + code + " " + why, {{"coupon_codes", code + ": " + why}}); };
    if (code.empty()) return Invalid("a coupon code is empty", {{"coupon_codes", "must not be empty"}});
    if (std::find(seen.begin(), seen.end(), code) != seen.end()) return bad("is entered twice");
    seen.push_back(code);
    SY_ASSIGN_OR_RETURN(auto rows,
                        tx.Exec("SELECT id, kind, percent, amount, threshold, repeats, min_spend, genres, exclusive, "
                                "valid_from, valid_to, max_uses, per_member_limit, members_only, member_id, store_id, "
                                "uses, active FROM coupons WHERE code = ?",
                                {code}));
    if (rows.empty()) return bad("does not exist");
    const store::Row& r = rows[0];
    if (r.Int(17) == 0) return bad("is no longer active");
    if (auto from = r.OptText(9); from && day < *from) return bad("is valid only from " + *from);
    if (auto to = r.OptText(10); to && day > *to) return bad("expired on " + *to);
    if (auto s = r.OptInt(15); s && *s != store_id) return bad("is not valid in this store");
    if (auto owner = r.OptInt(14); owner && owner != member_id) return bad("belongs to another member");
    if (r.Int(13) != 0 && !member_id) return bad("is for members only: attach the member first");
    if (auto max = r.OptInt(11); max && r.Int(16) >= *max) return bad("has been used up");
    if (auto limit = r.OptInt(12); limit && member_id) {
      SY_ASSIGN_OR_RETURN(auto used, tx.Exec("SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ? AND "
                                             "member_id = ? AND given_back_at IS NULL",
                                             {r.Int(0), *member_id}));
      if (used[0].Int(0) >= *limit) return bad("has already been used by this member as often as allowed");
    }
    SaleCoupon c;
    c.id = r.Int(0);
    c.rule.code = code;
    std::string kind = r.Text(1);
    c.rule.kind = kind == "percent" ? core::CouponKind::kPercent
                  : kind == "fixed" ? core::CouponKind::kFixed
                                    : core::CouponKind::kSpendGet;
    c.rule.percent = r.Int(2);
    c.rule.amount = core::Money(r.Int(3), core::kCNY);
    c.rule.threshold = core::Money(r.Int(4), core::kCNY);
    c.rule.repeat = r.Int(5) != 0;
    if (auto m = r.OptInt(6)) c.rule.min_spend = core::Money(*m, core::kCNY);
    c.rule.genres = Lines(r.Text(7));
    c.rule.exclusive = r.Int(8) != 0;
    out.push_back(std::move(c));
  }
  return out;
}

Status RecordCouponUses(store::Tx& tx, int64_t sale_id, std::optional<int64_t> member_id, int64_t at,
                        const std::vector<std::pair<int64_t, int64_t>>& coupon_amounts) {
  for (const auto& [id, amount] : coupon_amounts) {
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE coupons SET uses = uses + 1 WHERE id = ? AND "
                                          "(max_uses IS NULL OR uses < max_uses) RETURNING code",
                                          {id}));
    if (upd.empty()) {
      SY_ASSIGN_OR_RETURN(auto code, tx.Exec("SELECT code FROM coupons WHERE id = ?", {id}));
      return Status(Code::kConflict, "coupon " + (code.empty() ? std::to_string(id) : code[0].Text(0)) +
                                         " has been used up");
    }
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO coupon_redemptions (coupon_id, sale_id, member_id, at, amount) "
                               "VALUES (?, ?, ?, ?, ?)",
                               {id, sale_id, member_id ? store::Value(*member_id) : store::Null(), at, amount})
                           .status());
  }
  return Status::Ok();
}

Status GiveBackCoupons(store::Tx& tx, int64_t sale_id, int64_t at) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("UPDATE coupon_redemptions SET given_back_at = ? WHERE sale_id = ? AND "
                                         "given_back_at IS NULL RETURNING coupon_id",
                                         {at, sale_id}));
  for (const auto& r : rows.rows)
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE coupons SET uses = uses - 1 WHERE id = ? AND uses > 0", {r.Int(0)}).status());
  return Status::Ok();
}

}  // namespace shuyou::service
