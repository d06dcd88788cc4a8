// Coupons through the HTTP API and the checkout's three calls, on both engines: create, list with
// filters and paging, change (terms locked once used), validation errors that write nothing,
// every reason CouponsForSale refuses a code, the last use raced by two tills (exactly one wins),
// the per-member limit, uses given back by a return, batches of unique single-use codes (JSON and
// CSV), the till's check, and `shuyou check` catching uses that disagree with the redemptions.
#include <atomic>
#include <cstdio>
#include <set>
#include <thread>

#include "service/business_day.h"
#include "service/check.h"
#include "service/coupons.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class CouponsApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    MakeStaff("zhao.lei", "marketer", store_id_);
    marketer_ = Login("zhao.lei", "correct-horse-battery");
  }

  json Create(const json& body) {
    Reply r = Send(marketer_, "POST", "/api/v1/coupons", body);
    EXPECT_EQ(r.status, 201) << body.dump() << " → " << r.body;
    return r.json;
  }

  int64_t NewMember(const std::string& phone) {
    Reply r = Send(cashier_, "POST", "/api/v1/members", json{{"phone", phone}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json["id"].get<int64_t>();
  }

  int64_t Count(const std::string& sql, const std::vector<store::Value>& params = {}) {
    int64_t n = -1;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, params));
      n = rows[0].Int(0);
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return n;
  }

  // A bare completed sale paid in cash for redemptions to point at (checkout is tested in sales_api_test).
  int64_t NewSale(const std::string& day = "2026-12-05", std::optional<int64_t> member = std::nullopt) {
    int64_t id = 0;
    Status st = db_->Write([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(
          "INSERT INTO sales (receipt_number, store_id, member_id, at, business_day, subtotal, discount_total, net_total, due) "
          "VALUES (?, ?, ?, 0, ?, 10000, 0, 10000, 10000) RETURNING id",
          {"T-" + std::to_string(++sales_), store_id_, member ? store::Value(*member) : store::Null(), day}));
      id = rows[0].Int(0);
      // Paid in full, so that `shuyou check` finds the sale itself consistent.
      return tx.Exec("INSERT INTO sale_payments (sale_id, method, amount, tendered) VALUES (?, 'cash', 10000, 10000)", {id})
          .status();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return id;
  }

  Status Use(int64_t sale, std::optional<int64_t> member, int64_t coupon, int64_t amount) {
    return db_->Write([&](store::Tx& tx) { return service::RecordCouponUses(tx, sale, member, 1000, {{coupon, amount}}); });
  }

  // CouponsForSale in a read transaction: "" when every code is accepted, else the message.
  std::string Refusal(const std::vector<std::string>& codes, std::optional<int64_t> member,
                      const std::string& day = "2026-12-05", std::optional<int64_t> store = std::nullopt,
                      std::vector<service::SaleCoupon>* got = nullptr) {
    std::string out = "?";
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      auto r = service::CouponsForSale(tx, codes, store.value_or(store_id_), member, day);
      if (r.ok()) {
        out = "";
        if (got) *got = r.value();
      } else {
        EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << r.status().message();
        out = r.status().message();
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }

  std::vector<std::string> Codes(const std::string& query) {
    Reply r = Send(cashier_, "GET", "/api/v1/coupons" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    for (const auto& c : r.json["items"]) out.push_back(c["code"]);
    return out;
  }

  std::string C(int64_t id) { return "/api/v1/coupons/" + std::to_string(id); }

  Caller manager_, cashier_, marketer_;
  int sales_ = 0;
};

TEST_P(CouponsApi, MarketersCreateCashiersOnlyReadAndCodesAreUniqueInAnyCase) {
  json c = Create({{"code", " man100jian20 "}, {"name", "满100减20"}, {"kind", "spend_get"}, {"threshold", 10000},
                   {"amount", 2000}, {"repeat", true}, {"valid_from", "2026-12-01"}, {"valid_to", "2026-12-31"},
                   {"max_uses", 500}, {"per_member_limit", 2}, {"members_only", true}});
  EXPECT_EQ(c["code"], "MAN100JIAN20");
  EXPECT_EQ(c["kind"], "spend_get");
  EXPECT_EQ(c["threshold"], 10000);
  EXPECT_EQ(c["amount"], 2000);
  EXPECT_EQ(c["repeat"], true);
  EXPECT_EQ(c["uses"], 0);
  EXPECT_EQ(c["active"], true);
  EXPECT_EQ(c["genres"], json::array());
  EXPECT_EQ(c["store_id"], nullptr);

  Reply dup = Send(manager_, "POST", "/api/v1/coupons", json{{"code", "Man100Jian20"}, {"kind", "percent"}, {"percent", 10}});
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_NE(dup.json["error"]["message"].get<std::string>().find("MAN100JIAN20"), std::string::npos);
  EXPECT_EQ(Send(cashier_, "POST", "/api/v1/coupons", json{{"code", "NOPE1"}, {"kind", "percent"}, {"percent", 10}}).status, 403);
  EXPECT_EQ(Send(cashier_, "PATCH", C(c["id"]), json{{"active", false}}).status, 403);
  EXPECT_EQ(Send(cashier_, "POST", "/api/v1/coupons/batches", json{{"count", 1}, {"kind", "fixed"}, {"amount", 1}}).status, 403);

  Reply got = Send(cashier_, "GET", C(c["id"]));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["name"], "满100减20");
  EXPECT_EQ(got.json["usage"], json({{"uses", 0}, {"discount", 0}, {"given_back", 0}, {"days", json::array()}}));
  EXPECT_EQ(Send(cashier_, "GET", C(999999)).status, 404);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'coupon.create'"), 1);
}

TEST_P(CouponsApi, ListFiltersByTextActiveAndStatusAndPages) {
  auto shift = [&](int days) {
    return service::FormatDay(service::BusinessDay(app_->context(), app_->context().now() + days * 86400000LL).value());
  };
  Create({{"code", "VALID10"}, {"name", "十元券"}, {"kind", "fixed"}, {"amount", 1000}});
  Create({{"code", "OLD10"}, {"name", "旧券"}, {"kind", "fixed"}, {"amount", 1000}, {"valid_to", shift(-1)}});
  Create({{"code", "SOON10"}, {"name", "Spring sale"}, {"kind", "percent"}, {"percent", 10}, {"valid_from", shift(2)}});
  json once = Create({{"code", "ONCE10"}, {"name", "一次券"}, {"kind", "fixed"}, {"amount", 1000}, {"max_uses", 1}});
  json off = Create({{"code", "OFF10"}, {"name", "停用"}, {"kind", "fixed"}, {"amount", 1000}});
  ASSERT_TRUE(Use(NewSale(), std::nullopt, once["id"], 1000).ok());
  ASSERT_EQ(Send(manager_, "PATCH", C(off["id"]), json{{"active", false}}).status, 200);

  EXPECT_EQ(Codes(""), (std::vector<std::string>{"OFF10", "ONCE10", "SOON10", "OLD10", "VALID10"})) << "newest first";
  EXPECT_EQ(Codes("?status=valid"), (std::vector<std::string>{"OFF10", "VALID10"}));
  EXPECT_EQ(Codes("?status=valid&active=true"), (std::vector<std::string>{"VALID10"}));
  EXPECT_EQ(Codes("?status=expired"), (std::vector<std::string>{"OLD10"}));
  EXPECT_EQ(Codes("?status=scheduled"), (std::vector<std::string>{"SOON10"}));
  EXPECT_EQ(Codes("?status=used_up"), (std::vector<std::string>{"ONCE10"}));
  EXPECT_EQ(Codes("?active=false"), (std::vector<std::string>{"OFF10"}));
  EXPECT_EQ(Codes("?q=old"), (std::vector<std::string>{"OLD10"})) << "code in any case";
  EXPECT_EQ(Codes("?q=%E5%8D%81%E5%85%83"), (std::vector<std::string>{"VALID10"})) << "十元 in the name";
  EXPECT_EQ(Codes("?q=spring"), (std::vector<std::string>{"SOON10"})) << "name in any case";
  EXPECT_EQ(Codes("?sort=code"), (std::vector<std::string>{"OFF10", "OLD10", "ONCE10", "SOON10", "VALID10"}));
  Reply bad = Send(cashier_, "GET", "/api/v1/coupons?status=gone");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.FieldError("status"), "");

  std::vector<std::string> paged;
  std::string cursor;
  for (int i = 0; i < 10; ++i) {
    Reply r = Send(cashier_, "GET", "/api/v1/coupons?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& c : r.json["items"]) paged.push_back(c["code"]);
    if (r.json["next_cursor"].is_null()) break;
    cursor = r.json["next_cursor"];
  }
  EXPECT_EQ(paged, Codes(""));

  json listed = Send(cashier_, "GET", "/api/v1/coupons?q=ONCE10").json["items"][0];
  EXPECT_EQ(listed["status"], "used_up");
  EXPECT_EQ(listed["uses"], 1);
}

TEST_P(CouponsApi, InvalidInputIsRefusedFieldByFieldAndWritesNothing) {
  ASSERT_EQ(Send(manager_, "POST", "/api/v1/categories", json{{"code", "fiction"}, {"name", "小说"}}).status, 201);
  struct Case {
    json body;
    std::string field;
  };
  const Case bad[] = {
      {{{"kind", "percent"}, {"percent", 10}}, "code"},
      {{{"code", "AB"}, {"kind", "percent"}, {"percent", 10}}, "code"},
      {{{"code", "ABC!"}, {"kind", "percent"}, {"percent", 10}}, "code"},
      {{{"code", std::string(33, 'A')}, {"kind", "percent"}, {"percent", 10}}, "code"},
      {{{"code", "满减券"}, {"kind", "percent"}, {"percent", 10}}, "code"},
      {{{"code", "ABC"}}, "kind"},
      {{{"code", "ABC"}, {"kind", "bogo"}}, "kind"},
      {{{"code", "ABC"}, {"kind", "percent"}}, "percent"},
      {{{"code", "ABC"}, {"kind", "percent"}, {"percent", 0}}, "percent"},
      {{{"code", "ABC"}, {"kind", "percent"}, {"percent", 101}}, "percent"},
      {{{"code", "ABC"}, {"kind", "percent"}, {"percent", 10}, {"amount", 100}}, "amount"},
      {{{"code", "ABC"}, {"kind", "fixed"}}, "amount"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 0}}, "amount"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", -5}}, "amount"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"threshold", 1000}}, "threshold"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"repeat", true}}, "repeat"},
      {{{"code", "ABC"}, {"kind", "spend_get"}, {"amount", 2000}}, "threshold"},
      {{{"code", "ABC"}, {"kind", "spend_get"}, {"threshold", 10000}}, "amount"},
      {{{"code", "ABC"}, {"kind", "spend_get"}, {"threshold", 10000}, {"amount", 10000}}, "amount"},
      {{{"code", "ABC"}, {"kind", "spend_get"}, {"threshold", 10000}, {"amount", 20000}}, "amount"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"valid_from", "2026-02-30"}}, "valid_from"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"valid_to", "31/12/2026"}}, "valid_to"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"valid_from", "2026-12-31"}, {"valid_to", "2026-12-01"}}, "valid_to"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"genres", {"fiction", "poetry"}}}, "genres[1]"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"genres", {""}}}, "genres[0]"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"max_uses", 0}}, "max_uses"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"per_member_limit", 0}}, "per_member_limit"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"min_spend", 0}}, "min_spend"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"member_id", 424242}}, "member_id"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"store_id", 424242}}, "store_id"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", 500}, {"uses", 3}}, "uses"},
      {{{"code", "ABC"}, {"kind", "fixed"}, {"amount", "5.00"}}, "amount"},
  };
  for (const auto& c : bad) {
    Reply r = Send(marketer_, "POST", "/api/v1/coupons", c.body);
    EXPECT_EQ(r.status, 400) << c.body.dump() << " → " << r.body;
    EXPECT_NE(r.FieldError(c.field), "") << c.body.dump() << " → " << r.body;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'coupon.%'"), 0);

  // A good one with genres in any case, then bad changes leave it as it was.
  json ok = Create({{"code", "FICTION15"}, {"kind", "percent"}, {"percent", 15}, {"genres", {"Fiction"}}, {"min_spend", 5000}});
  EXPECT_EQ(ok["genres"], json({"fiction"}));
  const Case bad_changes[] = {
      {{{"percent", 0}}, "percent"},
      {{{"kind", "fixed"}}, "amount"},
      {{{"valid_from", "2027-01-02"}, {"valid_to", "2027-01-01"}}, "valid_to"},
      {{{"max_uses", -1}}, "max_uses"},
  };
  for (const auto& c : bad_changes) {
    Reply r = Send(manager_, "PATCH", C(ok["id"]), c.body);
    EXPECT_EQ(r.status, 400) << c.body.dump() << " → " << r.body;
    EXPECT_NE(r.FieldError(c.field), "") << r.body;
  }
  EXPECT_EQ(Send(cashier_, "GET", C(ok["id"])).json["percent"], 15);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'coupon.update'"), 0);

  // A kind change clears the old kind's amounts.
  Reply changed = Send(manager_, "PATCH", C(ok["id"]), json{{"kind", "spend_get"}, {"threshold", 10000}, {"amount", 1500}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["percent"], 0);
  EXPECT_EQ(changed.json["threshold"], 10000);
  EXPECT_EQ(Send(manager_, "POST", "/api/v1/coupons", json{{"code", "fiction15"}, {"kind", "fixed"}, {"amount", 1}}).status, 409);
  Reply other = Send(manager_, "POST", "/api/v1/coupons", json{{"code", "OTHER1"}, {"kind", "fixed"}, {"amount", 1}});
  EXPECT_EQ(Send(manager_, "PATCH", C(other.json["id"]), json{{"code", "Fiction15"}}).status, 409);
}

TEST_P(CouponsApi, TermsAreLockedOnceUsedButValidityCapsAndActiveMayChange) {
  int64_t member = NewMember("13800138001");
  json c = Create({{"code", "SAVE20"}, {"kind", "fixed"}, {"amount", 2000}, {"max_uses", 5}});
  int64_t id = c["id"];
  ASSERT_TRUE(Use(NewSale("2026-12-05", member), member, id, 2000).ok());
  ASSERT_TRUE(Use(NewSale("2026-12-05"), std::nullopt, id, 1500).ok());
  ASSERT_TRUE(Use(NewSale("2026-12-07"), std::nullopt, id, 2000).ok());

  for (const json& change : {json{{"amount", 3000}}, json{{"kind", "percent"}, {"percent", 10}}, json{{"code", "SAVE30"}},
                             json{{"min_spend", 100}}, json{{"exclusive", true}}}) {
    Reply r = Send(manager_, "PATCH", C(id), change);
    EXPECT_EQ(r.status, 400) << change.dump() << " → " << r.body;
    EXPECT_NE(r.FieldError(change.begin().key()).find("cannot change once the coupon has been used"), std::string::npos) << r.body;
  }
  Reply same = Send(manager_, "PATCH", C(id), json{{"amount", 2000}, {"name", "满额立减"}});
  EXPECT_EQ(same.status, 200) << "the same terms are not a change: " << same.body;
  Reply below = Send(manager_, "PATCH", C(id), json{{"max_uses", 2}});
  EXPECT_EQ(below.status, 400);
  EXPECT_NE(below.FieldError("max_uses"), "");
  Reply later = Send(marketer_, "PATCH", C(id), json{{"valid_to", "2027-06-30"}, {"max_uses", 3}, {"active", false}});
  ASSERT_EQ(later.status, 200) << later.body;
  EXPECT_EQ(later.json["valid_to"], "2027-06-30");
  EXPECT_EQ(later.json["max_uses"], 3);
  EXPECT_EQ(later.json["active"], false);
  EXPECT_EQ(later.json["status"], "used_up");

  Reply got = Send(cashier_, "GET", C(id));
  EXPECT_EQ(got.json["uses"], 3);
  EXPECT_EQ(got.json["usage"]["uses"], 3);
  EXPECT_EQ(got.json["usage"]["discount"], 5500);
  EXPECT_EQ(got.json["usage"]["days"],
            json({{{"day", "2026-12-05"}, {"uses", 2}, {"discount", 3500}}, {{"day", "2026-12-07"}, {"uses", 1}, {"discount", 2000}}}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'coupon.update'"), 2);
}

TEST_P(CouponsApi, CouponsForSaleRefusesEveryReasonNamingTheCode) {
  int64_t alice = NewMember("13800138001"), bob = NewMember("13800138002");
  int64_t branch = 0;
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("INSERT INTO stores (code, name, created_at, updated_at) VALUES ('WEST', '西店', 0, 0) RETURNING id"));
    branch = rows[0].Int(0);
    return Status::Ok();
  }).ok());
  int64_t fiction = Send(manager_, "POST", "/api/v1/categories", json{{"code", "fiction"}, {"name", "小说"}}).json["id"];
  Send(manager_, "POST", "/api/v1/categories", json{{"code", "fiction.scifi"}, {"name", "科幻"}, {"parent_id", fiction}});
  Send(manager_, "POST", "/api/v1/categories", json{{"code", "poetry"}, {"name", "诗歌"}});
  json full = Create({{"code", "MJ100"}, {"kind", "spend_get"}, {"threshold", 10000}, {"amount", 2000}, {"repeat", true},
                      {"genres", {"fiction"}}, {"min_spend", 5000}, {"exclusive", true}});
  Create({{"code", "PCT10"}, {"kind", "percent"}, {"percent", 10}});
  json off = Create({{"code", "OFF1"}, {"kind", "fixed"}, {"amount", 100}});
  Send(manager_, "PATCH", C(off["id"]), json{{"active", false}});
  Create({{"code", "DEC1"}, {"kind", "fixed"}, {"amount", 100}, {"valid_from", "2026-12-01"}, {"valid_to", "2026-12-31"}});
  Create({{"code", "WEST1"}, {"kind", "fixed"}, {"amount", 100}, {"store_id", branch}});
  Create({{"code", "VIP1"}, {"kind", "fixed"}, {"amount", 100}, {"members_only", true}});
  Create({{"code", "ALICE1"}, {"kind", "fixed"}, {"amount", 100}, {"member_id", alice}});
  json once = Create({{"code", "ONCE1"}, {"kind", "fixed"}, {"amount", 100}, {"max_uses", 1}});
  json limit = Create({{"code", "LIMIT1"}, {"kind", "fixed"}, {"amount", 100}, {"per_member_limit", 1}});
  ASSERT_TRUE(Use(NewSale(), std::nullopt, once["id"], 100).ok());
  ASSERT_TRUE(Use(NewSale("2026-12-05", alice), alice, limit["id"], 100).ok());

  std::vector<service::SaleCoupon> got;
  EXPECT_EQ(Refusal({" mj100 ", "pct10"}, bob, "2026-12-05", std::nullopt, &got), "");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, full["id"].get<int64_t>());
  EXPECT_EQ(got[0].rule.code, "MJ100");
  EXPECT_EQ(got[0].rule.kind, core::CouponKind::kSpendGet);
  EXPECT_EQ(got[0].rule.threshold, core::Money(10000, core::kCNY));
  EXPECT_EQ(got[0].rule.amount, core::Money(2000, core::kCNY));
  EXPECT_TRUE(got[0].rule.repeat);
  ASSERT_TRUE(got[0].rule.min_spend.has_value());
  EXPECT_EQ(*got[0].rule.min_spend, core::Money(5000, core::kCNY));
  EXPECT_EQ(got[0].rule.genres, (std::vector<std::string>{"fiction", "fiction.scifi"})) << "with its subcategories";
  EXPECT_TRUE(got[0].rule.exclusive);
  EXPECT_EQ(got[1].rule.kind, core::CouponKind::kPercent);
  EXPECT_EQ(got[1].rule.percent, 10);

  EXPECT_EQ(Refusal({"NOSUCH"}, bob), "coupon NOSUCH is not known");
  EXPECT_EQ(Refusal({"off1"}, bob), "coupon OFF1 is not active");
  EXPECT_EQ(Refusal({"DEC1"}, bob, "2026-11-30"), "coupon DEC1 is valid from 2026-12-01");
  EXPECT_EQ(Refusal({"DEC1"}, bob, "2026-12-01"), "");
  EXPECT_EQ(Refusal({"DEC1"}, bob, "2026-12-31"), "");
  EXPECT_EQ(Refusal({"DEC1"}, bob, "2027-01-01"), "coupon DEC1 expired on 2026-12-31");
  EXPECT_EQ(Refusal({"WEST1"}, bob), "coupon WEST1 is for another store (WEST)");
  EXPECT_EQ(Refusal({"WEST1"}, bob, "2026-12-05", branch), "");
  EXPECT_EQ(Refusal({"VIP1"}, std::nullopt), "coupon VIP1 is for members only: scan the member's card");
  EXPECT_EQ(Refusal({"VIP1"}, bob), "");
  EXPECT_EQ(Refusal({"ALICE1"}, std::nullopt), "coupon ALICE1 was issued to a member: scan the member's card");
  EXPECT_EQ(Refusal({"ALICE1"}, bob), "coupon ALICE1 was issued to another member");
  EXPECT_EQ(Refusal({"ALICE1"}, alice), "");
  EXPECT_EQ(Refusal({"ONCE1"}, bob), "coupon ONCE1 has been used up");
  EXPECT_EQ(Refusal({"LIMIT1"}, alice), "coupon LIMIT1 may be used 1 time(s) per member, and this member has used it 1");
  EXPECT_EQ(Refusal({"LIMIT1"}, bob), "");
  EXPECT_EQ(Refusal({"LIMIT1"}, std::nullopt), "coupon LIMIT1 may be used 1 time(s) per member: scan the member's card");
  EXPECT_EQ(Refusal({"PCT10", "pct10 "}, bob), "coupon PCT10 was entered twice");
  EXPECT_EQ(Refusal({"PCT10", "  "}, bob), "a coupon code is empty");
  EXPECT_EQ(Refusal({}, bob), "");
}

TEST_P(CouponsApi, TwoTillsRacingForTheLastUseNeverBothWin) {
  for (int round = 0; round < 5; ++round) {
    json c = Create({{"code", "LAST" + std::to_string(round)}, {"kind", "fixed"}, {"amount", 500}, {"max_uses", 2}});
    int64_t id = c["id"];
    ASSERT_TRUE(Use(NewSale(), std::nullopt, id, 500).ok());
    int64_t sale[2] = {NewSale(), NewSale()};
    std::atomic<int> ok{0}, refused{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> tills;
    for (int t = 0; t < 2; ++t)
      tills.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        Status st = Use(sale[t], std::nullopt, id, 500);
        if (st.ok()) ++ok;
        else if (st.code() == Code::kConflict && st.message() == "coupon LAST" + std::to_string(round) + " has been used up") ++refused;
        else ++other;
      });
    go = true;
    for (auto& t : tills) t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(refused.load(), 1);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(Count("SELECT uses FROM coupons WHERE id = ?", {id}), 2);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ?", {id}), 2);
  }
  auto problems = service::CheckInvariants(app_->context());
  ASSERT_TRUE(problems.ok()) << problems.status().message();
  EXPECT_TRUE(problems->empty());
}

TEST_P(CouponsApi, PerMemberLimitHoldsEvenWhenOneMemberRacesTwoTills) {
  int64_t member = NewMember("13800138001");
  json c = Create({{"code", "TWICE"}, {"kind", "fixed"}, {"amount", 500}, {"per_member_limit", 2}});
  int64_t id = c["id"];
  ASSERT_TRUE(Use(NewSale("2026-12-05", member), member, id, 500).ok());
  int64_t sale[2] = {NewSale("2026-12-05", member), NewSale("2026-12-05", member)};
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> tills;
  for (int t = 0; t < 2; ++t)
    tills.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      Status st = Use(sale[t], member, id, 500);
      if (st.ok()) ++ok;
      else if (st.code() == Code::kConflict) ++refused;
      else ++other;
    });
  go = true;
  for (auto& t : tills) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = ? AND member_id = ?", {id, member}), 2);
  EXPECT_EQ(Refusal({"TWICE"}, member), "coupon TWICE may be used 2 time(s) per member, and this member has used it 2");
  Status third = Use(NewSale("2026-12-05", member), member, id, 500);
  EXPECT_EQ(third.code(), Code::kConflict) << third.message();
  EXPECT_EQ(Count("SELECT uses FROM coupons WHERE id = ?", {id}), 2) << "the refused use was rolled back";
  EXPECT_EQ(Refusal({"TWICE"}, NewMember("13800138002")), "") << "another member may still use it";
}

TEST_P(CouponsApi, AReturnedSaleGivesItsUsesBackOnce) {
  int64_t member = NewMember("13800138001");
  json once = Create({{"code", "ONCE"}, {"kind", "fixed"}, {"amount", 500}, {"max_uses", 1}});
  json pct = Create({{"code", "PCT5"}, {"kind", "percent"}, {"percent", 5}, {"per_member_limit", 1}});
  int64_t sale = NewSale("2026-12-05", member);
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
    return service::RecordCouponUses(tx, sale, member, 1000, {{once["id"], 500}, {pct["id"], 300}});
  }).ok());
  EXPECT_EQ(Refusal({"ONCE"}, member), "coupon ONCE has been used up");
  EXPECT_NE(Refusal({"PCT5"}, member), "");

  ASSERT_TRUE(db_->Write([&](store::Tx& tx) { return service::GiveBackCoupons(tx, sale, 2000); }).ok());
  EXPECT_EQ(Count("SELECT uses FROM coupons WHERE id = ?", {once["id"].get<int64_t>()}), 0);
  EXPECT_EQ(Count("SELECT uses FROM coupons WHERE id = ?", {pct["id"].get<int64_t>()}), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupon_redemptions WHERE sale_id = ? AND given_back_at = 2000", {sale}), 2);
  EXPECT_EQ(Refusal({"ONCE", "PCT5"}, member), "");

  ASSERT_TRUE(db_->Write([&](store::Tx& tx) { return service::GiveBackCoupons(tx, sale, 3000); }).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupon_redemptions WHERE sale_id = ? AND given_back_at = 2000", {sale}), 2)
      << "given back once";
  EXPECT_EQ(Count("SELECT uses FROM coupons WHERE id = ?", {once["id"].get<int64_t>()}), 0);
  Reply got = Send(cashier_, "GET", C(once["id"]));
  EXPECT_EQ(got.json["usage"]["uses"], 0);
  EXPECT_EQ(got.json["usage"]["given_back"], 1);

  // Unknown coupons and the same coupon twice are refused and write nothing.
  int64_t other = NewSale();
  EXPECT_EQ(Use(other, std::nullopt, 999999, 100).code(), Code::kNotFound);
  Status twice = db_->Write([&](store::Tx& tx) {
    return service::RecordCouponUses(tx, other, std::nullopt, 1000, {{pct["id"], 100}, {pct["id"], 100}});
  });
  EXPECT_EQ(twice.code(), Code::kInvalidArgument);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupon_redemptions WHERE sale_id = ?", {other}), 0);
  // The coupon invariants hold. (The hand-written sales have no lines, so they are not in the
  // report aggregates, which report_feed_test covers; those mismatches are not looked at here.)
  auto problems = service::CheckInvariants(app_->context());
  ASSERT_TRUE(problems.ok());
  for (const auto& m : *problems)
    EXPECT_EQ(m.invariant.rfind("report_", 0), 0u) << m.invariant << " " << m.subject;
}

TEST_P(CouponsApi, BatchesMakeUniqueSingleUseCodesInOneGo) {
  json body = {{"prefix", "xmas-"}, {"count", 600}, {"name", "圣诞代金券"}, {"kind", "fixed"}, {"amount", 1000}, {"valid_to", "2026-12-31"}};
  Reply r = Send(marketer_, "POST", "/api/v1/coupons/batches", body);
  ASSERT_EQ(r.status, 201) << r.body.substr(0, 500);
  EXPECT_EQ(r.json["prefix"], "XMAS-");
  EXPECT_EQ(r.json["count"], 600);
  ASSERT_EQ(r.json["items"].size(), 600u);
  std::set<std::string> codes;
  for (const auto& it : r.json["items"]) {
    std::string code = it["code"];
    EXPECT_EQ(code.rfind("XMAS-", 0), 0u) << code;
    EXPECT_EQ(code.size(), 13u) << code;
    EXPECT_EQ(code.substr(5).find_first_of("01OIL"), std::string::npos) << code;
    codes.insert(code);
  }
  EXPECT_EQ(codes.size(), 600u);
  EXPECT_EQ(r.json["coupon"]["max_uses"], 1);
  EXPECT_EQ(r.json["coupon"]["name"], "圣诞代金券");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE code LIKE 'XMAS-%' AND max_uses = 1 AND amount = 1000"), 600);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'coupon.batch'"), 1);
  EXPECT_EQ(Codes("?q=xmas-&limit=200").size(), 200u);

  Reply csv = SendRaw(manager_, "POST", "/api/v1/coupons/batches?format=csv",
                      json{{"prefix", "BOOK"}, {"count", 3}, {"name", "书券, 十元"}, {"kind", "fixed"}, {"amount", 1000}}.dump());
  ASSERT_EQ(csv.status, 201) << csv.body;
  EXPECT_NE(csv.Header("Content-Disposition").find("coupons-BOOK.csv"), std::string::npos);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF" "code,name,kind,percent,amount,threshold,valid_from,valid_to\r\n", 0), 0u) << csv.body;
  EXPECT_NE(csv.body.find(",\"书券, 十元\",fixed,0,1000,0,,\r\n"), std::string::npos) << csv.body;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE code LIKE 'BOOK%'"), 3);

  const std::pair<json, std::string> bad[] = {
      {{{"count", 0}, {"kind", "fixed"}, {"amount", 1}}, "count"},
      {{{"count", 10001}, {"kind", "fixed"}, {"amount", 1}}, "count"},
      {{{"kind", "fixed"}, {"amount", 1}}, "count"},
      {{{"count", 5}, {"prefix", "TOO-LONG-PREFIX"}, {"kind", "fixed"}, {"amount", 1}}, "prefix"},
      {{{"count", 5}, {"prefix", "A B"}, {"kind", "fixed"}, {"amount", 1}}, "prefix"},
      {{{"count", 5}, {"kind", "fixed"}}, "amount"},
      {{{"count", 5}, {"code", "X123"}, {"kind", "fixed"}, {"amount", 1}}, "code"},
      {{{"count", 5}, {"max_uses", 3}, {"kind", "fixed"}, {"amount", 1}}, "max_uses"},
  };
  for (const auto& [b, field] : bad) {
    Reply e = Send(manager_, "POST", "/api/v1/coupons/batches", b);
    EXPECT_EQ(e.status, 400) << b.dump() << " → " << e.body;
    EXPECT_NE(e.FieldError(field), "") << b.dump() << " → " << e.body;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons"), 603);
}

TEST_P(CouponsApi, BatchCodesAlreadyTakenAreReplacedByFreshOnes) {
  // The "random" part counts 0, 1, 2, …: the codes P-0 … P-3 and P-7 exist already, so a batch
  // of 50 must skip them (without aborting its transaction) and still make 50 new codes.
  for (const char* code : {"P-0000", "P-0001", "P-0002", "P-0003", "P-0007"})
    Create({{"code", code}, {"kind", "fixed"}, {"amount", 1}});
  int next = 0;
  auto counting = [&] {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04d", next++);
    return std::string(buf);
  };
  service::Actor marketer;
  marketer.kind = "staff";
  marketer.role = core::Role::kMarketer;
  service::CouponFields terms;
  terms.kind = "fixed";
  terms.amount = 500;
  auto batch = service::IssueCouponBatch(app_->context(), marketer, "p-", 50, terms, counting);
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  ASSERT_EQ(batch->coupons.size(), 50u);
  std::set<std::string> codes;
  for (const auto& c : batch->coupons) codes.insert(c.code);
  EXPECT_EQ(codes.size(), 50u);
  for (const char* taken : {"P-0000", "P-0001", "P-0002", "P-0003", "P-0007"}) EXPECT_EQ(codes.count(taken), 0u) << taken;
  EXPECT_EQ(codes.count("P-0004"), 1u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE code LIKE 'P-%' AND amount = 500 AND max_uses = 1"), 50);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM coupons WHERE code LIKE 'P-%' AND amount = 1"), 5) << "the old ones are untouched";
}

TEST_P(CouponsApi, TheTillChecksACodeBeforePricing) {
  int64_t member = NewMember("13800138001");
  Create({{"code", "VIP20"}, {"name", "会员二十元"}, {"kind", "fixed"}, {"amount", 2000}, {"members_only", true}});
  Reply anon = Send(cashier_, "GET", "/api/v1/coupons/check?code=vip20");
  ASSERT_EQ(anon.status, 200) << anon.body;
  EXPECT_EQ(anon.json["code"], "VIP20");
  EXPECT_EQ(anon.json["valid"], false);
  EXPECT_EQ(anon.json["reason"], "coupon VIP20 is for members only: scan the member's card");
  EXPECT_EQ(anon.json["coupon"]["name"], "会员二十元");

  Reply ok = Send(cashier_, "GET", "/api/v1/coupons/check?code=VIP20&member_id=" + std::to_string(member) +
                                       "&store_id=" + std::to_string(store_id_));
  EXPECT_EQ(ok.json["valid"], true) << ok.body;
  EXPECT_EQ(ok.json["reason"], nullptr);

  Reply unknown = Send(cashier_, "GET", "/api/v1/coupons/check?code=NOPE");
  EXPECT_EQ(unknown.json["valid"], false);
  EXPECT_EQ(unknown.json["coupon"], nullptr);
  EXPECT_EQ(unknown.json["reason"], "coupon NOPE is not known");

  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/coupons/check").status, 400);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/coupons/check?code=VIP20&member_id=999999").status, 404);
  Caller key = ApiKeyCaller("manager");
  EXPECT_EQ(Send(key, "GET", "/api/v1/coupons/check?code=VIP20").status, 400) << "an API key has no home store";
  EXPECT_EQ(Send(key, "GET", "/api/v1/coupons/check?code=VIP20&store_id=" + std::to_string(store_id_)).status, 200);
}

TEST_P(CouponsApi, CheckFindsUsesThatDisagreeWithRedemptions) {
  json c = Create({{"code", "DRIFT"}, {"kind", "fixed"}, {"amount", 100}, {"max_uses", 1}});
  int64_t id = c["id"];
  ASSERT_TRUE(Use(NewSale(), std::nullopt, id, 100).ok());
  auto clean = service::CheckInvariants(app_->context());
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->empty());
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) { return tx.Exec("UPDATE coupons SET uses = 3 WHERE id = ?", {id}).status(); }).ok());
  auto found = service::CheckInvariants(app_->context());
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].invariant, "coupon uses = COUNT(coupon_redemptions not given back)");
  EXPECT_EQ((*found)[0].subject, "coupon " + std::to_string(id) + " DRIFT");
  EXPECT_EQ((*found)[0].cached, 3);
  EXPECT_EQ((*found)[0].computed, 1);
  EXPECT_EQ((*found)[1].invariant, "coupon uses <= max_uses");
  EXPECT_EQ((*found)[1].computed, 1);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(CouponsApi);

}  // namespace
}  // namespace shuyou::test
