#pragma once
// For the tests of this folder: RTCP captured from browsers (tests/data/rtcp) and the packets
// of a compound.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "webrtc/rtcp/compound_reader.hpp"

namespace webrtc::rtcp::test {

using Bytes = std::vector<uint8_t>;

inline Bytes fixture(const char* name) {
  std::ifstream f(std::string(AIRCLASS_TEST_DATA "/rtcp/") + name, std::ios::binary);
  return Bytes{std::istreambuf_iterator<char>(f), {}};
}

// Every packet of a well-formed compound (a reader failure fails the test).
inline std::vector<RtcpPacket> packets(const Bytes& b) {
  std::vector<RtcpPacket> out;
  CompoundReader r(b);
  while (auto p = r.next())
    out.push_back(*p);
  EXPECT_FALSE(r.failed());
  return out;
}

}  // namespace webrtc::rtcp::test
