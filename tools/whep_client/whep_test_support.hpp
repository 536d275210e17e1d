#pragma once
// Test-only: a minimal in-process WHEP server side made of the project's own pieces (the SDP
// offer parser and answer builder, IceLiteAgent, DtlsTransport as server, SrtpSession, the
// H.264 packetizer), so the client can be exercised end to end without sockets, and the
// loopback that wires it to a client (WhepPeer or the load client's ViewerSession).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/ice/ice_lite_agent.hpp"
#include "webrtc/rtp/h264_packetizer.hpp"
#include "webrtc/rtp/nal_unit.hpp"
#include "webrtc/rtp/rtp_header_writer.hpp"
#include "webrtc/sdp/answer_builder.hpp"
#include "webrtc/sdp/offer_parser.hpp"
#include "webrtc/srtp/srtp_session.hpp"
#include "webrtc/stun/stun_message.hpp"
#include "whep_client/answer_info.hpp"
#include "whep_client/offer_builder.hpp"

namespace tools::whep_client::test {

using Clock = std::chrono::steady_clock;
inline const webrtc::ice::TransportAddress ServerAddress =
    webrtc::ice::TransportAddress::ipv4({127, 0, 0, 1}, 8189);
inline const webrtc::ice::TransportAddress ClientAddress =
    webrtc::ice::TransportAddress::ipv4({127, 0, 0, 1}, 50000);
inline constexpr uint32_t VideoSsrc = 1111;
inline constexpr uint32_t AudioSsrc = 3333;

inline std::vector<uint8_t> load_file(const std::string& relative) {
  std::ifstream in(std::string(AIRCLASS_TEST_DATA) + "/" + relative, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Access units of an Annex-B stream with one slice per picture (as the fixture has): each
// slice closes the unit that the parameter sets and SEI before it opened.
inline std::vector<std::vector<webrtc::rtp::NalUnit>> access_units(
    std::span<const uint8_t> annexb) {
  std::vector<std::vector<webrtc::rtp::NalUnit>> out(1);
  webrtc::rtp::AnnexBReader reader(annexb);
  while (auto nal = reader.next()) {
    out.back().push_back(*nal);
    const uint8_t t = webrtc::rtp::nal_unit_type(*nal);
    if (t == webrtc::rtp::nal_type::NonIdrSlice || t == webrtc::rtp::nal_type::IdrSlice) {
      out.emplace_back();
    }
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

// RTP packets (unprotected) of every access unit, 3000 ticks apart, starting at `seq`.
inline std::vector<std::vector<uint8_t>> packetize(
    const std::vector<std::vector<webrtc::rtp::NalUnit>>& units, uint8_t pt, uint32_t ssrc,
    uint16_t seq = 1000, uint32_t ts = 90000) {
  std::vector<std::vector<uint8_t>> out;
  webrtc::rtp::H264Packetizer packetizer;
  for (const auto& unit : units) {
    EXPECT_TRUE(packetizer.begin(unit));
    for (;;) {
      std::vector<uint8_t> packet(1500);
      webrtc::rtp::RtpHeaderWriter header({false, pt, seq, ts, ssrc});
      const size_t h = header.size();
      auto payload = packetizer.next(std::span(packet).subspan(h));
      if (!payload) break;
      header.header().marker = payload->marker;
      header.write_to(packet);
      packet.resize(h + payload->size);
      out.push_back(std::move(packet));
      ++seq;
    }
    ts += 3000;
  }
  return out;
}

inline std::vector<uint8_t> rtp_packet(uint8_t pt, uint32_t ssrc, uint16_t seq, uint32_t ts,
                                       std::span<const uint8_t> payload, bool marker = false) {
  webrtc::rtp::RtpHeaderWriter header({marker, pt, seq, ts, ssrc});
  std::vector<uint8_t> packet(header.size() + payload.size());
  header.write_to(packet);
  std::copy(payload.begin(), payload.end(), packet.begin() + header.size());
  return packet;
}

inline std::shared_ptr<const webrtc::dtls::DtlsContext> make_dtls_context() {
  return webrtc::dtls::DtlsContext::create(
      webrtc::dtls::DtlsCertificate::generate(std::chrono::system_clock::now()));
}

// The server half: answers through the real answer builder, then speaks ICE-lite, DTLS server
// and SRTP toward one client.
class FakeServer {
 public:
  explicit FakeServer(const std::string& offer, uint16_t udp_port = ServerAddress.port(),
                      std::string stream_profile = "42e01f")
      : context_(make_dtls_context()) {
    auto parsed = webrtc::sdp::parse_offer(offer);
    EXPECT_TRUE(parsed) << parsed.error;
    webrtc::sdp::AnswerParams p;
    p.session_id = 42;
    p.ice_ufrag = "srv1";
    p.ice_pwd = "serverpassword0123456789";
    p.fingerprint_sha256 = context_->certificate().fingerprint().to_sdp().substr(8);
    p.candidates = {"candidate:1 1 udp 2130706431 127.0.0.1 " + std::to_string(udp_port) +
                    " typ host"};
    p.stream_profile = *webrtc::sdp::H264ProfileLevelId::parse(stream_profile);
    p.video_ssrc = VideoSsrc;
    p.video_rtx_ssrc = 2222;
    p.audio_ssrc = AudioSsrc;
    p.cname = "airclass";
    p.stream_id = "live";
    p.video_track_id = "video";
    p.audio_track_id = "audio";
    if (parsed) {
      offer_ = *parsed.offer;
      answer = webrtc::sdp::build_answer(offer_, p);
    }
    const auto& m = offer_.media.empty() ? webrtc::sdp::MediaSection{} : offer_.media[0];
    webrtc::dtls::DtlsConfig dc;
    dc.role = webrtc::dtls::DtlsRole::Server;
    if (!m.fingerprints.empty()) {
      dc.remote_fingerprint = *webrtc::dtls::Fingerprint::parse(m.fingerprints[0].algorithm + " " +
                                                                m.fingerprints[0].value);
    }
    dtls_ = std::make_unique<webrtc::dtls::DtlsTransport>(context_, dc);
    ice_ = std::make_unique<webrtc::ice::IceLiteAgent>(
        webrtc::ice::IceCredentials{p.ice_ufrag, p.ice_pwd},
        webrtc::ice::IceCredentials{m.ice_ufrag, m.ice_pwd}, Clock::now());
  }

  void handle(std::span<uint8_t> d) {
    if (d.empty()) return;
    if (d[0] <= 3) {
      if (auto r = ice_->handle_binding_request(d, ClientAddress, Clock::now())) {
        to_client.emplace_back(r->bytes().begin(), r->bytes().end());
      }
    } else if (webrtc::dtls::DtlsTransport::is_dtls(d)) {
      dtls_->feed(d);
      pump_dtls();
    } else if (in_) {
      auto n = in_->unprotect_rtcp(d, d.size());
      if (n) rtcp.emplace_back(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(*n));
    }
  }

  void pump_dtls() {
    for (auto& out : dtls_->take_outgoing())
      to_client.push_back(std::move(out));
    if (dtls_->state() == webrtc::dtls::DtlsState::Connected && !out_) {
      const auto& k = *dtls_->srtp_keys();
      const auto profile = *webrtc::srtp::srtp_profile_from_id(k.profile);
      out_ = webrtc::srtp::SrtpSession::create(profile, webrtc::srtp::SrtpDirection::Outbound,
                                               k.local_key, k.local_salt);
      in_ = webrtc::srtp::SrtpSession::create(profile, webrtc::srtp::SrtpDirection::Inbound,
                                              k.remote_key, k.remote_salt);
    }
  }

  bool srtp_ready() const { return out_ != nullptr; }

  // Protects an RTP packet for the client; `corrupt` flips a payload bit after protection.
  std::vector<uint8_t> protect(std::vector<uint8_t> packet, bool corrupt = false) {
    const size_t len = packet.size();
    packet.resize(len + webrtc::srtp::SrtpSession::MaxRtpTrailer);
    auto n = out_->protect_rtp(packet, len);
    EXPECT_TRUE(n.has_value());
    packet.resize(n.value_or(0));
    if (corrupt && packet.size() > 20) packet[16] ^= 0x01;
    return packet;
  }

  std::string answer;
  std::vector<std::vector<uint8_t>> to_client;
  std::vector<std::vector<uint8_t>> rtcp;  // decrypted compound packets from the client
  webrtc::ice::IceLiteAgent& ice() { return *ice_; }
  webrtc::dtls::DtlsTransport& dtls() { return *dtls_; }

 private:
  std::shared_ptr<const webrtc::dtls::DtlsContext> context_;
  webrtc::sdp::SessionDescription offer_;
  std::unique_ptr<webrtc::ice::IceLiteAgent> ice_;
  std::unique_ptr<webrtc::dtls::DtlsTransport> dtls_;
  std::unique_ptr<webrtc::srtp::SrtpSession> out_;
  std::unique_ptr<webrtc::srtp::SrtpSession> in_;
};

// A client and a FakeServer back to back; datagrams are shuttled by pump(). `Client` takes a
// config with a PeerTransportConfig `transport` and an `rtcp_ssrc`, and drains its datagrams.
template <typename Client>
struct Loopback {
  template <typename Config>
  explicit Loopback(Config config) {
    auto ice = webrtc::ice::IceCredentials::generate();
    OfferParams op;
    op.session_id = 7;
    op.ice = *ice;
    op.fingerprint = client_context->certificate().fingerprint().to_sdp();
    server = std::make_unique<FakeServer>(build_offer(op));
    AnswerResult answer = parse_answer(server->answer);
    EXPECT_TRUE(answer) << answer.error;
    info = *answer.answer;
    config.transport.local_ice = *ice;
    config.transport.dtls_context = client_context;
    config.transport.tie_breaker = 99;
    config.rtcp_ssrc = 4242;
    client = std::make_unique<Client>(std::move(config), info, Clock::now());
  }

  std::vector<std::vector<uint8_t>> take() {
    std::vector<std::vector<uint8_t>> out;
    client->drain([&](std::span<const uint8_t> d) { out.emplace_back(d.begin(), d.end()); });
    return out;
  }

  // Moves datagrams both ways until quiet; returns whether any moved.
  bool pump() {
    bool moved = false;
    for (int round = 0; round < 50; ++round) {
      auto up = take();
      for (auto& d : up)
        server->handle(d);
      server->pump_dtls();
      auto down = std::move(server->to_client);
      server->to_client.clear();
      for (auto& d : down)
        client->handle_datagram(d, Clock::now());
      if (up.empty() && down.empty()) break;
      moved = true;
    }
    return moved;
  }

  // Ticks the client until the DTLS handshake is done on both sides.
  void connect() {
    using namespace std::chrono_literals;
    const auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline && !server->srtp_ready()) {
      client->on_timer(Clock::now());
      if (!pump()) std::this_thread::sleep_for(2ms);
    }
    ASSERT_TRUE(server->srtp_ready()) << client->failure_reason();
    pump();  // the server's last flight
  }

  // Protects an RTP packet as the server would (see FakeServer::protect) and hands it over.
  void deliver(std::vector<uint8_t> packet, bool corrupt = false) {
    auto p = server->protect(std::move(packet), corrupt);
    client->handle_datagram(p, Clock::now());
  }

  std::shared_ptr<const webrtc::dtls::DtlsContext> client_context = make_dtls_context();
  std::unique_ptr<FakeServer> server;
  AnswerInfo info;
  std::unique_ptr<Client> client;
};

}  // namespace tools::whep_client::test
