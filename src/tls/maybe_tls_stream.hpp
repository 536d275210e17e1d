#pragma once
// A stream that is plain or TLS over the same next layer, chosen per connection, so one
// connection class (its read loop, deadlines and limits) serves both. It models Asio's
// AsyncReadStream and AsyncWriteStream for completion handlers (Beast's and Asio's composed
// reads and writes take it as they are); other completion tokens are not supported.
// The connection keeps its TLS context alive, so a certificate reload never touches it.
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <utility>
#include <variant>

#include "tls/tls_context.hpp"

namespace tls {

template <class Next>
class MaybeTlsStream {
 public:
  using executor_type = typename Next::executor_type;
  using TlsStream = boost::asio::ssl::stream<Next>;

  explicit MaybeTlsStream(Next next) : stream_(std::in_place_index<0>, std::move(next)) {}
  // TLS when `context` is set, plain otherwise.
  MaybeTlsStream(Next next, ContextPtr context)
      : context_(std::move(context)), stream_(std::in_place_index<0>, std::move(next)) {
    if (context_) {
      Next moved = std::move(std::get<0>(stream_));
      stream_.template emplace<1>(std::move(moved), *context_);
    }
  }

  bool is_tls() const { return stream_.index() == 1; }
  executor_type get_executor() { return next_layer().get_executor(); }

  // The plain stream (the TCP connection under TLS): deadlines, shutdown, close.
  Next& next_layer() {
    if (auto* t = std::get_if<1>(&stream_)) return t->next_layer();
    return std::get<0>(stream_);
  }
  // The TLS connection's OpenSSL object (peer name checks); null when plain.
  SSL* native_handle() {
    if (auto* t = std::get_if<1>(&stream_)) return t->native_handle();
    return nullptr;
  }

  // The TLS handshake; a plain stream completes at once with no error.
  template <class Handler>
  void async_handshake(boost::asio::ssl::stream_base::handshake_type type, Handler&& handler) {
    if (auto* t = std::get_if<1>(&stream_)) {
      t->async_handshake(type, std::forward<Handler>(handler));
      return;
    }
    boost::asio::post(get_executor(), [h = std::forward<Handler>(handler)]() mutable {
      h(boost::system::error_code{});
    });
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (auto* t = std::get_if<1>(&stream_)) {
      t->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      std::get<0>(stream_).async_read_some(buffers, std::forward<Handler>(handler));
    }
  }

  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (auto* t = std::get_if<1>(&stream_)) {
      t->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      std::get<0>(stream_).async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

 private:
  ContextPtr context_;  // before stream_: outlives it
  std::variant<Next, TlsStream> stream_;
};

}  // namespace tls
