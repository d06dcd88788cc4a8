// Points lots replayed first-expiring first (see expiry.h). Redemptions only ever take what a
// lot still has, and a redemption larger than the usable balance is refused, so no lot and no
// balance goes negative.
#include "core/expiry.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "core/encoding.h"

namespace shuyou::core {

namespace {

using std::chrono::sys_days;

std::string FormatDate(Date d) {
  int64_t day = sys_days(d).time_since_epoch().count();
  return FormatIsoUtc(day * 86400000).substr(0, 10);
}

std::string Points(int64_t n) { return std::to_string(n) + (n == 1 ? " point" : " points"); }

}  // namespace

Result<Date> AddMonths(Date earned, int months) {
  if (!earned.ok()) return Invalid("not a real date");
  if (months < 1 || months > 1200) return Invalid("months must be 1–1200");
  Date d = earned + std::chrono::months(months);
  if (!d.ok()) d = std::chrono::year_month_day_last(d.year(), std::chrono::month_day_last(d.month()));
  return d;
}

Result<LotState> ReplayLots(const std::vector<EarnLot>& lots, const std::vector<Redemption>& redemptions,
                            Date as_of) {
  if (!as_of.ok()) return Invalid("not a real date");
  int64_t total = 0;
  for (size_t i = 0; i < lots.size(); ++i) {
    const EarnLot& l = lots[i];
    std::string where = "lot " + std::to_string(i + 1);
    if (!l.earned.ok() || !l.expires_on.ok()) return Invalid(where + ": not a real date");
    if (l.points <= 0) return Invalid(where + ": points must be positive");
    if (sys_days(l.expires_on) <= sys_days(l.earned)) return Invalid(where + ": expires before it is earned");
    if (__builtin_add_overflow(total, l.points, &total)) return Invalid("the points do not fit");
  }
  for (size_t i = 0; i < redemptions.size(); ++i) {
    std::string where = "redemption " + std::to_string(i + 1);
    if (!redemptions[i].on.ok()) return Invalid(where + ": not a real date");
    if (redemptions[i].points <= 0) return Invalid(where + ": points must be positive");
  }

  std::vector<size_t> lot_order(lots.size());
  std::iota(lot_order.begin(), lot_order.end(), size_t(0));
  std::stable_sort(lot_order.begin(), lot_order.end(), [&lots](size_t a, size_t b) {
    const EarnLot& x = lots[a];
    const EarnLot& y = lots[b];
    if (x.expires_on != y.expires_on) return sys_days(x.expires_on) < sys_days(y.expires_on);
    return sys_days(x.earned) < sys_days(y.earned);
  });
  std::vector<size_t> red_order(redemptions.size());
  std::iota(red_order.begin(), red_order.end(), size_t(0));
  std::stable_sort(red_order.begin(), red_order.end(), [&redemptions](size_t a, size_t b) {
    return sys_days(redemptions[a].on) < sys_days(redemptions[b].on);
  });

  LotState state;
  state.remaining.resize(lots.size());
  for (size_t i = 0; i < lots.size(); ++i) state.remaining[i] = lots[i].points;
  state.lapsed.assign(lots.size(), 0);
  state.draws.resize(redemptions.size());
  auto usable = [&lots](size_t lot, sys_days day) {
    return sys_days(lots[lot].earned) <= day && day < sys_days(lots[lot].expires_on);
  };
  for (size_t r : red_order) {
    const Redemption& red = redemptions[r];
    sys_days day(red.on);
    if (day > sys_days(as_of)) continue;
    int64_t available = 0;  // cannot overflow: at most the sum of all lots
    for (size_t lot : lot_order)
      if (usable(lot, day)) available += state.remaining[lot];
    if (red.points > available) {
      return Invalid("redeeming " + Points(red.points) + " on " + FormatDate(red.on) + " exceeds the " +
                     Points(available) + " usable that day");
    }
    int64_t need = red.points;
    for (size_t lot : lot_order) {
      if (need == 0) break;
      if (!usable(lot, day) || state.remaining[lot] == 0) continue;
      int64_t take = std::min(need, state.remaining[lot]);
      state.remaining[lot] -= take;
      need -= take;
      state.draws[r].push_back({lot, take});
    }
  }
  for (size_t i = 0; i < lots.size(); ++i) {
    if (sys_days(lots[i].earned) > sys_days(as_of)) {
      state.remaining[i] = 0;
    } else if (sys_days(lots[i].expires_on) <= sys_days(as_of)) {
      state.lapsed[i] = state.remaining[i];
      state.remaining[i] = 0;
    }
    state.balance += state.remaining[i];
  }
  return state;
}

Result<int64_t> ExpiringOn(const std::vector<EarnLot>& lots, const std::vector<Redemption>& redemptions,
                           Date day) {
  SY_ASSIGN_OR_RETURN(LotState state, ReplayLots(lots, redemptions, day));
  int64_t lapsing = 0;
  for (size_t i = 0; i < lots.size(); ++i)
    if (lots[i].expires_on == day) lapsing += state.lapsed[i];
  return lapsing;
}

Result<std::vector<Draw>> Redeem(const std::vector<EarnLot>& lots, const std::vector<Redemption>& redemptions,
                                 Date day, int64_t points) {
  if (!day.ok()) return Invalid("not a real date");
  if (points <= 0) return Invalid("points to redeem must be positive");
  std::vector<Redemption> all = redemptions;
  all.push_back({day, points});
  Date last = day;
  for (const Redemption& r : redemptions)
    if (r.on.ok() && sys_days(r.on) > sys_days(last)) last = r.on;
  SY_ASSIGN_OR_RETURN(LotState state, ReplayLots(lots, all, last));
  return std::move(state.draws.back());
}

}  // namespace shuyou::core
