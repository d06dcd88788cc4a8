// core::TimeZone over the system's compiled zone files: offsets across daylight-saving changes
// and the local day around midnight. Expected offsets are the published ones.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/timezone.h"

namespace shuyou::core {
namespace {

std::string ReadZone(const std::string& name) {
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Epoch ms of a UTC instant.
int64_t Utc(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  using namespace std::chrono;
  return (sys_days(year_month_day{year{y}, month{m}, day{d}}).time_since_epoch().count() * 86400LL + hour * 3600 +
          minute * 60) * 1000;
}

TEST(TimeZone, ShanghaiIsEightHoursAheadAndItsDayStartsAt16Utc) {
  std::string bytes = ReadZone("Asia/Shanghai");
  if (bytes.empty()) GTEST_SKIP() << "no tzdata";
  auto z = TimeZone::FromTzif(bytes);
  ASSERT_TRUE(z.ok()) << z.status().message();
  EXPECT_EQ(z->OffsetAt(Utc(2026, 11, 28, 3)), 8 * 3600);
  using namespace std::chrono;
  EXPECT_EQ(z->LocalDay(Utc(2026, 11, 27, 15, 59)), (year_month_day{year{2026}, November, day{27}}));
  EXPECT_EQ(z->LocalDay(Utc(2026, 11, 27, 16, 0)), (year_month_day{year{2026}, November, day{28}}));
}

TEST(TimeZone, NewYorkFollowsDaylightSavingTime) {
  std::string bytes = ReadZone("America/New_York");
  if (bytes.empty()) GTEST_SKIP() << "no tzdata";
  auto z = TimeZone::FromTzif(bytes);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->OffsetAt(Utc(2026, 1, 15, 12)), -5 * 3600);
  EXPECT_EQ(z->OffsetAt(Utc(2026, 7, 15, 12)), -4 * 3600);
  // 2026-03-08 02:00 EST = 07:00 UTC: daylight time from then on.
  EXPECT_EQ(z->OffsetAt(Utc(2026, 3, 8, 6, 59)), -5 * 3600);
  EXPECT_EQ(z->OffsetAt(Utc(2026, 3, 8, 7, 0)), -4 * 3600);
  using namespace std::chrono;
  EXPECT_EQ(z->LocalDay(Utc(2026, 7, 1, 3, 30)), (year_month_day{year{2026}, June, day{30}}));
}

TEST(TimeZone, FixedAndMalformedData) {
  EXPECT_EQ(TimeZone::Fixed(0).OffsetAt(Utc(2026, 1, 1, 0)), 0);
  EXPECT_FALSE(TimeZone::FromTzif("").ok());
  EXPECT_FALSE(TimeZone::FromTzif("TZif2 but far too short").ok());
  std::string bytes = ReadZone("Europe/Berlin");
  if (bytes.empty()) GTEST_SKIP() << "no tzdata";
  EXPECT_FALSE(TimeZone::FromTzif(bytes.substr(0, bytes.size() / 2)).ok());
}

}  // namespace
}  // namespace shuyou::core
