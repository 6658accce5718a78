#include "tend/http/http_daemon.hpp"

#include "tend/http/mhd_library.hpp"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace tend {

// MHD calls plain functions with `cls` as the daemon.
struct HttpDaemonCallbacks {
    static void connection(void* self, MHD_Connection* c, void** context, MHD_ConnectionNotificationCode code) {
        auto* daemon = static_cast<HttpDaemon*>(self);
        if (code == MHD_CONNECTION_NOTIFY_STARTED) daemon->opened(c, context);
        else daemon->closed(context);
    }
    static void completed(void* self, MHD_Connection* c, void**, MHD_RequestTerminationCode) {
        const MHD_ConnectionInfo* info = mhd().get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        if (info && info->socket_context) static_cast<HttpDaemon*>(self)->completed(info->socket_context);
    }
    static MHD_Result request(void* self, MHD_Connection* c, const char* url, const char* method, const char*,
                              const char* upload, std::size_t* upload_size, void** request_context) {
        try {
            return static_cast<HttpDaemon*>(self)->on_request(c, url, method, upload, upload_size, request_context)
                       ? MHD_YES
                       : MHD_NO;
        } catch (const std::exception& e) {
            spdlog::warn("HTTP request for {} failed: {}, closing its connection", printable(url), e.what());
            return MHD_NO;
        }
    }
    // MHD's own unescaping, but a %00 inside would cut the path short
    // ("/health/web%00x" read as web's): such a path becomes one that names nothing.
    static std::size_t unescape(void*, MHD_Connection*, char* text) {
        std::size_t length = mhd().http_unescape(text);
        if (std::strlen(text) == length) return length;
        std::strcpy(text, "/?");  // fits: the text held at least "%00"
        return 2;
    }
    static void log(void*, const char* format, va_list args) {
        char text[512];
        std::vsnprintf(text, sizeof text, format, args);
        spdlog::debug("HTTP: {}", printable(text));
    }
};

namespace {

std::string address_key(MHD_Connection* c) {
    const MHD_ConnectionInfo* info = mhd().get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr) return "?";
    char text[INET6_ADDRSTRLEN] = "?";
    const sockaddr* address = info->client_addr;
    if (address->sa_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
    else if (address->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
    return text;
}

HttpReply too_large_reply(std::size_t max_body) {
    return {413, "text/plain; charset=utf-8", "request body over " + std::to_string(max_body) + " bytes\n"};
}

HttpReply busy_reply(const BodyBudget& bodies) {
    return {503, "text/plain; charset=utf-8",
            "busy: the HTTP front holds its limit of request bodies (" + std::to_string(bodies.limit()) +
                " bytes in all, for every connection); try again when other requests are done\n"};
}

}  // namespace

HttpDaemon::HttpDaemon(EventLoop& loop, UniqueFd listener, bool unix_socket, HttpLimits limits, BodyBudget& bodies,
                       PeerCheck may_connect, Gate gate, Handler handler)
    : loop_(loop), unix_socket_(unix_socket), limits_(limits), bodies_(bodies), may_connect_(std::move(may_connect)),
      gate_(std::move(gate)), handler_(std::move(handler)) {
    unsigned timeout_seconds = static_cast<unsigned>(
        std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(limits_.request_timeout).count()));
    // No MHD_USE_INTERNAL_POLLING_THREAD: MHD runs only inside MHD_run(), from this loop.
    daemon_ = mhd().start_daemon(
        // Suspend and resume: a request whose answer waits on a service (an
        // XML-RPC startProcess) holds no loop turn; MHD's eventfd in its epoll
        // set wakes this loop when it is resumed.
        MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME, 0, nullptr, nullptr, &HttpDaemonCallbacks::request, this,
        MHD_OPTION_LISTEN_SOCKET, static_cast<MHD_socket>(listener.get()),
        MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(limits_.admission.max_clients),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits_.memory_per_connection,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
        MHD_OPTION_NOTIFY_CONNECTION, &HttpDaemonCallbacks::connection, this,
        MHD_OPTION_NOTIFY_COMPLETED, &HttpDaemonCallbacks::completed, this,
        MHD_OPTION_EXTERNAL_LOGGER, &HttpDaemonCallbacks::log, nullptr,
        MHD_OPTION_UNESCAPE_CALLBACK, &HttpDaemonCallbacks::unescape, nullptr,
        MHD_OPTION_END);
    if (!daemon_) throw std::runtime_error("libmicrohttpd could not start on the HTTP listener");
    (void)listener.release();  // MHD_stop_daemon closes it
    const MHD_DaemonInfo* info = mhd().get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD);
    io_ = loop_.add_io(info->epoll_fd, EPOLLIN, [this](uint32_t) { run(); });
    timer_ = loop_.add_timer([this] { run(); });
    arm();
}

HttpDaemon::~HttpDaemon() {
    io_.reset();
    timer_.reset();
    // MHD closes only connections that are not suspended: their work is
    // dropped (it answers nobody) and they are resumed to be closed.
    for (auto& [ptr, connection] : connections_) {
        connection->later.reset();
        if (connection->stream) connection->stream->release();  // resumed when suspended, to be closed
        if (connection->suspended) {
            connection->suspended = false;
            mhd().resume_connection(connection->mhd);
        }
    }
    mhd().stop_daemon(daemon_);  // closes every connection (their CLOSED callbacks run) and the listener
}

void HttpDaemon::opened(MHD_Connection* c, void** context) {
    auto connection = std::make_unique<Connection>();
    const MHD_ConnectionInfo* info = mhd().get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    connection->fd = info ? info->connect_fd : -1;
    connection->mhd = c;
    connection->id = next_id_++;
    connection->deadline = std::chrono::steady_clock::now() + limits_.request_timeout;
    bool allowed = true;
    if (unix_socket_) {
        try {
            Peer peer = peer_of(connection->fd);
            connection->key = "uid " + std::to_string(peer.uid);
            connection->is_operator = is_operator(peer);
            allowed = may_connect_(peer);
        } catch (const std::exception& e) {
            allowed = false;
        }
    } else {
        connection->key = address_key(c);
        connection->is_operator = false;
    }
    if (!allowed || !admitted(*connection)) {
        spdlog::debug("Refused HTTP connection from {}", connection->key);
        connection->refused = true;
        // MHD sees the end of the stream at its next turn and closes the connection:
        // shutdown(2), not close(2), so the fd it holds stays its own.
        shutdown(connection->fd, SHUT_RDWR);
    }
    *context = connection.get();
    Connection* key = connection.get();
    connections_.emplace(key, std::move(connection));
}

bool HttpDaemon::admitted(const Connection& connection) const {
    std::size_t of_key = 0;
    for (const auto& [ptr, other] : connections_) of_key += other->key == connection.key;
    // The operator's connection may not evict here: MHD's own limit is the hard one.
    return admit(connection.is_operator, connections_.size(), of_key, limits_.admission) == Admission::accept;
}

void HttpDaemon::closed(void** context) {
    auto it = connections_.find(static_cast<Connection*>(*context));
    if (it != connections_.end()) {
        if (it->second->stream) it->second->stream->detach();
        connections_.erase(it);
    }
    *context = nullptr;
}

void HttpDaemon::completed(void* context) {
    // The next request on a kept-alive connection has its own time.
    auto it = connections_.find(static_cast<Connection*>(context));
    if (it == connections_.end()) return;
    Connection& connection = *it->second;
    connection.deadline = std::chrono::steady_clock::now() + limits_.request_timeout;
    connection.body.clear();
    connection.body.shrink_to_fit();
    connection.hold.release();
    connection.too_large = false;
    connection.over_budget = false;
    connection.ready.reset();
    connection.later.reset();
    if (connection.stream) connection.stream->detach();
    connection.stream.reset();
}

bool HttpDaemon::on_request(MHD_Connection* c, const char* url, const char* method, const char* upload,
                            std::size_t* upload_size, void** request_context) {
    const MHD_ConnectionInfo* info = mhd().get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (!info || !info->socket_context) return false;
    auto& connection = *static_cast<Connection*>(info->socket_context);
    if (connection.refused) return false;
    if (!*request_context) return first_call(connection, url, method, request_context);
    if (*upload_size > 0) {
        take_upload(connection, std::string_view(upload, *upload_size));
        *upload_size = 0;
        return true;
    }
    if (connection.ready) {  // resumed: the answer came
        answer(c, *connection.ready);
        connection.ready.reset();
        return true;
    }
    if (connection.suspended) return true;
    return body_read(connection, url, method);
}

// A body past its bound (413) or past the budget (503) is not kept: it is
// answered at its end (MHD then closes the connection).
void HttpDaemon::take_upload(Connection& connection, std::string_view upload) {
    if (connection.too_large || connection.over_budget) return;
    std::size_t size = connection.body.size() + upload.size();
    if (size > limits_.max_body) connection.too_large = true;
    else if (size > connection.hold.bytes() && !make_room(connection, size)) connection.over_budget = true;
    if (connection.too_large || connection.over_budget) {
        connection.body.clear();
        connection.body.shrink_to_fit();
        connection.hold.release();
        return;
    }
    connection.body.append(upload);
}

bool HttpDaemon::make_room(Connection& connection, std::size_t size) {
    // A chunked body (no Content-Length) grows by doubling, as the string
    // would: what it holds is what it may allocate.
    std::size_t room = std::min(limits_.max_body, std::max({size, 2 * connection.hold.bytes(), std::size_t{64 * 1024}}));
    if (!connection.hold.grow(bodies_, room) && !connection.hold.grow(bodies_, room = size)) return false;
    connection.body.reserve(room);
    return true;
}

// The request line and headers are in: a request without a body is answered
// now; one with a body is read next, unless it is refused first.
bool HttpDaemon::first_call(Connection& connection, const char* url, const char* method, void** request_context) {
    MHD_Connection* c = connection.mhd;
    if (mhd().get_connection_values(c, MHD_HEADER_KIND, nullptr, nullptr) > static_cast<int>(limits_.max_headers)) {
        answer(c, {431, "text/plain; charset=utf-8", "too many header fields\n"});
        return true;
    }
    if (!gate_(c)) return true;
    std::string_view verb = method;
    if (verb == "GET" || verb == "HEAD") {
        // Answered before any body is read: a body is never taken in (MHD closes the connection after the answer).
        return body_read(connection, url, method);
    }
    const char* length = mhd().lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long announced = length ? std::strtoull(length, nullptr, 10) : 0;
    if (announced > limits_.max_body) {
        answer(c, too_large_reply(limits_.max_body));
        return true;
    }
    // Its whole length is taken from the budget before any of it is read: a
    // client that trickles its body holds its place, and one that cannot get
    // a place is refused at once.
    if (announced > 0 && !connection.hold.grow(bodies_, static_cast<std::size_t>(announced))) {
        spdlog::debug("Refused an HTTP request body from {}: {} bytes held of {}", connection.key, bodies_.held(),
                      bodies_.limit());
        answer(c, busy_reply(bodies_));
        return true;
    }
    connection.body.reserve(static_cast<std::size_t>(announced));
    *request_context = &connection;
    return true;
}

bool HttpDaemon::body_read(Connection& connection, const char* url, const char* method) {
    MHD_Connection* c = connection.mhd;
    if (connection.too_large || connection.over_budget) {
        answer(c, connection.too_large ? too_large_reply(limits_.max_body) : busy_reply(bodies_));
        return true;
    }
    std::uint64_t id = connection.id;
    HttpAnswer result = handler_({method, url, c, connection.body,
                                  [this, id](HttpReply reply) { answer_later(id, std::move(reply)); }});
    if (result.reply) {
        answer(c, *result.reply);
    } else if (result.stream) {
        start_stream(connection, std::move(*result.stream));
    } else if (result.later) {
        connection.later = std::move(result.later);
        connection.suspended = true;
        mhd().suspend_connection(c);
    }
    return true;
}

void HttpDaemon::answer_later(std::uint64_t id, HttpReply reply) {
    for (auto& [ptr, connection] : connections_)
        if (connection->id == id && connection->suspended) {
            connection->ready = std::move(reply);
            connection->suspended = false;
            connection->deadline = std::chrono::steady_clock::now() + limits_.request_timeout;
            mhd().resume_connection(connection->mhd);  // MHD calls on_request again, which answers
            // MHD's own wake-up (its eventfd) does not reach an external
            // epoll loop here: this loop runs MHD at once instead.
            loop_.arm(timer_.get(), Duration::zero());
            return;
        }
}

void HttpDaemon::start_stream(Connection& connection, HttpStream stream) {
    auto queue = std::make_shared<StreamQueue>(
        loop_, connection.mhd, connection.fd, connection.key, [this] {
            if (timer_) loop_.arm(timer_.get(), Duration::zero());
        },
        std::move(stream.first));
    MHD_Response* response = queue->response();
    mhd().add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, stream.content_type.c_str());
    mhd().add_response_header(response, "Cache-Control", "no-store");
    for (const auto& [name, value] : stream.headers) mhd().add_response_header(response, name.c_str(), value.c_str());
    mhd().queue_response(connection.mhd, stream.status, response);
    mhd().destroy_response(response);
    connection.stream = queue;
    connection.later = stream.start(queue->pusher());
}

void HttpDaemon::answer(MHD_Connection* c, const HttpReply& reply) {
    MHD_Response* response =
        mhd().create_response_from_buffer(reply.body.size(), const_cast<char*>(reply.body.data()), MHD_RESPMEM_MUST_COPY);
    if (!response) throw std::runtime_error("out of memory for the reply");
    mhd().add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, reply.content_type.c_str());
    mhd().add_response_header(response, "Cache-Control", "no-store");
    // A browser must not read a plain answer that echoes a name as HTML.
    mhd().add_response_header(response, "X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : reply.headers) mhd().add_response_header(response, name.c_str(), value.c_str());
    mhd().queue_response(c, reply.status, response);
    mhd().destroy_response(response);
}

void HttpDaemon::run() {
    drop_expired();
    // MHD sends a stream one block per run, where a service's pipe gives 64 KiB
    // a turn: while a stream has bytes and its socket takes them (MHD has
    // work ready at once), a few more runs keep a reader that keeps up from
    // being dropped. Bounded, so other sources still get their turn.
    for (int runs = 0; runs < kRunsPerTurn; ++runs) {
        mhd().run(daemon_);
        MHD_UNSIGNED_LONG_LONG ms = 1;
        if (!streaming() || mhd().get_timeout(daemon_, &ms) != MHD_YES || ms != 0) break;
    }
    arm();
}

bool HttpDaemon::streaming() const {
    for (const auto& [ptr, connection] : connections_)
        if (connection->stream && !connection->stream->suspended()) return true;
    return false;
}

void HttpDaemon::drop_expired() {
    auto now = std::chrono::steady_clock::now();
    for (auto& [ptr, connection] : connections_)
        if (connection->deadline <= now && connection->fd >= 0 && !connection->suspended && !connection->stream) {
            spdlog::debug("Dropping HTTP connection from {}: no request and answer within {}s", connection->key,
                          std::chrono::duration_cast<std::chrono::seconds>(limits_.request_timeout).count());
            shutdown(connection->fd, SHUT_RDWR);
            connection->fd = -1;  // shut once
        }
}

void HttpDaemon::arm() {
    // No connection and nothing due: no timer, so an idle listener costs no wake-up.
    std::optional<Duration> wait;
    MHD_UNSIGNED_LONG_LONG mhd_ms = 0;
    if (mhd().get_timeout(daemon_, &mhd_ms) == MHD_YES) wait = Duration(static_cast<Duration::rep>(mhd_ms));
    auto now = std::chrono::steady_clock::now();
    for (const auto& [ptr, connection] : connections_) {
        if (connection->fd < 0 || connection->suspended || connection->stream) continue;
        auto left = std::chrono::ceil<Duration>(std::max(connection->deadline - now, TimePoint::duration::zero()));
        if (!wait || left < *wait) wait = left;
    }
    if (wait) loop_.arm(timer_.get(), *wait);
    else EventLoop::disarm(timer_.get());
}

}  // namespace tend
