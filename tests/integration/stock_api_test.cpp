// Stock through the HTTP API on both engines: deliveries, adjustments with a reason, counts,
// transfers that move all lines or none, the low-stock list, the movements history, negative
// stock refused unless the store allows it, managers limited to their home store, two threads
// taking the last copy where exactly one wins, and `shuyou check` finding a tampered level.
#include <atomic>
#include <thread>

#include "service/check.h"
#include "service/stock.h"
#include "support/api_client.h"

namespace shuyou::test {
namespace {

using nlohmann::json;

class StockApi : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    Reply branch = Send(owner_, "POST", "/api/v1/stores", json{{"code", "EAST"}, {"name", "书友书店 东店"}});
    ASSERT_EQ(branch.status, 201) << branch.body;
    east_ = branch.json["id"];
    MakeStaff("chen.jing", "manager", store_id_);
    manager_ = Login("chen.jing", "correct-horse-battery");
    MakeStaff("li.ming", "cashier", store_id_);
    cashier_ = Login("li.ming", "correct-horse-battery");
    book_ = Product("9787020002207", "红楼梦", 5990);
    other_ = Product("9787532744510", "挪威的森林", 3600);
  }

  int64_t Product(const std::string& isbn, const std::string& title, int64_t price) {
    Reply r = Send(owner_, "POST", "/api/v1/products", json{{"isbn", isbn}, {"title", title}, {"list_price", price}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", int64_t(0));
  }

  Reply Receive(const Caller& who, int64_t store, const json& lines, const std::string& ref = "PO-1") {
    return Send(who, "POST", "/api/v1/stock/receipts", json{{"store_id", store}, {"supplier_reference", ref}, {"lines", lines}});
  }
  Reply Adjust(const Caller& who, int64_t store, int64_t product, int64_t qty, const std::string& reason = "破损") {
    return Send(who, "POST", "/api/v1/stock/adjustments",
                json{{"store_id", store}, {"product_id", product}, {"quantity", qty}, {"reason", reason}});
  }

  // on_hand from the stock list (0 when the product was never stocked in the store).
  int64_t OnHand(int64_t store, int64_t product) {
    Reply r = Send(cashier_, "GET", "/api/v1/stock?limit=200&store_id=" + std::to_string(store));
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& l : r.json["items"])
      if (l["product_id"] == product) return l["on_hand"];
    return 0;
  }

  // The sum of movements by an independent query, and the cached level.
  std::pair<int64_t, int64_t> SumAndLevel(int64_t store, int64_t product) {
    std::pair<int64_t, int64_t> out{-999, -999};
    Status st = db_->Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto sum, tx.Exec("SELECT COALESCE(SUM(quantity), 0) FROM stock_movements WHERE store_id = ? AND product_id = ?",
                                            {store, product}));
      SY_ASSIGN_OR_RETURN(auto lvl, tx.Exec("SELECT on_hand FROM stock_levels WHERE store_id = ? AND product_id = ?", {store, product}));
      out = {sum[0].Int(0), lvl.empty() ? 0 : lvl[0].Int(0)};
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }

  int64_t east_ = 0, book_ = 0, other_ = 0;
  Caller manager_, cashier_;
};

TEST_P(StockApi, ReceiveAdjustCountAndTheMovementsTellTheStory) {
  Reply rec = Receive(manager_, store_id_, json::array({{{"barcode", "7-02-000220-X"}, {"quantity", 5}},
                                                        {{"product_id", other_}, {"quantity", 2}}}), "SH-2026-118");
  ASSERT_EQ(rec.status, 201) << rec.body;
  EXPECT_EQ(rec.json["supplier_reference"], "SH-2026-118");
  ASSERT_EQ(rec.json["movements"].size(), 2u);
  EXPECT_EQ(rec.json["movements"][0]["product_id"], book_) << "an ISBN-10 barcode names the book";
  EXPECT_EQ(rec.json["movements"][0]["on_hand_after"], 5);
  EXPECT_EQ(rec.json["movements"][0]["receipt_id"], rec.json["id"]);

  Reply adj = Adjust(manager_, store_id_, book_, -1, "水渍损坏");
  ASSERT_EQ(adj.status, 201) << adj.body;
  EXPECT_EQ(adj.json["kind"], "adjust");
  EXPECT_EQ(adj.json["on_hand_after"], 4);
  EXPECT_EQ(OnHand(store_id_, book_), 4);
  Reply no_reason = Adjust(manager_, store_id_, book_, -1, " ");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(no_reason.FieldError("reason"), "is required");
  EXPECT_EQ(Adjust(manager_, store_id_, book_, 0).FieldError("quantity"), "must not be zero");

  Reply count = Send(manager_, "POST", "/api/v1/stock/counts",
                     json{{"store_id", store_id_}, {"reason", "月末盘点"},
                          {"lines", {{{"product_id", book_}, {"counted", 6}}, {{"product_id", other_}, {"counted", 2}}}}});
  ASSERT_EQ(count.status, 201) << count.body;
  EXPECT_EQ(count.json["movements"][0]["quantity"], 2) << "counted 6 with 4 on hand";
  EXPECT_EQ(count.json["movements"][0]["on_hand_after"], 6);
  EXPECT_EQ(count.json["movements"][1]["quantity"], 0);
  EXPECT_EQ(OnHand(store_id_, book_), 6);

  Reply moves = Send(cashier_, "GET", "/api/v1/stock/movements?store_id=" + std::to_string(store_id_) +
                                         "&product_id=" + std::to_string(book_));
  ASSERT_EQ(moves.status, 200) << moves.body;
  std::vector<std::string> kinds;
  std::vector<int64_t> qty;
  for (const auto& m : moves.json["items"]) {
    kinds.push_back(m["kind"]);
    qty.push_back(m["quantity"]);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"count", "adjust", "receive"})) << "newest first";
  EXPECT_EQ(qty, (std::vector<int64_t>{2, -1, 5}));
  EXPECT_EQ(moves.json["items"][1]["reason"], "水渍损坏");
  EXPECT_EQ(moves.json["items"][1]["staff_username"], "chen.jing");
  EXPECT_EQ(moves.json["items"][2]["product_title"], "红楼梦");
  EXPECT_EQ(SumAndLevel(store_id_, book_), std::make_pair(int64_t(6), int64_t(6)));

  Reply bad = Receive(manager_, store_id_, json::array({{{"product_id", book_}, {"quantity", 0}},
                                                        {{"barcode", "9787020002208"}, {"quantity", 1}},
                                                        {{"quantity", 1}}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_FALSE(bad.FieldError("lines[0].quantity").empty());
  EXPECT_FALSE(bad.FieldError("lines[2]").empty());
  Reply bad_code = Receive(manager_, store_id_, json::array({{{"product_id", book_}, {"quantity", 1}},
                                                             {{"barcode", "9787020002208"}, {"quantity", 1}}}));
  EXPECT_EQ(bad_code.status, 400);
  EXPECT_FALSE(bad_code.FieldError("lines[1].barcode").empty()) << bad_code.body;
  EXPECT_EQ(OnHand(store_id_, book_), 6) << "a refused delivery adds nothing, not even its good lines";
  EXPECT_EQ(Receive(manager_, store_id_, json::array()).FieldError("lines"), "at least one line is required");

  auto clean = service::CheckInvariants(app_->context());
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->empty());
}

TEST_P(StockApi, NegativeStockIsRefusedUnlessTheStoreAllowsIt) {
  ASSERT_EQ(Receive(owner_, store_id_, json::array({{{"product_id", book_}, {"quantity", 1}}})).status, 201);
  Reply over = Adjust(manager_, store_id_, book_, -2);
  EXPECT_EQ(over.status, 409) << over.body;
  EXPECT_EQ(over.FieldError("quantity"), "only 1 on hand");
  EXPECT_EQ(Adjust(manager_, store_id_, other_, -1).status, 409) << "never stocked: nothing to take";
  EXPECT_EQ(OnHand(store_id_, book_), 1);

  EXPECT_EQ(Send(manager_, "PATCH", "/api/v1/stock/settings", json{{"store_id", store_id_}, {"allow_negative_stock", true}}).status, 403);
  Reply allow = Send(owner_, "PATCH", "/api/v1/stock/settings", json{{"store_id", store_id_}, {"allow_negative_stock", true}});
  ASSERT_EQ(allow.status, 200) << allow.body;
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/stock?store_id=" + std::to_string(store_id_)).json["allow_negative_stock"], true);
  Reply neg = Adjust(manager_, store_id_, book_, -3);
  ASSERT_EQ(neg.status, 201) << neg.body;
  EXPECT_EQ(neg.json["on_hand_after"], -2);
  Reply fresh = Adjust(manager_, store_id_, other_, -1);
  ASSERT_EQ(fresh.status, 201) << fresh.body;
  EXPECT_EQ(fresh.json["on_hand_after"], -1);
  // The checkout's entry point obeys the same rule.
  Status st = db_->Write([&](store::Tx& tx) -> Status {
    return service::TakeStockForSale(tx, 1, store_id_, {{book_, 1}}, 77, "sale 77", std::nullopt);
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(OnHand(store_id_, book_), -3);
  Reply moves = Send(cashier_, "GET", "/api/v1/stock/movements?product_id=" + std::to_string(book_));
  EXPECT_EQ(moves.json["items"][0]["kind"], "sale");
  EXPECT_EQ(moves.json["items"][0]["sale_id"], 77);
  EXPECT_EQ(SumAndLevel(store_id_, book_), std::make_pair(int64_t(-3), int64_t(-3)));
}

TEST_P(StockApi, TransfersMoveEveryLineOrNothing) {
  ASSERT_EQ(Receive(owner_, store_id_, json::array({{{"product_id", book_}, {"quantity", 3}},
                                                     {{"product_id", other_}, {"quantity", 1}}})).status, 201);
  Reply ok = Send(manager_, "POST", "/api/v1/stock/transfers",
                  json{{"from_store_id", store_id_}, {"to_store_id", east_}, {"note", "东店补货"},
                       {"lines", {{{"product_id", book_}, {"quantity", 2}}}}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  ASSERT_EQ(ok.json["movements"].size(), 2u);
  EXPECT_EQ(ok.json["movements"][0]["kind"], "transfer_out");
  EXPECT_EQ(ok.json["movements"][1]["kind"], "transfer_in");
  EXPECT_EQ(ok.json["movements"][0]["transfer_id"], ok.json["id"]);
  EXPECT_EQ(ok.json["movements"][1]["transfer_id"], ok.json["id"]);
  EXPECT_EQ(OnHand(store_id_, book_), 1);
  EXPECT_EQ(OnHand(east_, book_), 2);

  // The second line is short: the first line's copies stay where they were.
  Reply store_allows = Send(owner_, "PATCH", "/api/v1/stock/settings", json{{"store_id", store_id_}, {"allow_negative_stock", true}});
  ASSERT_EQ(store_allows.status, 200);
  Reply short_line = Send(owner_, "POST", "/api/v1/stock/transfers",
                          json{{"from_store_id", store_id_}, {"to_store_id", east_},
                               {"lines", {{{"product_id", book_}, {"quantity", 1}}, {{"product_id", other_}, {"quantity", 5}}}}});
  EXPECT_EQ(short_line.status, 409) << short_line.body;
  EXPECT_EQ(short_line.FieldError("lines[1].quantity"), "only 1 on hand") << "refused even where negative stock is allowed";
  EXPECT_EQ(OnHand(store_id_, book_), 1);
  EXPECT_EQ(OnHand(east_, book_), 2);
  EXPECT_EQ(OnHand(store_id_, other_), 1);
  EXPECT_EQ(CountRows("stock_transfers"), 1);

  EXPECT_EQ(Send(owner_, "POST", "/api/v1/stock/transfers",
                 json{{"from_store_id", store_id_}, {"to_store_id", store_id_}, {"lines", {{{"product_id", book_}, {"quantity", 1}}}}})
                .FieldError("to_store_id"),
            "must differ from from_store_id");
  // A manager moves stock out of their own store only, and changes no other store's stock.
  Reply foreign = Send(manager_, "POST", "/api/v1/stock/transfers",
                       json{{"from_store_id", east_}, {"to_store_id", store_id_}, {"lines", {{{"product_id", book_}, {"quantity", 1}}}}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(Receive(manager_, east_, json::array({{{"product_id", book_}, {"quantity", 1}}})).status, 403);
  EXPECT_EQ(Adjust(manager_, east_, book_, -1).status, 403);
  EXPECT_EQ(Receive(cashier_, store_id_, json::array({{{"product_id", book_}, {"quantity", 1}}})).status, 403);
  EXPECT_EQ(OnHand(east_, book_), 2);
}

TEST_P(StockApi, LowStockListAndReorderPoints) {
  ASSERT_EQ(Receive(owner_, store_id_, json::array({{{"product_id", book_}, {"quantity", 2}},
                                                     {{"product_id", other_}, {"quantity", 10}}})).status, 201);
  Reply rp = Send(manager_, "PATCH", "/api/v1/stock/levels", json{{"store_id", store_id_}, {"barcode", "9787020002207"}, {"reorder_point", 3}});
  ASSERT_EQ(rp.status, 200) << rp.body;
  EXPECT_EQ(rp.json["reorder_point"], 3);
  EXPECT_EQ(rp.json["low"], true);
  ASSERT_EQ(Send(manager_, "PATCH", "/api/v1/stock/levels", json{{"store_id", store_id_}, {"product_id", other_}, {"reorder_point", 3}}).status, 200);
  Reply low = Send(cashier_, "GET", "/api/v1/stock?low=true&store_id=" + std::to_string(store_id_));
  ASSERT_EQ(low.status, 200) << low.body;
  ASSERT_EQ(low.json["items"].size(), 1u);
  EXPECT_EQ(low.json["items"][0]["product_id"], book_);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/stock?store_id=" + std::to_string(store_id_)).json["items"].size(), 2u);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/stock?q=%E6%8C%AA%E5%A8%81&store_id=" + std::to_string(store_id_)).json["items"].size(), 1u);  // 挪威
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/stock").status, 400);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/stock?store_id=999999").status, 404);
  EXPECT_EQ(Send(cashier_, "GET", "/api/v1/stock?low=maybe&store_id=1").status, 400);
  EXPECT_EQ(Send(manager_, "PATCH", "/api/v1/stock/levels", json{{"store_id", store_id_}, {"product_id", book_}, {"reorder_point", -1}}).status, 400);
}

TEST_P(StockApi, TwoTillsTakingTheLastCopyExactlyOneWins) {
  for (int round = 0; round < 5; ++round) {
    ASSERT_EQ(Receive(owner_, store_id_, json::array({{{"product_id", book_}, {"quantity", 1}}})).status, 201);
    std::atomic<int> wins{0}, refusals{0}, other{0};
    std::atomic<bool> go{false};
    auto till = [&](int64_t sale) {
      while (!go.load()) std::this_thread::yield();
      Status st = db_->Write([&](store::Tx& tx) -> Status {
        return service::TakeStockForSale(tx, 1, store_id_, {{book_, 1}}, sale, "sale", std::nullopt);
      });
      if (st.ok()) ++wins;
      else if (st.code() == Code::kConflict) ++refusals;
      else ++other;
    };
    std::thread a(till, 1000 + round * 2), b(till, 1001 + round * 2);
    go = true;
    a.join();
    b.join();
    EXPECT_EQ(wins.load(), 1) << "round " << round;
    EXPECT_EQ(refusals.load(), 1);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(OnHand(store_id_, book_), 0);
  }
  EXPECT_EQ(SumAndLevel(store_id_, book_), std::make_pair(int64_t(0), int64_t(0)));
}

TEST_P(StockApi, ASalesStockIsTakenForEveryProductOrNone) {
  ASSERT_EQ(Receive(owner_, store_id_, json::array({{{"product_id", book_}, {"quantity", 3}},
                                                     {{"product_id", other_}, {"quantity", 1}}})).status, 201);
  auto take = [&](std::map<int64_t, int64_t> per_product, int64_t sale) {
    return db_->Write([&](store::Tx& tx) -> Status {
      return service::TakeStockForSale(tx, 5, store_id_, per_product, sale, "sale " + std::to_string(sale), std::nullopt);
    });
  };
  // The second product is short: the first one's copies stay, and no movement is written.
  Status short_one = take({{book_, 2}, {other_, 2}}, 501);
  EXPECT_EQ(short_one.code(), Code::kConflict) << short_one.message();
  EXPECT_EQ(OnHand(store_id_, book_), 3);
  EXPECT_EQ(OnHand(store_id_, other_), 1);
  EXPECT_EQ(CountRows("stock_movements WHERE sale_id = 501"), 0);
  EXPECT_EQ(take({{book_, 0}}, 502).code(), Code::kInvalidArgument);
  EXPECT_EQ(take({{999999, 1}}, 503).code(), Code::kNotFound);

  Status ok = take({{book_, 2}, {other_, 1}}, 504);
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(OnHand(store_id_, book_), 1);
  EXPECT_EQ(OnHand(store_id_, other_), 0);
  Reply moves = Send(cashier_, "GET", "/api/v1/stock/movements?store_id=" + std::to_string(store_id_));
  ASSERT_EQ(moves.status, 200) << moves.body;
  int found = 0;
  for (const auto& m : moves.json["items"]) {
    if (m["sale_id"] != 504) continue;
    ++found;
    EXPECT_EQ(m["kind"], "sale");
    EXPECT_EQ(m["reason"], "sale 504");
    EXPECT_EQ(m["quantity"], m["product_id"] == book_ ? -2 : -1);
    EXPECT_EQ(m["on_hand_after"], m["product_id"] == book_ ? 1 : 0);
  }
  EXPECT_EQ(found, 2);
  EXPECT_EQ(SumAndLevel(store_id_, book_), std::make_pair(int64_t(1), int64_t(1)));
  EXPECT_EQ(SumAndLevel(store_id_, other_), std::make_pair(int64_t(0), int64_t(0)));
}

TEST_P(StockApi, CheckFindsATamperedLevel) {
  ASSERT_EQ(Receive(owner_, store_id_, json::array({{{"product_id", book_}, {"quantity", 4}}})).status, 201);
  auto clean = service::CheckInvariants(app_->context());
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->empty());
  ASSERT_TRUE(db_->Write([&](store::Tx& tx) {
                   return tx.Exec("UPDATE stock_levels SET on_hand = 9 WHERE product_id = ?", {book_}).status();
                 }).ok());
  auto found = service::CheckInvariants(app_->context());
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  std::string subject = "stock store " + std::to_string(store_id_) + " product " + std::to_string(book_);
  EXPECT_EQ((*found)[0].invariant, "on_hand = SUM(stock_movements.quantity)");
  EXPECT_EQ((*found)[0].subject, subject);
  EXPECT_EQ((*found)[0].cached, 9);
  EXPECT_EQ((*found)[0].computed, 4);
  EXPECT_EQ((*found)[1].invariant, "on_hand = last stock_movements.on_hand_after");
  EXPECT_EQ((*found)[1].computed, 4);
}

SHUYOU_INSTANTIATE_FOR_ENGINES(StockApi);

}  // namespace
}  // namespace shuyou::test
