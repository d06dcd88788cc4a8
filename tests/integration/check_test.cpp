// `shuyou check` invariants on both engines: a consistent database reports nothing; a cached
// balance edited behind the ledger's back is reported with both numbers.
#include "service/check.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class CheckInvariantsMember : public ApiFixture {};

TEST_P(CheckInvariantsMember, ConsistentLedgersPassAndTamperingIsFound) {
  Reply a = Send(owner_, "POST", "/api/v1/members", json{{"phone", "13800138000"}, {"name", "李雷"}});
  Reply b = Send(owner_, "POST", "/api/v1/members", json{{"phone", "13900139000"}, {"name", "韩梅梅"}});
  ASSERT_EQ(a.status, 201) << a.body;
  ASSERT_EQ(b.status, 201) << b.body;
  std::string pa = "/api/v1/members/" + std::to_string(a.json["id"].get<int64_t>()) + "/points/adjustments";
  ASSERT_EQ(Send(owner_, "POST", pa, json{{"points", 300}, {"reason", "开业礼"}}).status, 201);
  ASSERT_EQ(Send(owner_, "POST", pa, json{{"points", -120}, {"reason", "兑换"}}).status, 201);

  auto clean = service::CheckInvariants(app_->context());
  ASSERT_TRUE(clean.ok()) << clean.status().message();
  EXPECT_TRUE(clean->empty());

  // Edit member b's cached balance without a ledger row: both invariants break for b only.
  int64_t b_id = b.json["id"].get<int64_t>();
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE members SET points_balance = 50 WHERE id = ?", {b_id}).status();
                 }).ok());
  auto found = service::CheckInvariants(app_->context());
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);  // b has no ledger rows, so only the sum checks apply: ledger and lots
  EXPECT_EQ((*found)[0].member_id, b_id);
  EXPECT_EQ((*found)[0].cached, 50);
  EXPECT_EQ((*found)[0].computed, 0);
  EXPECT_EQ((*found)[0].invariant, "points_balance = SUM(points_ledger.points)");
  EXPECT_EQ((*found)[1].member_id, b_id);
  EXPECT_EQ((*found)[1].invariant, "points_balance = SUM(points_lots.remaining)");

  // A ledger row whose balance_after disagrees is found too.
  int64_t a_id = a.json["id"].get<int64_t>();
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE points_ledger SET balance_after = 999 WHERE member_id = ? AND points = -120",
                                  {a_id}).status();
                 }).ok());
  found = service::CheckInvariants(app_->context());
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].invariant, "points_balance = SUM(points_ledger.points)");
  EXPECT_EQ((*found)[1].invariant, "points_balance = last points_ledger.balance_after");
  EXPECT_EQ((*found)[1].member_id, a_id);
  EXPECT_EQ((*found)[1].cached, 180);
  EXPECT_EQ((*found)[1].computed, 999);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(CheckInvariantsMember);

}  // namespace
}  // namespace shuyou::test
