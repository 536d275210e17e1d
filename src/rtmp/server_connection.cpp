#include "rtmp/server_connection.hpp"

#include <algorithm>

#include "rtmp/amf0.hpp"
#include "rtmp/command.hpp"
#include "rtmp/control_message.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/message_channel.hpp"
#include "rtmp/stream_key.hpp"

namespace rtmp {
namespace {

// Outgoing chunk stream ids (control and commands as MessageChannel numbers them): one per kind
// so fmt 1/2 headers compress well.
constexpr uint32_t CommandCsid = MessageChannel::CommandCsid;
constexpr uint32_t AudioCsid = 4;
constexpr uint32_t StreamCsid = 5;  // onStatus and data messages on the media stream
constexpr uint32_t VideoCsid = 6;
constexpr uint32_t MediaStreamId = 1;  // the one stream id createStream hands out

uint32_t pre_start_message_size(const ConnectionLimits& limits) {
  return std::min(limits.max_message_size, limits.max_message_size_before_start);
}
constexpr const char* PreStartNote = "before publish/play";

MessageChannel::Config channel_config(const ConnectionLimits& limits) {
  MessageChannel::Config config;
  config.chunk = {limits.max_chunk_size, pre_start_message_size(limits), limits.max_chunk_streams};
  config.max_amf_depth = limits.max_amf_depth;
  // We acknowledge at our own announced window until the client names one.
  config.ack_window = limits.window_ack_size;
  return config;
}

}  // namespace

struct ServerConnection::Impl final : MessageChannel::Listener {
  Impl(ServerConnection::Listener& l, ConnectionLimits lim, RandomFill random)
      : listener(l),
        limits(lim),
        handshake(random ? std::move(random) : RandomFill(Handshake::default_random)),
        channel(*this, channel_config(lim)) {
    channel.set_max_message_size(pre_start_message_size(lim), PreStartNote);
  }

  bool feed(std::span<const uint8_t> bytes);
  bool fail(std::string message);
  void send_status(std::string_view level, std::string_view code, std::string_view description);

  // MessageChannel::Listener
  bool wants_media() const override { return state == State::Publishing; }
  void on_media(const Message& m) override { listener.on_media(m); }
  bool on_command(const Command& c, const Message& m) override;

  bool on_connect(const Command& c);
  bool on_publish(const Command& c, uint32_t stream_id);
  bool on_play(const Command& c, uint32_t stream_id);
  // An accepted publish or play: media messages up to the full limit may follow.
  void lift_message_limit() { channel.set_max_message_size(limits.max_message_size); }
  std::string admission_refusal() const;
  void close_stream();
  void reply_empty_result(const Command& c);
  std::string clean_name(const Command& c) const {
    return make_stream_key(app, c.string_arg(0).value_or(""), tc_url).name;
  }

  ServerConnection::Listener& listener;
  ConnectionLimits limits;
  Handshake handshake;
  MessageChannel channel;
  State state = State::Handshake;
  std::string app;
  std::string tc_url;
  StreamKey key;
  uint32_t stream_id = MediaStreamId;
};

bool ServerConnection::Impl::fail(std::string message) {
  channel.fail(std::move(message));
  state = State::Failed;
  return false;
}

bool ServerConnection::Impl::feed(std::span<const uint8_t> bytes) {
  if (state == State::Failed) return false;
  channel.count_received(bytes.size());
  if (state == State::Handshake) {
    size_t consumed = 0;
    const auto status = handshake.feed(bytes, channel.output(), consumed);
    if (status == Handshake::Status::Error) return fail(handshake.error());
    if (status == Handshake::Status::NeedMore) return true;
    state = State::Connecting;
    bytes = bytes.subspan(consumed);
  }
  if (!channel.feed(bytes)) return fail(channel.error());
  return true;
}

void ServerConnection::Impl::send_status(std::string_view level, std::string_view code,
                                         std::string_view description) {
  channel.send_command(StreamCsid, stream_id,
                       Command::on_status(level, code, description, key.name));
}

void ServerConnection::Impl::reply_empty_result(const Command& c) {
  if (c.transaction_id == 0) return;
  channel.send_command(
      CommandCsid, 0,
      Command::result(c.transaction_id, amf0::Value::make_null(), amf0::Value::make_undefined()));
}

bool ServerConnection::Impl::on_command(const Command& c, const Message& m) {
  const uint32_t msid = m.stream_id != 0 ? m.stream_id : MediaStreamId;
  if (c.name == "connect") return on_connect(c);
  if (state == State::Connecting) return fail("command " + c.name + " before connect");
  if (c.name == "createStream") {
    channel.send_command(CommandCsid, 0,
                         Command::result(c.transaction_id, amf0::Value::make_null(),
                                         amf0::Value::make_number(MediaStreamId)));
  } else if (c.name == "publish") {
    return on_publish(c, msid);
  } else if (c.name == "play" || c.name == "play2") {
    return on_play(c, msid);
  } else if (c.name == "releaseStream" || c.name == "_checkbw" || c.name == "FCSubscribe" ||
             c.name == "FCUnsubscribe") {
    reply_empty_result(c);
  } else if (c.name == "FCPublish") {
    // The name may carry the publish password: echo only the clean stream name.
    Command notify = Command::on_status("status", "NetStream.Publish.Start", clean_name(c));
    notify.name = "onFCPublish";
    channel.send_command(CommandCsid, 0, notify);
    reply_empty_result(c);
  } else if (c.name == "FCUnpublish") {
    Command notify = Command::on_status("status", "NetStream.Unpublish.Success", clean_name(c));
    notify.name = "onFCUnpublish";
    channel.send_command(CommandCsid, 0, notify);
    reply_empty_result(c);
    if (state == State::Publishing) close_stream();
  } else if (c.name == "deleteStream" || c.name == "closeStream") {
    // No response is defined (section 7.2.2.3); the stream simply ends.
    if (state == State::Publishing || state == State::Playing) close_stream();
  } else if (c.name == "getStreamLength") {
    channel.send_command(
        CommandCsid, 0,
        Command::result(c.transaction_id, amf0::Value::make_null(), amf0::Value::make_number(0)));
  } else if (c.transaction_id != 0) {
    // A call we do not implement: answer so clients waiting on it carry on.
    channel.send_command(
        CommandCsid, 0,
        Command::error(c.transaction_id, status_info("error", "NetConnection.Call.Failed",
                                                     "Method not found (" + c.name + ")")));
  }
  return true;
}

bool ServerConnection::Impl::on_connect(const Command& c) {
  if (state != State::Connecting) return fail("connect received twice");
  if (!c.object.is_object()) return fail("connect without a command object");
  app = std::string(c.object.find_string("app").value_or(""));
  tc_url = std::string(c.object.find_string("tcUrl").value_or(""));
  // Section 7.2.1.1: window, peer bandwidth and chunk size precede the _result.
  channel.send_control(MessageType::WindowAckSize, encode_u32_control(limits.window_ack_size));
  channel.send_control(MessageType::SetPeerBandwidth,
                       encode_peer_bandwidth(limits.window_ack_size, BandwidthLimit::Dynamic));
  channel.send_chunk_size(limits.out_chunk_size);
  amf0::Value props = amf0::Value::make_object({
      {"fmsVer", amf0::Value::make_string("FMS/3,0,1,123")},
      {"capabilities", amf0::Value::make_number(31)},
      {"mode", amf0::Value::make_number(1)},
  });
  amf0::Value info =
      status_info("status", "NetConnection.Connect.Success", "Connection succeeded.");
  // We only speak AMF0, whatever the client offered.
  info.properties.push_back({"objectEncoding", amf0::Value::make_number(0)});
  channel.send_command(CommandCsid, 0, Command::result(c.transaction_id, std::move(props), info));
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
  lift_message_limit();
  channel.send_user_control(UserControlEvent::StreamBegin, stream_id);
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
  lift_message_limit();
  channel.send_user_control(UserControlEvent::StreamBegin, stream_id);
  send_status("status", "NetStream.Play.Reset", "Playing and resetting " + key.name + ".");
  send_status("status", "NetStream.Play.Start", "Started playing " + key.name + ".");
  // Lets Flash-based players access the decoded audio and video.
  std::vector<uint8_t> access;
  amf0::encode_string("|RtmpSampleAccess", access);
  amf0::encode(amf0::Value::make_boolean(true), access);
  amf0::encode(amf0::Value::make_boolean(true), access);
  channel.write(StreamCsid, MessageType::DataAmf0, 0, stream_id, access);
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
  return impl_->channel.error();
}
ServerConnection::State ServerConnection::state() const noexcept {
  return impl_->state;
}
uint64_t ServerConnection::bytes_received() const noexcept {
  return impl_->channel.bytes_received();
}
const StreamKey& ServerConnection::stream_key() const noexcept {
  return impl_->key;
}
bool ServerConnection::has_output() const noexcept {
  return impl_->channel.has_output();
}

std::vector<uint8_t> ServerConnection::take_output() {
  return impl_->channel.take_output();
}

void ServerConnection::send_media(MessageType type, uint32_t timestamp,
                                  std::span<const uint8_t> head, std::span<const uint8_t> body) {
  if (impl_->state != State::Playing) return;
  const uint32_t csid = type == MessageType::Audio   ? AudioCsid
                        : type == MessageType::Video ? VideoCsid
                                                     : StreamCsid;
  impl_->channel.write(csid, type, timestamp, impl_->stream_id, head, body);
}

void ServerConnection::send_unpublish_notify() {
  if (impl_->state != State::Playing) return;
  impl_->channel.send_user_control(UserControlEvent::StreamEof, impl_->stream_id);
  impl_->send_status("status", "NetStream.Play.UnpublishNotify",
                     impl_->key.name + " is now unpublished.");
}

void ServerConnection::send_publish_notify() {
  if (impl_->state != State::Playing) return;
  impl_->channel.send_user_control(UserControlEvent::StreamBegin, impl_->stream_id);
  impl_->send_status("status", "NetStream.Play.PublishNotify",
                     impl_->key.name + " is now published.");
}

}  // namespace rtmp
