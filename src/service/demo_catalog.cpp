// The demo catalog (see demo_catalog.h).
#include "service/demo_catalog.h"

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string_view>

#include "service/catalog.h"

namespace shuyou::service {
namespace {

constexpr int64_t kMaxCount = 1'000'000;
constexpr int64_t kBatch = 1000;

struct Genre {
  std::string_view code, parent, name, name_en;
  int sort;
};
constexpr std::array<Genre, 12> kGenres = {{
    {"fiction", "", "小说", "Fiction", 10},
    {"fiction.scifi", "fiction", "科幻", "Science fiction", 11},
    {"fiction.mystery", "fiction", "推理悬疑", "Mystery", 12},
    {"fiction.classics", "fiction", "古典名著", "Classics", 13},
    {"humanities", "", "社科人文", "Humanities", 20},
    {"humanities.history", "humanities", "历史", "History", 21},
    {"humanities.philosophy", "humanities", "哲学", "Philosophy", 22},
    {"business", "", "经济管理", "Business", 30},
    {"children", "", "童书", "Children's books", 40},
    {"computing", "", "计算机", "Computing", 50},
    {"arts", "", "艺术设计", "Arts and design", 60},
    {"lifestyle", "", "生活", "Lifestyle", 70},
}};
// Genres books are put in (the leaves and the childless roots), with their title words.
struct Shelf {
  std::string_view code;
  std::array<std::string_view, 8> first, second;
  int64_t min_price, max_price;  // fen
};
constexpr std::array<Shelf, 10> kShelves = {{
    {"fiction.scifi", {"星际", "深空", "量子", "银河", "时间", "火星", "机械", "末日"},
     {"迷航", "信号", "远征", "之门", "黎明", "边境", "档案", "回声"}, 2800, 6800},
    {"fiction.mystery", {"午夜", "雾中", "第七个", "沉默的", "消失的", "密室", "白夜", "雪地"},
     {"证人", "谋杀案", "嫌疑人", "来信", "钟声", "迷宫", "真相", "旅馆"}, 2500, 5900},
    {"fiction.classics", {"红楼", "西厢", "聊斋", "儒林", "镜花", "水浒", "三国", "东周"},
     {"梦影", "志异", "外史", "缘", "新编", "人物志", "评注本", "全集"}, 1990, 12800},
    {"humanities.history", {"大明", "盛唐", "两宋", "丝路", "长安", "江南", "晚清", "秦汉"},
     {"风云", "往事", "十五年", "纪事", "兴衰史", "日常", "通史", "简史"}, 3800, 9800},
    {"humanities.philosophy", {"理想", "存在", "自由", "幸福", "正义", "语言", "心灵", "时间"},
     {"的追问", "与虚无", "论", "的哲学", "七讲", "导论", "十问", "沉思录"}, 3200, 8800},
    {"business", {"增长", "创新", "零售", "品牌", "组织", "定价", "战略", "数据"},
     {"的逻辑", "思维", "革命", "方法论", "实战", "原理", "案例集", "之道"}, 3900, 9900},
    {"children", {"小熊", "月亮", "大象", "彩虹", "小狐狸", "企鹅", "兔子", "恐龙"},
     {"去旅行", "的梦", "找朋友", "晚安", "过生日", "上学记", "的秘密", "大冒险"}, 1580, 4980},
    {"computing", {"Practical", "Modern", "Effective", "Designing", "Learning", "Programming", "Distributed", "Concurrent"},
     {" Databases", " C++", " Systems", " Algorithms", " Networks", " Compilers", " Rust", " Python"}, 5900, 15900},
    {"arts", {"色彩", "线条", "光影", "东方", "设计", "书法", "建筑", "摄影"},
     {"之美", "课", "的语言", "笔记", "简史", "入门", "图鉴", "手册"}, 4800, 19800},
    {"lifestyle", {"慢", "家常", "四季", "一人", "旅行", "咖啡", "茶", "花园"},
     {"生活", "菜谱", "食谱", "手记", "指南", "时光", "小事", "日历"}, 2900, 6900},
}};
constexpr std::array<std::string_view, 24> kAuthors = {
    "刘慈欣", "余华", "王安忆", "迟子建", "苏童", "毕飞宇", "格非", "阿来", "金宇澄", "双雪涛", "班宇", "郝景芳",
    "陈楸帆", "马伯庸", "张嘉佳", "韩松", "林奕含", "李娟", "许倬云", "葛兆光", "Martin Kleppmann", "Bjarne Stroustrup",
    "Donald Knuth", "Andrew Tanenbaum"};
constexpr std::array<std::string_view, 10> kPublishers = {
    "人民文学出版社", "上海译文出版社", "中信出版社", "生活·读书·新知三联书店", "北京联合出版公司", "译林出版社",
    "商务印书馆", "机械工业出版社", "浙江文艺出版社", "中华书局"};

uint64_t Below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    uint64_t x = rng();
    if (x < limit) return x % n;
  }
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Creates the genres that are missing; answers code → id.
Result<std::map<std::string, int64_t>> EnsureGenres(store::Tx& tx, int64_t now) {
  std::map<std::string, int64_t> ids;
  SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT code, id FROM categories"));
  for (const auto& r : rows.rows) ids[r.Text(0)] = r.Int(1);
  for (const auto& g : kGenres) {
    std::string code(g.code);
    if (ids.count(code)) continue;
    store::Value parent = g.parent.empty() ? store::Null() : store::Value(ids.at(std::string(g.parent)));
    SY_ASSIGN_OR_RETURN(auto ins, tx.Exec("INSERT INTO categories (parent_id, code, name, name_en, sort_order, created_at, updated_at) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                          {parent, code, std::string(g.name), std::string(g.name_en), int64_t(g.sort), now, now}));
    ids[code] = ins[0].Int(0);
  }
  return ids;
}

}  // namespace

std::string CompleteIsbn13(const std::string& twelve) {
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) sum += (twelve[i] - '0') * (i % 2 ? 3 : 1);
  return twelve + char('0' + (10 - sum % 10) % 10);
}

Result<int64_t> GenerateDemoCatalog(Context& ctx, int64_t count, uint64_t seed, int64_t store_id) {
  if (count < 0 || count > kMaxCount) return Invalid("--products must be from 0 to 1000000");
  Actor system;
  system.name = "demo";
  // ISBNs 978-7-xxxxxxxx-c: a seeded offset, then consecutive, so unique within the seed.
  const uint64_t offset = SplitMix64(seed) % 50'000'000;
  int64_t inserted = 0;
  for (int64_t start = 0; start < count; start += kBatch) {
    int64_t end = std::min(count, start + kBatch);
    Status st = ctx.db.Write([&](store::Tx& tx) -> Status {
      int64_t now = ctx.now();
      SY_ASSIGN_OR_RETURN(auto store, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {store_id}));
      if (store.empty()) return Invalid("no store with id " + std::to_string(store_id));
      SY_ASSIGN_OR_RETURN(auto genres, EnsureGenres(tx, now));
      std::optional<int64_t> receipt_id;  // created with the batch's first stocked book
      int64_t added = 0;
      for (int64_t i = start; i < end; ++i) {
        std::mt19937_64 rng(SplitMix64(seed ^ SplitMix64(uint64_t(i) + 1)));
        char body[16];
        std::snprintf(body, sizeof body, "%08llu", static_cast<unsigned long long>((offset + uint64_t(i)) % 100'000'000));
        std::string isbn = CompleteIsbn13(std::string("9787") + body);
        const Shelf& shelf = kShelves[Below(rng, kShelves.size())];
        std::string title = std::string(shelf.first[Below(rng, 8)]) + std::string(shelf.second[Below(rng, 8)]);
        if (uint64_t vol = Below(rng, 10); vol >= 8) title += shelf.code == "computing" ? " (2nd ed.)" : "（第" + std::string(vol == 8 ? "二" : "三") + "卷）";
        // Computing books by the Latin-named authors (the last four), the rest by the others.
        bool latin = shelf.code == "computing";
        std::string author(kAuthors[latin ? kAuthors.size() - 4 + Below(rng, 4) : Below(rng, kAuthors.size() - 4)]);
        std::string publisher(kPublishers[Below(rng, kPublishers.size())]);
        int64_t pub_year = 1985 + int64_t(Below(rng, 41));
        int64_t price = (shelf.min_price + int64_t(Below(rng, uint64_t(shelf.max_price - shelf.min_price) / 10 + 1)) * 10);
        price = price / 100 * 100 + (Below(rng, 2) ? 90 : 0);  // ¥xx.00 or ¥xx.90
        if (price < shelf.min_price) price = shelf.min_price;
        int64_t cost = price * int64_t(55 + Below(rng, 16)) / 100;
        std::string search = FoldForSearch(title + "\n\n" + author + "\n" + publisher);
        SY_ASSIGN_OR_RETURN(auto ins, tx.Exec(
            "INSERT INTO products (kind, isbn13, barcode, title, subtitle, authors, publisher, pub_year, category_id, "
            "list_price, cost, tax_rate_bp, active, imported, search_text, created_at, updated_at) "
            "VALUES ('book', ?, ?, ?, '', ?, ?, ?, ?, ?, ?, 900, 1, 0, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            {isbn, isbn, title, author, publisher, pub_year, genres.at(std::string(shelf.code)), price, cost, search, now, now}));
        if (ins.empty()) continue;  // already in the catalog
        ++added;
        int64_t product_id = ins[0].Int(0);
        // Most titles a few copies; about one in eight at or below the reorder point of 2.
        uint64_t roll = Below(rng, 100);
        int64_t qty = roll < 5 ? 0 : roll < 13 ? int64_t(1 + Below(rng, 2)) : int64_t(3 + Below(rng, 18));
        SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO stock_levels (store_id, product_id, on_hand, reorder_point, updated_at) "
                                   "VALUES (?, ?, ?, 2, ?)", {store_id, product_id, qty, now}).status());
        if (qty > 0 && !receipt_id) {
          SY_ASSIGN_OR_RETURN(auto receipt, tx.Exec("INSERT INTO stock_receipts (store_id, supplier_reference, note, at) "
                                                    "VALUES (?, 'DEMO-OPENING', 'demo opening stock', ?) RETURNING id",
                                                    {store_id, now}));
          receipt_id = receipt[0].Int(0);
        }
        if (qty > 0)
          SY_RETURN_IF_ERROR(tx.Exec("INSERT INTO stock_movements (store_id, product_id, at, kind, quantity, on_hand_after, "
                                     "reason, receipt_id) VALUES (?, ?, ?, 'receive', ?, ?, 'DEMO-OPENING', ?)",
                                     {store_id, product_id, now, qty, qty, *receipt_id}).status());
      }
      inserted += added;
      return RecordAudit(tx, ctx, system, "catalog.demo_generate", "store:" + std::to_string(store_id),
                         {{"seed", seed}, {"from", start}, {"to", end}, {"inserted", added}});
    });
    if (!st.ok()) return st;
  }
  return inserted;
}

}  // namespace shuyou::service
