// Merging a duplicate member into a survivor (see member_merge.h).
#include "service/member_merge.h"

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "service/loyalty.h"
#include "service/member_tiers.h"
#include "service/report_feed.h"
#include "service/stamps.h"
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

constexpr size_t kMaxNotes = 2000;  // characters, as members' notes are checked on input

// `text` cut to at most `max` UTF-8 characters (a cut text ends with "…").
std::string CutToChars(const std::string& text, size_t max) {
  std::vector<size_t> starts;  // byte offset of each character
  for (size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= max) return text;
  return text.substr(0, starts[max - 1]) + "…";
}

// The rank of `tier` in the program's tier list; -1 for a name the program does not know.
int TierRank(const std::vector<core::Tier>& tiers, const std::string& tier) {
  for (size_t i = 0; i < tiers.size(); ++i)
    if (tiers[i].name == tier) return int(i);
  return -1;
}

struct Moved {
  int64_t rows = 0;
};

// Moves the duplicate's rows of `ledger` to the survivor and re-bases the survivor's
// balance_after from the first moved row on: balance_after = the running sum of the combined
// rows in id order, so that the newest row's balance_after is the combined balance.
Result<Moved> MoveLedger(store::Tx& tx, const char* ledger, const char* amount, int64_t survivor, int64_t duplicate) {
  std::string led = ledger, amt = amount;
  SY_ASSIGN_OR_RETURN(auto first, tx.Exec("SELECT MIN(id), COUNT(*) FROM " + led + " WHERE member_id = ?", {duplicate}));
  Moved out{first[0].Int(1)};
  if (out.rows == 0) return out;
  int64_t first_id = first[0].Int(0);
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE " + led + " SET member_id = ?, merged_from = COALESCE(merged_from, ?) WHERE member_id = ?",
                             {survivor, duplicate, duplicate})
                         .status());
  // One pass with a window function (not a correlated sum per row): long ledgers stay fast.
  SY_RETURN_IF_ERROR(tx.Exec("UPDATE " + led + " SET balance_after = r.running FROM (SELECT id, SUM(" + amt +
                                 ") OVER (ORDER BY id) AS running FROM " + led + " WHERE member_id = ?) AS r "
                                 "WHERE " + led + ".id = r.id AND " + led + ".id >= ?",
                             {survivor, first_id})
                         .status());
  return out;
}

// The duplicate's other member-keyed records go to the survivor: points lots and reversals,
// tier, consent and stamp history, sales, coupons issued to it and their uses, and its mail move
// as they are; per-day and per-genre purchase statistics,
// purchase totals, club memberships and stamp-card progress are combined with the survivor's
// rows for the same key. Afterwards nothing refers to the duplicate but its own members row.
Status MoveMemberRecords(store::Tx& tx, const Context& ctx, const Actor& actor, int64_t survivor, int64_t dup) {
  auto exec = [&](const std::string& sql, const std::vector<store::Value>& params) {
    return tx.Exec(sql, params).status();
  };
  for (const char* table : {"points_lots", "points_reversals", "tier_history", "member_consents", "stamp_events",
                            "stamp_rewards", "stamp_takebacks", "sales", "coupons", "coupon_redemptions", "outbox"})
    SY_RETURN_IF_ERROR(exec(std::string("UPDATE ") + table + " SET member_id = ? WHERE member_id = ?", {survivor, dup}));

  SY_RETURN_IF_ERROR(exec(
      "INSERT INTO member_daily (member_id, day, spend, visits) SELECT ?, day, spend, visits FROM member_daily "
      "WHERE member_id = ? ON CONFLICT (member_id, day) DO UPDATE SET spend = member_daily.spend + excluded.spend, "
      "visits = member_daily.visits + excluded.visits",
      {survivor, dup}));
  SY_RETURN_IF_ERROR(exec("DELETE FROM member_daily WHERE member_id = ?", {dup}));
  SY_RETURN_IF_ERROR(exec(
      "INSERT INTO member_genres (member_id, genre, spend, purchases, last_purchased_on) "
      "SELECT ?, genre, spend, purchases, last_purchased_on FROM member_genres WHERE member_id = ? "
      "ON CONFLICT (member_id, genre) DO UPDATE SET spend = member_genres.spend + excluded.spend, "
      "purchases = member_genres.purchases + excluded.purchases, " + std::string(kLaterGenreDay),
      {survivor, dup}));
  SY_RETURN_IF_ERROR(exec("DELETE FROM member_genres WHERE member_id = ?", {dup}));
  SY_ASSIGN_OR_RETURN(auto totals, tx.Exec("SELECT total_spend, visits, last_visit_at, tier_last_qualified_on "
                                           "FROM members WHERE id = ?",
                                           {dup}));
  const store::Row& t = totals[0];
  SY_RETURN_IF_ERROR(exec(
      "UPDATE members SET total_spend = total_spend + ?, visits = visits + ?, "
      "last_visit_at = CASE WHEN last_visit_at IS NULL OR last_visit_at < CAST(? AS BIGINT) THEN CAST(? AS BIGINT) "
      "ELSE last_visit_at END, "
      "tier_last_qualified_on = CASE WHEN tier_last_qualified_on IS NULL OR tier_last_qualified_on < CAST(? AS TEXT) "
      "THEN CAST(? AS TEXT) ELSE tier_last_qualified_on END WHERE id = ?",
      {t.Int(0), t.Int(1), t.cols[2], t.cols[2], t.cols[3], t.cols[3], survivor}));
  SY_RETURN_IF_ERROR(exec("UPDATE members SET total_spend = 0, visits = 0, last_visit_at = NULL WHERE id = ?", {dup}));

  // One birthday bonus per member and year: the survivor's record wins a year both have.
  SY_RETURN_IF_ERROR(exec("UPDATE birthday_bonuses SET member_id = ? WHERE member_id = ? AND year NOT IN "
                          "(SELECT year FROM birthday_bonuses WHERE member_id = ?)",
                          {survivor, dup, survivor}));
  SY_RETURN_IF_ERROR(exec("DELETE FROM birthday_bonuses WHERE member_id = ?", {dup}));

  // Clubs: a club both belong to keeps one membership spanning both runs, with both payments.
  SY_ASSIGN_OR_RETURN(auto clubs, tx.Exec("SELECT d.id, s.id, d.started_on, d.ends_on FROM club_memberships d "
                                          "LEFT JOIN club_memberships s ON s.club_id = d.club_id AND s.member_id = ? "
                                          "WHERE d.member_id = ?",
                                          {survivor, dup}));
  for (const auto& c : clubs.rows) {
    if (c.IsNull(1)) {
      SY_RETURN_IF_ERROR(exec("UPDATE club_memberships SET member_id = ? WHERE id = ?", {survivor, c.Int(0)}));
      continue;
    }
    SY_RETURN_IF_ERROR(exec(
        "UPDATE club_memberships SET started_on = CASE WHEN started_on > ? THEN ? ELSE started_on END, "
        "ends_on = CASE WHEN ends_on < ? THEN ? ELSE ends_on END, updated_at = ? WHERE id = ?",
        {c.Text(2), c.Text(2), c.Text(3), c.Text(3), ctx.now(), c.Int(1)}));
    SY_RETURN_IF_ERROR(exec("UPDATE club_payments SET membership_id = ? WHERE membership_id = ?", {c.Int(1), c.Int(0)}));
    SY_RETURN_IF_ERROR(exec("DELETE FROM club_memberships WHERE id = ?", {c.Int(0)}));
  }

  // Stamp cards: the duplicate's stamps toward its current cards are added to the survivor's, so
  // a card they fill together completes (with its reward) as if stamped at the till.
  SY_ASSIGN_OR_RETURN(auto stamps, tx.Exec("SELECT p.card_id, p.stamps, c.active FROM stamp_progress p JOIN stamp_cards c "
                                           "ON c.id = p.card_id WHERE p.member_id = ? AND p.stamps > 0 ORDER BY p.card_id",
                                           {dup}));
  SY_RETURN_IF_ERROR(exec("DELETE FROM stamp_progress WHERE member_id = ?", {dup}));
  for (const auto& p : stamps.rows) {
    if (p.Int(2) != 0) {
      SY_RETURN_IF_ERROR(AddStamps(tx, ctx, actor, survivor, p.Int(0), p.Int(1), std::nullopt,
                                   "carried over from merged member " + std::to_string(dup))
                             .status());
    } else {  // an inactive card completes nothing; its progress is only kept
      SY_RETURN_IF_ERROR(exec(
          "INSERT INTO stamp_progress (member_id, card_id, stamps, updated_at) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (member_id, card_id) DO UPDATE SET stamps = stamp_progress.stamps + excluded.stamps",
          {survivor, p.Int(0), p.Int(1), ctx.now()}));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<MergeOutcome> MergeMembers(Context& ctx, const Actor& actor, int64_t survivor_id, int64_t duplicate_id,
                                  const std::string& reason) {
  if (actor.role != core::Role::kOwner && actor.role != core::Role::kManager)
    return Status(Code::kPermissionDenied, "only owners and managers may merge members");
  std::vector<FieldError> errs;
  if (duplicate_id == survivor_id) errs.push_back({"duplicate_id", "must be another member than the one kept"});
  else if (duplicate_id <= 0) errs.push_back({"duplicate_id", "must be a member id"});
  if (reason.find_first_not_of(' ') == std::string::npos) errs.push_back({"reason", "is required"});
  else if (auto m = core::CheckText(reason, 200); !m.empty()) errs.push_back({"reason", m});
  if (!errs.empty()) return Invalid("the merge has invalid fields", errs);
  // The tier ranking comes from the program in force; read before the write transaction.
  SY_ASSIGN_OR_RETURN(StoredProgram program, GetLoyaltyProgram(ctx));
  const auto& tiers = program.program.earning.tiers;

  MergeOutcome out;
  out.duplicate_id = duplicate_id;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    // Lock both rows in id order (PostgreSQL row locks; SQLite has one writer), so that two
    // merges of the same pair in opposite directions wait for each other instead of deadlocking,
    // and a second merge of the same duplicate sees it merged once the first commits.
    for (int64_t id : {std::min(survivor_id, duplicate_id), std::max(survivor_id, duplicate_id)}) {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("UPDATE members SET updated_at = ? WHERE id = ? RETURNING merged_into", {now, id}));
      if (rows.empty()) return NotFound("no member with id " + std::to_string(id));
      if (auto into = rows[0].OptInt(0))
        return Status(Code::kConflict,
                      "member " + std::to_string(id) + " was already merged into member " + std::to_string(*into),
                      {{id == duplicate_id ? "duplicate_id" : "id", "is already merged into member " + std::to_string(*into)}});
    }
    SY_ASSIGN_OR_RETURN(Member keep, LoadMember(tx, survivor_id));
    SY_ASSIGN_OR_RETURN(Member dup, LoadMember(tx, duplicate_id));

    // The report aggregates per member: both members' rows out now, the survivor's rederived below.
    SY_RETURN_IF_ERROR(WithdrawMemberReports(tx, ctx, {survivor_id, duplicate_id}));
    SY_RETURN_IF_ERROR(WithdrawMemberGroups(tx, {survivor_id, duplicate_id}));
    SY_ASSIGN_OR_RETURN(Moved points, MoveLedger(tx, "points_ledger", "points", survivor_id, duplicate_id));
    SY_ASSIGN_OR_RETURN(Moved stored, MoveLedger(tx, "stored_value_ledger", "amount", survivor_id, duplicate_id));
    SY_RETURN_IF_ERROR(MoveMemberRecords(tx, ctx, actor, survivor_id, duplicate_id));
    out.points_moved = dup.points_balance;
    out.stored_value_moved = dup.stored_value_balance;
    out.points_entries_moved = points.rows;
    out.stored_value_entries_moved = stored.rows;

    // The duplicate: marked merged, balances emptied (its rows moved), phone freed for reuse.
    // Members merged into it earlier now point at the survivor, so one hop always suffices.
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE members SET merged_into = ?, merged_at = ?, phone = ?, phone_last4 = '', "
                               "points_balance = 0, stored_value_balance = 0, updated_at = ? WHERE id = ?",
                               {survivor_id, now, "merged:" + std::to_string(duplicate_id), now, duplicate_id})
                           .status());
    SY_RETURN_IF_ERROR(
        tx.Exec("UPDATE members SET merged_into = ? WHERE merged_into = ?", {survivor_id, duplicate_id}).status());

    // The survivor: balances added, profile gaps filled, the newer consent, notes appended.
    std::string sets = "points_balance = points_balance + ?, stored_value_balance = stored_value_balance + ?, updated_at = ?";
    std::vector<store::Value> params = {dup.points_balance, dup.stored_value_balance, now};
    auto set = [&](const char* col, store::Value v) {
      sets += std::string(", ") + col + " = ?";
      params.push_back(std::move(v));
    };
    auto fill = [&](const char* col, store::Value v) {
      set(col, std::move(v));
      out.fields_filled.push_back(col);
    };
    if (keep.name.empty() && !dup.name.empty()) fill("name", dup.name);
    if (!keep.email && dup.email) fill("email", *dup.email);
    if (!keep.birthday && dup.birthday) fill("birthday", *dup.birthday);
    if (!keep.gender && dup.gender) fill("gender", *dup.gender);
    if (!keep.home_store_id && dup.home_store_id) fill("home_store_id", *dup.home_store_id);
    if (TierRank(tiers, dup.tier) > TierRank(tiers, keep.tier)) fill("tier", dup.tier);
    if (dup.consent_updated_at && (!keep.consent_updated_at || *dup.consent_updated_at > *keep.consent_updated_at)) {
      set("consent_email", int64_t(dup.consent_email));
      set("consent_sms", int64_t(dup.consent_sms));
      set("consent_updated_at", *dup.consent_updated_at);
      set("consent_source", dup.consent_source);
      out.fields_filled.push_back("consent");
    }
    std::string notes = keep.notes;
    if (!notes.empty()) notes += "\n";
    notes += "Merged from member " + std::to_string(dup.id) + " (card " + dup.card_number + ", phone " + dup.phone +
             ") on " + core::FormatIsoUtc(now).substr(0, 10) + ": " + reason;
    if (!dup.notes.empty()) notes += "\n" + dup.notes;
    set("notes", CutToChars(notes, kMaxNotes));
    params.push_back(survivor_id);
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE members SET " + sets + " WHERE id = ?", params).status());
    // The survivor joined when the first of the two did; its cohort rows follow from that.
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE members SET joined_on = (SELECT MIN(joined_on) FROM members WHERE id IN (?, ?)) "
                               "WHERE id = ?",
                               {survivor_id, duplicate_id, survivor_id})
                           .status());
    SY_RETURN_IF_ERROR(DeriveMemberReports(tx, ctx, survivor_id));
    SY_RETURN_IF_ERROR(AddMemberGroups(tx, {survivor_id}));

    SY_ASSIGN_OR_RETURN(out.survivor, LoadMember(tx, survivor_id));
    // Ids, amounts and field names only: no personal data in the audit log.
    return RecordAudit(tx, ctx, actor, "member.merge", "member:" + std::to_string(survivor_id),
                       {{"survivor_id", survivor_id},
                        {"duplicate_id", duplicate_id},
                        {"duplicate_card_number", dup.card_number},
                        {"reason", reason},
                        {"points_moved", out.points_moved},
                        {"stored_value_moved", out.stored_value_moved},
                        {"points_entries_moved", out.points_entries_moved},
                        {"stored_value_entries_moved", out.stored_value_entries_moved},
                        {"fields_filled", out.fields_filled}});
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
