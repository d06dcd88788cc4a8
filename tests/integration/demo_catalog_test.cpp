// The demo catalog on both engines: valid unique ISBN-13s (checked by the core normalizer, not
// by the generator), the same books for the same seed, nothing added by a second run, stock that
// satisfies the stock invariant, and a catalog the API can search.
#include "core/isbn.h"
#include "service/check.h"
#include "service/demo_catalog.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

class DemoCatalog : public ApiFixture {
 protected:
  std::vector<std::string> Books() {
    std::vector<std::string> out;
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT isbn13, barcode, title, list_price FROM products ORDER BY isbn13"));
      for (const auto& r : rows.rows) {
        EXPECT_EQ(r.Text(0), r.Text(1));
        out.push_back(r.Text(0) + "|" + r.Text(2) + "|" + r.Text(3));
      }
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }
};

TEST_P(DemoCatalog, DeterministicValidIdempotentAndConsistent) {
  auto added = service::GenerateDemoCatalog(app_->context(), 300, 7, store_id_);
  ASSERT_TRUE(added.ok()) << added.status().message();
  EXPECT_EQ(*added, 300);
  auto books = Books();
  ASSERT_EQ(books.size(), 300u);
  for (const auto& b : books) {
    std::string isbn = b.substr(0, b.find('|'));
    auto normalized = core::NormalizeIsbn(isbn);
    ASSERT_TRUE(normalized.ok()) << isbn << ": " << normalized.status().message();
    EXPECT_EQ(normalized.value(), isbn);
  }
  EXPECT_EQ(CountRows("categories"), 12);

  auto again = service::GenerateDemoCatalog(app_->context(), 300, 7, store_id_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Books(), books);
  EXPECT_EQ(CountRows("categories"), 12);

  // The same seed on a fresh database gives the same books.
  auto other_db = NewMigratedTestDatabase(GetParam());
  Status st = other_db->Write([](store::Tx& tx) {
    return tx.Exec("INSERT INTO stores (code, name, created_at, updated_at) VALUES ('X', 'X', 0, 0)").status();
  });
  ASSERT_TRUE(st.ok());
  service::Context other{*other_db, {}, [] { return int64_t(1); }};
  ASSERT_TRUE(service::GenerateDemoCatalog(other, 300, 7, 1).ok());
  std::vector<std::string> other_books;
  st = other_db->Read([&](store::Tx& tx) -> Status {
    SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT isbn13, title, list_price FROM products ORDER BY isbn13"));
    for (const auto& r : rows.rows) other_books.push_back(r.Text(0) + "|" + r.Text(1) + "|" + r.Text(2));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(other_books, books);

  auto check = service::CheckInvariants(app_->context());
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->empty());
  Reply low = Send(owner_, "GET", "/api/v1/stock?low=true&limit=200&store_id=" + std::to_string(store_id_));
  ASSERT_EQ(low.status, 200);
  EXPECT_GT(low.json["items"].size(), 0u) << "some titles are low, so the low-stock list has something to show";
  EXPECT_LT(low.json["items"].size(), 150u);
  Reply sf = Send(owner_, "GET", "/api/v1/products?q=978");
  EXPECT_EQ(sf.json["items"].size(), 50u);
  EXPECT_EQ(service::GenerateDemoCatalog(app_->context(), -1, 7, store_id_).status().code(), Code::kInvalidArgument);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(DemoCatalog);

}  // namespace
}  // namespace shuyou::test
