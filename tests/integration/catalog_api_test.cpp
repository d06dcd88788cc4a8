// The catalog through the HTTP API on both engines: categories as a tree without cycles, books
// by ISBN in either form stored as ISBN-13, items by EAN, duplicates refused with the product
// that has the code, lookup by any printed form, search by ISBN prefix and by text in Chinese or
// English, filters (category subtree, kind, active), paging, and who may change what.
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class CatalogApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
  }

  json Create(const json& body) {
    Reply r = Send(manager_, "POST", "/api/v1/products", body);
    EXPECT_EQ(r.status, 201) << body.dump() << " → " << r.body;
    return r.json;
  }

  int64_t Category(const std::string& code, const std::string& name, std::optional<int64_t> parent = std::nullopt) {
    json body = {{"code", code}, {"name", name}};
    if (parent) body["parent_id"] = *parent;
    Reply r = Send(manager_, "POST", "/api/v1/categories", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", int64_t(0));
  }

  std::vector<std::string> Titles(const std::string& query_string) {
    Reply r = Send(cashier_, "GET", "/api/v1/products?" + query_string);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    for (const auto& p : r.json["items"]) out.push_back(p["title"]);
    return out;
  }

  Caller manager_, cashier_;
};

TEST_P(CatalogApi, BookByIsbn10IsStoredAsIsbn13AndFoundByEitherForm) {
  json book = Create({{"isbn", "7-02-000220-X"},
                      {"title", "红楼梦"},
                      {"authors", {"曹雪芹", "高鹗"}},
                      {"publisher", "人民文学出版社"},
                      {"pub_year", 1996},
                      {"list_price", 5990},
                      {"cost", 3500},
                      {"tax_rate_bp", 900}});
  EXPECT_EQ(book["kind"], "book");
  EXPECT_EQ(book["isbn13"], "9787020002207");
  EXPECT_EQ(book["isbn10"], "702000220X");
  EXPECT_EQ(book["barcode"], "9787020002207") << "a book's barcode is its ISBN-13";
  EXPECT_EQ(book["authors"], json({"曹雪芹", "高鹗"}));
  EXPECT_EQ(book["list_price"], 5990);
  EXPECT_EQ(book["active"], true);
  EXPECT_EQ(book["imported"], false);
  int64_t id = book["id"];

  for (std::string code : {"9787020002207", "978-7-02-000220-7", "702000220X", "702000220x", "7-02-000220-X"}) {
    Reply r = Send(cashier_, "GET", "/api/v1/products/lookup?code=" + code);
    ASSERT_EQ(r.status, 200) << code << ": " << r.body;
    EXPECT_EQ(r.json["id"], id) << code;
    EXPECT_FALSE(r.json.contains("on_hand"));
  }
  Reply with_store = Send(cashier_, "GET", "/api/v1/products/lookup?code=9787020002207&store_id=" + std::to_string(store_id_));
  EXPECT_EQ(with_store.json["on_hand"], 0) << "never stocked: none on hand";
  Reply unknown = Send(cashier_, "GET", "/api/v1/products/lookup?code=9787532744510");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.ErrorCode(), "not_found");
  Reply misread = Send(cashier_, "GET", "/api/v1/products/lookup?code=9787020002208");
  EXPECT_EQ(misread.status, 404);
  EXPECT_NE(misread.json["error"]["message"].get<std::string>().find("check digit"), std::string::npos) << misread.body;
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/products/lookup").status, 400);

  Reply got = Send(cashier_, "GET", "/api/v1/products/" + std::to_string(id));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json, book);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/products/999999").status, 404);
}

TEST_P(CatalogApi, BadIsbnsAndDuplicateCodesAreRefusedAndWriteNothing) {
  Reply bad = Send(manager_, "POST", "/api/v1/products", json{{"isbn", "9787020002208"}, {"title", "错"}, {"list_price", 100}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.FieldError("isbn").find("check digit"), std::string::npos) << bad.body;
  Reply short_isbn = Send(manager_, "POST", "/api/v1/products", json{{"isbn", "97870200"}, {"title", "错"}, {"list_price", 100}});
  EXPECT_EQ(short_isbn.status, 400);
  EXPECT_FALSE(short_isbn.FieldError("isbn").empty());
  Reply missing = Send(manager_, "POST", "/api/v1/products", json{{"isbn", "9787020002207"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.FieldError("title"), "is required");
  EXPECT_EQ(missing.FieldError("list_price"), "is required");
  Reply no_code = Send(manager_, "POST", "/api/v1/products", json{{"title", "无号"}, {"list_price", 100}});
  EXPECT_FALSE(no_code.FieldError("isbn").empty()) << no_code.body;
  Reply item_isbn = Send(manager_, "POST", "/api/v1/products",
                         json{{"kind", "item"}, {"isbn", "9787020002207"}, {"title", "帆布袋"}, {"list_price", 100}});
  EXPECT_FALSE(item_isbn.FieldError("isbn").empty());
  EXPECT_FALSE(item_isbn.FieldError("barcode").empty());
  Reply bad_fields = Send(manager_, "POST", "/api/v1/products",
                          json{{"isbn", "9787020002207"}, {"title", "x"}, {"list_price", -1}, {"tax_rate_bp", 20000},
                               {"pub_year", 99}, {"authors", {"ok", 3}}});
  EXPECT_EQ(bad_fields.status, 400);
  EXPECT_EQ(bad_fields.FieldError("authors[1]"), "must be a string");
  Reply bad_values = Send(manager_, "POST", "/api/v1/products",
                          json{{"isbn", "9787020002207"}, {"title", "x"}, {"list_price", -1}, {"tax_rate_bp", 20000}, {"pub_year", 99}});
  EXPECT_FALSE(bad_values.FieldError("list_price").empty());
  EXPECT_FALSE(bad_values.FieldError("tax_rate_bp").empty());
  EXPECT_FALSE(bad_values.FieldError("pub_year").empty());
  Reply no_category = Send(manager_, "POST", "/api/v1/products",
                           json{{"isbn", "9787020002207"}, {"title", "x"}, {"list_price", 1}, {"category_id", 999}});
  EXPECT_EQ(no_category.FieldError("category_id"), "no such category");
  EXPECT_EQ(CountRows("products"), 0);

  json first = Create({{"isbn", "9787020002207"}, {"title", "红楼梦"}, {"list_price", 5990}});
  Reply dup = Send(manager_, "POST", "/api/v1/products", json{{"isbn", "702000220X"}, {"title", "红楼梦 (重复)"}, {"list_price", 100}});
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(dup.ErrorCode(), "conflict");
  EXPECT_NE(dup.json["error"]["message"].get<std::string>().find("红楼梦"), std::string::npos) << dup.body;
  EXPECT_EQ(dup.FieldError("isbn"), "already belongs to product " + std::to_string(first["id"].get<int64_t>()));

  json bag = Create({{"kind", "item"}, {"barcode", "6901234567892"}, {"title", "书友帆布袋"}, {"list_price", 3900}});
  EXPECT_EQ(bag["barcode"], "6901234567892");
  EXPECT_TRUE(bag["isbn13"].is_null());
  Reply dup_item = Send(manager_, "POST", "/api/v1/products",
                        json{{"kind", "item"}, {"barcode", "6901234567892"}, {"title", "另一个袋"}, {"list_price", 100}});
  EXPECT_EQ(dup_item.status, 409);
  EXPECT_FALSE(dup_item.FieldError("barcode").empty());
  Reply bad_ean = Send(manager_, "POST", "/api/v1/products",
                       json{{"kind", "item"}, {"barcode", "6901234567891"}, {"title", "袋"}, {"list_price", 100}});
  EXPECT_EQ(bad_ean.status, 400);
  EXPECT_FALSE(bad_ean.FieldError("barcode").empty());
  // Changing a book's ISBN to one another product has is refused too, and changes nothing.
  json other = Create({{"isbn", "9787532744510"}, {"title", "挪威的森林"}, {"list_price", 3600}});
  Reply clash = Send(manager_, "PATCH", "/api/v1/products/" + std::to_string(other["id"].get<int64_t>()),
                     json{{"isbn", "7-02-000220-X"}, {"list_price", 1}});
  EXPECT_EQ(clash.status, 409);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/products/" + std::to_string(other["id"].get<int64_t>())).json["list_price"], 3600);
  EXPECT_EQ(CountRows("products"), 3);
}

TEST_P(CatalogApi, UpdateChangesOnlyGivenFieldsAndIsAudited) {
  json book = Create({{"isbn", "9787532744510"}, {"title", "挪威的森林"}, {"authors", {"村上春树"}}, {"list_price", 3600},
                      {"cost", 2000}});
  std::string path = "/api/v1/products/" + std::to_string(book["id"].get<int64_t>());
  Reply r = Send(manager_, "PATCH", path, json{{"list_price", 3900}, {"cost", nullptr}, {"active", false}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["list_price"], 3900);
  EXPECT_TRUE(r.json["cost"].is_null());
  EXPECT_EQ(r.json["active"], false);
  EXPECT_EQ(r.json["title"], "挪威的森林");
  EXPECT_EQ(r.json["authors"], json({"村上春树"}));
  EXPECT_EQ(Send(manager_, "PATCH", path, json{{"kind", "item"}}).status, 400) << "kind is fixed";
  EXPECT_EQ(Send(manager_, "PATCH", path, json{{"isbn", nullptr}}).status, 400) << "a book keeps a code";
  EXPECT_EQ(Send(cashier_, "PATCH", path, json{{"list_price", 1}}).status, 403);
  EXPECT_EQ(Send(manager_, "PATCH", "/api/v1/products/999999", json{{"list_price", 1}}).status, 404);
  Reply audit = Send(owner_, "GET", "/api/v1/audit?action=product.");
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(audit.json["items"].size(), 2u);
  EXPECT_EQ(audit.json["items"][0]["action"], "product.update");
  EXPECT_EQ(audit.json["items"][1]["action"], "product.create");
}

TEST_P(CatalogApi, CategoriesFormATreeWithoutCycles) {
  int64_t fiction = Category("fiction", "小说");
  int64_t scifi = Category("fiction.scifi", "科幻", fiction);
  int64_t hard = Category("fiction.scifi.hard", "硬科幻", scifi);
  int64_t history = Category("history", "历史");
  Reply list = Send(cashier_, "GET", "/api/v1/categories");
  ASSERT_EQ(list.status, 200);
  std::vector<std::string> codes;
  for (const auto& c : list.json["items"]) codes.push_back(c["code"]);
  EXPECT_EQ(codes, (std::vector<std::string>{"history", "fiction", "fiction.scifi", "fiction.scifi.hard"}))
      << "parents before children; roots by name (历史 < 小说 in code-point order)";

  Reply dup = Send(manager_, "POST", "/api/v1/categories", json{{"code", "fiction"}, {"name", "重复"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.FieldError("code"), "is already used");
  EXPECT_FALSE(Send(manager_, "POST", "/api/v1/categories", json{{"code", "Bad Code"}, {"name", "x"}}).FieldError("code").empty());
  EXPECT_EQ(Send(manager_, "POST", "/api/v1/categories", json{{"code", "x"}, {"name", "x"}, {"parent_id", 999}})
                .FieldError("parent_id"),
            "no such category");
  // Moving fiction under its own grandchild, or under itself, would make a cycle.
  Reply cycle = Send(manager_, "PATCH", "/api/v1/categories/" + std::to_string(fiction), json{{"parent_id", hard}});
  EXPECT_EQ(cycle.status, 400);
  EXPECT_EQ(cycle.FieldError("parent_id"), "would make a cycle");
  EXPECT_EQ(Send(manager_, "PATCH", "/api/v1/categories/" + std::to_string(fiction), json{{"parent_id", fiction}}).status, 400);
  Reply moved = Send(manager_, "PATCH", "/api/v1/categories/" + std::to_string(scifi),
                     json{{"parent_id", history}, {"name_en", "Science fiction"}, {"sort_order", 5}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json["parent_id"], history);
  EXPECT_EQ(moved.json["name_en"], "Science fiction");
  Reply to_root = Send(manager_, "PATCH", "/api/v1/categories/" + std::to_string(scifi), json{{"parent_id", nullptr}});
  EXPECT_TRUE(to_root.json["parent_id"].is_null());
  EXPECT_EQ(Send(cashier_, "POST", "/api/v1/categories", json{{"code", "c"}, {"name", "c"}}).status, 403);
}

TEST_P(CatalogApi, SearchByIsbnPrefixTextCategorySubtreeKindAndActive) {
  int64_t fiction = Category("fiction", "小说");
  int64_t scifi = Category("fiction.scifi", "科幻", fiction);
  int64_t history = Category("history", "历史");
  Create({{"isbn", "9787020002207"}, {"title", "红楼梦"}, {"authors", {"曹雪芹"}}, {"publisher", "人民文学出版社"},
          {"category_id", fiction}, {"list_price", 5990}});
  Create({{"isbn", "9787532744510"}, {"title", "挪威的森林"}, {"authors", {"村上春树"}}, {"publisher", "上海译文出版社"},
          {"category_id", fiction}, {"list_price", 3600}});
  Create({{"isbn", "9787543411562"}, {"title", "三体"}, {"authors", {"刘慈欣"}}, {"category_id", scifi}, {"list_price", 2300}});
  Create({{"isbn", "9780201616224"}, {"title", "The Pragmatic Programmer"}, {"authors", {"Andrew Hunt", "David Thomas"}},
          {"publisher", "Addison-Wesley"}, {"category_id", history}, {"list_price", 9900}});
  json old = Create({{"isbn", "9780306406157"}, {"title", "1984"}, {"authors", {"George Orwell"}}, {"list_price", 2500},
                     {"active", false}});
  Create({{"kind", "item"}, {"barcode", "6901234567892"}, {"title", "书友帆布袋"}, {"list_price", 3900}});

  using T = std::vector<std::string>;
  EXPECT_EQ(Titles("q=978-7-02"), (T{"红楼梦"})) << "hyphens in a typed ISBN prefix are ignored";
  EXPECT_EQ(Titles("q=9787"), (T{"三体", "挪威的森林", "红楼梦"}));
  EXPECT_EQ(Titles("q=7532"), (T{"挪威的森林"})) << "an ISBN-10 prefix finds the ISBN-13";
  EXPECT_EQ(Titles("q=7532744515"), (T{"挪威的森林"})) << "a whole ISBN-10";
  EXPECT_EQ(Titles("q=1984"), (T{"1984"})) << "a short number is looked for in titles too";
  EXPECT_EQ(Titles("q=%E6%9D%91%E4%B8%8A"), (T{"挪威的森林"}));  // 村上: author
  EXPECT_EQ(Titles("q=%E8%AF%91%E6%96%87"), (T{"挪威的森林"}));  // 译文: publisher
  EXPECT_EQ(Titles("q=PRAGMATIC"), (T{"The Pragmatic Programmer"})) << "Latin letters in any case";
  EXPECT_EQ(Titles("q=david%20thomas"), (T{"The Pragmatic Programmer"}));
  EXPECT_EQ(Titles("q=wesley"), (T{"The Pragmatic Programmer"}));
  EXPECT_EQ(Titles("q=%25"), (T{})) << "% is literal";
  EXPECT_EQ(Titles("category_id=" + std::to_string(fiction)), (T{"三体", "挪威的森林", "红楼梦"})) << "with the subtree";
  EXPECT_EQ(Titles("category_id=" + std::to_string(scifi)), (T{"三体"}));
  EXPECT_EQ(Titles("kind=item"), (T{"书友帆布袋"}));
  EXPECT_EQ(Titles("active=false"), (T{"1984"}));
  EXPECT_EQ(Titles("active=true&kind=book&q=978").size(), 4u);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/products?kind=dvd").status, 400);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/products?active=yes").status, 400);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/products?category_id=999").status, 400);

  // Pages by price, descending, with a cursor: every product once.
  std::vector<int64_t> prices;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    Reply r = Send(cashier_, "GET", "/api/v1/products?limit=4&sort=-list_price" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& p : r.json["items"]) prices.push_back(p["list_price"]);
    if (r.json["next_cursor"].is_null()) break;
    cursor = r.json["next_cursor"];
  }
  EXPECT_EQ(prices, (std::vector<int64_t>{9900, 5990, 3900, 3600, 2500, 2300}));
  (void)old;
}

SHUYOU_INSTANTIATE_FOR_ENGINES(CatalogApi);

}  // namespace
}  // namespace shuyou::test
