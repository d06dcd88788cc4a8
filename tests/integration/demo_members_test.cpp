// Demo member populations on both engines: valid and unique data, idempotent reruns, the same
// members for a seed on either engine, different members for another seed, and speed.
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/card.h"
#include "core/encoding.h"
#include "core/phone.h"
#include "service/demo_members.h"
#include "support/test_db.h"

namespace shuyou::test {
namespace {

constexpr int64_t kNow = 1'790'000'000'000;  // September 2026
constexpr int64_t kSpanMs = 730LL * 86'400'000;

struct Row {
  int64_t id;
  std::string card, phone, last4, name;
  std::optional<std::string> email, birthday, gender;
  std::optional<int64_t> home_store_id;
  std::string tier;
  int64_t points, stored_value, consent_email, consent_sms;
  std::optional<int64_t> consent_updated_at;
  std::string consent_source, notes;
  int64_t created_at, updated_at;
  std::string created_by;
  auto Tie() const {
    return std::tie(id, card, phone, last4, name, email, birthday, gender, home_store_id, tier, points, stored_value,
                    consent_email, consent_sms, consent_updated_at, consent_source, notes, created_at, updated_at,
                    created_by);
  }
  bool operator==(const Row& o) const { return Tie() == o.Tie(); }
};

struct Db {
  std::unique_ptr<store::Database> db;
  service::Context ctx;
  explicit Db(store::Engine e) : db(NewMigratedTestDatabase(e)), ctx{*db, service::Settings{}, [] { return kNow; }} {}

  Result<int64_t> Generate(int64_t count, uint64_t seed, std::optional<int64_t> store = std::nullopt) {
    return service::GenerateDemoMembers(ctx, count, seed, store);
  }

  std::vector<Row> Members() {
    std::vector<Row> out;
    Status st = db->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(
          "SELECT id, card_number, phone, phone_last4, name, email, birthday, gender, home_store_id, tier, "
          "points_balance, stored_value_balance, consent_email, consent_sms, consent_updated_at, consent_source, "
          "notes, created_at, updated_at, created_by FROM members ORDER BY id"));
      for (const auto& r : rows.rows)
        out.push_back(Row{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.OptText(5), r.OptText(6),
                          r.OptText(7), r.OptInt(8), r.Text(9), r.Int(10), r.Int(11), r.Int(12), r.Int(13),
                          r.OptInt(14), r.Text(15), r.Text(16), r.Int(17), r.Int(18), r.Text(19)});
      return Status::Ok();
    });
    if (!st.ok()) throw std::runtime_error(st.message());
    return out;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    Status st = db->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql));
      n = rows[0].Int(0);
      return Status::Ok();
    });
    if (!st.ok()) throw std::runtime_error(st.message());
    return n;
  }
};

bool IsCnMobile(const std::string& p) {
  if (p.size() != 14 || p.rfind("+861", 0) != 0 || p[4] < '3' || p[4] > '9') return false;
  return p.find_first_not_of("0123456789", 1) == std::string::npos;
}

bool IsAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

store::Engine Other(store::Engine e) {
  return e == store::Engine::kSqlite ? store::Engine::kPostgres : store::Engine::kSqlite;
}

class DemoMembers : public ::testing::TestWithParam<store::Engine> {};

TEST_P(DemoMembers, GeneratesValidUniqueMembersAndARerunAddsNothing) {
  Db d(GetParam());
  auto n = d.Generate(2000, 7);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 2000);
  std::vector<Row> rows = d.Members();
  ASSERT_EQ(rows.size(), 2000u);

  std::set<std::string> phones, cards, names;
  int latin = 0, no_birthday = 0, email = 0, consent_email = 0, consent_sms = 0, female = 0, male = 0;
  int64_t prev_created = 0;
  for (const Row& r : rows) {
    SCOPED_TRACE(r.phone + " " + r.name);
    EXPECT_TRUE(IsCnMobile(r.phone));
    auto normalized = core::NormalizePhone(r.phone);
    ASSERT_TRUE(normalized.ok());
    EXPECT_EQ(*normalized, r.phone);
    EXPECT_EQ(r.last4, r.phone.substr(10));
    phones.insert(r.phone);
    EXPECT_TRUE(core::IsValidCardNumber(r.card)) << r.card;
    EXPECT_EQ(r.card, core::MakeCardNumber("8601", uint64_t(r.id)).value());
    cards.insert(r.card);
    EXPECT_FALSE(r.name.empty());
    EXPECT_EQ(core::CheckText(r.name, 64), "");
    names.insert(r.name);
    latin += IsAscii(r.name);
    if (r.birthday) {
      EXPECT_EQ(r.birthday->size(), 10u);
      EXPECT_GE(*r.birthday, "1950-01-01");
      EXPECT_LE(*r.birthday, "2010-12-31");
    } else {
      ++no_birthday;
    }
    if (r.gender) {
      EXPECT_TRUE(*r.gender == "female" || *r.gender == "male" || *r.gender == "other");
      female += *r.gender == "female";
      male += *r.gender == "male";
    }
    email += r.email.has_value();
    if (r.email) {
      EXPECT_NE(r.email->find("@example."), std::string::npos);
    }
    if (r.consent_email) {
      EXPECT_TRUE(r.email.has_value()) << "email consent without an address";
    }
    consent_email += int(r.consent_email);
    consent_sms += int(r.consent_sms);
    EXPECT_EQ(r.consent_updated_at.has_value(), r.consent_email || r.consent_sms);
    if (r.consent_updated_at) {
      EXPECT_GE(*r.consent_updated_at, r.created_at);
      EXPECT_LE(*r.consent_updated_at, kNow);
      EXPECT_EQ(r.consent_source, "system");
    }
    EXPECT_EQ(r.home_store_id, std::nullopt);
    EXPECT_EQ(r.tier, "regular");
    EXPECT_EQ(r.points, 0);
    EXPECT_EQ(r.stored_value, 0);
    EXPECT_EQ(r.created_by, "system");
    EXPECT_GE(r.created_at, kNow - kSpanMs);
    EXPECT_LE(r.created_at, kNow);
    EXPECT_GE(r.created_at, prev_created) << "members join in id order";
    EXPECT_EQ(r.updated_at, r.created_at);
    prev_created = r.created_at;
  }
  EXPECT_EQ(phones.size(), 2000u);
  EXPECT_EQ(cards.size(), 2000u);
  EXPECT_GT(names.size(), 1000u) << "names vary";
  EXPECT_LT(rows.front().created_at, kNow - kSpanMs + 30LL * 86'400'000) << "spread over 24 months";
  EXPECT_GT(rows.back().created_at, kNow - 30LL * 86'400'000);
  auto within = [](int v, int lo, int hi) { return v >= lo && v <= hi; };
  EXPECT_TRUE(within(latin, 120, 280)) << latin << " Latin names of 2000";
  EXPECT_TRUE(within(no_birthday, 200, 400)) << no_birthday << " without birthday";
  EXPECT_TRUE(within(consent_email, 1050, 1350)) << consent_email << " consent to email";
  EXPECT_TRUE(within(consent_sms, 650, 950)) << consent_sms << " consent to SMS";
  EXPECT_TRUE(within(female, 900, 1180)) << female << " female";
  EXPECT_TRUE(within(male, 720, 970)) << male << " male";
  std::printf("[ demo     ] 2000 members: %d Latin names, %d without birthday, %d emails, consent email %d / sms %d\n",
              latin, no_birthday, email, consent_email, consent_sms);
  EXPECT_EQ(d.Count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.demo_generate'"), 2) << "one per batch";

  auto again = d.Generate(2000, 7);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(d.Members(), rows) << "a rerun with the same seed changes nothing";
  EXPECT_EQ(d.Count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.demo_generate'"), 2);

  // A bigger run with the same seed keeps the first members and adds the rest.
  auto more = d.Generate(2500, 7);
  ASSERT_TRUE(more.ok()) << more.status().message();
  EXPECT_EQ(*more, 500);
  EXPECT_EQ(d.Count("SELECT COUNT(*) FROM members"), 2500);
}

TEST_P(DemoMembers, TheSameSeedGivesTheSameMembersOnEitherEngine) {
  Db here(GetParam()), there(Other(GetParam()));
  ASSERT_EQ(here.Generate(300, 7).value(), 300);
  ASSERT_EQ(there.Generate(300, 7).value(), 300);
  std::vector<Row> a = here.Members(), b = there.Members();
  ASSERT_EQ(a.size(), 300u);
  ASSERT_EQ(b.size(), 300u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(a[i].name, b[i].name) << i;
    EXPECT_EQ(a[i].phone, b[i].phone) << i;
    std::printf("[ demo     ] seed 7 member %zu: %s %s\n", i, a[i].name.c_str(), a[i].phone.c_str());
  }
  // Fresh databases number the rows alike, so every column matches.
  EXPECT_EQ(a, b);
}

TEST_P(DemoMembers, AnotherSeedGivesOtherMembers) {
  Db a(GetParam()), b(GetParam());
  ASSERT_EQ(a.Generate(200, 7).value(), 200);
  ASSERT_EQ(b.Generate(200, 8).value(), 200);
  std::vector<Row> ra = a.Members(), rb = b.Members();
  int same_name = 0, same_phone = 0;
  std::set<std::string> phones_a;
  for (const Row& r : ra) phones_a.insert(r.phone);
  for (size_t i = 0; i < ra.size(); ++i) {
    same_name += ra[i].name == rb[i].name;
    same_phone += phones_a.count(rb[i].phone) > 0;
  }
  EXPECT_LT(same_name, 20) << "names differ between seeds";
  EXPECT_EQ(same_phone, 0);
  // Both seeds' members fit in one database.
  auto mixed = a.Generate(200, 8);
  ASSERT_TRUE(mixed.ok()) << mixed.status().message();
  EXPECT_EQ(*mixed, 200);
}

TEST_P(DemoMembers, UsesTheHomeStoreAndRejectsBadInput) {
  Db d(GetParam());
  int64_t store_id = 0;
  Status st = d.db->Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("INSERT INTO stores (code, name, created_at, updated_at) "
                                           "VALUES ('DEMO', 'Demo', ?, ?) RETURNING id", {kNow, kNow}));
    store_id = rows[0].Int(0);
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();

  EXPECT_EQ(d.Generate(10, 1, store_id + 100).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(d.Generate(-1, 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(d.Generate(10'000'001, 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(d.Generate(0, 1).value(), 0);
  EXPECT_EQ(d.Count("SELECT COUNT(*) FROM members"), 0);

  ASSERT_EQ(d.Generate(10, 1, store_id).value(), 10);
  for (const Row& r : d.Members()) EXPECT_EQ(r.home_store_id, store_id);
  EXPECT_EQ(d.Generate(1, 2).value(), 1) << "count 1 works";
}

TEST_P(DemoMembers, TwentyThousandMembersQuickly) {
  Db d(GetParam());
  auto start = std::chrono::steady_clock::now();
  auto n = d.Generate(20'000, 42);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 20'000);
  std::printf("[ demo     ] %s: 20000 members in %.2f s (%.0f members/s)\n", store::EngineName(GetParam()), seconds,
              20'000 / seconds);
  EXPECT_LT(seconds, GetParam() == store::Engine::kSqlite ? 30.0 : 120.0);
  EXPECT_EQ(d.Count("SELECT COUNT(DISTINCT phone) FROM members"), 20'000);
  EXPECT_EQ(d.Count("SELECT COUNT(*) FROM members WHERE card_number LIKE 'new:%'"), 0);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(DemoMembers);

}  // namespace
}  // namespace shuyou::test
