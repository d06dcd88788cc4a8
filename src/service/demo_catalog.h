// The demo catalog (`shuyou demo --products N --seed S`): a category tree of twelve genres and N
// books with valid ISBN-13s (check digits computed), titles, authors and publishers in Chinese
// (English titles for computing books), prices, costs and a 9% tax rate, and opening stock in
// the demo store (most titles a few copies, some at or below their reorder point).
// Guarantees:
//  - Deterministic: book i of a seed gets the same ISBN, title, author, price and stock on every
//    run and engine (std::mt19937_64 and hand-written distributions). ISBNs are unique within a
//    seed (978-7 + a seeded offset + i); a book whose code already exists is skipped, so running
//    it again inserts nothing and categories are created only when missing.
//  - Stock keeps the stock invariant: each opening level has its 'receive' movement under one
//    receipt per batch ("DEMO-OPENING").
//  - Batches of up to 1,000 books are one transaction each with one audit row.
#pragma once

#include <cstdint>

#include "service/services.h"

namespace shuyou::service {

// Adds up to `count` (0–1,000,000) demo books, stocked in `store_id` (which must exist); answers
// how many were inserted.
Result<int64_t> GenerateDemoCatalog(Context& ctx, int64_t count, uint64_t seed, int64_t store_id);

// The ISBN-13 whose first 12 digits are `twelve` (its check digit appended).
std::string CompleteIsbn13(const std::string& twelve);

}  // namespace shuyou::service
