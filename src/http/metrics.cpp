// Prometheus metrics (see metrics.h).
#include "http/metrics.h"

#include <cstdio>

namespace shuyou::http {

Metrics::Metrics(const std::vector<std::string>& labels) {
  auto add = [&](const std::string& l) {
    slots_.push_back(std::make_unique<Slot>());
    slots_.back()->label = l;
  };
  for (const auto& l : labels) add(l);
  add("static");
  add("unmatched");
}

size_t Metrics::SlotOf(const std::string& label) const {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i]->label == label) return i;
  return slots_.size() - 1;
}

void Metrics::Record(size_t slot, int status, double seconds) {
  Slot& s = *slots_.at(slot);
  int cls = status / 100 - 1;
  if (cls >= 0 && cls < 5) s.by_class[cls].fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) s.buckets[i].fetch_add(1, std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.sum_us.fetch_add(uint64_t(seconds * 1e6), std::memory_order_relaxed);
}

static std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string Metrics::Render() const {
  std::string out =
      "# HELP shuyou_http_requests_total HTTP requests by route and status class.\n"
      "# TYPE shuyou_http_requests_total counter\n";
  char buf[512];
  for (const auto& s : slots_) {
    for (int c = 0; c < 5; ++c) {
      uint64_t n = s->by_class[c].load(std::memory_order_relaxed);
      if (!n) continue;
      std::snprintf(buf, sizeof buf, "shuyou_http_requests_total{route=\"%s\",status=\"%dxx\"} %llu\n",
                    Escape(s->label).c_str(), c + 1, (unsigned long long)n);
      out += buf;
    }
  }
  out += "# HELP shuyou_http_request_duration_seconds Time from request read to response ready.\n"
         "# TYPE shuyou_http_request_duration_seconds histogram\n";
  for (const auto& s : slots_) {
    uint64_t count = s->count.load(std::memory_order_relaxed);
    if (!count) continue;
    std::string l = Escape(s->label);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      std::snprintf(buf, sizeof buf, "shuyou_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                    l.c_str(), kBuckets[i], (unsigned long long)s->buckets[i].load(std::memory_order_relaxed));
      out += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "shuyou_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                  "shuyou_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "shuyou_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  l.c_str(), (unsigned long long)count, l.c_str(),
                  double(s->sum_us.load(std::memory_order_relaxed)) / 1e6, l.c_str(), (unsigned long long)count);
    out += buf;
  }
  return out;
}

}  // namespace shuyou::http
