// Stock per store: deliveries received, adjustments with a reason, transfers between stores,
// counts, and the sales and returns the checkout records through TakeStockForSale/ReturnStock.
// Invariant: stock_levels.on_hand equals the sum of the (store, product)'s stock_movements and
// every movement's on_hand_after is the level right after it. on_hand never goes below zero
// unless the store allows negative stock: each decrement is one conditional UPDATE, so of two
// tills selling the last copy at once exactly one succeeds (row lock on PostgreSQL, the single
// writer on SQLite). Every use case is one transaction with its audit row.
#pragma once

#include <map>

#include "service/services.h"

namespace shuyou::service {

struct StockMovement {
  int64_t id = 0;
  int64_t store_id = 0;
  int64_t product_id = 0;
  std::string product_title;  // filled by list reads
  int64_t at = 0;
  std::string kind;  // receive, adjust, transfer_out, transfer_in, count, sale, return
  int64_t quantity = 0;
  int64_t on_hand_after = 0;
  std::string reason;
  std::optional<int64_t> staff_id;
  std::string staff_username;  // filled by list reads
  std::optional<int64_t> sale_id, transfer_id, receipt_id;
};

// For the checkout, inside its own transaction: takes each product's quantity (id → 1 to
// 1,000,000) from a store's stock as 'sale' movements of sale `sale_id`, written in one statement.
// Conflict when the store does not allow negative stock and fewer are on hand; NotFound for an
// unknown store/product. On an error the caller's transaction must not commit.
Status TakeStockForSale(store::Tx& tx, int64_t at, int64_t store_id, const std::map<int64_t, int64_t>& per_product,
                        int64_t sale_id, std::string_view reason, std::optional<int64_t> staff_id);
// Puts `qty` (> 0) back as a 'return' movement (or other incrementing kind).
Result<StockMovement> ReturnStock(store::Tx& tx, int64_t at, int64_t store_id, int64_t product_id, int64_t qty,
                                  std::string_view kind, std::optional<int64_t> sale_id, std::string_view reason,
                                  std::optional<int64_t> staff_id = std::nullopt);

// A product named by id or by a scanned code (barcode or ISBN in any form).
struct ProductRef {
  std::optional<int64_t> product_id;
  std::string code;
};

struct StockLine {
  ProductRef product;
  int64_t quantity = 0;  // receive/transfer: > 0; count: the counted quantity (>= 0)
};

struct Receipt {
  int64_t id = 0;
  int64_t store_id = 0;
  std::string supplier_reference, note;
  int64_t at = 0;
  std::vector<StockMovement> movements;
};

struct Transfer {
  int64_t id = 0;
  int64_t from_store_id = 0, to_store_id = 0;
  std::string note;
  int64_t at = 0;
  std::vector<StockMovement> movements;  // transfer_out then transfer_in per line
};

// Owners, and managers for their home store (a transfer: from their home store).
Result<Receipt> ReceiveStock(Context& ctx, const Actor& actor, int64_t store_id, const std::string& supplier_reference,
                             const std::string& note, const std::vector<StockLine>& lines);
// `quantity` is the signed change (not zero); the reason is required.
Result<StockMovement> AdjustStock(Context& ctx, const Actor& actor, int64_t store_id, const ProductRef& product,
                                  int64_t quantity, const std::string& reason);
// Refused as a whole when the source store is short of any line, whatever its negative-stock
// setting: a transfer moves copies that exist.
Result<Transfer> TransferStock(Context& ctx, const Actor& actor, int64_t from_store_id, int64_t to_store_id,
                               const std::string& note, const std::vector<StockLine>& lines);
// Each line's counted quantity becomes a 'count' movement of the difference from on_hand.
Result<std::vector<StockMovement>> CountStock(Context& ctx, const Actor& actor, int64_t store_id, const std::string& reason,
                                              const std::vector<StockLine>& lines);

struct StockLevel {
  int64_t store_id = 0;
  int64_t product_id = 0;
  std::string barcode, title;
  int64_t list_price = 0;
  int64_t on_hand = 0;
  int64_t reorder_point = 0;
  int64_t updated_at = 0;
};

Result<StockLevel> SetReorderPoint(Context& ctx, const Actor& actor, int64_t store_id, const ProductRef& product,
                                   int64_t reorder_point);
// The products ever stocked in a store; `low` keeps those with on_hand <= reorder_point.
// Sorts: title (default), on_hand, product_id.
Result<Page<StockLevel>> ListStock(Context& ctx, const PageQuery& page, int64_t store_id, bool low, const std::string& q);
// Newest first; either filter may be absent.
Result<Page<StockMovement>> ListMovements(Context& ctx, const PageQuery& page, std::optional<int64_t> store_id,
                                          std::optional<int64_t> product_id);

// Whether a store lets on_hand go below zero (sales of books not yet received). Owners only.
Status SetAllowNegativeStock(Context& ctx, const Actor& actor, int64_t store_id, bool allow);
Result<bool> AllowsNegativeStock(Context& ctx, int64_t store_id);

}  // namespace shuyou::service
