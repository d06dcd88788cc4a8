// Stock levels and movements (see stock.h).
#include "service/stock.h"

#include <nlohmann/json.hpp>

#include "core/isbn.h"
#include "service/paging.h"

namespace shuyou::service {
namespace {

constexpr int64_t kMaxQuantity = 1'000'000;
constexpr size_t kMaxLines = 500;

store::Value OptValue(const std::optional<int64_t>& v) { return v ? store::Value(*v) : store::Null(); }
std::optional<int64_t> StaffIdOf(const Actor& a) { return a.kind == "staff" ? std::optional<int64_t>(a.id) : std::nullopt; }

struct Move {
  int64_t at = 0;
  int64_t store_id = 0;
  int64_t product_id = 0;
  int64_t quantity = 0;  // signed
  std::string kind;
  std::string reason;
  std::optional<int64_t> staff_id, sale_id, transfer_id, receipt_id;
};

Result<StockMovement> InsertMovement(store::Tx& tx, const Move& m, int64_t on_hand_after) {
  SY_ASSIGN_OR_RETURN(auto ins, tx.Exec(
      "INSERT INTO stock_movements (store_id, product_id, at, kind, quantity, on_hand_after, reason, staff_id, sale_id, "
      "transfer_id, receipt_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {m.store_id, m.product_id, m.at, m.kind, m.quantity, on_hand_after, m.reason, OptValue(m.staff_id),
       OptValue(m.sale_id), OptValue(m.transfer_id), OptValue(m.receipt_id)}));
  StockMovement out;
  out.id = ins[0].Int(0);
  out.store_id = m.store_id;
  out.product_id = m.product_id;
  out.at = m.at;
  out.kind = m.kind;
  out.quantity = m.quantity;
  out.on_hand_after = on_hand_after;
  out.reason = m.reason;
  out.staff_id = m.staff_id;
  out.sale_id = m.sale_id;
  out.transfer_id = m.transfer_id;
  out.receipt_id = m.receipt_id;
  return out;
}

Status CheckProductExists(store::Tx& tx, int64_t product_id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM products WHERE id = ?", {product_id}));
  if (rows.empty()) return NotFound("no product with id " + std::to_string(product_id));
  return Status::Ok();
}

// Adds m.quantity (> 0) to the level, creating it when the product was never stocked here.
Result<StockMovement> Increase(store::Tx& tx, const Move& m) {
  SY_RETURN_IF_ERROR(CheckProductExists(tx, m.product_id));
  SY_ASSIGN_OR_RETURN(auto up, tx.Exec(
      "INSERT INTO stock_levels (store_id, product_id, on_hand, reorder_point, updated_at) VALUES (?, ?, ?, 0, ?) "
      "ON CONFLICT (store_id, product_id) DO UPDATE SET on_hand = stock_levels.on_hand + excluded.on_hand, "
      "updated_at = excluded.updated_at RETURNING on_hand",
      {m.store_id, m.product_id, m.quantity, m.at}));
  return InsertMovement(tx, m, up[0].Int(0));
}

// Takes -m.quantity (m.quantity < 0) in one conditional UPDATE: it passes only while enough is
// on hand, or when the store allows negative stock and `strict` is false. Answers the level
// after; the caller writes the movement.
Result<int64_t> DecreaseLevel(store::Tx& tx, const Move& m, bool strict) {
  int64_t take = -m.quantity;
  SY_ASSIGN_OR_RETURN(auto upd, tx.Exec(
      "UPDATE stock_levels SET on_hand = on_hand - ?, updated_at = ? WHERE store_id = ? AND product_id = ? "
      "AND (on_hand >= ? OR (? = 0 AND (SELECT allow_negative_stock FROM stores WHERE id = ?) = 1)) RETURNING on_hand",
      {take, m.at, m.store_id, m.product_id, take, int64_t(strict), m.store_id}));
  if (!upd.empty()) return upd[0].Int(0);

  SY_ASSIGN_OR_RETURN(auto level, tx.Exec("SELECT on_hand FROM stock_levels WHERE store_id = ? AND product_id = ?",
                                          {m.store_id, m.product_id}));
  int64_t on_hand = level.empty() ? 0 : level[0].Int(0);
  SY_ASSIGN_OR_RETURN(auto store, tx.Exec("SELECT allow_negative_stock FROM stores WHERE id = ?", {m.store_id}));
  if (store.empty()) return NotFound("no store with id " + std::to_string(m.store_id));
  SY_RETURN_IF_ERROR(CheckProductExists(tx, m.product_id));
  if (level.empty() && !strict && store[0].Int(0) == 1) {
    // Never stocked here, and the store sells what it has not received yet.
    SY_ASSIGN_OR_RETURN(auto up, tx.Exec(
        "INSERT INTO stock_levels (store_id, product_id, on_hand, reorder_point, updated_at) VALUES (?, ?, ?, 0, ?) "
        "ON CONFLICT (store_id, product_id) DO UPDATE SET on_hand = stock_levels.on_hand + excluded.on_hand, "
        "updated_at = excluded.updated_at RETURNING on_hand",
        {m.store_id, m.product_id, m.quantity, m.at}));
    return up[0].Int(0);
  }
  return Status(Code::kConflict,
                "not enough stock of product " + std::to_string(m.product_id) + " in store " + std::to_string(m.store_id) +
                    ": " + std::to_string(on_hand) + " on hand, " + std::to_string(take) + " wanted",
                {{"quantity", "only " + std::to_string(on_hand) + " on hand"}});
}

Result<StockMovement> Decrease(store::Tx& tx, const Move& m, bool strict) {
  SY_ASSIGN_OR_RETURN(int64_t after, DecreaseLevel(tx, m, strict));
  return InsertMovement(tx, m, after);
}

// Owners may change any store's stock; managers their home store's.
Status CheckStoreAccess(const Actor& a, int64_t store_id) {
  if (a.role == core::Role::kOwner) return Status::Ok();
  if (a.role == core::Role::kManager && a.home_store_id == store_id) return Status::Ok();
  if (a.role == core::Role::kManager)
    return Status(Code::kPermissionDenied, "a manager may change only their own store's stock");
  return Status(Code::kPermissionDenied, "only owners and managers may change stock");
}

Status CheckStore(store::Tx& tx, int64_t store_id, const char* field) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {store_id}));
  if (rows.empty()) return Invalid("no store with id " + std::to_string(store_id), {{field, "no such store"}});
  return Status::Ok();
}

// The product id a reference names, or a field error under `field` (e.g. "lines[2]").
Result<int64_t> Resolve(store::Tx& tx, const ProductRef& ref, const std::string& field) {
  std::string prefix = field.empty() ? "" : field + ".";
  if (ref.product_id) {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM products WHERE id = ?", {*ref.product_id}));
    if (rows.empty())
      return Invalid("no product with id " + std::to_string(*ref.product_id), {{prefix + "product_id", "no such product"}});
    return *ref.product_id;
  }
  auto code = core::NormalizeBarcode(ref.code);
  if (!code.ok()) return Invalid("'" + ref.code + "' is not a valid code", {{prefix + "barcode", code.status().message()}});
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id FROM products WHERE barcode = ?", {code.value()}));
  if (rows.empty()) return Invalid("no product has the code " + code.value(), {{prefix + "barcode", "no product has this code"}});
  return rows[0].Int(0);
}

std::vector<FieldError> CheckLines(const std::vector<StockLine>& lines, bool counting) {
  std::vector<FieldError> errs;
  if (lines.empty()) errs.push_back({"lines", "at least one line is required"});
  if (lines.size() > kMaxLines) errs.push_back({"lines", "at most 500 lines"});
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string f = "lines[" + std::to_string(i) + "]";
    const auto& l = lines[i];
    if (!l.product.product_id && l.product.code.empty()) errs.push_back({f, "needs product_id or barcode"});
    if (counting) {
      if (l.quantity < 0 || l.quantity > kMaxQuantity) errs.push_back({f + ".counted", "must be from 0 to 1000000"});
    } else if (l.quantity < 1 || l.quantity > kMaxQuantity) {
      errs.push_back({f + ".quantity", "must be from 1 to 1000000"});
    }
  }
  return errs;
}

void CheckReason(const std::string& reason, bool required, const char* field, std::vector<FieldError>& errs) {
  if (required && reason.find_first_not_of(' ') == std::string::npos) errs.push_back({field, "is required"});
  else if (auto m = core::CheckText(reason, 200); !m.empty()) errs.push_back({field, m});
}

nlohmann::json AuditLines(const std::vector<StockMovement>& ms) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& m : ms) out.push_back({{"product_id", m.product_id}, {"quantity", m.quantity}, {"on_hand_after", m.on_hand_after}});
  return out;
}

constexpr const char* kMovementColumns =
    "m.id, m.store_id, m.product_id, p.title, m.at, m.kind, m.quantity, m.on_hand_after, m.reason, m.staff_id, "
    "s.username, m.sale_id, m.transfer_id, m.receipt_id";

StockMovement MovementFromRow(const store::Row& r) {
  StockMovement m;
  m.id = r.Int(0);
  m.store_id = r.Int(1);
  m.product_id = r.Int(2);
  m.product_title = r.Text(3);
  m.at = r.Int(4);
  m.kind = r.Text(5);
  m.quantity = r.Int(6);
  m.on_hand_after = r.Int(7);
  m.reason = r.Text(8);
  m.staff_id = r.OptInt(9);
  m.staff_username = r.Text(10);
  m.sale_id = r.OptInt(11);
  m.transfer_id = r.OptInt(12);
  m.receipt_id = r.OptInt(13);
  return m;
}

constexpr const char* kLevelColumns =
    "l.store_id, l.product_id, p.barcode, p.title, p.list_price, l.on_hand, l.reorder_point, l.updated_at";
constexpr size_t kLevelColumnCount = 8;

StockLevel LevelFromRow(const store::Row& r) {
  return StockLevel{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), r.Int(6), r.Int(7)};
}

}  // namespace

Status TakeStockForSale(store::Tx& tx, int64_t at, int64_t store_id, const std::map<int64_t, int64_t>& per_product,
                        int64_t sale_id, std::string_view reason, std::optional<int64_t> staff_id) {
  // The levels one by one (each UPDATE is conditional), then every movement in one INSERT: one
  // statement instead of one per product, while the sale holds the writer.
  std::string sql = "INSERT INTO stock_movements (store_id, product_id, at, kind, quantity, on_hand_after, reason, "
                    "staff_id, sale_id) VALUES ";
  std::vector<store::Value> params;
  for (const auto& [product_id, qty] : per_product) {
    if (qty < 1 || qty > kMaxQuantity) return Invalid("quantity must be from 1 to 1000000", {{"quantity", "must be from 1 to 1000000"}});
    Move m{at, store_id, product_id, -qty, "sale", std::string(reason), staff_id, sale_id, std::nullopt, std::nullopt};
    SY_ASSIGN_OR_RETURN(int64_t after, DecreaseLevel(tx, m, false));
    sql += params.empty() ? "(?, ?, ?, 'sale', ?, ?, ?, ?, ?)" : ", (?, ?, ?, 'sale', ?, ?, ?, ?, ?)";
    for (store::Value v : {store::Value(store_id), store::Value(product_id), store::Value(at), store::Value(-qty),
                           store::Value(after), store::Value(std::string(reason)), OptValue(staff_id), store::Value(sale_id)})
      params.push_back(std::move(v));
  }
  if (params.empty()) return Status::Ok();
  return tx.Exec(sql, params).status();
}

Result<StockMovement> ReturnStock(store::Tx& tx, int64_t at, int64_t store_id, int64_t product_id, int64_t qty,
                                  std::string_view kind, std::optional<int64_t> sale_id, std::string_view reason,
                                  std::optional<int64_t> staff_id) {
  if (qty < 1 || qty > kMaxQuantity) return Invalid("quantity must be from 1 to 1000000", {{"quantity", "must be from 1 to 1000000"}});
  if (kind != "return" && kind != "adjust" && kind != "receive")
    return Internal("ReturnStock: '" + std::string(kind) + "' is not an incrementing movement kind");
  SY_RETURN_IF_ERROR(CheckStore(tx, store_id, "store_id"));
  return Increase(tx, Move{at, store_id, product_id, qty, std::string(kind), std::string(reason), staff_id, sale_id,
                           std::nullopt, std::nullopt});
}

Result<Receipt> ReceiveStock(Context& ctx, const Actor& actor, int64_t store_id, const std::string& supplier_reference,
                             const std::string& note, const std::vector<StockLine>& lines) {
  SY_RETURN_IF_ERROR(CheckStoreAccess(actor, store_id));
  auto errs = CheckLines(lines, false);
  if (auto m = core::CheckText(supplier_reference, 100); !m.empty()) errs.push_back({"supplier_reference", m});
  CheckReason(note, false, "note", errs);
  if (!errs.empty()) return Invalid("the delivery has invalid fields", errs);
  Receipt out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    SY_RETURN_IF_ERROR(CheckStore(tx, store_id, "store_id"));
    std::vector<int64_t> ids;
    for (size_t i = 0; i < lines.size(); ++i) {
      SY_ASSIGN_OR_RETURN(int64_t id, Resolve(tx, lines[i].product, "lines[" + std::to_string(i) + "]"));
      ids.push_back(id);
    }
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO stock_receipts (store_id, supplier_reference, note, at, staff_id) "
                                          "VALUES (?, ?, ?, ?, ?) RETURNING id",
                                          {store_id, supplier_reference, note, now, OptValue(StaffIdOf(actor))}));
    out = Receipt{ins[0].Int(0), store_id, supplier_reference, note, now, {}};
    const std::string& reason = supplier_reference;  // the kind says "receive"; the reason names the delivery
    for (size_t i = 0; i < lines.size(); ++i) {
      SY_ASSIGN_OR_RETURN(auto mv, Increase(tx, Move{now, store_id, ids[i], lines[i].quantity, "receive", reason,
                                                     StaffIdOf(actor), std::nullopt, std::nullopt, out.id}));
      out.movements.push_back(std::move(mv));
    }
    return RecordAudit(tx, ctx, actor, "stock.receive", "store:" + std::to_string(store_id),
                       {{"receipt_id", out.id}, {"supplier_reference", supplier_reference}, {"lines", AuditLines(out.movements)}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<StockMovement> AdjustStock(Context& ctx, const Actor& actor, int64_t store_id, const ProductRef& product,
                                  int64_t quantity, const std::string& reason) {
  SY_RETURN_IF_ERROR(CheckStoreAccess(actor, store_id));
  std::vector<FieldError> errs;
  if (!product.product_id && product.code.empty()) errs.push_back({"product_id", "product_id or barcode is required"});
  if (quantity == 0) errs.push_back({"quantity", "must not be zero"});
  else if (quantity > kMaxQuantity || quantity < -kMaxQuantity) errs.push_back({"quantity", "must be between -1000000 and 1000000"});
  CheckReason(reason, true, "reason", errs);
  if (!errs.empty()) return Invalid("the adjustment has invalid fields", errs);
  StockMovement out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    SY_RETURN_IF_ERROR(CheckStore(tx, store_id, "store_id"));
    SY_ASSIGN_OR_RETURN(int64_t product_id, Resolve(tx, product, ""));
    Move m{now, store_id, product_id, quantity, "adjust", reason, StaffIdOf(actor), std::nullopt, std::nullopt, std::nullopt};
    if (quantity > 0) {
      SY_ASSIGN_OR_RETURN(out, Increase(tx, m));
    } else {
      SY_ASSIGN_OR_RETURN(out, Decrease(tx, m, false));
    }
    return RecordAudit(tx, ctx, actor, "stock.adjust", "store:" + std::to_string(store_id),
                       {{"product_id", product_id}, {"quantity", quantity}, {"on_hand_after", out.on_hand_after},
                        {"reason", reason}, {"movement_id", out.id}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<Transfer> TransferStock(Context& ctx, const Actor& actor, int64_t from_store_id, int64_t to_store_id,
                               const std::string& note, const std::vector<StockLine>& lines) {
  SY_RETURN_IF_ERROR(CheckStoreAccess(actor, from_store_id));
  auto errs = CheckLines(lines, false);
  if (from_store_id == to_store_id) errs.push_back({"to_store_id", "must differ from from_store_id"});
  CheckReason(note, false, "note", errs);
  if (!errs.empty()) return Invalid("the transfer has invalid fields", errs);
  Transfer out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    SY_RETURN_IF_ERROR(CheckStore(tx, from_store_id, "from_store_id"));
    SY_RETURN_IF_ERROR(CheckStore(tx, to_store_id, "to_store_id"));
    std::vector<int64_t> ids;
    for (size_t i = 0; i < lines.size(); ++i) {
      SY_ASSIGN_OR_RETURN(int64_t id, Resolve(tx, lines[i].product, "lines[" + std::to_string(i) + "]"));
      ids.push_back(id);
    }
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO stock_transfers (from_store_id, to_store_id, note, at, staff_id) "
                                          "VALUES (?, ?, ?, ?, ?) RETURNING id",
                                          {from_store_id, to_store_id, note, now, OptValue(StaffIdOf(actor))}));
    out = Transfer{ins[0].Int(0), from_store_id, to_store_id, note, now, {}};
    for (size_t i = 0; i < lines.size(); ++i) {
      Move m{now, from_store_id, ids[i], -lines[i].quantity, "transfer_out", note,
             StaffIdOf(actor), std::nullopt, out.id, std::nullopt};
      auto taken = Decrease(tx, m, true);
      if (!taken.ok()) {
        if (taken.status().code() != Code::kConflict) return taken.status();
        // Name the line that is short; nothing of the transfer is written (the caller rolls back).
        return Status(Code::kConflict, "the transfer is refused: " + taken.status().message(),
                      {{"lines[" + std::to_string(i) + "].quantity", taken.status().details().at(0).message}});
      }
      out.movements.push_back(std::move(taken.value()));
      m = Move{now, to_store_id, ids[i], lines[i].quantity, "transfer_in", note,
               StaffIdOf(actor), std::nullopt, out.id, std::nullopt};
      SY_ASSIGN_OR_RETURN(auto in, Increase(tx, m));
      out.movements.push_back(std::move(in));
    }
    return RecordAudit(tx, ctx, actor, "stock.transfer", "store:" + std::to_string(from_store_id),
                       {{"transfer_id", out.id}, {"to_store_id", to_store_id}, {"lines", AuditLines(out.movements)}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<StockMovement>> CountStock(Context& ctx, const Actor& actor, int64_t store_id, const std::string& reason,
                                              const std::vector<StockLine>& lines) {
  SY_RETURN_IF_ERROR(CheckStoreAccess(actor, store_id));
  auto errs = CheckLines(lines, true);
  CheckReason(reason, false, "reason", errs);
  if (!errs.empty()) return Invalid("the count has invalid fields", errs);
  std::vector<StockMovement> out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    SY_RETURN_IF_ERROR(CheckStore(tx, store_id, "store_id"));
    for (size_t i = 0; i < lines.size(); ++i) {
      SY_ASSIGN_OR_RETURN(int64_t product_id, Resolve(tx, lines[i].product, "lines[" + std::to_string(i) + "]"));
      SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO stock_levels (store_id, product_id, on_hand, reorder_point, updated_at) "
                                 "VALUES (?, ?, 0, 0, ?) ON CONFLICT (store_id, product_id) DO NOTHING",
                                 {store_id, product_id, now}).status());
      // Setting on_hand to the count in one UPDATE (row-locked on PostgreSQL) and reading the
      // level it replaced in the same statement is not portable, so lock first, then set.
      SY_ASSIGN_OR_RETURN(auto cur, tx.Exec("UPDATE stock_levels SET updated_at = ? WHERE store_id = ? AND product_id = ? "
                                            "RETURNING on_hand", {now, store_id, product_id}));
      int64_t diff = lines[i].quantity - cur[0].Int(0);
      SY_ASSIGN_OR_RETURN(auto set, tx.Exec("UPDATE stock_levels SET on_hand = on_hand + ? WHERE store_id = ? AND product_id = ? "
                                            "RETURNING on_hand", {diff, store_id, product_id}));
      Move m{now, store_id, product_id, diff, "count", reason, StaffIdOf(actor),
             std::nullopt, std::nullopt, std::nullopt};
      SY_ASSIGN_OR_RETURN(auto mv, InsertMovement(tx, m, set[0].Int(0)));
      out.push_back(std::move(mv));
    }
    return RecordAudit(tx, ctx, actor, "stock.count", "store:" + std::to_string(store_id), {{"lines", AuditLines(out)}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<StockLevel> SetReorderPoint(Context& ctx, const Actor& actor, int64_t store_id, const ProductRef& product,
                                   int64_t reorder_point) {
  SY_RETURN_IF_ERROR(CheckStoreAccess(actor, store_id));
  if (reorder_point < 0 || reorder_point > kMaxQuantity)
    return Invalid("reorder_point must be from 0 to 1000000", {{"reorder_point", "must be from 0 to 1000000"}});
  if (!product.product_id && product.code.empty())
    return Invalid("product_id or barcode is required", {{"product_id", "product_id or barcode is required"}});
  StockLevel out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    SY_RETURN_IF_ERROR(CheckStore(tx, store_id, "store_id"));
    SY_ASSIGN_OR_RETURN(int64_t product_id, Resolve(tx, product, ""));
    SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO stock_levels (store_id, product_id, on_hand, reorder_point, updated_at) "
                               "VALUES (?, ?, 0, ?, ?) ON CONFLICT (store_id, product_id) DO UPDATE SET "
                               "reorder_point = excluded.reorder_point, updated_at = excluded.updated_at",
                               {store_id, product_id, reorder_point, now}).status());
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kLevelColumns +
                                               " FROM stock_levels l JOIN products p ON p.id = l.product_id "
                                               "WHERE l.store_id = ? AND l.product_id = ?",
                                           {store_id, product_id}));
    out = LevelFromRow(rows[0]);
    return RecordAudit(tx, ctx, actor, "stock.reorder_point", "store:" + std::to_string(store_id),
                       {{"product_id", product_id}, {"reorder_point", reorder_point}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<StockLevel>> ListStock(Context& ctx, const PageQuery& page, int64_t store_id, bool low, const std::string& q) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page,
                                             {{"title", "p.title", false}, {"on_hand", "l.on_hand", true},
                                              {"product_id", "l.product_id", true}},
                                             "title", "l.product_id"));
  Page<StockLevel> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto store, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {store_id}));
    if (store.empty()) return NotFound("no store with id " + std::to_string(store_id));
    std::string sql = std::string("SELECT ") + kLevelColumns + ", " + ks.column.sql +
                      " FROM stock_levels l JOIN products p ON p.id = l.product_id WHERE l.store_id = ? AND " + ks.where;
    std::vector<store::Value> params = {store_id};
    params.insert(params.end(), ks.params.begin(), ks.params.end());
    if (low) sql += " AND l.on_hand <= l.reorder_point";
    if (!q.empty()) {
      std::string folded;
      for (char c : q) folded += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
      std::string pattern = "%";
      for (char c : folded) {
        if (c == '%' || c == '_' || c == '!') pattern += '!';
        pattern += c;
      }
      sql += " AND (p.search_text LIKE ? ESCAPE '!' OR p.barcode LIKE ?)";
      params.push_back(pattern + "%");
      std::string digits;
      for (char c : q)
        if (c >= '0' && c <= '9') digits += c;
      params.push_back(digits.empty() ? std::string("-") : digits + "%");
    }
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " " + ks.order, params));
    out.next_cursor = TakePage(ks, rows, kLevelColumnCount, 1);
    for (const auto& r : rows.rows) out.items.push_back(LevelFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<StockMovement>> ListMovements(Context& ctx, const PageQuery& page, std::optional<int64_t> store_id,
                                          std::optional<int64_t> product_id) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page, {{"id", "m.id", true}}, "-id", "m.id"));
  Page<StockMovement> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string sql = std::string("SELECT ") + kMovementColumns +
                      " FROM stock_movements m JOIN products p ON p.id = m.product_id LEFT JOIN staff s ON s.id = m.staff_id "
                      "WHERE " + ks.where;
    auto params = ks.params;
    if (store_id) {
      sql += " AND m.store_id = ?";
      params.push_back(*store_id);
    }
    if (product_id) {
      sql += " AND m.product_id = ?";
      params.push_back(*product_id);
    }
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " " + ks.order, params));
    out.next_cursor = TakePage(ks, rows, 0, 0);
    for (const auto& r : rows.rows) out.items.push_back(MovementFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status SetAllowNegativeStock(Context& ctx, const Actor& actor, int64_t store_id, bool allow) {
  if (actor.role != core::Role::kOwner) return Status(Code::kPermissionDenied, "only owners may change a store's stock rules");
  return ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto upd, tx.Exec("UPDATE stores SET allow_negative_stock = ?, updated_at = ? WHERE id = ?",
                                          {int64_t(allow), ctx.now(), store_id}));
    if (upd.affected == 0) return NotFound("no store with id " + std::to_string(store_id));
    return RecordAudit(tx, ctx, actor, "store.stock_settings", "store:" + std::to_string(store_id),
                       {{"allow_negative_stock", allow}});
  });
}

Result<bool> AllowsNegativeStock(Context& ctx, int64_t store_id) {
  bool out = false;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT allow_negative_stock FROM stores WHERE id = ?", {store_id}));
    if (rows.empty()) return NotFound("no store with id " + std::to_string(store_id));
    out = rows[0].Int(0) == 1;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
