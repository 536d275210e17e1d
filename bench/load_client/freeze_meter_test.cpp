#include "load_client/freeze_meter.hpp"

#include <gtest/gtest.h>

namespace bench::load_client {
namespace {

using namespace std::chrono_literals;
const FreezeMeter::TimePoint T0 = FreezeMeter::TimePoint{} + 100s;

TEST(FreezeMeter, LongestGapBetweenFramesAndAtTheEdges) {
  FreezeMeter f;
  for (auto at : {T0 + 40ms, T0 + 73ms, T0 + 106ms, T0 + 606ms, T0 + 640ms})
    f.on_frame(at);
  EXPECT_DOUBLE_EQ(f.max_freeze_ms(T0, T0 + 700ms), 500.0);    // 106 -> 606
  EXPECT_DOUBLE_EQ(f.max_freeze_ms(T0, T0 + 2000ms), 1360.0);  // the stream stopped at 640
  FreezeMeter late;
  late.on_frame(T0 + 900ms);
  EXPECT_DOUBLE_EQ(late.max_freeze_ms(T0, T0 + 1000ms), 900.0);  // the first frame came late
}

TEST(FreezeMeter, NoFramesIsTheWholeWindowAndAnEmptyWindowIsZero) {
  FreezeMeter f;
  EXPECT_DOUBLE_EQ(f.max_freeze_ms(T0, T0 + 3s), 3000.0);
  EXPECT_DOUBLE_EQ(f.max_freeze_ms(T0, T0), 0.0);
  f.on_frame(T0 + 10ms);
  f.on_frame(T0 + 5ms);  // out of order: ignored for gaps
  EXPECT_DOUBLE_EQ(f.max_freeze_ms(T0, T0 + 20ms), 10.0);
}

}  // namespace
}  // namespace bench::load_client
