#include "rtmp/client_connection.hpp"

#include <algorithm>
#include <cmath>

#include "base/byte_writer.hpp"
#include "rtmp/amf0.hpp"
#include "rtmp/command.hpp"
#include "rtmp/control_message.hpp"
#include "rtmp/handshake.hpp"
#include "rtmp/message_channel.hpp"

namespace rtmp {
namespace {

// Outgoing chunk stream ids as ffmpeg uses them: invoke, and the play "source" channel.
constexpr uint32_t CommandCsid = MessageChannel::CommandCsid;
constexpr uint32_t PlayCsid = 8;
constexpr double ConnectTxn = 1;
constexpr double CreateStreamTxn = 2;
constexpr size_t HandshakeReplySize = 1 + 2 * Handshake::PacketSize;  // S0 + S1 + S2

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Servers differ in how they say no: level "error" (ours, nginx-rtmp), or only the code.
bool is_failure(std::string_view level, std::string_view code) {
  return level == "error" || contains(code, ".Failed") || contains(code, "StreamNotFound") ||
         contains(code, "Rejected") || contains(code, "Unauthorized") || contains(code, "BadName");
}

struct StatusInfo {
  std::string_view level;
  std::string_view code;
  std::string_view description;
};

// The info object of onStatus/_result/_error: the first object among the arguments (servers put
// it there, section 7.2.1.1), else the command object.
StatusInfo status_of(const Command& c) {
  const amf0::Value* info = nullptr;
  for (const auto& a : c.args) {
    if (a.is_object()) {
      info = &a;
      break;
    }
  }
  if (info == nullptr && c.object.is_object()) info = &c.object;
  if (info == nullptr) return {};
  return {info->find_string("level").value_or(""), info->find_string("code").value_or(""),
          info->find_string("description").value_or("")};
}

MessageChannel::Config channel_config(const ClientOptions& options) {
  MessageChannel::Config config;
  config.chunk = {options.max_chunk_size, options.max_message_size, options.max_chunk_streams};
  config.max_amf_depth = options.max_amf_depth;
  config.ack_window = 0;  // until the server sets one
  config.malformed_command = "malformed command from server";
  return config;
}

}  // namespace

struct ClientConnection::Impl final : MessageChannel::Listener {
  Impl(ClientConnection::Listener& l, ClientOptions o, RandomFill random)
      : listener(l), options(std::move(o)), channel(*this, channel_config(options)) {
    send_c0c1(random ? random : RandomFill(Handshake::default_random));
  }

  bool feed(std::span<const uint8_t> bytes);
  bool feed_handshake(std::span<const uint8_t>& bytes);
  bool fail(std::string message);
  bool refuse(std::string_view what, std::string_view code, std::string_view description);

  void send_c0c1(const RandomFill& random);
  void send_connect();
  void send_play();

  // MessageChannel::Listener
  bool wants_media() const override { return playing; }
  void on_media(const Message& m) override { listener.on_media(m); }
  bool on_command(const Command& c, const Message& m) override;
  void on_user_control(const UserControl& event) override;
  void on_peer_bandwidth(uint32_t window) override;

  bool on_result(const Command& c);
  bool on_error_reply(const Command& c);
  bool on_status(const Command& c);
  void start_playing();
  void stop_playing(std::string_view code, std::string_view description);

  ClientConnection::Listener& listener;
  const ClientOptions options;
  MessageChannel channel;
  State state = State::Handshake;
  std::vector<uint8_t> handshake;  // S0+S1+S2 until complete
  bool c2_sent = false;
  bool playing = false;
  uint32_t announced_window = 0;
  uint32_t stream_id = 0;
};

void ClientConnection::Impl::send_c0c1(const RandomFill& random) {
  // Section 5.2.3: C1 = time (0: we read no clock) + 4 zero bytes (plain, not digest) + random.
  std::vector<uint8_t> c1(Handshake::PacketSize, 0);
  random(std::span<uint8_t>(c1).subspan(8));
  auto& out = channel.output();
  out.push_back(Handshake::Version);
  out.insert(out.end(), c1.begin(), c1.end());
}

bool ClientConnection::Impl::fail(std::string message) {
  channel.fail(std::move(message));
  state = State::Failed;
  return false;
}

bool ClientConnection::Impl::refuse(std::string_view what, std::string_view code,
                                    std::string_view description) {
  if (state == State::Failed) return false;
  std::string why = std::string(what) + " refused";
  if (!code.empty()) why += ": " + std::string(code);
  if (!description.empty()) why += ": " + std::string(description);
  fail(std::move(why));
  listener.on_error(code, description);
  return false;
}

// Section 5.2.2-5.2.4: S0 must be version 3; C2 echoes S1 as soon as S1 is complete; S2 is
// accepted as is (digest servers do not echo a plain C1 byte for byte).
bool ClientConnection::Impl::feed_handshake(std::span<const uint8_t>& bytes) {
  const size_t n = std::min(HandshakeReplySize - handshake.size(), bytes.size());
  handshake.insert(handshake.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
  bytes = bytes.subspan(n);
  if (!handshake.empty() && handshake[0] != Handshake::Version) {
    return fail("server answered RTMP version " + std::to_string(handshake[0]) +
                " (only plain RTMP 3 is supported)");
  }
  if (!c2_sent && handshake.size() >= 1 + Handshake::PacketSize) {
    channel.output().insert(channel.output().end(), handshake.begin() + 1,
                            handshake.begin() + 1 + Handshake::PacketSize);
    c2_sent = true;
  }
  if (handshake.size() < HandshakeReplySize) return true;
  handshake = {};
  state = State::Connecting;
  send_connect();
  return true;
}

bool ClientConnection::Impl::feed(std::span<const uint8_t> bytes) {
  if (state == State::Failed) return false;
  channel.count_received(bytes.size());
  if (state == State::Handshake) {
    if (!feed_handshake(bytes)) return false;
    if (state == State::Handshake) return true;
  }
  if (!channel.feed(bytes)) return fail(channel.error());
  return true;
}

void ClientConnection::Impl::send_connect() {
  channel.send_chunk_size(options.out_chunk_size);
  channel.send_control(MessageType::WindowAckSize, encode_u32_control(options.window_ack_size));
  announced_window = options.window_ack_size;
  using amf0::Value;
  Command c;
  c.name = "connect";
  c.transaction_id = ConnectTxn;
  // Section 7.2.1.1 command object; objectEncoding 0: we only speak AMF0.
  c.object = Value::make_object({
      {"app", Value::make_string(options.app)},
      {"flashVer", Value::make_string(options.flash_ver)},
      {"tcUrl", Value::make_string(options.tc_url)},
      {"fpad", Value::make_boolean(false)},
      {"capabilities", Value::make_number(15)},
      {"audioCodecs", Value::make_number(0x0FFF)},
      {"videoCodecs", Value::make_number(0x00FF)},
      {"videoFunction", Value::make_number(1)},
      {"objectEncoding", Value::make_number(0)},
  });
  channel.send_command(CommandCsid, 0, c);
}

void ClientConnection::Impl::send_play() {
  Command c;
  c.name = "play";
  c.transaction_id = 0;  // section 7.2.2.1: play has no reply of its own
  c.object = amf0::Value::make_null();
  c.args = {amf0::Value::make_string(options.stream), amf0::Value::make_number(options.play_start)};
  channel.send_command(PlayCsid, stream_id, c);
  // Section 7.1.7 SetBufferLength: event, stream id, buffer length in ms.
  std::vector<uint8_t> payload;
  base::ByteWriter w(payload);
  w.u16(static_cast<uint16_t>(UserControlEvent::SetBufferLength));
  w.u32(stream_id);
  w.u32(options.buffer_ms);
  channel.send_control(MessageType::UserControl, payload);
}

bool ClientConnection::Impl::on_command(const Command& c, const Message& /*m*/) {
  if (c.name == "_result") return on_result(c);
  if (c.name == "_error") return on_error_reply(c);
  if (c.name == "onStatus") return on_status(c);
  // onBWDone, onFCSubscribe, close, ...: nothing a player has to answer.
  return true;
}

// Section 5.4.5: answer with our Window Acknowledgement Size when it differs.
void ClientConnection::Impl::on_peer_bandwidth(uint32_t window) {
  if (window == announced_window) return;
  announced_window = window;
  channel.send_control(MessageType::WindowAckSize, encode_u32_control(window));
}

bool ClientConnection::Impl::on_result(const Command& c) {
  if (c.transaction_id == ConnectTxn && state == State::Connecting) {
    const auto info = status_of(c);
    if (is_failure(info.level, info.code)) return refuse("connect", info.code, info.description);
    state = State::CreatingStream;
    Command create;
    create.name = "createStream";
    create.transaction_id = CreateStreamTxn;
    channel.send_command(CommandCsid, 0, create);
    return true;
  }
  if (c.transaction_id == CreateStreamTxn && state == State::CreatingStream) {
    // Section 7.2.1.3: the reply's argument is the new message stream id.
    const amf0::Value* id = c.arg(0);
    if (id == nullptr || id->type != amf0::Marker::Number || !std::isfinite(id->number) ||
        id->number < 1 || id->number > 0xFFFFFF || id->number != std::floor(id->number)) {
      return fail("createStream returned no valid stream id");
    }
    stream_id = static_cast<uint32_t>(id->number);
    state = State::Starting;
    send_play();
  }
  return true;  // replies to calls we did not make are ignored
}

bool ClientConnection::Impl::on_error_reply(const Command& c) {
  const auto info = status_of(c);
  if (c.transaction_id == ConnectTxn && state == State::Connecting) {
    return refuse("connect", info.code, info.description);
  }
  if (c.transaction_id == CreateStreamTxn && state == State::CreatingStream) {
    return refuse("createStream", info.code, info.description);
  }
  return true;
}

bool ClientConnection::Impl::on_status(const Command& c) {
  const auto info = status_of(c);
  if (is_failure(info.level, info.code)) return refuse("play", info.code, info.description);
  const bool started = state == State::Starting || state == State::Playing;
  if (started &&
      (info.code == "NetStream.Play.Start" || info.code == "NetStream.Play.PublishNotify")) {
    start_playing();
  } else if (started &&
             (info.code == "NetStream.Play.UnpublishNotify" || info.code == "NetStream.Play.Stop" ||
              info.code == "NetStream.Play.Complete")) {
    stop_playing(info.code, info.description);
  } else {
    listener.on_status(info.code, info.description);
  }
  return true;
}

void ClientConnection::Impl::start_playing() {
  state = State::Playing;
  if (playing) return;
  playing = true;
  listener.on_play_start();
}

void ClientConnection::Impl::stop_playing(std::string_view code, std::string_view description) {
  if (!playing) return;
  playing = false;
  listener.on_play_stop(code, description);
}

void ClientConnection::Impl::on_user_control(const UserControl& event) {
  if (event.event == UserControlEvent::StreamEof && event.value == stream_id) {
    stop_playing("StreamEOF", "the server ended the stream");
  }
}

// --- URL helpers -------------------------------------------------------------------------

std::optional<PlayUrl> parse_play_url(std::string_view url) {
  constexpr std::string_view Scheme = "rtmp://";
  if (url.size() > 4096 || url.substr(0, Scheme.size()) != Scheme) return std::nullopt;
  url.remove_prefix(Scheme.size());
  const size_t slash = url.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view authority = url.substr(0, slash);
  std::string_view path = url.substr(slash + 1);
  PlayUrl out;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  if (!port.empty() || authority.ends_with(':')) {
    uint32_t value = 0;
    if (port.empty() || port.size() > 5) return std::nullopt;
    for (char ch : port) {
      if (ch < '0' || ch > '9') return std::nullopt;
      value = value * 10 + static_cast<uint32_t>(ch - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    out.port = static_cast<uint16_t>(value);
  }
  const size_t q = path.find('?');
  if (q != std::string_view::npos) {
    out.query = std::string(path.substr(q + 1));
    path = path.substr(0, q);
  }
  const size_t split = path.find('/');
  if (split == std::string_view::npos || split == 0 || split + 1 >= path.size()) {
    return std::nullopt;
  }
  out.app = std::string(path.substr(0, split));
  out.name = std::string(path.substr(split + 1));
  return out;
}

ClientOptions make_play_options(std::string_view host, uint16_t port, std::string_view app_path,
                                std::string_view query) {
  ClientOptions o;
  const size_t split = app_path.find('/');
  o.app = std::string(app_path.substr(0, split));
  o.stream =
      split == std::string_view::npos ? std::string() : std::string(app_path.substr(split + 1));
  if (!query.empty()) o.stream += "?" + std::string(query);
  const bool v6 = host.find(':') != std::string_view::npos;
  o.tc_url = "rtmp://" + (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" +
             std::to_string(port) + "/" + o.app;
  return o;
}

// --- ClientConnection ----------------------------------------------------------------------

ClientConnection::ClientConnection(Listener& listener, ClientOptions options, RandomFill random)
    : impl_(std::make_unique<Impl>(listener, std::move(options), std::move(random))) {}

ClientConnection::~ClientConnection() = default;

bool ClientConnection::feed(std::span<const uint8_t> bytes) {
  return impl_->feed(bytes);
}
const std::string& ClientConnection::error() const noexcept {
  return impl_->channel.error();
}
ClientConnection::State ClientConnection::state() const noexcept {
  return impl_->state;
}
bool ClientConnection::has_output() const noexcept {
  return impl_->channel.has_output();
}
std::vector<uint8_t> ClientConnection::take_output() {
  return impl_->channel.take_output();
}

void ClientConnection::send_ping(uint32_t value) {
  if (impl_->state == State::Handshake || impl_->state == State::Failed) return;
  impl_->channel.send_user_control(UserControlEvent::PingRequest, value);
}

uint64_t ClientConnection::bytes_received() const noexcept {
  return impl_->channel.bytes_received();
}
uint64_t ClientConnection::acknowledgements_sent() const noexcept {
  return impl_->channel.acknowledgements_sent();
}
uint64_t ClientConnection::pings_answered() const noexcept {
  return impl_->channel.pings_answered();
}
uint32_t ClientConnection::stream_id() const noexcept {
  return impl_->stream_id;
}

}  // namespace rtmp
