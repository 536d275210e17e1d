// A whole viewer session in memory: our STUN check, our DTLS client and SRTP against the
// server-side PeerSession, then media, a NACK, a PLI and garbage.
#include "webrtc/peer_session.hpp"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "webrtc/rtcp/generic_nack.hpp"
#include "webrtc/rtcp/pli.hpp"
#include "webrtc/rtcp/receiver_report.hpp"
#include "webrtc/rtp/rtp_packet.hpp"
#include "webrtc/stun/stun_message.hpp"
#include "webrtc/stun/stun_writer.hpp"
#include "webrtc/video_track_packetizer.hpp"
#include "webrtc/webrtc_test_support.hpp"

namespace {

using namespace webrtc;
using Clock = std::chrono::steady_clock;

class Capture : public DatagramSink {
 public:
  void send_datagram(std::span<const uint8_t> bytes, const TransportAddress& to) override {
    out.push_back({{bytes.begin(), bytes.end()}, to});
  }
  std::vector<std::pair<std::vector<uint8_t>, TransportAddress>> out;
};

struct Fixture {
  Fixture() {
    const auto wall = std::chrono::system_clock::now();
    server_cert = dtls::DtlsCertificate::generate(wall);
    client_cert = dtls::DtlsCertificate::generate(wall);
    local = *ice::IceCredentials::generate();
    remote = *ice::IceCredentials::generate();
    PeerSessionConfig c;
    c.local_ice = local;
    c.remote_ice = remote;
    c.dtls_context = dtls::DtlsContext::create(server_cert);
    c.remote_fingerprint = client_cert->fingerprint();
    c.video = {.payload_type = 102,
               .ssrc = 0x1111,
               .rtx_payload_type = 103,
               .rtx_ssrc = 0x2222,
               .initial_seq = 10,
               .initial_rtx_seq = 20};
    c.cname = "test";
    session = std::make_unique<PeerSession>(c, sink, history, nullptr, Clock::now());
  }

  void check_in() {
    const std::string username = local.ufrag + ":" + remote.ufrag;
    stun::TransactionId id{};
    id[0] = 1;
    const auto req = stun::StunWriter::binding_request(
        id,
        {.username = username,
         .priority = 100,
         .controlling = true,
         .tie_breaker = 9,
         .use_candidate = true},
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(local.pwd.data()),
                                 local.pwd.size()));
    feed(req);
  }

  void feed(std::vector<uint8_t> bytes) {
    session->on_datagram(bytes, client, Clock::now(), std::chrono::system_clock::now());
  }

  void handshake() {
    dtls::DtlsConfig cc;
    cc.role = dtls::DtlsRole::Client;
    cc.remote_fingerprint = server_cert->fingerprint();
    dtls_client = std::make_unique<dtls::DtlsTransport>(dtls::DtlsContext::create(client_cert), cc);
    dtls_client->start();
    for (int round = 0; round < 20 && !session->ready(); ++round) {
      for (auto& d : dtls_client->take_outgoing())
        feed(d);
      for (auto& [d, to] : take()) {
        if (dtls::DtlsTransport::is_dtls(d)) dtls_client->feed(d);
      }
    }
    const auto& keys = dtls_client->srtp_keys();
    ASSERT_TRUE(keys);
    const auto profile = *srtp::srtp_profile_from_id(keys->profile);
    srtp_in = srtp::SrtpSession::create(profile, srtp::SrtpDirection::Inbound, keys->remote_key,
                                        keys->remote_salt);
    srtp_out = srtp::SrtpSession::create(profile, srtp::SrtpDirection::Outbound, keys->local_key,
                                         keys->local_salt);
  }

  std::vector<std::pair<std::vector<uint8_t>, TransportAddress>> take() {
    auto out = std::move(sink.out);
    sink.out.clear();
    return out;
  }

  // Decrypts everything the server sent as SRTP; returns the RTP packets.
  std::vector<std::vector<uint8_t>> received_rtp() {
    std::vector<std::vector<uint8_t>> rtp;
    for (auto& [d, to] : take()) {
      EXPECT_EQ(to, client);
      if (d.empty() || d[0] < 128 || rtcp::is_rtcp(d)) continue;
      auto n = srtp_in->unprotect_rtp(d, d.size());
      EXPECT_TRUE(n) << "SRTP authentication failed";
      if (n) rtp.emplace_back(d.begin(), d.begin() + static_cast<long>(*n));
    }
    return rtp;
  }

  void send_rtcp(std::vector<uint8_t> packet) {
    packet.resize(packet.size() + srtp::SrtpSession::MaxRtcpTrailer);
    auto n = srtp_out->protect_rtcp(packet, packet.size() - srtp::SrtpSession::MaxRtcpTrailer);
    ASSERT_TRUE(n);
    packet.resize(*n);
    feed(packet);
  }

  std::shared_ptr<const dtls::DtlsCertificate> server_cert, client_cert;
  ice::IceCredentials local, remote;
  Capture sink;
  std::shared_ptr<PacketHistory> history = std::make_shared<PacketHistory>();
  std::unique_ptr<PeerSession> session;
  std::unique_ptr<dtls::DtlsTransport> dtls_client;
  std::unique_ptr<srtp::SrtpSession> srtp_in, srtp_out;
  TransportAddress client = TransportAddress::ipv4({127, 0, 0, 1}, 50000);
  VideoTrackPacketizer packetizer{0x9999, 0, 0};
};

}  // namespace

TEST(PeerSession, StunDtlsSrtpThenMediaNackAndPli) {
  Fixture f;
  f.check_in();
  auto replies = f.take();
  ASSERT_EQ(replies.size(), 1u);
  auto response = stun::StunMessage::parse(replies[0].first);
  ASSERT_TRUE(response);
  EXPECT_EQ(f.session->state(), PeerState::Connecting);
  f.handshake();
  ASSERT_TRUE(f.session->ready());
  ASSERT_TRUE(f.session->take_keyframe_request());  // start with a picture

  f.history->append(f.packetizer.packetize(*test::h264_frame(true, 0, 5000)));
  f.history->append(f.packetizer.packetize(*test::h264_frame(false, 33, 800)));
  f.session->replay_video(f.history->since_keyframe(), 0, std::chrono::steady_clock::now());
  auto rtp = f.received_rtp();
  ASSERT_GE(rtp.size(), 6u);
  auto first = rtp::RtpPacketView::parse(rtp[0]);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload_type(), 102);
  EXPECT_EQ(first->ssrc(), 0x1111u);
  EXPECT_EQ(first->sequence_number(), 10);

  // NACK for the third packet: answered on RTX.
  const rtcp::NackItem item{12, 0};
  const rtcp::GenericNack nack(0x5555, 0x1111, std::span<const rtcp::NackItem>(&item, 1));
  std::vector<uint8_t> nack_bytes(nack.size());
  ASSERT_EQ(nack.write_to(nack_bytes), nack_bytes.size());
  f.send_rtcp(nack_bytes);
  rtp = f.received_rtp();
  ASSERT_EQ(rtp.size(), 1u);
  auto rtx = rtp::RtpPacketView::parse(rtp[0]);
  EXPECT_EQ(rtx->payload_type(), 103);
  EXPECT_EQ(rtx->ssrc(), 0x2222u);
  EXPECT_EQ(f.session->stats().video.retransmitted, 1u);

  // PLI: the owner is asked for a replay (once the start-up replay is older than the
  // keyframe request interval; a PLI right at start is answered by that replay).
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const rtcp::Pli pli{0x5555, 0x1111};
  std::vector<uint8_t> pli_bytes(pli.size());
  ASSERT_EQ(pli.write_to(pli_bytes), pli_bytes.size());
  f.send_rtcp(pli_bytes);
  EXPECT_TRUE(f.session->take_keyframe_request());
  EXPECT_EQ(f.session->stats().plis, 1u);

  // Sender report on the timer.
  f.session->on_timer(Clock::now() + std::chrono::seconds(2), std::chrono::system_clock::now());
  auto sent = f.take();
  ASSERT_FALSE(sent.empty());
  EXPECT_TRUE(rtcp::is_rtcp(sent.back().first));
}

TEST(PeerSession, GarbageAndForgeriesAreDroppedWithoutHarm) {
  Fixture f;
  f.check_in();
  f.handshake();
  ASSERT_TRUE(f.session->ready());
  f.take();
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> junk(1 + rng() % 1400);
    for (auto& b : junk)
      b = static_cast<uint8_t>(rng());
    if (i % 3 == 0) junk[0] = 0x80 | (junk[0] & 0x3f);  // looks like RTP/RTCP
    if (i % 3 == 1) junk[0] = 22;                       // looks like DTLS
    f.feed(junk);
  }
  // A STUN check with the wrong password is refused and does not disturb the session.
  std::swap(f.local.pwd, f.remote.pwd);
  f.check_in();
  EXPECT_TRUE(f.session->ready());
  EXPECT_GT(f.session->stats().dropped_datagrams, 0u);
  EXPECT_GT(f.session->ice().stats().bad_integrity, 0u);
}

TEST(PeerSession, NoCheckMeansTimeout) {
  Fixture f;
  f.session->on_timer(Clock::now() + std::chrono::seconds(31), std::chrono::system_clock::now());
  EXPECT_TRUE(f.session->closed());
  EXPECT_NE(f.session->close_reason().find("ICE"), std::string::npos) << f.session->close_reason();
}

// The browser closes its peer connection without a WHEP DELETE: its close_notify cannot be
// authenticated after release, so the session ends only once RTCP and STUN stop too.
TEST(PeerSession, ACloseNotifyFollowedBySilenceEndsTheSession) {
  Fixture f;
  f.check_in();
  f.handshake();
  ASSERT_TRUE(f.session->ready());
  f.dtls_client->close();
  auto alert = f.dtls_client->take_outgoing();
  ASSERT_EQ(alert.size(), 1u);
  const auto t0 = Clock::now();
  f.session->on_datagram(alert[0], f.client, t0, std::chrono::system_clock::now());
  EXPECT_FALSE(f.session->closed());
  f.session->on_timer(t0 + std::chrono::milliseconds(2900), std::chrono::system_clock::now());
  EXPECT_FALSE(f.session->closed());
  f.session->on_timer(t0 + std::chrono::milliseconds(3100), std::chrono::system_clock::now());
  ASSERT_TRUE(f.session->closed());
  EXPECT_NE(f.session->close_reason().find("left"), std::string::npos) << f.session->close_reason();
}

TEST(PeerSession, AnAlertWhileRtcpKeepsComingIsIgnored) {
  Fixture f;
  f.check_in();
  f.handshake();
  ASSERT_TRUE(f.session->ready());
  // A forged alert record (epoch 1, as after the handshake): content type 21 in clear.
  std::vector<uint8_t> forged = {21, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 26};
  forged.resize(13 + 26, 0x5a);
  f.feed(forged);
  rtcp::ReceiverReport report;
  report.sender_ssrc = 0x5555;
  std::vector<uint8_t> rr(report.size());
  ASSERT_EQ(report.write_to(rr), rr.size());
  f.send_rtcp(rr);  // the viewer is still there
  f.session->on_timer(Clock::now() + std::chrono::seconds(5), std::chrono::system_clock::now());
  EXPECT_FALSE(f.session->closed()) << f.session->close_reason();
}
