// Stamp cards and member progress (see stamps.h).
#include "service/stamps.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace shuyou::service {
namespace {

constexpr const char* kCardColumns =
    "c.id, c.name, c.stamps_needed, c.reward, c.genre, c.active, c.created_at, c.updated_at";
constexpr int64_t kMaxStampsAtOnce = 1000;

StampCard CardFromRow(const store::Row& r, size_t o = 0) {
  StampCard c;
  c.id = r.Int(o + 0);
  c.name = r.Text(o + 1);
  c.stamps_needed = r.Int(o + 2);
  c.reward = r.Text(o + 3);
  c.genre = r.OptText(o + 4);
  c.active = r.Int(o + 5) != 0;
  c.created_at = r.Int(o + 6);
  c.updated_at = r.Int(o + 7);
  return c;
}

constexpr const char* kRewardSelect =
    "SELECT w.id, w.card_id, c.name, c.reward, w.earned_at, e.sale_id, w.redeemed_at, s.username, w.redeemed_sale_id "
    "FROM stamp_rewards w JOIN stamp_cards c ON c.id = w.card_id JOIN stamp_events e ON e.id = w.event_id "
    "LEFT JOIN staff s ON s.id = w.redeemed_by ";

StampReward RewardFromRow(const store::Row& r) {
  return StampReward{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.OptInt(5), r.OptInt(6), r.Text(7), r.OptInt(8)};
}

bool IsTill(const Actor& a) {
  return a.role == core::Role::kOwner || a.role == core::Role::kManager || a.role == core::Role::kCashier;
}
store::Value StaffIdOf(const Actor& a) { return a.kind == "staff" ? store::Value(a.id) : store::Null(); }
std::string Target(int64_t member_id) { return "member:" + std::to_string(member_id); }

Result<StampCard> LoadCard(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kCardColumns + " FROM stamp_cards c WHERE c.id = ?", {id}));
  if (rows.empty()) return NotFound("no stamp card with id " + std::to_string(id));
  return CardFromRow(rows[0]);
}

Status CheckMember(store::Tx& tx, int64_t member_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM members WHERE id = ?", {member_id}));
  if (rows.empty()) return NotFound("no member with id " + std::to_string(member_id));
  return Status::Ok();
}

std::string CheckRequiredText(const std::optional<std::string>& v, size_t max) {
  if (v->find_first_not_of(' ') == std::string::npos) return "must not be blank";
  return core::CheckText(*v, max);
}

Status CheckCardInput(const StampCardInput& in, bool creating) {
  std::vector<FieldError> errs;
  if (creating && !in.name) errs.push_back({"name", "is required"});
  if (in.name)
    if (auto m = CheckRequiredText(in.name, 64); !m.empty()) errs.push_back({"name", m});
  if (creating && !in.reward) errs.push_back({"reward", "is required"});
  if (in.reward)
    if (auto m = CheckRequiredText(in.reward, 200); !m.empty()) errs.push_back({"reward", m});
  if (creating && !in.stamps_needed) errs.push_back({"stamps_needed", "is required"});
  if (in.stamps_needed && (*in.stamps_needed < 1 || *in.stamps_needed > 1000))
    errs.push_back({"stamps_needed", "must be between 1 and 1000"});
  if (in.genre && *in.genre)
    if (auto m = CheckRequiredText(*in.genre, 64); !m.empty()) errs.push_back({"genre", m});
  if (!errs.empty()) return Invalid("the stamp card has invalid fields", errs);
  return Status::Ok();
}

Status NameTaken(const std::string& name) {
  return Status(Code::kConflict, "a stamp card named " + name + " already exists", {{"name", "is already taken"}});
}

nlohmann::json CardAudit(const StampCard& c) {
  return {{"name", c.name},
          {"stamps_needed", c.stamps_needed},
          {"reward", c.reward},
          {"genre", c.genre ? nlohmann::json(*c.genre) : nlohmann::json()},
          {"active", c.active}};
}

Status CheckCount(int64_t count) {
  if (count < 1 || count > kMaxStampsAtOnce)
    return Invalid("the number of stamps is out of range", {{"count", "must be between 1 and 1000"}});
  return Status::Ok();
}

}  // namespace

Result<std::vector<StampCard>> ListStampCards(Context& ctx) {
  std::vector<StampCard> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kCardColumns +
                                           " FROM stamp_cards c ORDER BY c.active DESC, c.name, c.id"));
    for (const auto& r : rows.rows) out.push_back(CardFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<StampCard> GetStampCard(Context& ctx, int64_t id) {
  StampCard out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadCard(tx, id));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<StampCard> CreateStampCard(Context& ctx, const Actor& actor, const StampCardInput& in) {
  if (actor.role != core::Role::kOwner) return Status(Code::kPermissionDenied, "only owners may define stamp cards");
  SY_RETURN_IF_ERROR(CheckCardInput(in, true));
  StampCard out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    std::optional<std::string> genre = in.genre ? *in.genre : std::nullopt;
    auto r = tx.Exec("INSERT INTO stamp_cards (name, stamps_needed, reward, genre, active, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                     {*in.name, *in.stamps_needed, *in.reward, genre ? store::Value(*genre) : store::Null(),
                      int64_t(in.active.value_or(true)), now, now});
    if (!r.ok() && r.status().code() == Code::kConflict) return NameTaken(*in.name);
    if (!r.ok()) return r.status();
    SY_ASSIGN_OR_RETURN(out, LoadCard(tx, r->rows[0].Int(0)));
    return RecordAudit(tx, ctx, actor, "stamp_card.create", "stamp_card:" + std::to_string(out.id), CardAudit(out));
  });
  if (!st.ok()) return st;
  return out;
}

Result<StampCard> UpdateStampCard(Context& ctx, const Actor& actor, int64_t id, const StampCardInput& in) {
  if (actor.role != core::Role::kOwner) return Status(Code::kPermissionDenied, "only owners may change stamp cards");
  SY_RETURN_IF_ERROR(CheckCardInput(in, false));
  StampCard out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(StampCard cur, LoadCard(tx, id));
    StampCard next = cur;
    if (in.name) next.name = *in.name;
    if (in.reward) next.reward = *in.reward;
    if (in.stamps_needed) next.stamps_needed = *in.stamps_needed;
    if (in.genre) next.genre = *in.genre;
    if (in.active) next.active = *in.active;
    auto r = tx.Exec("UPDATE stamp_cards SET name = ?, stamps_needed = ?, reward = ?, genre = ?, active = ?, "
                     "updated_at = ? WHERE id = ?",
                     {next.name, next.stamps_needed, next.reward, next.genre ? store::Value(*next.genre) : store::Null(),
                      int64_t(next.active), ctx.now(), id});
    if (!r.ok() && r.status().code() == Code::kConflict) return NameTaken(next.name);
    if (!r.ok()) return r.status();
    SY_ASSIGN_OR_RETURN(out, LoadCard(tx, id));
    return RecordAudit(tx, ctx, actor, "stamp_card.update", "stamp_card:" + std::to_string(id),
                       {{"before", CardAudit(cur)}, {"after", CardAudit(out)}});
  });
  if (!st.ok()) return st;
  return out;
}

Status DeleteStampCard(Context& ctx, const Actor& actor, int64_t id) {
  if (actor.role != core::Role::kOwner) return Status(Code::kPermissionDenied, "only owners may delete stamp cards");
  return ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(StampCard cur, LoadCard(tx, id));
    SY_ASSIGN_OR_RETURN(auto used, tx.Exec("SELECT COUNT(*) FROM stamp_events WHERE card_id = ?", {id}));
    if (used[0].Int(0) > 0)
      return Conflict("members have collected stamps on " + cur.name + "; deactivate it instead of deleting it");
    SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM stamp_progress WHERE card_id = ?", {id}).status());
    SY_RETURN_IF_ERROR(tx.Exec("DELETE FROM stamp_cards WHERE id = ?", {id}).status());
    return RecordAudit(tx, ctx, actor, "stamp_card.delete", "stamp_card:" + std::to_string(id), CardAudit(cur));
  });
}

Result<StampAward> AddStamps(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t member_id,
                             int64_t card_id, int64_t count, std::optional<int64_t> sale_id,
                             const std::string& reason) {
  SY_RETURN_IF_ERROR(CheckCount(count));
  if (auto m = core::CheckText(reason, 200); !m.empty()) return Invalid("the reason is invalid", {{"reason", m}});
  SY_RETURN_IF_ERROR(CheckMember(tx, member_id));
  SY_ASSIGN_OR_RETURN(StampCard card, LoadCard(tx, card_id));
  if (!card.active)
    return Status(Code::kConflict, "the stamp card " + card.name + " is not active", {{"card_id", "is not active"}});
  const int64_t now = ctx.now();
  SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO stamp_progress (member_id, card_id, stamps, updated_at) VALUES (?, ?, 0, ?) "
                             "ON CONFLICT (member_id, card_id) DO NOTHING",
                             {member_id, card_id, now})
                         .status());
  // Adding first locks the row (PostgreSQL), so concurrent stampings add up one after the other.
  SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE stamp_progress SET stamps = stamps + ?, updated_at = ? "
                                        "WHERE member_id = ? AND card_id = ? RETURNING stamps",
                                        {count, now, member_id, card_id}));
  SY_ASSIGN_OR_RETURN(core::StampOutcome outcome, core::AddStampsToCard(upd[0].Int(0) - count, count, card.stamps_needed));
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE stamp_progress SET stamps = ? WHERE member_id = ? AND card_id = ?",
                             {outcome.stamps_after, member_id, card_id})
                         .status());
  SY_ASSIGN_OR_RETURN(auto ev, tx.Exec("INSERT INTO stamp_events (member_id, card_id, at, stamps, rewards, sale_id, "
                                       "reason, staff_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                       {member_id, card_id, now, count, outcome.rewards,
                                        sale_id ? store::Value(*sale_id) : store::Null(), reason, StaffIdOf(actor)}));
  const int64_t event_id = ev[0].Int(0);
  StampAward out{card_id, card.name, count, outcome.stamps_after, card.stamps_needed, {}};
  for (int64_t i = 0; i < outcome.rewards; ++i) {
    SY_ASSIGN_OR_RETURN(auto w, tx.Exec("INSERT INTO stamp_rewards (member_id, card_id, event_id, earned_at) "
                                        "VALUES (?, ?, ?, ?) RETURNING id",
                                        {member_id, card_id, event_id, now}));
    out.rewards.push_back(StampReward{w[0].Int(0), card_id, card.name, card.reward, now, sale_id, std::nullopt, "", std::nullopt});
  }
  nlohmann::json reward_ids = nlohmann::json::array();
  for (const auto& w : out.rewards) reward_ids.push_back(w.id);
  SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.stamps.add", Target(member_id),
                                 {{"card_id", card_id},
                                  {"stamps", count},
                                  {"stamps_after", outcome.stamps_after},
                                  {"reward_ids", reward_ids},
                                  {"sale_id", sale_id ? nlohmann::json(*sale_id) : nlohmann::json()},
                                  {"reason", reason}}));
  return out;
}

Result<std::vector<StampAward>> AwardStampsForSale(store::Tx& tx, const Context& ctx, const Actor& actor,
                                                   int64_t member_id, const std::vector<core::StampLine>& lines,
                                                   int64_t sale_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kCardColumns +
                                         " FROM stamp_cards c WHERE c.active = 1 ORDER BY c.id"));
  std::vector<StampAward> out;
  for (const auto& r : rows.rows) {
    StampCard card = CardFromRow(r);
    int64_t n = core::StampsEarned(card.genre, lines);
    if (n <= 0) continue;
    SY_ASSIGN_OR_RETURN(StampAward a, AddStamps(tx, ctx, actor, member_id, card.id, std::min(n, kMaxStampsAtOnce),
                                                sale_id, "sale " + std::to_string(sale_id)));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<StampTakeBack>> TakeBackStampsForReturn(store::Tx& tx, const Context& ctx, const Actor& actor,
                                                           int64_t member_id, int64_t sale_id, int64_t return_id,
                                                           const std::vector<core::StampLine>& remaining) {
  // Per card: the stamps the sale gave, less what earlier returns of it took back.
  SY_ASSIGN_OR_RETURN(auto given, tx.Exec(
      std::string("SELECT ") + kCardColumns + ", g.n - COALESCE((SELECT SUM(t.stamps) FROM stamp_takebacks t "
      "WHERE t.sale_id = ? AND t.card_id = c.id AND t.member_id = ?), 0) "
      "FROM (SELECT card_id, SUM(stamps) AS n FROM stamp_events WHERE sale_id = ? AND member_id = ? GROUP BY card_id) g "
      "JOIN stamp_cards c ON c.id = g.card_id ORDER BY c.id",
      {sale_id, member_id, sale_id, member_id}));
  std::vector<StampTakeBack> out;
  const int64_t now = ctx.now();
  for (const auto& r : given.rows) {
    StampCard card = CardFromRow(r);
    int64_t keep = std::min(core::StampsEarned(card.genre, remaining), kMaxStampsAtOnce);
    int64_t take = r.Int(8) - keep;
    if (take <= 0) continue;
    // Lock the member's progress on the card first (PostgreSQL), as AddStamps does.
    SY_ASSIGN_OR_RETURN(auto prog, tx.Exec("UPDATE stamp_progress SET updated_at = ? WHERE member_id = ? AND card_id = ? "
                                           "RETURNING stamps",
                                           {now, member_id, card.id}));
    int64_t stamps = prog.empty() ? 0 : prog[0].Int(0);
    std::vector<int64_t> cancel;
    if (stamps < take) {
      SY_ASSIGN_OR_RETURN(auto open, tx.Exec(
          "SELECT w.id FROM stamp_rewards w JOIN stamp_events e ON e.id = w.event_id WHERE w.member_id = ? AND "
          "w.card_id = ? AND w.redeemed_at IS NULL AND w.cancelled_at IS NULL "
          "ORDER BY CASE WHEN e.sale_id = ? THEN 0 ELSE 1 END, w.id DESC",
          {member_id, card.id, sale_id}));
      for (const auto& w : open.rows) {
        if (stamps >= take) break;
        cancel.push_back(w.Int(0));
        stamps += card.stamps_needed;
      }
    }
    StampTakeBack tb{card.id, card.name, take, int64_t(cancel.size()), 0, 0};
    int64_t removed = std::min(stamps, take);
    tb.shortfall = take - removed;
    tb.stamps_after = stamps - removed;
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO stamp_progress (member_id, card_id, stamps, updated_at) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (member_id, card_id) DO UPDATE SET stamps = excluded.stamps, "
                               "updated_at = excluded.updated_at",
                               {member_id, card.id, tb.stamps_after, now})
                           .status());
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO stamp_takebacks (member_id, card_id, at, sale_id, return_id, stamps, "
                                          "rewards_cancelled, shortfall, staff_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                          "RETURNING id",
                                          {member_id, card.id, now, sale_id, return_id, take, tb.rewards_cancelled,
                                           tb.shortfall, StaffIdOf(actor)}));
    for (int64_t id : cancel) {
      SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE stamp_rewards SET cancelled_at = ?, cancelled_by = ? WHERE id = ? "
                                            "AND redeemed_at IS NULL AND cancelled_at IS NULL",
                                            {now, ins[0].Int(0), id}));
      if (upd.affected == 0) return Conflict("stamp reward " + std::to_string(id) + " was redeemed meanwhile; try again");
    }
    SY_RETURN_IF_ERROR(RecordAudit(tx, ctx, actor, "member.stamps.take_back", Target(member_id),
                                   {{"card_id", card.id},
                                    {"sale_id", sale_id},
                                    {"return_id", return_id},
                                    {"stamps", take},
                                    {"rewards_cancelled", cancel},
                                    {"shortfall", tb.shortfall},
                                    {"stamps_after", tb.stamps_after}}));
    out.push_back(std::move(tb));
  }
  return out;
}

Result<StampAward> AddManualStamps(Context& ctx, const Actor& actor, int64_t member_id, int64_t card_id,
                                   int64_t count, const std::string& reason) {
  if (!IsTill(actor)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may give stamps");
  std::vector<FieldError> errs;
  if (count < 1 || count > kMaxStampsAtOnce) errs.push_back({"count", "must be between 1 and 1000"});
  if (reason.find_first_not_of(' ') == std::string::npos) errs.push_back({"reason", "is required"});
  else if (auto m = core::CheckText(reason, 200); !m.empty()) errs.push_back({"reason", m});
  if (!errs.empty()) return Invalid("the stamps have invalid fields", errs);
  StampAward out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, AddStamps(tx, ctx, actor, member_id, card_id, count, std::nullopt, reason));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<MemberStamps> GetMemberStamps(Context& ctx, int64_t member_id) {
  MemberStamps out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckMember(tx, member_id));
    SY_ASSIGN_OR_RETURN(auto cards, tx.Exec(std::string("SELECT ") + kCardColumns + ", COALESCE(p.stamps, 0) "
                                            "FROM stamp_cards c LEFT JOIN stamp_progress p ON p.card_id = c.id AND p.member_id = ? "
                                            "WHERE c.active = 1 OR p.stamps > 0 ORDER BY c.active DESC, c.name, c.id",
                                            {member_id}));
    for (const auto& r : cards.rows) out.cards.push_back(StampProgress{CardFromRow(r), r.Int(8)});
    SY_ASSIGN_OR_RETURN(auto open, tx.Exec(std::string(kRewardSelect) +
                                           "WHERE w.member_id = ? AND w.redeemed_at IS NULL AND w.cancelled_at IS NULL ORDER BY w.id",
                                           {member_id}));
    for (const auto& r : open.rows) out.rewards.push_back(RewardFromRow(r));
    SY_ASSIGN_OR_RETURN(auto used, tx.Exec(std::string(kRewardSelect) +
                                           "WHERE w.member_id = ? AND w.redeemed_at IS NOT NULL ORDER BY w.redeemed_at DESC, w.id DESC "
                                           "LIMIT 20", {member_id}));
    for (const auto& r : used.rows) out.redeemed.push_back(RewardFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<StampReward> RedeemStampReward(Context& ctx, const Actor& actor, int64_t member_id, int64_t reward_id,
                                      std::optional<int64_t> sale_id) {
  if (!IsTill(actor)) return Status(Code::kPermissionDenied, "only owners, managers and cashiers may redeem rewards");
  StampReward out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    const int64_t now = ctx.now();
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE stamp_rewards SET redeemed_at = ?, redeemed_by = ?, redeemed_sale_id = ? "
                                          "WHERE id = ? AND member_id = ? AND redeemed_at IS NULL AND cancelled_at IS NULL",
                                          {now, StaffIdOf(actor), sale_id ? store::Value(*sale_id) : store::Null(),
                                           reward_id, member_id}));
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string(kRewardSelect) + "WHERE w.id = ? AND w.member_id = ?",
                                           {reward_id, member_id}));
    if (rows.empty()) return NotFound("member " + std::to_string(member_id) + " has no stamp reward " + std::to_string(reward_id));
    out = RewardFromRow(rows[0]);
    if (upd.affected == 0 && out.redeemed_at == std::nullopt)
      return Conflict("stamp reward " + std::to_string(reward_id) + " was cancelled: the purchase that earned it was returned");
    if (upd.affected == 0)
      return Conflict("stamp reward " + std::to_string(reward_id) + " was already redeemed" +
                      (out.redeemed_by.empty() ? std::string() : " by " + out.redeemed_by));
    return RecordAudit(tx, ctx, actor, "member.stamps.redeem", Target(member_id),
                       {{"reward_id", reward_id}, {"card_id", out.card_id},
                        {"sale_id", sale_id ? nlohmann::json(*sale_id) : nlohmann::json()}});
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
