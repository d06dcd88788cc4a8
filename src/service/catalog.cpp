// Categories and products (see catalog.h).
#include "service/catalog.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/isbn.h"
#include "service/paging.h"

namespace shuyou::service {
namespace {

constexpr int64_t kMaxPrice = 100'000'000'00;  // one hundred million yuan in fen

store::Value OptValue(const std::optional<int64_t>& v) { return v ? store::Value(*v) : store::Null(); }
store::Value OptValue(const std::optional<std::string>& v) { return v ? store::Value(*v) : store::Null(); }

// LIKE pattern matching `text` anywhere, with % and _ taken literally (ESCAPE '!').
std::string ContainsPattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out + "%";
}

// ---- categories ----

constexpr const char* kCategoryColumns = "id, parent_id, code, name, name_en, sort_order, created_at, updated_at";

Category CategoryFromRow(const store::Row& r) {
  return Category{r.Int(0), r.OptInt(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5), r.Int(6), r.Int(7)};
}

Result<Category> LoadCategory(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kCategoryColumns + " FROM categories WHERE id = ?", {id}));
  if (rows.empty()) return NotFound("no category with id " + std::to_string(id));
  return CategoryFromRow(rows[0]);
}

std::string CheckCategoryCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return "must be 1 to 64 characters";
  if (code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string_view::npos)
    return "may hold only a-z, 0-9, '.', '-' and '_'";
  if (code.front() == '.' || code.back() == '.' || code.find("..") != std::string_view::npos)
    return "must not start or end with '.' or hold '..'";
  return "";
}

std::vector<FieldError> CheckCategoryFields(const CategoryFields& in, bool creating) {
  std::vector<FieldError> errs;
  if (in.code) {
    if (auto m = CheckCategoryCode(*in.code); !m.empty()) errs.push_back({"code", m});
  } else if (creating) {
    errs.push_back({"code", "is required"});
  }
  if (in.name) {
    if (in.name->find_first_not_of(' ') == std::string::npos) errs.push_back({"name", "is required"});
    else if (auto m = core::CheckText(*in.name, 64); !m.empty()) errs.push_back({"name", m});
  } else if (creating) {
    errs.push_back({"name", "is required"});
  }
  if (in.name_en)
    if (auto m = core::CheckText(*in.name_en, 64); !m.empty()) errs.push_back({"name_en", m});
  if (in.sort_order && (*in.sort_order < -1'000'000 || *in.sort_order > 1'000'000))
    errs.push_back({"sort_order", "must be between -1000000 and 1000000"});
  return errs;
}

Status CodeTaken(const std::string& code) {
  return Status(Code::kConflict, "the category code '" + code + "' is already used", {{"code", "is already used"}});
}

// The parent must exist and must not be `self` or one of its descendants.
Status CheckParent(store::Tx& tx, std::optional<int64_t> parent, int64_t self) {
  if (!parent) return Status::Ok();
  std::set<int64_t> seen;
  for (std::optional<int64_t> at = parent; at;) {
    if (*at == self) return Invalid("a category cannot be moved under itself or its own subcategory",
                                    {{"parent_id", "would make a cycle"}});
    if (!seen.insert(*at).second) return Internal("the category tree has a cycle at " + std::to_string(*at));
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT parent_id FROM categories WHERE id = ?", {*at}));
    if (rows.empty()) return Invalid("no category with id " + std::to_string(*at), {{"parent_id", "no such category"}});
    at = rows[0].OptInt(0);
  }
  return Status::Ok();
}

// ---- products ----

constexpr const char* kProductColumns =
    "p.id, p.kind, p.isbn13, p.barcode, p.title, p.subtitle, p.authors, p.publisher, p.pub_year, p.category_id, "
    "p.list_price, p.cost, p.tax_rate_bp, p.active, p.imported, p.created_at, p.updated_at";
constexpr size_t kProductColumnCount = 17;

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    if (nl > start) out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
  return out;
}

Product ProductFromRow(const store::Row& r) {
  Product p;
  p.id = r.Int(0);
  p.kind = r.Text(1);
  p.isbn13 = r.OptText(2);
  p.barcode = r.Text(3);
  p.title = r.Text(4);
  p.subtitle = r.Text(5);
  p.authors = SplitLines(r.Text(6));
  p.publisher = r.Text(7);
  p.pub_year = r.OptInt(8);
  p.category_id = r.OptInt(9);
  p.list_price = r.Int(10);
  p.cost = r.OptInt(11);
  p.tax_rate_bp = r.Int(12);
  p.active = r.Int(13) != 0;
  p.imported = r.Int(14) != 0;
  p.created_at = r.Int(15);
  p.updated_at = r.Int(16);
  return p;
}

Result<Product> LoadProduct(store::Tx& tx, int64_t id) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kProductColumns + " FROM products p WHERE p.id = ?", {id}));
  if (rows.empty()) return NotFound("no product with id " + std::to_string(id));
  return ProductFromRow(rows[0]);
}

std::string SearchTextOf(const Product& p) {
  return FoldForSearch(p.title + "\n" + p.subtitle + "\n" + JoinLines(p.authors) + "\n" + p.publisher);
}

// The product as it will be after `in` is applied to `cur`, with ISBN and barcode in canonical
// form, or the field errors.
Result<Product> Merge(const Product& cur, const ProductFields& in, bool creating, int64_t now) {
  Product p = cur;
  std::vector<FieldError> errs;
  if (in.kind) {
    if (!creating && *in.kind != cur.kind) errs.push_back({"kind", "cannot change; create a new product instead"});
    else if (*in.kind != "book" && *in.kind != "item") errs.push_back({"kind", "must be book or item"});
    else p.kind = *in.kind;
  } else if (creating) {
    p.kind = "book";
  }
  auto text = [&](const std::optional<std::string>& v, std::string& dst, const char* field, size_t max, bool required) {
    if (!v) {
      if (creating && required) errs.push_back({field, "is required"});
      return;
    }
    if (required && v->find_first_not_of(' ') == std::string::npos) errs.push_back({field, "is required"});
    else if (auto m = core::CheckText(*v, max); !m.empty()) errs.push_back({field, m});
    else dst = *v;
  };
  text(in.title, p.title, "title", 200, true);
  text(in.subtitle, p.subtitle, "subtitle", 200, false);
  text(in.publisher, p.publisher, "publisher", 100, false);
  if (in.authors) {
    if (in.authors->size() > 20) errs.push_back({"authors", "at most 20 authors"});
    p.authors.clear();
    for (size_t i = 0; i < in.authors->size(); ++i) {
      const std::string& a = (*in.authors)[i];
      std::string field = "authors[" + std::to_string(i) + "]";
      if (a.find_first_not_of(' ') == std::string::npos) errs.push_back({field, "must not be empty"});
      else if (auto m = core::CheckText(a, 100); !m.empty()) errs.push_back({field, m});
      else p.authors.push_back(a);
    }
  }
  if (in.pub_year) {
    p.pub_year = *in.pub_year;
    if (*in.pub_year && (**in.pub_year < 1450 || **in.pub_year > 2100)) errs.push_back({"pub_year", "must be a year from 1450 to 2100"});
  }
  if (in.category_id) p.category_id = *in.category_id;
  if (in.list_price) {
    p.list_price = *in.list_price;
    if (*in.list_price < 0 || *in.list_price > kMaxPrice) errs.push_back({"list_price", "must be from 0 to 10000000000 (minor units)"});
  } else if (creating) {
    errs.push_back({"list_price", "is required"});
  }
  if (in.cost) {
    p.cost = *in.cost;
    if (*in.cost && (**in.cost < 0 || **in.cost > kMaxPrice)) errs.push_back({"cost", "must be from 0 to 10000000000 (minor units)"});
  }
  if (in.tax_rate_bp) {
    p.tax_rate_bp = *in.tax_rate_bp;
    if (*in.tax_rate_bp < 0 || *in.tax_rate_bp > 10000) errs.push_back({"tax_rate_bp", "must be from 0 to 10000 (basis points: 900 is 9%)"});
  }
  if (in.active) p.active = *in.active;

  // The codes: a book's ISBN is its barcode; an item has a barcode and no ISBN.
  if (in.isbn) {
    if (!*in.isbn) {
      p.isbn13.reset();
    } else if (auto isbn = core::NormalizeIsbn(**in.isbn); !isbn.ok()) {
      errs.push_back({"isbn", isbn.status().message()});
    } else {
      p.isbn13 = isbn.value();
    }
  }
  std::optional<std::string> barcode;
  if (in.barcode && *in.barcode) {
    if (auto b = core::NormalizeBarcode(**in.barcode); !b.ok()) errs.push_back({"barcode", b.status().message()});
    else barcode = b.value();
  }
  if (p.kind == "item" && p.isbn13) errs.push_back({"isbn", "only books have an ISBN; give an item its barcode"});
  if (p.kind == "book") {
    if (p.isbn13) {
      if (barcode && *barcode != *p.isbn13)
        errs.push_back({"barcode", "a book's barcode is its ISBN-13 (" + *p.isbn13 + "); leave it out"});
      p.barcode = *p.isbn13;
    } else if (barcode) {
      p.barcode = *barcode;
    } else if (creating || (in.isbn && !*in.isbn) || (in.barcode && !*in.barcode)) {
      errs.push_back({"isbn", "a book needs its ISBN (or, for a book without one, a barcode)"});
    }
  } else if (barcode) {
    p.barcode = *barcode;
  } else if (creating || (in.barcode && !*in.barcode)) {
    errs.push_back({"barcode", "is required for an item"});
  }
  if (!errs.empty()) return Invalid(creating ? "the product has invalid fields" : "the change has invalid fields", errs);
  p.updated_at = now;
  if (creating) p.created_at = now;
  p.imported = creating ? in.imported : cur.imported;
  return p;
}

// Conflict naming the product that already has `p`'s barcode or ISBN (other than `p` itself).
Status CheckCodesFree(store::Tx& tx, const Product& p) {
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, title, barcode FROM products WHERE (barcode = ? OR isbn13 = ?) AND id <> ?",
                                         {p.barcode, p.barcode, p.id}));
  if (rows.empty()) return Status::Ok();
  std::string field = p.isbn13 ? "isbn" : "barcode";
  return Status(Code::kConflict,
                "the code " + p.barcode + " already belongs to product " + rows[0].Text(0) + " (" + rows[0].Text(1) + ")",
                {{field, "already belongs to product " + rows[0].Text(0)}});
}

Status CheckCategoryExists(store::Tx& tx, const std::optional<int64_t>& id) {
  if (!id) return Status::Ok();
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM categories WHERE id = ?", {*id}));
  if (rows.empty()) return Invalid("no category with id " + std::to_string(*id), {{"category_id", "no such category"}});
  return Status::Ok();
}

std::vector<store::Value> ProductValues(const Product& p) {
  return {p.kind, OptValue(p.isbn13), p.barcode, p.title, p.subtitle, JoinLines(p.authors), p.publisher,
          OptValue(p.pub_year), OptValue(p.category_id), p.list_price, OptValue(p.cost), p.tax_rate_bp,
          int64_t(p.active), int64_t(p.imported), SearchTextOf(p), p.updated_at};
}

nlohmann::json AuditOf(const Product& p) {
  return {{"barcode", p.barcode}, {"title", p.title}, {"list_price", p.list_price}, {"active", p.active}};
}

}  // namespace

Result<Product> ApplyProductFields(const Product& cur, const ProductFields& in, bool creating, int64_t now) {
  return Merge(cur, in, creating, now);
}

std::string ProductSearchText(const Product& p) { return SearchTextOf(p); }

std::string FoldForSearch(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// ---- categories ----

Result<std::vector<Category>> ListCategories(Context& ctx) {
  std::vector<Category> all;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kCategoryColumns + " FROM categories ORDER BY sort_order, name, id"));
    for (const auto& r : rows.rows) all.push_back(CategoryFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // Depth-first from the roots, so that every parent comes before its children.
  std::map<std::optional<int64_t>, std::vector<const Category*>> children;
  for (const auto& c : all) children[c.parent_id].push_back(&c);
  std::vector<Category> out;
  out.reserve(all.size());
  std::vector<const Category*> stack;
  auto push_children = [&](std::optional<int64_t> parent) {
    auto it = children.find(parent);
    if (it == children.end()) return;
    for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) stack.push_back(*c);
  };
  push_children(std::nullopt);
  while (!stack.empty()) {
    const Category* c = stack.back();
    stack.pop_back();
    out.push_back(*c);
    push_children(c->id);
  }
  return out;
}

Result<Category> CreateCategory(Context& ctx, const Actor& actor, const CategoryFields& in) {
  if (auto errs = CheckCategoryFields(in, true); !errs.empty()) return Invalid("the category has invalid fields", errs);
  Category out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    int64_t now = ctx.now();
    std::optional<int64_t> parent = in.parent_id.value_or(std::nullopt);
    SY_RETURN_IF_ERROR(CheckParent(tx, parent, 0));
    SY_ASSIGN_OR_RETURN(auto taken, tx.Exec("SELECT 1 FROM categories WHERE code = ?", {*in.code}));
    if (!taken.empty()) return CodeTaken(*in.code);
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO categories (parent_id, code, name, name_en, sort_order, created_at, updated_at) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                          {OptValue(parent), *in.code, *in.name, in.name_en.value_or(""),
                                           in.sort_order.value_or(0), now, now}));
    SY_ASSIGN_OR_RETURN(out, LoadCategory(tx, ins[0].Int(0)));
    return RecordAudit(tx, ctx, actor, "category.create", "category:" + std::to_string(out.id),
                       {{"code", out.code}, {"name", out.name}, {"parent_id", parent ? nlohmann::json(*parent) : nlohmann::json()}});
  });
  if (!st.ok()) return st;
  return out;
}

Result<Category> UpdateCategory(Context& ctx, const Actor& actor, int64_t id, const CategoryFields& in) {
  if (auto errs = CheckCategoryFields(in, false); !errs.empty()) return Invalid("the change has invalid fields", errs);
  Category out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Category cur, LoadCategory(tx, id));
    std::string sets = "updated_at = ?";
    std::vector<store::Value> params = {ctx.now()};
    nlohmann::json changed = nlohmann::json::array();
    auto set = [&](const char* col, store::Value v) {
      sets += std::string(", ") + col + " = ?";
      params.push_back(std::move(v));
      changed.push_back(col);
    };
    if (in.parent_id) {
      SY_RETURN_IF_ERROR(CheckParent(tx, *in.parent_id, id));
      set("parent_id", OptValue(*in.parent_id));
    }
    if (in.code && *in.code != cur.code) {
      SY_ASSIGN_OR_RETURN(auto taken, tx.Exec("SELECT 1 FROM categories WHERE code = ?", {*in.code}));
      if (!taken.empty()) return CodeTaken(*in.code);
      set("code", *in.code);
    }
    if (in.name) set("name", *in.name);
    if (in.name_en) set("name_en", *in.name_en);
    if (in.sort_order) set("sort_order", *in.sort_order);
    params.push_back(id);
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE categories SET " + sets + " WHERE id = ?", params).status());
    SY_ASSIGN_OR_RETURN(out, LoadCategory(tx, id));
    return RecordAudit(tx, ctx, actor, "category.update", "category:" + std::to_string(id), {{"fields", changed}});
  });
  if (!st.ok()) return st;
  return out;
}

// ---- products ----

Result<Product> CreateProduct(Context& ctx, const Actor& actor, const ProductFields& in) {
  SY_ASSIGN_OR_RETURN(Product p, Merge(Product{}, in, true, ctx.now()));
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_RETURN_IF_ERROR(CheckCategoryExists(tx, p.category_id));
    SY_RETURN_IF_ERROR(CheckCodesFree(tx, p));
    auto values = ProductValues(p);
    values.push_back(p.created_at);
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec(
        "INSERT INTO products (kind, isbn13, barcode, title, subtitle, authors, publisher, pub_year, category_id, "
        "list_price, cost, tax_rate_bp, active, imported, search_text, updated_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", values));
    SY_ASSIGN_OR_RETURN(p, LoadProduct(tx, ins[0].Int(0)));
    return RecordAudit(tx, ctx, actor, "product.create", "product:" + std::to_string(p.id), AuditOf(p));
  });
  if (!st.ok()) return st;
  return p;
}

Result<Product> UpdateProduct(Context& ctx, const Actor& actor, int64_t id, const ProductFields& in) {
  Product out;
  Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(Product cur, LoadProduct(tx, id));
    SY_ASSIGN_OR_RETURN(Product p, Merge(cur, in, false, ctx.now()));
    if (in.category_id) SY_RETURN_IF_ERROR(CheckCategoryExists(tx, p.category_id));
    if (p.barcode != cur.barcode || p.isbn13 != cur.isbn13) SY_RETURN_IF_ERROR(CheckCodesFree(tx, p));
    auto values = ProductValues(p);
    values.push_back(id);
    SY_RETURN_IF_ERROR(tx.Exec("UPDATE products SET kind = ?, isbn13 = ?, barcode = ?, title = ?, subtitle = ?, authors = ?, "
                               "publisher = ?, pub_year = ?, category_id = ?, list_price = ?, cost = ?, tax_rate_bp = ?, "
                               "active = ?, imported = ?, search_text = ?, updated_at = ? WHERE id = ?",
                               values).status());
    SY_ASSIGN_OR_RETURN(out, LoadProduct(tx, id));
    nlohmann::json details = AuditOf(out);
    if (cur.list_price != out.list_price) details["old_list_price"] = cur.list_price;
    if (cur.barcode != out.barcode) details["old_barcode"] = cur.barcode;
    return RecordAudit(tx, ctx, actor, "product.update", "product:" + std::to_string(id), details);
  });
  if (!st.ok()) return st;
  return out;
}

Result<Product> GetProduct(Context& ctx, int64_t id) {
  Product out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(out, LoadProduct(tx, id));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Product> LookupProduct(Context& ctx, const std::string& code, std::optional<int64_t> store_id) {
  auto barcode = core::NormalizeBarcode(code);
  if (!barcode.ok()) return NotFound("no product has the code '" + code + "': " + barcode.status().message());
  Product out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string sql = std::string("SELECT ") + kProductColumns;
    std::vector<store::Value> params;
    if (store_id) {
      sql += ", COALESCE(s.on_hand, 0) FROM products p LEFT JOIN stock_levels s ON s.product_id = p.id AND s.store_id = ?";
      params.push_back(*store_id);
    } else {
      sql += " FROM products p";
    }
    params.push_back(barcode.value());
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql + " WHERE p.barcode = ?", params));
    if (rows.empty()) return NotFound("no product has the code " + barcode.value());
    out = ProductFromRow(rows[0]);
    if (store_id) out.on_hand = rows[0].Int(kProductColumnCount);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Page<Product>> SearchProducts(Context& ctx, const PageQuery& page, const ProductFilter& f) {
  SY_ASSIGN_OR_RETURN(Keyset ks, BuildKeyset(page,
                                             {{"title", "p.title", false}, {"id", "p.id", true},
                                              {"created_at", "p.created_at", true}, {"list_price", "p.list_price", true}},
                                             "title", "p.id"));
  if (f.kind && *f.kind != "book" && *f.kind != "item") return Invalid("kind must be book or item", {{"kind", "must be book or item"}});
  std::string where;
  std::vector<store::Value> params;
  std::string q = f.q;
  q.erase(0, q.find_first_not_of(' '));
  q.erase(q.find_last_not_of(' ') + 1);
  if (!q.empty()) {
    std::string digits;
    bool numeric = true;
    for (char c : q) {
      if (c >= '0' && c <= '9') digits += c;
      else if (c == 'X' || c == 'x') digits += 'X';
      else if (c != '-' && c != ' ') numeric = false;
    }
    if (numeric && !digits.empty()) {
      // A whole code (either ISBN form, EAN, UPC) matches exactly; a partial one as a prefix of
      // the ISBN-13 or barcode, or of the ISBN-13 an ISBN-10 prefix turns into.
      if (auto code = core::NormalizeBarcode(digits); code.ok()) {
        where = " AND p.barcode = ?";
        params.push_back(code.value());
      } else if (digits.find('X') == std::string::npos) {
        where = " AND (p.barcode LIKE ? OR p.barcode LIKE ?";
        params.push_back(digits + "%");
        params.push_back("978" + digits + "%");
        if (digits.size() < 8) {  // short numbers may be in titles ("1984")
          where += " OR p.search_text LIKE ? ESCAPE '!'";
          params.push_back(ContainsPattern(digits));
        }
        where += ")";
      } else {
        where = " AND 1 = 0";
      }
    } else {
      where = " AND p.search_text LIKE ? ESCAPE '!'";
      params.push_back(ContainsPattern(FoldForSearch(q)));
    }
  }
  if (f.kind) {
    where += " AND p.kind = ?";
    params.push_back(*f.kind);
  }
  if (f.active) {
    where += " AND p.active = ?";
    params.push_back(int64_t(*f.active));
  }
  Page<Product> out;
  Status st = ctx.db.Read([&](store::Tx& tx) -> Status {
    std::string category_where;
    std::vector<store::Value> category_params;
    if (f.category_id) {
      // The subtree, from the (small) category table in this snapshot.
      SY_ASSIGN_OR_RETURN(auto cats, tx.Exec("SELECT id, parent_id FROM categories"));
      std::map<int64_t, std::vector<int64_t>> children;
      bool found = false;
      for (const auto& r : cats.rows) {
        if (r.Int(0) == *f.category_id) found = true;
        if (!r.IsNull(1)) children[r.Int(1)].push_back(r.Int(0));
      }
      if (!found) return Invalid("no category with id " + std::to_string(*f.category_id), {{"category_id", "no such category"}});
      std::vector<int64_t> subtree = {*f.category_id};
      for (size_t i = 0; i < subtree.size(); ++i)
        for (int64_t c : children[subtree[i]])
          if (subtree.size() <= cats.size()) subtree.push_back(c);
      category_where = " AND p.category_id IN (";
      for (size_t i = 0; i < subtree.size(); ++i) {
        category_where += i ? ", ?" : "?";
        category_params.push_back(subtree[i]);
      }
      category_where += ")";
    }
    std::string sql = std::string("SELECT ") + kProductColumns + ", " + ks.column.sql + " FROM products p WHERE " + ks.where +
                      where + category_where + " " + ks.order;
    auto all = ks.params;
    all.insert(all.end(), params.begin(), params.end());
    all.insert(all.end(), category_params.begin(), category_params.end());
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(sql, all));
    out.next_cursor = TakePage(ks, rows, kProductColumnCount, 0);
    for (const auto& r : rows.rows) out.items.push_back(ProductFromRow(r));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shuyou::service
