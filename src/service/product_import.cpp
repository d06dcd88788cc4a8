// Product import (see product_import.h). Rows are checked as they are read and gathered in
// batches; each batch looks up its codes with one IN query per 100 rows and, on a real run,
// goes in as multi-row INSERTs and UPDATE … FROM (VALUES …), so 50,000 rows take a few thousand
// statements. Categories are read once and resolved in memory; new ones are created just
// before the first batch whose good rows use them.
#include "service/product_import.h"

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "core/isbn.h"
#include "service/catalog.h"

namespace shuyou::service {
namespace {

constexpr size_t kChunk = 100;          // rows per IN query and per multi-row statement
constexpr size_t kBatch = 10 * kChunk;  // rows gathered before a batch is looked up
constexpr int64_t kMaxPrice = 100'000'000'00;
constexpr int64_t kMaxQuantity = 1'000'000;

enum Field { kIsbn, kBarcode, kTitle, kSubtitle, kAuthors, kPublisher, kYear, kCategory, kListPrice, kCost, kTaxRate,
             kKind, kStock, kReorder, kStore, kFieldCount };
constexpr std::array<const char*, kFieldCount> kFieldNames = {
    "isbn", "barcode", "title", "subtitle", "authors", "publisher", "pub_year", "category", "list_price", "cost",
    "tax_rate", "kind", "stock", "reorder_point", "store"};

// Header names as suppliers, other systems and people write them, compared after NormalizeHeader.
constexpr HeaderAlias kAliases[] = {
    {"isbn", kIsbn}, {"isbn13", kIsbn}, {"isbn10", kIsbn}, {"书号", kIsbn}, {"国际标准书号", kIsbn}, {"isbn号", kIsbn},
    {"标准书号", kIsbn},
    {"barcode", kBarcode}, {"条码", kBarcode}, {"条形码", kBarcode}, {"商品条码", kBarcode}, {"ean", kBarcode},
    {"ean13", kBarcode}, {"upc", kBarcode}, {"code", kBarcode}, {"编码", kBarcode}, {"商品编码", kBarcode},
    {"title", kTitle}, {"书名", kTitle}, {"品名", kTitle}, {"名称", kTitle}, {"商品名称", kTitle}, {"商品名", kTitle},
    {"题名", kTitle}, {"name", kTitle}, {"productname", kTitle},
    {"subtitle", kSubtitle}, {"副书名", kSubtitle}, {"副标题", kSubtitle}, {"副题名", kSubtitle},
    {"authors", kAuthors}, {"author", kAuthors}, {"作者", kAuthors}, {"著者", kAuthors}, {"作译者", kAuthors},
    {"责任者", kAuthors},
    {"publisher", kPublisher}, {"出版社", kPublisher}, {"出版者", kPublisher}, {"出版单位", kPublisher},
    {"press", kPublisher},
    {"year", kYear}, {"出版年", kYear}, {"出版年份", kYear}, {"出版时间", kYear}, {"出版日期", kYear},
    {"pubyear", kYear}, {"publicationyear", kYear}, {"published", kYear},
    {"category", kCategory}, {"分类", kCategory}, {"类别", kCategory}, {"图书分类", kCategory},
    {"商品分类", kCategory}, {"categorycode", kCategory}, {"genre", kCategory},
    {"listprice", kListPrice}, {"price", kListPrice}, {"定价", kListPrice}, {"售价", kListPrice},
    {"零售价", kListPrice}, {"价格", kListPrice}, {"单价", kListPrice}, {"retailprice", kListPrice},
    {"cost", kCost}, {"进价", kCost}, {"成本", kCost}, {"成本价", kCost}, {"进货价", kCost}, {"采购价", kCost},
    {"costprice", kCost},
    {"taxrate", kTaxRate}, {"tax", kTaxRate}, {"税率", kTaxRate}, {"增值税率", kTaxRate}, {"vat", kTaxRate},
    {"vatrate", kTaxRate},
    {"kind", kKind}, {"type", kKind}, {"类型", kKind}, {"商品类型", kKind}, {"种类", kKind},
    {"stock", kStock}, {"库存", kStock}, {"期初库存", kStock}, {"库存数量", kStock}, {"数量", kStock},
    {"openingstock", kStock}, {"onhand", kStock}, {"quantity", kStock}, {"qty", kStock},
    {"reorderpoint", kReorder}, {"补货点", kReorder}, {"安全库存", kReorder}, {"最低库存", kReorder},
    {"reorderlevel", kReorder}, {"minstock", kReorder},
    {"store", kStore}, {"门店", kStore}, {"门店代码", kStore}, {"分店", kStore}, {"storecode", kStore},
};

std::string Fold(std::string_view s) { return FoldForSearch(s); }

// "book" / "item" as people write them; "" when unrecognized.
std::string ParseKind(std::string_view s) {
  std::string v = Fold(s);
  for (const char* b : {"book", "books", "图书", "书", "书籍"})
    if (v == b) return "book";
  for (const char* i : {"item", "items", "商品", "非图书", "其他", "其它", "文具", "百货", "goods", "merchandise", "other"})
    if (v == i) return "item";
  return "";
}

// A publication year: "2019", "2019-05", "2019年5月", a date cell "2019-05-01". nullopt otherwise.
std::optional<int64_t> ParseYear(std::string_view s) {
  if (s.size() < 4) return std::nullopt;
  for (size_t i = 0; i < 4; ++i)
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  if (s.size() > 4 && s[4] >= '0' && s[4] <= '9') return std::nullopt;
  return std::stoll(std::string(s.substr(0, 4)));
}

// A tax rate as basis points: "9%" and "9" are 900; "0.09" (how a spreadsheet stores a percent
// cell) is 900 too; at most 100%.
std::optional<int64_t> ParseTaxRate(std::string_view s, std::string& why) {
  std::string t(s);
  bool percent = false;
  for (const char* sign : {"%", "\xEF\xBC\x85"})  // %, ％
    if (auto p = t.find(sign); p != std::string::npos && p + std::string_view(sign).size() == t.size()) {
      t.erase(p);
      percent = true;
    }
  t = std::string(Trim(t));
  std::optional<int64_t> bp;
  if (!percent && t.rfind("0.", 0) == 0) bp = ParseAmount(t, 4, 10000, why);  // a fraction: 0.09
  else bp = ParseAmount(t, 2, 10000, why);                                    // percent: 9, 9.5
  if (!bp && why == "is too large") why = "must be at most 100%";
  else if (!bp) why = "must be a rate such as 9% or 13";
  return bp;
}

// Authors separated by 、 , ， ; ； / | or line breaks.
std::vector<std::string> SplitAuthors(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string_view t = Trim(cur);
    if (!t.empty()) out.emplace_back(t);
    cur.clear();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    bool sep3 = s.compare(i, 3, "、") == 0 || s.compare(i, 3, "，") == 0 || s.compare(i, 3, "；") == 0;
    if (sep3) {
      flush();
      i += 2;
    } else if (s[i] == ',' || s[i] == ';' || s[i] == '/' || s[i] == '|' || s[i] == '\n') {
      flush();
    } else {
      cur += s[i];
    }
  }
  flush();
  return out;
}

// ---- categories ----

struct Cat {
  int64_t id;  // negative: to be created (-(index in the pending list) - 1)
  std::optional<int64_t> parent;
  std::string code, name, name_en;
};

// The category tree in memory, with the categories this import will add.
class CategoryTree {
 public:
  Status Load(store::Tx& tx) {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, parent_id, code, name, name_en FROM categories ORDER BY id"));
    for (const auto& r : rows.rows) Add(Cat{r.Int(0), r.OptInt(1), r.Text(2), r.Text(3), r.Text(4)});
    existing_ = int64_t(cats_.size());
    return Status::Ok();
  }

  // The category a cell names, or the message why it names none.
  Result<int64_t> Resolve(std::string_view cell) {
    std::string folded = Fold(cell);
    if (auto it = by_code_.find(folded); it != by_code_.end()) return cats_[it->second].id;
    bool code_like = folded.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos &&
                     folded.find('.') != std::string::npos;
    if (code_like) return ResolveCodePath(folded);
    // A path of names: 文学/科幻, 文学 > 科幻.
    std::vector<std::string> parts;
    std::string cur;
    for (size_t i = 0; i <= cell.size(); ++i) {
      size_t len = 0;
      if (i == cell.size() || cell[i] == '/' || cell[i] == '>' || cell[i] == '\\') len = 1;
      else if (cell.compare(i, 3, "／") == 0 || cell.compare(i, 3, "＞") == 0 || cell.compare(i, 3, "›") == 0) len = 3;
      if (len == 0) {
        cur += cell[i];
        continue;
      }
      std::string part(Trim(cur));
      if (part.empty()) return Invalid("has an empty part; write a path such as 文学/科幻");
      if (auto m = core::CheckText(part, 64); !m.empty()) return Invalid("'" + part + "' " + m);
      parts.push_back(std::move(part));
      cur.clear();
      i += len - 1;
    }
    std::optional<int64_t> at;
    size_t i = 0;
    // The first part may be anywhere in the tree, if only one category has that name.
    std::vector<size_t> hits;
    for (size_t k = 0; k < cats_.size(); ++k)
      if (Names(cats_[k], parts[0])) hits.push_back(k);
    if (hits.size() > 1) {
      // Prefer a root of that name; otherwise the name is ambiguous.
      std::vector<size_t> roots;
      for (size_t k : hits)
        if (!cats_[k].parent) roots.push_back(k);
      if (roots.size() != 1)
        return Invalid(std::to_string(hits.size()) + " categories are named '" + parts[0] +
                       "': write its path (such as 文学/" + parts[0] + ") or its code");
      hits = roots;
    }
    if (hits.size() == 1) {
      at = cats_[hits[0]].id;
      i = 1;
    }
    for (; i < parts.size(); ++i) {
      std::optional<int64_t> child;
      for (const auto& c : cats_)
        if (c.parent == at && Names(c, parts[i])) child = c.id;
      at = child ? *child : Create(at, parts[i], "");
    }
    return *at;
  }

  // Marks `id` and its ancestors as needed (their creation is due before a row uses them).
  void Use(int64_t id) {
    for (std::optional<int64_t> at = id; at && *at < 0; at = cats_[Index(*at)].parent) used_.insert(*at);
  }

  // Creates (real run) the pending categories in use that do not exist yet, parents first,
  // and lists their paths in `created`.
  Status CreateUsed(store::Tx& tx, int64_t now, bool dry_run, std::vector<std::string>& created) {
    for (size_t k = size_t(existing_); k < cats_.size(); ++k) {
      int64_t pending = -int64_t(k - size_t(existing_)) - 1;
      if (!used_.count(pending) || real_.count(pending)) continue;
      const Cat& c = cats_[k];
      std::optional<int64_t> parent = c.parent;
      if (parent && *parent < 0) parent = real_.at(*parent);
      int64_t id = pending;
      if (!dry_run) {
        SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO categories (parent_id, code, name, name_en, sort_order, "
                                              "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING id",
                                              {parent ? store::Value(*parent) : store::Null(), c.code, c.name, c.name_en,
                                               now, now}));
        id = ins[0].Int(0);
      }
      real_[pending] = id;
      created.push_back(Path(pending));
    }
    return Status::Ok();
  }

  // The database id of `id` (a pending one once created; itself on a dry run).
  int64_t Real(int64_t id) const { return id < 0 ? real_.at(id) : id; }

 private:
  size_t Index(int64_t id) const { return id < 0 ? size_t(existing_ + (-id - 1)) : index_.at(id); }

  void Add(Cat c) {
    size_t k = cats_.size();
    by_code_.emplace(c.code, k);
    if (c.id > 0) index_.emplace(c.id, k);
    cats_.push_back(std::move(c));
  }

  static bool Names(const Cat& c, const std::string& part) {
    return c.name == part || (!c.name_en.empty() && Fold(c.name_en) == Fold(part)) || c.code == Fold(part);
  }

  // "fiction.scifi": each dotted prefix is a category code; missing ones are created.
  Result<int64_t> ResolveCodePath(const std::string& code) {
    if (code.size() > 64 || code.front() == '.' || code.back() == '.' || code.find("..") != std::string::npos)
      return Invalid("is not a category code such as fiction.scifi");
    std::optional<int64_t> at;
    for (size_t dot = 0; dot != std::string::npos;) {
      dot = code.find('.', dot + 1);
      std::string prefix = code.substr(0, dot);
      if (auto it = by_code_.find(prefix); it != by_code_.end()) {
        at = cats_[it->second].id;
        continue;
      }
      std::string last = prefix.substr(prefix.rfind('.') == std::string::npos ? 0 : prefix.rfind('.') + 1);
      at = Create(at, last, prefix);
    }
    return *at;
  }

  // A pending category under `parent` named `name`; its code is `code` or one made from the
  // parent's code and the name (ASCII letters and digits), else a numbered one.
  int64_t Create(std::optional<int64_t> parent, const std::string& name, std::string code) {
    std::string prefix = parent ? cats_[Index(*parent)].code + "." : "";
    bool ascii = std::all_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (code.empty()) {
      std::string slug;
      for (char c : Fold(name)) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) slug += c;
        else if (!slug.empty() && slug.back() != '-') slug += '-';
      }
      while (!slug.empty() && slug.back() == '-') slug.pop_back();
      bool numbered = !ascii || slug.empty();  // 文学 → c1, c2, …; Science Fiction → science-fiction
      std::string base = (prefix + (numbered ? "c" : slug)).substr(0, 56);
      while (base.back() == '.' || base.back() == '-') base.pop_back();
      code = numbered ? base + "1" : base;
      for (int n = 2; by_code_.count(code); ++n) code = base + (numbered ? "" : "-") + std::to_string(n);
    }
    int64_t id = -int64_t(cats_.size() - size_t(existing_)) - 1;
    Add(Cat{id, parent, code, name, ascii ? name : ""});
    return id;
  }

  std::string Path(int64_t id) const {
    std::string out;
    for (std::optional<int64_t> at = id; at; at = cats_[Index(*at)].parent)
      out = cats_[Index(*at)].name + (out.empty() ? "" : "/" + out);
    return out;
  }

  std::vector<Cat> cats_;
  std::unordered_map<std::string, size_t> by_code_;
  std::unordered_map<int64_t, size_t> index_;
  int64_t existing_ = 0;
  std::unordered_set<int64_t> used_;
  std::unordered_map<int64_t, int64_t> real_;
};

// ---- rows ----

struct Candidate {
  int64_t line = 0;
  bool ok = true;
  std::vector<ImportProblem> problems;
  std::vector<std::string> cells;  // trimmed, per field ("" when absent)
  std::string code;                // canonical barcode (a book's ISBN-13)
  bool isbn = false;               // the code is an ISBN
  ProductFields fields;
  std::optional<int64_t> store_id;
  int64_t stock = 0;
  std::optional<int64_t> reorder;
  // Decided at the batch lookup:
  enum { kCreate, kUpdate, kSame } action = kCreate;
  Product product;                 // as it will be
  int64_t product_id = 0;
};

struct StoreInfo {
  int64_t id;
  std::string code, name;
};

class Importer {
 public:
  Importer(Context& ctx, const Actor& actor, const ProductImportOptions& opt) : ctx_(ctx), actor_(actor), opt_(opt) {
    rep_.dry_run = opt.dry_run;
    now_ = ctx.now();
    reference_ = "import:" + opt.file_name;
    batch_.reserve(kBatch);
  }

  Status Start(store::Tx& tx) {
    SY_RETURN_IF_ERROR(cats_.Load(tx));
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT id, code, name FROM stores ORDER BY id"));
    for (const auto& r : rows.rows) stores_.push_back({r.Int(0), r.Text(1), r.Text(2)});
    if (opt_.store_id || !opt_.store_code.empty()) {
      const StoreInfo* s = nullptr;
      for (const auto& x : stores_)
        if ((opt_.store_id && x.id == *opt_.store_id) || (!opt_.store_code.empty() && Fold(x.code) == Fold(opt_.store_code))) s = &x;
      if (!s) {
        std::string which = opt_.store_id ? "id " + std::to_string(*opt_.store_id) : "code '" + opt_.store_code + "'";
        return Invalid("no store with " + which, {{opt_.store_id ? "store_id" : "store", "no such store"}});
      }
      if (auto m = StoreRefusal(s->id); !m.empty()) return Status(Code::kPermissionDenied, m);
      default_store_ = s->id;
    } else if (actor_.home_store_id) {
      default_store_ = actor_.home_store_id;
    }
    rep_.store_id = default_store_;
    return Status::Ok();
  }

  Status Row(store::Tx& tx, const TableRow& row) {
    if (!header_done_) return Header(row);
    if (IsBlankRow(row)) return Status::Ok();
    ++rep_.rows;
    batch_.push_back(Parse(row));
    if (batch_.size() >= kBatch) return Flush(tx);
    return Status::Ok();
  }

  Status Finish(store::Tx& tx) {
    if (!header_done_) return Invalid("the file is empty: it needs a header row naming the columns (ISBN/条码, 书名/title, 定价/price, …)");
    SY_RETURN_IF_ERROR(Flush(tx));
    rep_.valid = rep_.created + rep_.updated + rep_.unchanged;
    bool wrote = rep_.created + rep_.updated + rep_.stock_rows + rep_.reorder_points > 0 || !rep_.new_categories.empty();
    if (opt_.dry_run || !wrote) return Status::Ok();
    return RecordAudit(tx, ctx_, actor_, "product.import", "products",
                       {{"file", opt_.file_name}, {"rows", rep_.rows}, {"created", rep_.created},
                        {"updated", rep_.updated}, {"unchanged", rep_.unchanged}, {"invalid", rep_.invalid},
                        {"encoding", rep_.encoding}, {"new_categories", rep_.new_categories},
                        {"receipt_ids", rep_.receipt_ids}, {"stock_units", rep_.stock_units},
                        {"reorder_points", rep_.reorder_points}});
  }

  ProductImportReport& report() { return rep_; }

 private:
  // "" when the actor may put stock into `store_id`.
  std::string StoreRefusal(int64_t store_id) const {
    if (actor_.role == core::Role::kOwner) return "";
    if (actor_.role == core::Role::kManager && actor_.home_store_id == store_id) return "";
    return "a manager may stock only their own store";
  }

  Status Header(const TableRow& row) {
    if (IsBlankRow(row)) return Status::Ok();
    if (!row.problem.empty()) return Invalid("the header row cannot be read: " + row.problem);
    HeaderMatch m = MatchHeader(row.cells, kAliases, kFieldNames);
    for (size_t f = 0; f < kFieldCount; ++f) col_[f] = m.column_of[f];
    headers_ = std::move(m.headers);
    rep_.columns = std::move(m.columns);
    rep_.ignored_columns = std::move(m.ignored);
    if (col_[kIsbn] < 0 && col_[kBarcode] < 0)
      m.errors.push_back({"isbn", "no code column: the header row needs one named ISBN, 书号, 条码 or barcode"});
    if (!m.errors.empty()) return Invalid("the header row (line " + std::to_string(row.line) + ") cannot be used", m.errors);
    header_done_ = true;
    return Status::Ok();
  }

  void Problem(Candidate& c, int f, std::string message) {
    c.ok = false;
    std::string column = f < 0 || col_[size_t(f)] < 0 ? "" : headers_[size_t(col_[size_t(f)])];
    c.problems.push_back({c.line, column, f < 0 ? "" : c.cells[size_t(f)], std::move(message)});
  }

  Candidate Parse(const TableRow& row) {
    Candidate c;
    c.line = row.line;
    c.cells.resize(kFieldCount);
    if (!row.problem.empty()) {
      Problem(c, -1, row.problem);
      return c;
    }
    for (size_t f = 0; f < kFieldCount; ++f) {
      int i = col_[f];
      if (i >= 0 && size_t(i) < row.cells.size()) c.cells[f] = std::string(Trim(row.cells[size_t(i)]));
    }
    const auto& cell = c.cells;
    ProductFields& in = c.fields;
    in.imported = true;

    // The code: the ISBN column's if given, else the barcode column's.
    int code_field = !cell[kIsbn].empty() ? kIsbn : kBarcode;
    if (cell[code_field].empty()) {
      Problem(c, col_[kIsbn] >= 0 ? kIsbn : kBarcode, "is required (the ISBN or barcode)");
    } else {
      // Either column may hold either kind of code (one "ISBN/条码" column for books and items).
      auto code = core::NormalizeBarcode(cell[code_field]);
      if (!code.ok()) {
        Problem(c, code_field, code.status().message());
      } else {
        c.code = code.value();
        c.isbn = c.code.size() == 13 && (c.code.rfind("978", 0) == 0 || c.code.rfind("979", 0) == 0);
        if (code_field == kIsbn && !cell[kBarcode].empty()) {
          auto other = core::NormalizeBarcode(cell[kBarcode]);
          if (!other.ok() || other.value() != c.code)
            Problem(c, kBarcode, "differs from the ISBN: a book's barcode is its ISBN-13 (" + c.code + ")");
        }
        auto [it, fresh] = codes_.emplace(c.code, c.line);
        if (!fresh) Problem(c, code_field, "appears again in this file (first on line " + std::to_string(it->second) + ")");
      }
    }
    if (!cell[kKind].empty()) {
      std::string kind = ParseKind(cell[kKind]);
      if (kind.empty()) Problem(c, kKind, "must be book or item (图书/商品)");
      else in.kind = kind;
    }
    if (c.ok) {
      std::string kind = in.kind.value_or(c.isbn ? "book" : "item");
      in.kind = kind;  // for a known product Flush keeps its kind unless the file names one
      if (kind == "book" && c.isbn) in.isbn = c.code;
      else in.barcode = c.code;
    }
    if (!cell[kTitle].empty()) in.title = cell[kTitle];
    if (!cell[kSubtitle].empty()) in.subtitle = cell[kSubtitle];
    if (!cell[kPublisher].empty()) in.publisher = cell[kPublisher];
    if (!cell[kAuthors].empty()) in.authors = SplitAuthors(cell[kAuthors]);
    if (!cell[kYear].empty()) {
      if (auto y = ParseYear(cell[kYear])) in.pub_year = *y;
      else Problem(c, kYear, "must be a year such as 2019");
    }
    std::string why;
    if (!cell[kListPrice].empty()) {
      if (auto v = ParseAmount(cell[kListPrice], 2, kMaxPrice, why)) in.list_price = *v;
      else Problem(c, kListPrice, why);
    }
    if (!cell[kCost].empty()) {
      if (auto v = ParseAmount(cell[kCost], 2, kMaxPrice, why)) in.cost = *v;
      else Problem(c, kCost, why);
    }
    if (!cell[kTaxRate].empty()) {
      if (auto v = ParseTaxRate(cell[kTaxRate], why)) in.tax_rate_bp = *v;
      else Problem(c, kTaxRate, why);
    }
    if (!cell[kCategory].empty()) {
      if (auto id = cats_.Resolve(cell[kCategory]); !id.ok()) Problem(c, kCategory, id.status().message());
      else in.category_id = id.value();
    }
    if (!cell[kStore].empty()) {
      const StoreInfo* s = nullptr;
      for (const auto& x : stores_)
        if (Fold(x.code) == Fold(cell[kStore]) || x.name == cell[kStore]) s = &x;
      if (!s) Problem(c, kStore, "no store has this code or name");
      else if (auto m = StoreRefusal(s->id); !m.empty()) Problem(c, kStore, m);
      else c.store_id = s->id;
    } else {
      c.store_id = default_store_;
    }
    if (!cell[kStock].empty()) {
      if (auto v = ParseAmount(cell[kStock], 0, kMaxQuantity, why)) c.stock = *v;
      else Problem(c, kStock, why == "is too large" ? "must be at most 1000000" : why);
    }
    if (!cell[kReorder].empty()) {
      if (auto v = ParseAmount(cell[kReorder], 0, kMaxQuantity, why)) c.reorder = *v;
      else Problem(c, kReorder, why == "is too large" ? "must be at most 1000000" : why);
    }
    if ((c.stock > 0 || c.reorder) && !c.store_id && cell[kStore].empty())
      Problem(c, c.stock > 0 ? kStock : kReorder, "needs a store: choose the store for opening stock or add a 门店/store column");
    return c;
  }

  // The field errors of ApplyProductFields, under the columns they concern.
  void FieldProblems(Candidate& c, const Status& st) {
    if (st.details().empty()) Problem(c, -1, st.message());
    for (const auto& d : st.details()) {
      const std::string& f = d.field;
      int field = -1;
      if (f == "isbn" || f == "barcode") field = col_[kIsbn] >= 0 && !c.cells[kIsbn].empty() ? kIsbn : kBarcode;
      else if (f == "title") field = kTitle;
      else if (f == "subtitle") field = kSubtitle;
      else if (f == "publisher") field = kPublisher;
      else if (f.rfind("authors", 0) == 0) field = kAuthors;
      else if (f == "pub_year") field = kYear;
      else if (f == "list_price") field = kListPrice;
      else if (f == "cost") field = kCost;
      else if (f == "tax_rate_bp") field = kTaxRate;
      else if (f == "kind") field = kKind;
      if (field >= 0 && col_[size_t(field)] < 0) {
        // A required field whose column the file does not have.
        Problem(c, -1, kFieldNames[size_t(field)] + std::string(" ") + d.message);
        continue;
      }
      Problem(c, field, d.message);
    }
  }

  void Emit(const ImportProblem& p) {
    ++rep_.error_count;
    if (rep_.errors.size() < opt_.max_errors) rep_.errors.push_back(p);
  }

  static bool SameProduct(const Product& a, const Product& b) {
    return a.kind == b.kind && a.isbn13 == b.isbn13 && a.barcode == b.barcode && a.title == b.title &&
           a.subtitle == b.subtitle && a.authors == b.authors && a.publisher == b.publisher && a.pub_year == b.pub_year &&
           a.category_id == b.category_id && a.list_price == b.list_price && a.cost == b.cost &&
           a.tax_rate_bp == b.tax_rate_bp;
  }

  // Looks up the batch's codes, decides each good row's action, writes (real run) and reports
  // the problems in line order.
  Status Flush(store::Tx& tx) {
    if (batch_.empty()) return Status::Ok();
    std::vector<Candidate*> good;
    for (auto& c : batch_)
      if (c.ok) good.push_back(&c);
    std::unordered_map<std::string, Product> known;
    for (size_t start = 0; start < good.size(); start += kChunk) {
      size_t end = std::min(good.size(), start + kChunk);
      std::vector<store::Value> codes;
      codes.reserve(kChunk);
      for (size_t i = start; i < end; ++i) codes.emplace_back(good[i]->code);
      while (codes.size() < kChunk) codes.emplace_back(std::string());  // one statement text for every chunk
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec(
          "SELECT id, kind, isbn13, barcode, title, subtitle, authors, publisher, pub_year, category_id, list_price, "
          "cost, tax_rate_bp, active, imported, created_at, updated_at FROM products WHERE barcode IN (" +
              Placeholders(kChunk) + ")", codes));
      for (const auto& r : rows.rows) {
        Product p;
        p.id = r.Int(0);
        p.kind = r.Text(1);
        p.isbn13 = r.OptText(2);
        p.barcode = r.Text(3);
        p.title = r.Text(4);
        p.subtitle = r.Text(5);
        const std::string authors = r.Text(6);
        for (size_t from = 0, nl; from < authors.size(); from = nl + 1) {
          nl = authors.find('\n', from);
          if (nl == std::string::npos) nl = authors.size();
          if (nl > from) p.authors.push_back(authors.substr(from, nl - from));
        }
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
        known.emplace(p.barcode, std::move(p));
      }
    }
    std::vector<Candidate*> ready;
    for (Candidate* c : good) {
      auto it = known.find(c->code);
      if (it == known.end()) {
        auto p = ApplyProductFields(Product{}, c->fields, true, now_);
        if (!p.ok()) {
          FieldProblems(*c, p.status());
          continue;
        }
        c->action = Candidate::kCreate;
        c->product = std::move(p.value());
      } else {
        const Product& cur = it->second;
        ProductFields in = c->fields;
        if (!c->cells[kKind].empty()) in.kind = ParseKind(c->cells[kKind]);
        else in.kind.reset();  // an existing product keeps its kind unless the file names one
        if (cur.kind == "item" || !c->isbn) {
          in.isbn.reset();
          in.barcode = c->code;
        }
        auto p = ApplyProductFields(cur, in, false, now_);
        if (!p.ok()) {
          FieldProblems(*c, p.status());
          continue;
        }
        c->product = std::move(p.value());
        c->product_id = cur.id;
        c->action = SameProduct(cur, c->product) ? Candidate::kSame : Candidate::kUpdate;
        if (c->action == Candidate::kUpdate) {
          c->product.imported = true;
        } else {
          c->product.updated_at = cur.updated_at;
        }
      }
      if (c->product.category_id) cats_.Use(*c->product.category_id);
      ready.push_back(c);
    }
    for (const auto& c : batch_) {
      if (!c.ok) ++rep_.invalid;
      for (const auto& p : c.problems) Emit(p);
    }
    for (Candidate* c : ready) {
      if (c->action == Candidate::kCreate) ++rep_.created;
      else if (c->action == Candidate::kUpdate) ++rep_.updated;
      else ++rep_.unchanged;
    }
    SY_RETURN_IF_ERROR(cats_.CreateUsed(tx, now_, opt_.dry_run, rep_.new_categories));
    if (!opt_.dry_run) SY_RETURN_IF_ERROR(WriteProducts(tx, ready));
    SY_RETURN_IF_ERROR(Stock(tx, ready));
    batch_.clear();
    return Status::Ok();
  }

  std::vector<store::Value> Values(const Product& p) const {
    std::string authors;
    for (const auto& a : p.authors) authors += (authors.empty() ? "" : "\n") + a;
    auto opt_int = [](const std::optional<int64_t>& v) { return v ? store::Value(*v) : store::Null(); };
    std::optional<int64_t> category = p.category_id ? std::optional<int64_t>(cats_.Real(*p.category_id)) : std::nullopt;
    return {p.kind, p.isbn13 ? store::Value(*p.isbn13) : store::Null(), p.barcode, p.title, p.subtitle, authors,
            p.publisher, opt_int(p.pub_year), opt_int(category), p.list_price, opt_int(p.cost), p.tax_rate_bp,
            int64_t(p.active), int64_t(p.imported), ProductSearchText(p), p.updated_at};
  }

  Status WriteProducts(store::Tx& tx, const std::vector<Candidate*>& rows) {
    std::vector<Candidate*> creates, updates;
    for (Candidate* c : rows) {
      if (c->action == Candidate::kCreate) creates.push_back(c);
      else if (c->action == Candidate::kUpdate) updates.push_back(c);
    }
    constexpr const char* kRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    for (size_t start = 0; start < creates.size(); start += kChunk) {
      size_t end = std::min(creates.size(), start + kChunk);
      std::string sql =
          "INSERT INTO products (kind, isbn13, barcode, title, subtitle, authors, publisher, pub_year, category_id, "
          "list_price, cost, tax_rate_bp, active, imported, search_text, updated_at, created_at) VALUES ";
      std::vector<store::Value> p;
      p.reserve((end - start) * 17);
      std::unordered_map<std::string, Candidate*> by_code;
      for (size_t i = start; i < end; ++i) {
        Candidate& c = *creates[i];
        by_code.emplace(c.product.barcode, &c);
        sql += i == start ? kRow : std::string(", ") + kRow;
        auto v = Values(c.product);
        p.insert(p.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
        p.emplace_back(now_);
      }
      // A code created since the lookup (PostgreSQL, another connection) is a Conflict: the
      // whole import is refused and can simply be run again.
      SY_ASSIGN_OR_RETURN(auto ids, tx.Exec(sql + " RETURNING id, barcode", p));
      for (const auto& r : ids.rows) by_code.at(r.Text(1))->product_id = r.Int(0);
    }
    constexpr const char* kSet =
        "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), "
        "CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), "
        "CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT))";
    for (size_t start = 0; start < updates.size(); start += kChunk) {
      size_t end = std::min(updates.size(), start + kChunk);
      std::string sql = "UPDATE products SET kind = v.column2, isbn13 = v.column3, barcode = v.column4, title = v.column5, "
                        "subtitle = v.column6, authors = v.column7, publisher = v.column8, pub_year = v.column9, "
                        "category_id = v.column10, list_price = v.column11, cost = v.column12, tax_rate_bp = v.column13, "
                        "active = v.column14, imported = v.column15, search_text = v.column16, updated_at = v.column17 "
                        "FROM (VALUES ";
      std::vector<store::Value> p;
      p.reserve((end - start) * 17);
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? kSet : std::string(", ") + kSet;
        p.emplace_back(updates[i]->product_id);
        auto v = Values(updates[i]->product);
        p.insert(p.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
      }
      SY_RETURN_IF_ERROR(tx.Exec(sql + ") AS v WHERE products.id = v.column1", p).status());
    }
    return Status::Ok();
  }

  // Opening stock and reorder points of the batch's good rows, by store.
  Status Stock(store::Tx& tx, const std::vector<Candidate*>& rows) {
    std::map<int64_t, std::vector<Candidate*>> by_store;
    for (Candidate* c : rows)
      if (c->store_id && (c->stock > 0 || c->reorder)) by_store[*c->store_id].push_back(c);
    for (auto& [store_id, list] : by_store) {
      // What the store already has of the known products: movements (then the file's stock is
      // not applied) and reorder points.
      std::unordered_set<int64_t> stocked;
      std::unordered_map<int64_t, int64_t> reorder_now;
      std::vector<store::Value> ids;
      for (Candidate* c : list)
        if (c->action != Candidate::kCreate) ids.emplace_back(c->product_id);
      for (size_t start = 0; start < ids.size(); start += kChunk) {
        size_t end = std::min(ids.size(), start + kChunk);
        std::vector<store::Value> p = {store_id};
        p.insert(p.end(), ids.begin() + long(start), ids.begin() + long(end));
        std::string in = Placeholders(end - start);
        SY_ASSIGN_OR_RETURN(auto moved, tx.Exec("SELECT DISTINCT product_id FROM stock_movements WHERE store_id = ? "
                                                "AND product_id IN (" + in + ")", p));
        for (const auto& r : moved.rows) stocked.insert(r.Int(0));
        SY_ASSIGN_OR_RETURN(auto levels, tx.Exec("SELECT product_id, reorder_point FROM stock_levels WHERE store_id = ? "
                                                 "AND product_id IN (" + in + ")", p));
        for (const auto& r : levels.rows) reorder_now.emplace(r.Int(0), r.Int(1));
      }
      std::vector<Candidate*> receive, reorder;
      for (Candidate* c : list) {
        bool known = c->action != Candidate::kCreate;
        if (c->stock > 0) {
          if (known && stocked.count(c->product_id)) {
            ++rep_.stock_kept;
          } else {
            receive.push_back(c);
            ++rep_.stock_rows;
            rep_.stock_units += c->stock;
          }
        }
        if (c->reorder) {
          auto it = known ? reorder_now.find(c->product_id) : reorder_now.end();
          if (it == reorder_now.end() ? *c->reorder != 0 : it->second != *c->reorder) {
            reorder.push_back(c);
            ++rep_.reorder_points;
          }
        }
      }
      if (opt_.dry_run) continue;
      SY_RETURN_IF_ERROR(Receive(tx, store_id, receive));
      for (size_t start = 0; start < reorder.size(); start += kChunk) {
        size_t end = std::min(reorder.size(), start + kChunk);
        std::string sql = "INSERT INTO stock_levels (store_id, product_id, on_hand, reorder_point, updated_at) VALUES ";
        std::vector<store::Value> p;
        for (size_t i = start; i < end; ++i) {
          sql += i == start ? "(?, ?, 0, ?, ?)" : ", (?, ?, 0, ?, ?)";
          p.insert(p.end(), {store_id, reorder[i]->product_id, *reorder[i]->reorder, now_});
        }
        SY_RETURN_IF_ERROR(tx.Exec(sql + " ON CONFLICT (store_id, product_id) DO UPDATE SET reorder_point = "
                                         "excluded.reorder_point, updated_at = excluded.updated_at", p).status());
      }
    }
    return Status::Ok();
  }

  // One receipt per store for the whole import; each row a 'receive' movement, the level raised
  // by the same amount in one multi-row upsert whose RETURNING gives each on_hand_after.
  Status Receive(store::Tx& tx, int64_t store_id, const std::vector<Candidate*>& rows) {
    if (rows.empty()) return Status::Ok();
    std::optional<int64_t> staff = actor_.kind == "staff" ? std::optional<int64_t>(actor_.id) : std::nullopt;
    store::Value staff_value = staff ? store::Value(*staff) : store::Null();
    auto it = receipts_.find(store_id);
    if (it == receipts_.end()) {
      SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO stock_receipts (store_id, supplier_reference, note, at, staff_id) "
                                            "VALUES (?, ?, ?, ?, ?) RETURNING id",
                                            {store_id, reference_.substr(0, 100), std::string("opening stock"), now_, staff_value}));
      it = receipts_.emplace(store_id, ins[0].Int(0)).first;
      rep_.receipt_ids.push_back(it->second);
    }
    for (size_t start = 0; start < rows.size(); start += kChunk) {
      size_t end = std::min(rows.size(), start + kChunk);
      std::string sql = "INSERT INTO stock_levels (store_id, product_id, on_hand, reorder_point, updated_at) VALUES ";
      std::vector<store::Value> p;
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? "(?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?)";
        p.insert(p.end(), {store_id, rows[i]->product_id, rows[i]->stock, rows[i]->reorder.value_or(0), now_});
      }
      SY_ASSIGN_OR_RETURN(auto levels, tx.Exec(sql + " ON CONFLICT (store_id, product_id) DO UPDATE SET on_hand = "
                                                     "stock_levels.on_hand + excluded.on_hand, updated_at = excluded.updated_at "
                                                     "RETURNING product_id, on_hand", p));
      std::unordered_map<int64_t, int64_t> after;
      for (const auto& r : levels.rows) after.emplace(r.Int(0), r.Int(1));
      std::string moves = "INSERT INTO stock_movements (store_id, product_id, at, kind, quantity, on_hand_after, reason, "
                          "staff_id, receipt_id) VALUES ";
      std::vector<store::Value> mp;
      for (size_t i = start; i < end; ++i) {
        moves += i == start ? "(?, ?, ?, 'receive', ?, ?, ?, ?, ?)" : ", (?, ?, ?, 'receive', ?, ?, ?, ?, ?)";
        mp.insert(mp.end(), {store_id, rows[i]->product_id, now_, rows[i]->stock, after.at(rows[i]->product_id),
                             reference_.substr(0, 200), staff_value, it->second});
      }
      SY_RETURN_IF_ERROR(tx.Exec(moves, mp).status());
    }
    return Status::Ok();
  }

  Context& ctx_;
  const Actor& actor_;
  ProductImportOptions opt_;
  ProductImportReport rep_;
  int64_t now_ = 0;
  std::string reference_;
  bool header_done_ = false;
  std::array<int, kFieldCount> col_{};
  std::vector<std::string> headers_;
  std::unordered_map<std::string, int64_t> codes_;  // code → first line
  std::vector<Candidate> batch_;
  CategoryTree cats_;
  std::vector<StoreInfo> stores_;
  std::optional<int64_t> default_store_;
  std::map<int64_t, int64_t> receipts_;  // store → receipt
};

Status CheckAccess(const Actor& actor, const ProductImportOptions& opt) {
  if (actor.role != core::Role::kOwner && actor.role != core::Role::kManager)
    return Status(Code::kPermissionDenied, "only owners and managers may import products");
  if (auto m = core::CheckText(opt.file_name, 200); !m.empty()) return Invalid("the file name " + m, {{"file_name", m}});
  return Status::Ok();
}

Result<ProductImportReport> Run(Context& ctx, const Actor& actor, const ProductImportOptions& opt,
                                const std::function<Status(Importer&, store::Tx&)>& read) {
  SY_RETURN_IF_ERROR(CheckAccess(actor, opt));
  std::optional<Importer> imp;
  Status st = RunImportTransaction(ctx, opt.dry_run, [&](store::Tx& tx) -> Status {
    imp.emplace(ctx, actor, opt);  // afresh if the database retries the transaction
    SY_RETURN_IF_ERROR(imp->Start(tx));
    SY_RETURN_IF_ERROR(read(*imp, tx));
    return imp->Finish(tx);
  });
  if (!st.ok()) return st;
  auto& rep = imp->report();
  std::stable_sort(rep.errors.begin(), rep.errors.end(),
                   [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
  return std::move(rep);
}

}  // namespace

Result<ProductImportReport> ImportProductsCsv(Context& ctx, const Actor& actor, std::istream& in,
                                              const ProductImportOptions& opt) {
  return Run(ctx, actor, opt, [&](Importer& imp, store::Tx& tx) -> Status {
    std::string encoding;
    Status st = ReadCsvRows(in, [&](const TableRow& row) { return imp.Row(tx, row); }, encoding);
    imp.report().encoding = encoding;
    return st;
  });
}

Result<ProductImportReport> ImportProductsXlsx(Context& ctx, const Actor& actor, const std::string& bytes,
                                               const ProductImportOptions& opt) {
  return Run(ctx, actor, opt, [&](Importer& imp, store::Tx& tx) -> Status {
    imp.report().encoding = "xlsx";
    return ReadXlsxRows(bytes, [&](const TableRow& row) { return imp.Row(tx, row); });
  });
}

}  // namespace shuyou::service
