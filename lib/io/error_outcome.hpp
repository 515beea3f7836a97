#pragma once
// Socket, TLS and Beast errors -> Outcome. Pure: tested without sockets.
#include <string_view>

#include <boost/system/error_code.hpp>

#include "core/outcome.hpp"

namespace netprobe {

// `beast::error::timeout` (a stream deadline) and `operation_aborted` (our
// deadline cancelled the operation) are timeouts; system errors go through
// classify_errno; TLS errors are tls_error; an EOF where a reply was due (also
// Beast's end_of_stream and partial_message) is a reset; malformed HTTP is an error.
// `after_handshake`: a TLS stream that ends without close_notify once the
// handshake is done is a server hanging up on us (reset), not a TLS failure.
Outcome classify_error(const boost::system::error_code& error, bool after_handshake = false);

}  // namespace netprobe
