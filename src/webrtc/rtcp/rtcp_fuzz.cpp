// libFuzzer target (style rule 10): compound RTCP iteration, every type parser with every
// accessor, and parse -> write -> parse where a writer exists.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -I src <this>
// src/webrtc/rtcp/*.cpp (without the *_test.cpp files); seed from tests/data/rtcp.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "webrtc/rtcp/bye.hpp"
#include "webrtc/rtcp/compound_reader.hpp"
#include "webrtc/rtcp/fir.hpp"
#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/pli.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtcp/remb.hpp"
#include "webrtc/rtcp/sdes.hpp"
#include "webrtc/rtcp/sender_report.hpp"
#include "webrtc/rtcp/transport_cc.hpp"
#include "webrtc/rtcp/transport_cc_writer.hpp"

namespace {

using namespace webrtc::rtcp;

// Writes `packet`, checks the size promise, and parses the result again with `Parser`.
template <typename Parser, typename T>
void rewrite(const T& packet) {
  std::vector<uint8_t> out(packet.size());
  if (packet.write_to(out) != out.size()) __builtin_trap();
  CompoundReader r(out);
  auto p = r.next();
  if (!p || !Parser::parse(*p) || r.next()) __builtin_trap();
}

// Decodes transport-cc feedback into a fixed array and, when that succeeds, writes the
// packets again: the rewritten feedback must decode to the same statuses and header.
void decode_and_rewrite(const TransportCc& t) {
  static TransportCcPacket decoded[1024];
  static TransportCcPacket again[1024];
  auto n = t.decode(decoded);
  if (!n) return;
  std::vector<uint8_t> out;
  const TransportCcHeader h{t.sender_ssrc, t.media_ssrc, t.base_sequence, t.reference_time,
                            t.feedback_count};
  if (!build_transport_cc(h, std::span(decoded, *n), out)) __builtin_trap();
  CompoundReader r(out);
  auto p = r.next();
  if (!p || r.next()) __builtin_trap();
  auto t2 = TransportCc::parse(*p);
  if (!t2 || t2->base_sequence != t.base_sequence || t2->reference_time != t.reference_time ||
      t2->feedback_count != t.feedback_count || t2->decode(again) != n)
    __builtin_trap();
  for (size_t i = 0; i < *n; ++i)
    if (!(again[i] == decoded[i])) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)is_rtcp({data, size});
  CompoundReader reader({data, size});
  while (auto p = reader.next()) {
    if (auto sr = SenderReport::parse(*p)) {
      for (size_t i = 0; i < sr->report_blocks.size(); ++i) {
        (void)sr->report_blocks[i].round_trip_time(0);
      }
      rewrite<SenderReport>(*sr);
    }
    if (auto rr = ReceiverReport::parse(*p)) rewrite<ReceiverReport>(*rr);
    if (auto s = Sdes::parse(*p)) rewrite<Sdes>(*s);
    if (auto b = Bye::parse(*p)) rewrite<Bye>(*b);
    if (auto n = GenericNack::parse(*p)) {
      uint16_t seqs[256];
      (void)n->expand(seqs);
      rewrite<GenericNack>(*n);
    }
    if (auto pli = Pli::parse(*p)) rewrite<Pli>(*pli);
    if (auto f = Fir::parse(*p)) rewrite<Fir>(*f);
    if (auto r = Remb::parse(*p)) {
      for (size_t i = 0; i < r->ssrc_count(); ++i)
        (void)r->ssrc(i);
    }
    if (auto t = TransportCc::parse(*p)) decode_and_rewrite(*t);
  }
  return 0;
}
