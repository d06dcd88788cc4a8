// The loyalty program configuration: the owner's one current program (earning rules, tiers,
// expiry, top-up bonuses), kept as numbered versions, and a preview of what a sample basket
// would earn under it (or under an unsaved draft). A program is always checked field by field
// (with paths such as "tiers[1].min_spend") and then by core::CheckProgram before it is stored
// or used; a stored version is never changed, a save adds the next version.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "core/points.h"
#include "core/pricing.h"
#include "core/stored_value.h"
#include "service/services.h"

namespace shuyou::service {

struct LoyaltyProgram {
  core::Program earning;  // base rate and currency, rounding, genres, tiers, events, bonuses
  int64_t points_expiry_months = 12;     // points lapse this many months after earning, 1–1200
  int64_t tier_downgrade_grace_days = 30;  // 0–36600
  int64_t birthday_bonus_points = 0;       // granted once a year on the birthday (jobs); optional in JSON
  std::vector<core::TopUpRule> top_up_bonuses;
  // Paying with points at the till: `points` points are worth `worth` minor units, and at most
  // max_pct % of a sale may be paid so. Optional in JSON ("points_payment"); default 100 points =
  // ¥1.00, at most 50 %.
  core::PointsRate points_payment{100, core::Money(100, core::kCNY), 50};
};

struct StoredProgram {
  LoyaltyProgram program;
  int64_t version = 0;  // 0: nothing saved yet, the default applies
  std::optional<int64_t> updated_at;
  std::string updated_by;  // "staff:<username>", "api_key:<name>", "system"; "" for the default
};

// 1 point per ¥1.00 rounded down; regular / silver (¥2,000 or 10 visits in 12 months: 5% off,
// ×1.2) / gold (¥5,000 or 25 visits: 10% off, ×1.5); no genre rules or events; birthday ×1;
// no sign-up or first-purchase bonus; expiry 12 months; 30 days' downgrade grace; no top-up bonus.
LoyaltyProgram DefaultLoyaltyProgram();

// The program's JSON (see docs/api.md, "Loyalty"), without version fields.
nlohmann::json ProgramToJson(const LoyaltyProgram& p);
// Strict: every field of the whole configuration, of its type; unknown fields refused. With
// `allow_meta`, the read-only "version", "updated_at" and "updated_by" of a GET answer are
// accepted too (and ignored here). Invalid lists every problem with its field path, prefixed
// under `path` ("program" for a draft inside a preview: "program.tiers[1].name").
Result<LoyaltyProgram> ProgramFromJson(const nlohmann::json& j, const std::string& path = "",
                                       bool allow_meta = false);

Result<StoredProgram> GetLoyaltyProgram(Context& ctx);
// The same inside the caller's transaction (a checkout or a job reads the program it applies).
Result<StoredProgram> GetLoyaltyProgram(store::Tx& tx);
// Owners only. Stores `p` as the next version, audited as "loyalty.program.update" with the
// version. `expected_version`, when given, must be the current version (Conflict otherwise), so
// that two owners editing at once do not overwrite each other unseen.
Result<StoredProgram> SaveLoyaltyProgram(Context& ctx, const Actor& actor, const LoyaltyProgram& p,
                                         std::optional<int64_t> expected_version);

struct PreviewResult {
  core::EarnResult earned;
  std::optional<int64_t> program_version;  // the stored version used; nullopt for a draft
};

// What a sample basket would earn, straight from core::EarnPoints. `body` is the request,
// parsed strictly here: {"lines":[{"genre","amount"}], "member":{"tier","birthday",
// "first_purchase"}, "date", "program"?}. Amounts are minor units of the program's currency, so
// they are read against the program used: the draft in "program" when given (checked as for a
// save, paths prefixed "program."), else the current one. Nothing is written.
Result<PreviewResult> PreviewPoints(Context& ctx, const nlohmann::json& body);

}  // namespace shuyou::service
