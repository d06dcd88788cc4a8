// Demo member populations (see demo_members.h).
#include "service/demo_members.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/card.h"
#include "service/business_day.h"
#include "service/report_member_groups.h"

namespace shuyou::service {
namespace {

constexpr int64_t kMaxCount = 10'000'000;
constexpr int64_t kBatch = 1000;         // members per transaction
constexpr size_t kRowsPerInsert = 100;   // rows per multi-row INSERT (17 parameters each)
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kSpanMs = 730 * kDayMs;  // join dates over the last 24 months

// 100 common surnames, most common first (picked with a skew towards the front).
constexpr std::string_view kSurnames =
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
// 200 given-name characters: 80 more often given to girls, 40 to anyone, 80 more often to boys.
constexpr std::string_view kGiven =
    "芳娜敏静丽艳娟秀霞桂英玉兰萍红梅琳雪婷颖倩琪慧莹晶燕妍怡欣悦彤雅馨蕾薇菲璐瑶涵萱诗梦月云琴丹洁蓉凤春淑珍"
    "莉露爽璇岚婉姗媛蓓钰楠芸茜蕊黛菁翠环香惠瑾嫣柔巧美娅妮茹"
    "华晨佳嘉宁青苗林文海安平子一心乐清秋语若诚信怀舒星雨阳光明远小永思新家晓立可德和"
    "伟强磊军洋勇杰涛超刚鑫波宇浩凯健俊帆帅旭龙斌峰辉鹏飞亮成建国志博宏东昊然轩睿哲彬锋坤晖毅威翔航振豪天松柏森"
    "杨铭胜利武兵民力伦坚忠江河山岩元达卫庆荣辰泽瀚霖豫钧楷";
constexpr size_t kSurnameCount = 100, kGivenCount = 200;
static_assert(kSurnames.size() == 3 * kSurnameCount, "surnames are 100 three-byte UTF-8 characters");
static_assert(kGiven.size() == 3 * kGivenCount, "given-name characters are 200 three-byte UTF-8 characters");

constexpr std::array<std::string_view, 24> kLatinFemale = {
    "Lily", "Grace", "Emma", "Olivia", "Sophia", "Amy", "Cindy", "Helen", "Jenny", "Vivian", "Iris", "Fiona",
    "Cathy", "Joyce", "Tina", "Anna", "Sarah", "Emily", "Chloe", "Mia", "Yuki", "Elaine", "Rachel", "Wendy"};
constexpr std::array<std::string_view, 24> kLatinMale = {
    "David", "Kevin", "Jason", "Eric", "Tony", "Michael", "Peter", "Leo", "Jack", "Daniel", "Alex", "Frank",
    "Henry", "Vincent", "Steven", "Ryan", "James", "Tom", "Andy", "Sam", "Ken", "Oliver", "Lucas", "Ethan"};
constexpr std::array<std::string_view, 32> kLatinSurnames = {
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo",
    "Lin", "He", "Gao", "Luo", "Tan", "Wong", "Chan", "Lee", "Ng", "Lim", "Smith", "Brown", "Miller", "Martin",
    "Schmidt", "Tanaka"};
constexpr std::array<std::string_view, 4> kEmailDomains = {"example.com", "example.cn", "example.net", "example.org"};

// Uniform in [0, n), n > 0, by rejection: only the engine's output (fixed by the standard) matters.
uint64_t Below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // multiple of n
  for (;;) {
    uint64_t x = rng();
    if (x < limit) return x % n;
  }
}

// True with probability per_mille / 1000.
bool Chance(std::mt19937_64& rng, uint64_t per_mille) { return Below(rng, 1000) < per_mille; }

// floor(rng() * n / 2^64): one draw whatever n is (n may be 0).
uint64_t Scaled(std::mt19937_64& rng, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(rng()) * n) >> 64);
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The mainland mobile prefixes whose every 8-digit continuation libphonenumber accepts.
constexpr int kMobilePrefixes[] = {130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 145, 147, 150,
                                   151, 152, 153, 155, 156, 157, 158, 159, 162, 165, 166, 167, 170,
                                   171, 172, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185,
                                   186, 187, 188, 189, 190, 191, 192, 193, 195, 196, 197, 198, 199};

// A keyed bijection of [0, 52·10^8): a 34-bit Feistel network, cycle-walked into the range.
// Output v is the mobile number kMobilePrefixes[v / 10^8] (v % 10^8).
class PhonePermutation {
 public:
  static constexpr uint64_t kSpace = std::size(kMobilePrefixes) * 100'000'000ULL;
  explicit PhonePermutation(uint64_t seed) {
    uint64_t k = seed ^ 0x5348'5559'4f55'0001ULL;  // "SHUYOU"
    for (auto& key : keys_) key = k = SplitMix64(k);
  }
  uint64_t operator()(uint64_t x) const {
    do x = Round(x);
    while (x >= kSpace);
    return x;
  }

 private:
  static constexpr uint64_t kHalfMask = (1ULL << 17) - 1;
  uint64_t Round(uint64_t x) const {
    uint64_t l = x >> 17, r = x & kHalfMask;
    for (uint64_t key : keys_) {
      uint64_t f = SplitMix64(r ^ key) & kHalfMask;
      uint64_t next = l ^ f;
      l = r;
      r = next;
    }
    return (l << 17) | r;
  }
  std::array<uint64_t, 4> keys_{};
};

std::string_view Char3(std::string_view table, size_t i) { return table.substr(3 * i, 3); }

std::string Digits(uint64_t v, int width) {
  std::string s = std::to_string(v);
  return std::string(width > int(s.size()) ? width - s.size() : 0, '0') + s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

struct DemoMember {
  std::string phone, name;
  std::string joined_on;  // the business day of created_at
  std::optional<std::string> email, birthday, gender;
  bool consent_email = false, consent_sms = false;
  std::optional<int64_t> consent_updated_at;
  int64_t created_at = 0;
};

// Member `i` of `count`; draws from `rng` in a fixed order.
DemoMember MakeMember(std::mt19937_64& rng, const PhonePermutation& perm, int64_t i, int64_t count, int64_t now) {
  DemoMember m;
  uint64_t v = perm(uint64_t(i));
  m.phone = "+86" + std::to_string(kMobilePrefixes[v / 100'000'000ULL]) + Digits(v % 100'000'000ULL, 8);

  uint64_t g = Below(rng, 1000);
  if (g < 520) m.gender = "female";
  else if (g < 940) m.gender = "male";
  else if (g < 955) m.gender = "other";

  bool latin = Chance(rng, 100);
  std::string first, last;
  if (latin) {
    bool female = m.gender == "female" || (m.gender != "male" && Chance(rng, 500));
    first = female ? kLatinFemale[Below(rng, kLatinFemale.size())] : kLatinMale[Below(rng, kLatinMale.size())];
    last = kLatinSurnames[Below(rng, kLatinSurnames.size())];
    m.name = first + " " + last;
  } else {
    // Skewed towards the common surnames: index = 100·u².
    uint64_t u = Below(rng, 1000);
    m.name = Char3(kSurnames, size_t(u * u * kSurnameCount / 1'000'000));
    size_t lo = 0, n = kGivenCount;
    if (m.gender == "female") n = 120;
    else if (m.gender == "male") lo = 80, n = 120;
    int chars = Chance(rng, 350) ? 1 : 2;
    for (int c = 0; c < chars; ++c) m.name += Char3(kGiven, lo + size_t(Below(rng, n)));
  }

  if (!Chance(rng, 150)) {
    int year = 1950 + int(Below(rng, 61));
    int month = 1 + int(Below(rng, 12));
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    int dim = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
    int day = 1 + int(Below(rng, uint64_t(dim)));
    m.birthday = std::to_string(year) + "-" + Digits(uint64_t(month), 2) + "-" + Digits(uint64_t(day), 2);
  }

  if (Chance(rng, 750)) {
    std::string local = latin ? Lower(first) + "." + Lower(last) + std::to_string(Below(rng, 100))
                              : std::to_string(10'000 + Below(rng, 3'000'000'000ULL));  // QQ-style number
    m.email = local + "@" + std::string(kEmailDomains[Below(rng, kEmailDomains.size())]);
    m.consent_email = Chance(rng, 800);
  }
  m.consent_sms = Chance(rng, 400);

  // Join dates rise with i across the span, each somewhere within its own slot.
  int64_t slot = kSpanMs / count;
  m.created_at = now - kSpanMs + int64_t(__int128(kSpanMs) * i / count) + int64_t(Scaled(rng, uint64_t(slot)));
  bool changed_later = Chance(rng, 200);
  int64_t later = int64_t(Scaled(rng, uint64_t(now - m.created_at)));
  if (m.consent_email || m.consent_sms) m.consent_updated_at = m.created_at + (changed_later ? later : 0);
  return m;
}

// Inserts `batch` (skipping registered phones) and gives the new rows their card numbers.
Result<int64_t> InsertBatch(store::Tx& tx, const std::vector<DemoMember>& batch, std::optional<int64_t> store_id,
                            const std::string& card_prefix) {
  constexpr const char* kInsert =
      "INSERT INTO members (card_number, phone, phone_last4, name, email, birthday, gender, home_store_id, "
      "consent_email, consent_sms, consent_updated_at, consent_source, notes, created_at, updated_at, created_by, "
      "joined_on) VALUES ";
  constexpr const char* kRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  int64_t inserted = 0;
  for (size_t start = 0; start < batch.size(); start += kRowsPerInsert) {
    size_t end = std::min(batch.size(), start + kRowsPerInsert);
    std::string sql = kInsert;
    std::vector<store::Value> params;
    params.reserve((end - start) * 17);
    for (size_t i = start; i < end; ++i) {
      const DemoMember& m = batch[i];
      sql += i == start ? kRow : std::string(", ") + kRow;
      bool consent = m.consent_updated_at.has_value();
      auto text = [&](std::string v) { params.emplace_back(std::move(v)); };
      auto opt_text = [&](const std::optional<std::string>& v) {
        params.emplace_back(v ? store::Value(*v) : store::Null());
      };
      auto opt_int = [&](const std::optional<int64_t>& v) {
        params.emplace_back(v ? store::Value(*v) : store::Null());
      };
      text("new:" + m.phone);  // a unique stand-in until the id is known
      text(m.phone);
      text(m.phone.substr(m.phone.size() - 4));
      text(m.name);
      opt_text(m.email);
      opt_text(m.birthday);
      opt_text(m.gender);
      opt_int(store_id);
      params.emplace_back(int64_t(m.consent_email));
      params.emplace_back(int64_t(m.consent_sms));
      opt_int(m.consent_updated_at);
      text(consent ? "system" : "");
      text("");  // notes
      params.emplace_back(m.created_at);
      params.emplace_back(m.created_at);  // updated_at
      text("system");
      text(m.joined_on);
    }
    sql += " ON CONFLICT (phone) DO NOTHING RETURNING id";
    SY_ASSIGN_OR_RETURN(auto ids, tx.Exec(sql, params));
    if (ids.empty()) continue;
    inserted += int64_t(ids.size());
    std::vector<int64_t> new_ids;
    for (const auto& row : ids.rows) new_ids.push_back(row.Int(0));
    SY_RETURN_IF_ERROR(AddMemberGroups(tx, new_ids));

    std::string update = "UPDATE members SET card_number = v.column2 FROM (VALUES ";
    std::vector<store::Value> cards;
    cards.reserve(ids.size() * 2);
    for (size_t r = 0; r < ids.size(); ++r) {
      int64_t id = ids[r].Int(0);
      SY_ASSIGN_OR_RETURN(std::string card, core::MakeCardNumber(card_prefix, uint64_t(id)));
      update += r == 0 ? "(?, ?)" : ", (?, ?)";
      cards.push_back(id);
      cards.push_back(std::move(card));
    }
    update += ") AS v WHERE members.id = v.column1";
    SY_RETURN_IF_ERROR(tx.Exec(update, cards).status());

    // The consent history (service/privacy.h) starts with the consents the demo members have.
    std::string in;
    std::vector<store::Value> id_params;
    for (size_t r = 0; r < ids.size(); ++r) {
      in += r == 0 ? "?" : ", ?";
      id_params.push_back(ids[r].Int(0));
    }
    for (const char* channel : {"email", "sms"})
      SY_RETURN_IF_ERROR(tx.Exec(std::string("INSERT INTO member_consents (member_id, channel, granted, at, source) "
                                             "SELECT id, '") + channel + "', consent_" + channel +
                                     ", consent_updated_at, consent_source FROM members WHERE id IN (" + in +
                                     ") AND consent_updated_at IS NOT NULL",
                                 id_params)
                             .status());
  }
  return inserted;
}

}  // namespace

Result<int64_t> GenerateDemoMembers(Context& ctx, int64_t count, uint64_t seed, std::optional<int64_t> store_id) {
  if (count < 0 || count > kMaxCount)
    return Invalid("the member count must be 0–" + std::to_string(kMaxCount), {{"members", "must be 0–10000000"}});
  if (count == 0) return int64_t(0);
  if (store_id) {
    bool found = false;
    SY_RETURN_IF_ERROR(ctx.db.Read([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(auto rows, tx.Exec("SELECT 1 FROM stores WHERE id = ?", {*store_id}));
      found = !rows.empty();
      return Status::Ok();
    }));
    if (!found) return Invalid("no store with id " + std::to_string(*store_id), {{"store_id", "no such store"}});
  }

  const int64_t now = ctx.now();
  std::mt19937_64 rng(seed);
  const PhonePermutation perm(seed);
  Actor system;
  system.name = "demo";
  int64_t total = 0;
  std::vector<DemoMember> batch;
  batch.reserve(size_t(std::min(count, kBatch)));
  for (int64_t first = 0; first < count; first += kBatch) {
    batch.clear();
    for (int64_t i = first; i < std::min(count, first + kBatch); ++i) {
      batch.push_back(MakeMember(rng, perm, i, count, now));
      SY_ASSIGN_OR_RETURN(core::Date joined, BusinessDay(ctx, batch.back().created_at));
      batch.back().joined_on = FormatDay(joined);
    }
    int64_t inserted = 0;
    SY_RETURN_IF_ERROR(ctx.db.Write([&](store::Tx& tx) -> Status {
      SY_ASSIGN_OR_RETURN(inserted, InsertBatch(tx, batch, store_id, ctx.settings.card_prefix));
      if (inserted == 0) return Status::Ok();
      return RecordAudit(tx, ctx, system, "member.demo_generate", "members",
                         {{"seed", seed}, {"first_index", first}, {"inserted", inserted},
                          {"home_store_id", store_id ? nlohmann::json(*store_id) : nlohmann::json()}});
    }));
    total += inserted;
  }
  return total;
}

}  // namespace shuyou::service
