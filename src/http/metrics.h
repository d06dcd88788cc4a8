// Request counters and latency histograms per route, rendered in Prometheus text format.
// Recording is lock-free (atomics in fixed slots made when the route table is built).
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace shuyou::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  // One slot per route label ("GET /api/v1/staff"), plus the fixed labels "static" and "unmatched".
  explicit Metrics(const std::vector<std::string>& route_labels);
  size_t SlotOf(const std::string& label) const;
  void Record(size_t slot, int status, double seconds);
  std::string Render() const;

 private:
  struct Slot {
    std::string label;
    std::array<std::atomic<uint64_t>, 5> by_class{};  // 1xx..5xx
    std::array<std::atomic<uint64_t>, kBuckets.size()> buckets{};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_us{0};
  };
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace shuyou::http
