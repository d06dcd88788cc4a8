// The catalog: the category tree and the products a store sells (books by ISBN, other items by
// their EAN). ISBNs are stored as ISBN-13 whichever form was typed, and a book's barcode is its
// ISBN-13, so a scan of either printed form finds it. Every change is audited in its transaction.
// Guarantees: barcodes and ISBNs are unique (a duplicate is a Conflict naming the product that
// has it); the category tree has no cycles.
#pragma once

#include "service/services.h"

namespace shuyou::service {

struct Category {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  std::string code;     // "fiction", "fiction.scifi": a-z, 0-9, '.', '-', '_'
  std::string name;     // Chinese
  std::string name_en;
  int64_t sort_order = 0;
  int64_t created_at = 0, updated_at = 0;
};

struct CategoryFields {
  std::optional<std::optional<int64_t>> parent_id;  // engaged nullopt: a root
  std::optional<std::string> code, name, name_en;
  std::optional<int64_t> sort_order;
};

// Every category, parents before children, siblings by sort_order then name.
Result<std::vector<Category>> ListCategories(Context& ctx);
Result<Category> CreateCategory(Context& ctx, const Actor& actor, const CategoryFields& in);
Result<Category> UpdateCategory(Context& ctx, const Actor& actor, int64_t id, const CategoryFields& in);

struct Product {
  int64_t id = 0;
  std::string kind;  // book, item
  std::optional<std::string> isbn13;
  std::string barcode;
  std::string title, subtitle;
  std::vector<std::string> authors;
  std::string publisher;
  std::optional<int64_t> pub_year;
  std::optional<int64_t> category_id;
  int64_t list_price = 0;  // minor units, tax-inclusive
  std::optional<int64_t> cost;
  int64_t tax_rate_bp = 0;
  bool active = true;
  bool imported = false;
  int64_t created_at = 0, updated_at = 0;
  std::optional<int64_t> on_hand;  // in the store asked about (lookup with a store), else nullopt
};

// Create: kind (default book), isbn (books; any form) or barcode, title and list_price required.
// Update: only engaged fields change; an engaged nullopt clears a nullable field.
struct ProductFields {
  std::optional<std::string> kind;
  std::optional<std::optional<std::string>> isbn, barcode;
  std::optional<std::string> title, subtitle, publisher;
  std::optional<std::vector<std::string>> authors;
  std::optional<std::optional<int64_t>> pub_year, category_id, cost;
  std::optional<int64_t> list_price, tax_rate_bp;
  std::optional<bool> active;
  bool imported = false;  // set by importers, not by the API
};

// The product `cur` becomes with `in` applied (creating: a new one from `in` alone), with ISBN and
// barcode in canonical form, or Invalid with field errors (isbn, barcode, title, authors[i], …).
// No database access: the checks CreateProduct and UpdateProduct make before writing, for
// importers that check many rows at once (they must still keep codes unique and categories real).
Result<Product> ApplyProductFields(const Product& cur, const ProductFields& in, bool creating, int64_t now);
// The lower-cased text a product search matches: title, subtitle, authors and publisher.
std::string ProductSearchText(const Product& p);

Result<Product> CreateProduct(Context& ctx, const Actor& actor, const ProductFields& in);
Result<Product> UpdateProduct(Context& ctx, const Actor& actor, int64_t id, const ProductFields& in);
Result<Product> GetProduct(Context& ctx, int64_t id);
// The product a scanned or typed code names: a barcode (EAN-13, EAN-8, UPC-A) or an ISBN in
// either form, with or without hyphens. NotFound otherwise (also for a code that fails its check
// digit, with the reason). With a store, on_hand in that store is filled in (0 when never stocked).
Result<Product> LookupProduct(Context& ctx, const std::string& code, std::optional<int64_t> store_id);

struct ProductFilter {
  std::string q;  // digits: ISBN/barcode prefix (and title text); else title/author/publisher text
  std::optional<int64_t> category_id;  // with its whole subtree
  std::optional<std::string> kind;
  std::optional<bool> active;
};
// Sorts: title (default), id, created_at, list_price.
Result<Page<Product>> SearchProducts(Context& ctx, const PageQuery& page, const ProductFilter& f);

// Lower-cases ASCII letters; other UTF-8 text (Chinese) is kept as it is.
std::string FoldForSearch(std::string_view text);

}  // namespace shuyou::service
