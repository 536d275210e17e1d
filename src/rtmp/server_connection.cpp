#include "rtmp/server_connection.hpp"

#include <openssl/rand.h>

#include "base/byte_reader.hpp"
#include "rtmp/amf0.hpp"
#include "rtmp/chunk_reader.hpp"
#include "rtmp/chunk_writer.hpp"
#include "rtmp/command.hpp"
#include "rtmp/control_message.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/stream_key.hpp"

namespace rtmp {
namespace {

// Outgoing chunk stream ids: one per kind so fmt 1/2 headers compress well.
constexpr uint32_t ControlCsid = 2;
constexpr uint32_t CommandCsid = 3;
constexpr uint32_t AudioCsid = 4;
constexpr uint32_t StreamCsid = 5;  // onStatus and data messages on the media stream
constexpr uint32_t VideoCsid = 6;
constexpr uint32_t MediaStreamId = 1;  // the one stream id createStream hands out

void default_random(std::span<uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    // The filler needs no secrecy; a failing RNG must not block the handshake.
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<uint8_t>(i * 131 + 7);
  }
}

}  // namespace

struct ServerConnection::Impl final : ChunkReader::Listener {
  Impl(ServerConnection::Listener& l, ConnectionLimits lim, RandomFill random)
      : listener(l),
        limits(lim),
        handshake(random ? std::move(random) : RandomFill(default_random)),
        reader({lim.max_chunk_size, lim.max_message_size, lim.max_chunk_streams}),
        ack_window(lim.window_ack_size) {
    amf_limits.max_depth = lim.max_amf_depth;
  }

  bool feed(std::span<const uint8_t> bytes);
  bool on_message(const Message& m) override;
  bool fail(std::string message);

  // Replies.
  void send_control(MessageType type, std::span<const uint8_t> payload);
  void send_user_control(UserControlEvent event, uint32_t value);
  void send_command(uint32_t csid, uint32_t stream_id, const Command& c);
  void send_status(std::string_view level, std::string_view code, std::string_view description);

  // Incoming messages.
  bool on_command(const Message& m);
  bool on_data(const Message& m);
  bool on_aggregate(const Message& m);
  bool on_user_control(const Message& m);
  bool on_connect(const Command& c);
  bool on_publish(const Command& c, uint32_t stream_id);
  bool on_play(const Command& c, uint32_t stream_id);
  std::string admission_refusal() const;
  void close_stream();
  void reply_empty_result(const Command& c);
  std::string clean_name(const Command& c) const {
    return make_stream_key(app, c.string_arg(0).value_or(""), tc_url).name;
  }

  ServerConnection::Listener& listener;
  ConnectionLimits limits;
  Handshake handshake;
  ChunkReader reader;
  ChunkWriter writer;
  amf0::DecodeLimits amf_limits;
  State state = State::Handshake;
  std::string error;
  std::vector<uint8_t> out;
  uint64_t received = 0;
  uint64_t acked = 0;
  uint32_t ack_window;
  std::string app;
  std::string tc_url;
  StreamKey key;
  uint32_t stream_id = MediaStreamId;
};

bool ServerConnection::Impl::fail(std::string message) {
  if (error.empty()) error = std::move(message);
  state = State::Failed;
  return false;
}

bool ServerConnection::Impl::feed(std::span<const uint8_t> bytes) {
  if (state == State::Failed) return false;
  received += bytes.size();
  if (state == State::Handshake) {
    size_t consumed = 0;
    const auto status = handshake.feed(bytes, out, consumed);
    if (status == Handshake::Status::Error) return fail(handshake.error());
    if (status == Handshake::Status::NeedMore) return true;
    state = State::Connecting;
    bytes = bytes.subspan(consumed);
  }
  if (!reader.feed(bytes, *this)) return fail(reader.error());
  // Section 5.4.3: acknowledge each time the peer's window of bytes has been received.
  if (ack_window > 0 && received - acked >= ack_window) {
    acked = received;
    send_control(MessageType::Acknowledgement, encode_u32_control(static_cast<uint32_t>(received)));
  }
  return true;
}

void ServerConnection::Impl::send_control(MessageType type, std::span<const uint8_t> payload) {
  writer.write(out, ControlCsid, type, 0, 0, payload);
}

void ServerConnection::Impl::send_user_control(UserControlEvent event, uint32_t value) {
  send_control(MessageType::UserControl, UserControl::encode(event, value));
}

void ServerConnection::Impl::send_command(uint32_t csid, uint32_t msid, const Command& c) {
  const auto payload = c.encode();
  writer.write(out, csid, MessageType::CommandAmf0, 0, msid, payload);
}

void ServerConnection::Impl::send_status(std::string_view level, std::string_view code,
                                         std::string_view description) {
  send_command(StreamCsid, stream_id, Command::on_status(level, code, description, key.name));
}

bool ServerConnection::Impl::on_message(const Message& m) {
  bool ok = true;
  switch (m.type) {
    case MessageType::Audio:
    case MessageType::Video:
      if (state == State::Publishing) listener.on_media(m);
      break;
    case MessageType::DataAmf0:
    case MessageType::DataAmf3:
      ok = on_data(m);
      break;
    case MessageType::Aggregate:
      ok = on_aggregate(m);
      break;
    case MessageType::CommandAmf0:
    case MessageType::CommandAmf3:
      ok = on_command(m);
      break;
    case MessageType::UserControl:
      ok = on_user_control(m);
      break;
    case MessageType::WindowAckSize:
      // The peer tells us how often to acknowledge (section 5.4.4); 0 would mean every read.
      if (auto v = parse_u32_control(m.payload); v && *v > 0) ack_window = *v;
      break;
    default:  // Acknowledgement, Set Peer Bandwidth, shared objects: nothing to do
      break;
  }
  if (!ok) reader.set_error(error);
  return ok;
}

bool ServerConnection::Impl::on_user_control(const Message& m) {
  const auto uc = UserControl::parse(m.payload);
  if (!uc) return true;  // unknown short events are harmless
  if (uc->event == UserControlEvent::PingRequest) {
    send_user_control(UserControlEvent::PingResponse, uc->value);
  }
  return true;
}

bool ServerConnection::Impl::on_data(const Message& m) {
  Message data = m;
  data.type = MessageType::DataAmf0;
  // Type 15 carries an AMF3 format byte before AMF0 values (section 7.1.2).
  if (m.type == MessageType::DataAmf3 && !m.payload.empty() && m.payload[0] == 0) {
    data.payload = m.payload.subspan(1);
  }
  if (state != State::Publishing) return true;
  amf0::Decoder d(data.payload, amf_limits);
  const auto name = d.next();
  if (!name || !name->is_string()) return true;  // not metadata; ignore rather than fail
  if (name->string == "@setDataFrame" || name->string == "onMetaData") listener.on_media(data);
  return true;
}

// Aggregate (section 7.1.6): FLV-tag-like sub-messages whose timestamps are offsets from the
// first one, rebased on the aggregate's own timestamp.
bool ServerConnection::Impl::on_aggregate(const Message& m) {
  if (state != State::Publishing) return true;
  base::ByteReader r(m.payload);
  bool first = true;
  uint32_t base_ts = 0;
  while (!r.empty()) {
    const auto type = r.u8();
    const auto size = r.u24();
    const auto ts = r.u24();
    const auto ts_ext = r.u8();
    if (!type || !size || !ts || !ts_ext || !r.skip(3)) return fail("truncated aggregate message");
    const auto body = r.bytes(*size);
    if (!body || !r.skip(4)) return fail("truncated aggregate message");
    const uint32_t sub_ts = (uint32_t{*ts_ext} << 24) | *ts;
    if (first) base_ts = sub_ts;
    first = false;
    Message sub = m;
    sub.type = static_cast<MessageType>(*type);
    sub.timestamp = m.timestamp + (sub_ts - base_ts);
    sub.payload = *body;
    if (sub.type == MessageType::Audio || sub.type == MessageType::Video) {
      listener.on_media(sub);
    } else if (sub.type == MessageType::DataAmf0) {
      on_data(sub);
    }
  }
  return true;
}

void ServerConnection::Impl::reply_empty_result(const Command& c) {
  if (c.transaction_id == 0) return;
  send_command(
      CommandCsid, 0,
      Command::result(c.transaction_id, amf0::Value::make_null(), amf0::Value::make_undefined()));
}

bool ServerConnection::Impl::on_command(const Message& m) {
  auto payload = m.payload;
  if (m.type == MessageType::CommandAmf3 && !payload.empty() && payload[0] == 0) {
    payload = payload.subspan(1);
  }
  std::string why;
  const auto c = Command::parse(payload, amf_limits, why);
  if (!c) return fail("malformed command: " + why);
  const uint32_t msid = m.stream_id != 0 ? m.stream_id : MediaStreamId;
  if (c->name == "connect") return on_connect(*c);
  if (state == State::Connecting) return fail("command " + c->name + " before connect");
  if (c->name == "createStream") {
    send_command(CommandCsid, 0,
                 Command::result(c->transaction_id, amf0::Value::make_null(),
                                 amf0::Value::make_number(MediaStreamId)));
  } else if (c->name == "publish") {
    return on_publish(*c, msid);
  } else if (c->name == "play" || c->name == "play2") {
    return on_play(*c, msid);
  } else if (c->name == "releaseStream" || c->name == "_checkbw" || c->name == "FCSubscribe" ||
             c->name == "FCUnsubscribe") {
    reply_empty_result(*c);
  } else if (c->name == "FCPublish") {
    // The name may carry the publish password: echo only the clean stream name.
    Command notify = Command::on_status("status", "NetStream.Publish.Start", clean_name(*c));
    notify.name = "onFCPublish";
    send_command(CommandCsid, 0, notify);
    reply_empty_result(*c);
  } else if (c->name == "FCUnpublish") {
    Command notify = Command::on_status("status", "NetStream.Unpublish.Success", clean_name(*c));
    notify.name = "onFCUnpublish";
    send_command(CommandCsid, 0, notify);
    reply_empty_result(*c);
    if (state == State::Publishing) close_stream();
  } else if (c->name == "deleteStream" || c->name == "closeStream") {
    // No response is defined (section 7.2.2.3); the stream simply ends.
    if (state == State::Publishing || state == State::Playing) close_stream();
  } else if (c->name == "getStreamLength") {
    send_command(
        CommandCsid, 0,
        Command::result(c->transaction_id, amf0::Value::make_null(), amf0::Value::make_number(0)));
  } else if (c->transaction_id != 0) {
    // A call we do not implement: answer so clients waiting on it carry on.
    send_command(
        CommandCsid, 0,
        Command::error(c->transaction_id, status_info("error", "NetConnection.Call.Failed",
                                                      "Method not found (" + c->name + ")")));
  }
  return true;
}

bool ServerConnection::Impl::on_connect(const Command& c) {
  if (state != State::Connecting) return fail("connect received twice");
  if (!c.object.is_object()) return fail("connect without a command object");
  app = std::string(c.object.find_string("app").value_or(""));
  tc_url = std::string(c.object.find_string("tcUrl").value_or(""));
  // Section 7.2.1.1: window, peer bandwidth and chunk size precede the _result.
  send_control(MessageType::WindowAckSize, encode_u32_control(limits.window_ack_size));
  send_control(MessageType::SetPeerBandwidth,
               encode_peer_bandwidth(limits.window_ack_size, BandwidthLimit::Dynamic));
  send_control(MessageType::SetChunkSize, encode_u32_control(limits.out_chunk_size));
  writer.set_chunk_size(limits.out_chunk_size);
  amf0::Value props = amf0::Value::make_object({
      {"fmsVer", amf0::Value::make_string("FMS/3,0,1,123")},
      {"capabilities", amf0::Value::make_number(31)},
      {"mode", amf0::Value::make_number(1)},
  });
  amf0::Value info =
      status_info("status", "NetConnection.Connect.Success", "Connection succeeded.");
  // We only speak AMF0, whatever the client offered.
  info.properties.push_back({"objectEncoding", amf0::Value::make_number(0)});
  send_command(CommandCsid, 0, Command::result(c.transaction_id, std::move(props), info));
  state = State::Connected;
  return true;
}

// Why a publish or play request cannot even reach the listener; empty when it can.
std::string ServerConnection::Impl::admission_refusal() const {
  if (state != State::Connected) return "connection is already publishing or playing";
  if (key.name.empty()) return "empty stream name";
  return {};
}

bool ServerConnection::Impl::on_publish(const Command& c, uint32_t msid) {
  stream_id = msid;
  key = make_stream_key(app, c.string_arg(0).value_or(""), tc_url);
  std::string refusal = admission_refusal();
  if (refusal.empty()) refusal = listener.on_publish(key);
  if (!refusal.empty()) {
    send_status("error", "NetStream.Publish.BadName", refusal);
    return fail("publish refused: " + refusal);
  }
  state = State::Publishing;
  send_user_control(UserControlEvent::StreamBegin, stream_id);
  send_status("status", "NetStream.Publish.Start", key.name + " is now published.");
  return true;
}

bool ServerConnection::Impl::on_play(const Command& c, uint32_t msid) {
  stream_id = msid;
  std::string_view name = c.string_arg(0).value_or("");
  if (c.name == "play2" && c.arg(0) != nullptr) {
    name = c.arg(0)->find_string("streamName").value_or("");
  }
  key = make_stream_key(app, name, tc_url);
  std::string refusal = admission_refusal();
  if (refusal.empty()) refusal = listener.on_play(key);
  if (!refusal.empty()) {
    send_status("error", "NetStream.Play.StreamNotFound", refusal);
    return fail("play refused: " + refusal);
  }
  state = State::Playing;
  send_user_control(UserControlEvent::StreamBegin, stream_id);
  send_status("status", "NetStream.Play.Reset", "Playing and resetting " + key.name + ".");
  send_status("status", "NetStream.Play.Start", "Started playing " + key.name + ".");
  // Lets Flash-based players access the decoded audio and video.
  std::vector<uint8_t> access;
  amf0::encode_string("|RtmpSampleAccess", access);
  amf0::encode(amf0::Value::make_boolean(true), access);
  amf0::encode(amf0::Value::make_boolean(true), access);
  writer.write(out, StreamCsid, MessageType::DataAmf0, 0, stream_id, access);
  return true;
}

void ServerConnection::Impl::close_stream() {
  state = State::Connected;
  listener.on_stream_closed();
}

// --- ServerConnection --------------------------------------------------------------------

ServerConnection::ServerConnection(Listener& listener, ConnectionLimits limits)
    : ServerConnection(listener, limits, RandomFill{}) {}

ServerConnection::ServerConnection(Listener& listener, ConnectionLimits limits, RandomFill random)
    : impl_(std::make_unique<Impl>(listener, limits, std::move(random))) {}

ServerConnection::~ServerConnection() = default;

bool ServerConnection::feed(std::span<const uint8_t> bytes) {
  return impl_->feed(bytes);
}
const std::string& ServerConnection::error() const noexcept {
  return impl_->error;
}
ServerConnection::State ServerConnection::state() const noexcept {
  return impl_->state;
}
uint64_t ServerConnection::bytes_received() const noexcept {
  return impl_->received;
}
const StreamKey& ServerConnection::stream_key() const noexcept {
  return impl_->key;
}
bool ServerConnection::has_output() const noexcept {
  return !impl_->out.empty();
}

std::vector<uint8_t> ServerConnection::take_output() {
  std::vector<uint8_t> result;
  result.swap(impl_->out);
  return result;
}

void ServerConnection::send_media(MessageType type, uint32_t timestamp,
                                  std::span<const uint8_t> head, std::span<const uint8_t> body) {
  if (impl_->state != State::Playing) return;
  const uint32_t csid = type == MessageType::Audio   ? AudioCsid
                        : type == MessageType::Video ? VideoCsid
                                                     : StreamCsid;
  impl_->writer.write(impl_->out, csid, type, timestamp, impl_->stream_id, head, body);
}

void ServerConnection::send_unpublish_notify() {
  if (impl_->state != State::Playing) return;
  impl_->send_user_control(UserControlEvent::StreamEof, impl_->stream_id);
  impl_->send_status("status", "NetStream.Play.UnpublishNotify",
                     impl_->key.name + " is now unpublished.");
}

void ServerConnection::send_publish_notify() {
  if (impl_->state != State::Playing) return;
  impl_->send_user_control(UserControlEvent::StreamBegin, impl_->stream_id);
  impl_->send_status("status", "NetStream.Play.PublishNotify",
                     impl_->key.name + " is now published.");
}

}  // namespace rtmp
