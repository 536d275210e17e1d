#include "rtmp/message_channel.hpp"

#include "base/byte_reader.hpp"
#include "rtmp/command.hpp"

namespace rtmp {

MessageChannel::MessageChannel(Listener& listener, Config config)
    : listener_(listener),
      malformed_command_(std::move(config.malformed_command)),
      reader_(config.chunk),
      ack_window_(config.ack_window) {
  amf_limits_.max_depth = config.max_amf_depth;
}

bool MessageChannel::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

bool MessageChannel::feed(std::span<const uint8_t> bytes) {
  if (!reader_.feed(bytes, *this)) return fail(reader_.error());
  // Section 5.4.3: acknowledge each time the peer's window of bytes has been received.
  if (ack_window_ > 0 && received_ - acked_ >= ack_window_) {
    acked_ = received_;
    ++acks_sent_;
    send_control(MessageType::Acknowledgement,
                 encode_u32_control(static_cast<uint32_t>(received_)));
  }
  return true;
}

void MessageChannel::send_control(MessageType type, std::span<const uint8_t> payload) {
  writer_.write(out_, ControlCsid, type, 0, 0, payload);
}

void MessageChannel::send_user_control(UserControlEvent event, uint32_t value) {
  send_control(MessageType::UserControl, UserControl::encode(event, value));
}

void MessageChannel::send_chunk_size(uint32_t size) {
  // The Set Chunk Size message itself still goes out in chunks of the old size.
  send_control(MessageType::SetChunkSize, encode_u32_control(size));
  writer_.set_chunk_size(size);
}

void MessageChannel::send_command(uint32_t chunk_stream_id, uint32_t stream_id,
                                  const Command& command) {
  const auto payload = command.encode();
  writer_.write(out_, chunk_stream_id, MessageType::CommandAmf0, 0, stream_id, payload);
}

void MessageChannel::write(uint32_t chunk_stream_id, MessageType type, uint32_t timestamp,
                           uint32_t stream_id, std::span<const uint8_t> head,
                           std::span<const uint8_t> body) {
  writer_.write(out_, chunk_stream_id, type, timestamp, stream_id, head, body);
}

std::vector<uint8_t> MessageChannel::take_output() {
  std::vector<uint8_t> result;
  result.swap(out_);
  return result;
}

bool MessageChannel::on_message(const Message& m) {
  bool ok = true;
  switch (m.type) {
    case MessageType::Audio:
    case MessageType::Video:
      if (listener_.wants_media()) listener_.on_media(m);
      break;
    case MessageType::DataAmf0:
    case MessageType::DataAmf3:
      on_data(m);
      break;
    case MessageType::Aggregate:
      ok = on_aggregate(m);
      break;
    case MessageType::CommandAmf0:
    case MessageType::CommandAmf3:
      ok = on_command(m);
      break;
    case MessageType::UserControl:
      on_user_control(m);
      break;
    case MessageType::WindowAckSize:
      // The peer tells us how often to acknowledge (section 5.4.4); 0 would mean every read.
      if (auto v = parse_u32_control(m.payload); v && *v > 0) ack_window_ = *v;
      break;
    case MessageType::SetPeerBandwidth:
      if (auto v = parse_u32_control(m.payload); v && *v > 0) listener_.on_peer_bandwidth(*v);
      break;
    default:  // Acknowledgement, shared objects: nothing to do
      break;
  }
  if (!ok) reader_.set_error(error_);
  return ok;
}

bool MessageChannel::on_command(const Message& m) {
  auto payload = m.payload;
  // Type 17 carries an AMF3 format byte before AMF0 values (section 7.1.1).
  if (m.type == MessageType::CommandAmf3 && !payload.empty() && payload[0] == 0) {
    payload = payload.subspan(1);
  }
  std::string why;
  const auto c = Command::parse(payload, amf_limits_, why);
  if (!c) return fail(malformed_command_ + ": " + why);
  return listener_.on_command(*c, m);
}

void MessageChannel::on_user_control(const Message& m) {
  const auto uc = UserControl::parse(m.payload);
  if (!uc) return;  // unknown short events are harmless
  if (uc->event == UserControlEvent::PingRequest) {
    ++pings_answered_;
    send_user_control(UserControlEvent::PingResponse, uc->value);
  } else {
    listener_.on_user_control(*uc);
  }
}

void MessageChannel::on_data(const Message& m) {
  if (!listener_.wants_media()) return;
  Message data = m;
  data.type = MessageType::DataAmf0;
  // Type 15 carries an AMF3 format byte before AMF0 values (section 7.1.2).
  if (m.type == MessageType::DataAmf3 && !m.payload.empty() && m.payload[0] == 0) {
    data.payload = m.payload.subspan(1);
  }
  amf0::Decoder d(data.payload, amf_limits_);
  const auto name = d.next();
  if (!name || !name->is_string()) return;  // not metadata; ignore rather than fail
  if (name->string == "@setDataFrame" || name->string == "onMetaData") listener_.on_media(data);
}

// Aggregate (section 7.1.6): FLV-tag-like sub-messages whose timestamps are offsets from the
// first one, rebased on the aggregate's own timestamp.
bool MessageChannel::on_aggregate(const Message& m) {
  if (!listener_.wants_media()) return true;
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
      listener_.on_media(sub);
    } else if (sub.type == MessageType::DataAmf0) {
      on_data(sub);
    }
    if (!listener_.wants_media()) break;  // a listener may not expect media after it stopped
  }
  return true;
}

}  // namespace rtmp
