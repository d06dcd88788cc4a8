// Demo member populations (`shuyou demo --members N --seed S`): realistic members — Chinese and
// some Latin names, unique mainland mobile numbers, birthdays, gender and consent mixes, join
// dates over the last 24 months — written quickly in batched transactions.
// Guarantees:
//  - Deterministic: member i (0-based) of a seed gets the same name, phone, email, birthday,
//    gender and consents on every run, engine and standard library (std::mt19937_64 seeded with
//    the seed, hand-written distributions). Times are relative to ctx.now() (created_at spread
//    over the 730 days before it, rising with i); card numbers follow the row ids.
//  - Phones are unique within a seed (a keyed permutation of i over the +86 1[3-9]xxxxxxxxx
//    space); a member whose phone is already registered is skipped, so a second run with the
//    same seed and count inserts nothing.
//  - Each batch of up to 1,000 members is one transaction with one audit row
//    ("member.demo_generate", actor "system"); a failure leaves earlier batches committed.
#pragma once

#include <cstdint>
#include <optional>

#include "service/services.h"

namespace shuyou::service {

// Inserts up to `count` (0–10,000,000) demo members with home store `store_id` (which must
// exist) and answers how many were inserted. Invalid for a bad count or unknown store.
Result<int64_t> GenerateDemoMembers(Context& ctx, int64_t count, uint64_t seed, std::optional<int64_t> store_id);

}  // namespace shuyou::service
