// One libmicrohttpd daemon on a listening socket, run by tend's sd-event loop:
// MHD's epoll fd is an I/O source and its timeout one timer, so MHD has no
// thread and an idle listener never wakes tend. It parses HTTP; this class
// admits connections (the control socket's rules, by uid on a unix socket, by
// address on TCP), bounds them, and drops any that has not delivered its
// request and taken its answer within `request_timeout` (a slow or idle client).
// A POST's body is read up to `max_body` (413 past it), and only while the
// bodies held at once stay within the front's BodyBudget (503 past it); a request answered
// later (an XML-RPC call that waits) has its connection suspended meanwhile;
// a streamed answer (a log follower) has no deadline and is bounded by its
// queue instead (http_stream.hpp).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "tend/control/admission.hpp"
#include "tend/control/socket_listener.hpp"
#include "tend/event/event_loop.hpp"
#include "tend/http/body_budget.hpp"
#include "tend/http/http_routes.hpp"
#include "tend/http/http_stream.hpp"
#include "tend/util/listener_list.hpp"
#include "tend/util/unique_fd.hpp"

struct MHD_Daemon;
struct MHD_Connection;

namespace tend {

struct HttpLimits {
    ControlLimits admission;                       // connections in all, per uid or address, the operator's reserve
    std::size_t memory_per_connection = 32 * 1024;  // the request line and headers must fit (else 431 or 413)
    std::size_t max_headers = 64;
    Duration request_timeout = std::chrono::seconds(10);
    std::size_t max_body = 1024 * 1024;
    // Bodies held at once by the whole front (every connection, both listeners during a move).
    std::size_t max_bodies = 8 * 1024 * 1024;
};

// What the handler is told of a request.
struct HttpRequest {
    std::string_view method;
    std::string_view path;
    MHD_Connection* connection;  // for the handler's basic auth
    std::string_view body;       // a POST's, read whole
    // Answers the request later, once; does nothing when the client went first.
    std::function<void(HttpReply)> answer_later;
};

// A handler's answer: a reply now; or a stream (http_stream.hpp); or none,
// when it queued one itself (a 401); or, with `later` set, a reply to come
// through answer_later, the connection waiting meanwhile (`later` holds the
// work: dropped when the client goes, so the work's end answers nobody).
struct HttpAnswer {
    std::optional<HttpReply> reply;
    Subscription later;
    std::optional<HttpStream> stream;
};

class HttpDaemon {
public:
    using Handler = std::function<HttpAnswer(const HttpRequest&)>;
    // Whether the request may go on (its body be read), checked once its
    // headers are in; when not, it queued its refusal (a 401) itself.
    using Gate = std::function<bool(MHD_Connection*)>;
    // Who may connect to a unix socket (TCP admits by address alone).
    using PeerCheck = std::function<bool(const Peer&)>;

    // Serves `listener` from now on; throws std::runtime_error when MHD cannot start.
    // `bodies` (shared with the front's other listener during a move) outlives it.
    HttpDaemon(EventLoop& loop, UniqueFd listener, bool unix_socket, HttpLimits limits, BodyBudget& bodies,
               PeerCheck may_connect, Gate gate, Handler handler);
    ~HttpDaemon();
    HttpDaemon(const HttpDaemon&) = delete;
    HttpDaemon& operator=(const HttpDaemon&) = delete;

    std::size_t connections() const { return connections_.size(); }

private:
    struct Connection {
        int fd;
        std::string key;  // uid or address: what per-peer admission counts
        bool is_operator;
        bool refused = false;  // shut down at once; a request it had already sent is not answered
        TimePoint deadline;
        MHD_Connection* mhd = nullptr;
        std::uint64_t id = 0;
        // The request under way: its body so far, and a reply to come.
        std::string body;
        BodyBudget::Hold hold;  // what `body` may grow to, taken from the budget
        bool too_large = false;
        bool over_budget = false;
        bool suspended = false;
        std::optional<HttpReply> ready;
        Subscription later;
        std::shared_ptr<StreamQueue> stream;  // a streamed reply's: no deadline, suspended while it is empty
    };

    friend struct HttpDaemonCallbacks;  // MHD's callbacks, in http_daemon.cpp
    using TimePoint = std::chrono::steady_clock::time_point;

    void opened(MHD_Connection* connection, void** context);
    void closed(void** context);
    void completed(void* context);
    // The request's answer, or nullopt when it went another way (a 401 queued, the connection to be closed).
    bool on_request(MHD_Connection* connection, const char* url, const char* method, const char* upload,
                    std::size_t* upload_size, void** request_context);
    bool first_call(Connection& connection, const char* url, const char* method, void** request_context);
    bool body_read(Connection& connection, const char* url, const char* method);
    void take_upload(Connection& connection, std::string_view upload);
    // Room in the budget for `size` bytes of the body, at least; false when there is none.
    bool make_room(Connection& connection, std::size_t size);
    void answer_later(std::uint64_t id, HttpReply reply);
    void start_stream(Connection& connection, HttpStream stream);
    bool admitted(const Connection& connection) const;
    void answer(MHD_Connection* connection, const HttpReply& reply);
    // Lets MHD do what is due, drops connections past their deadline, and sets the timer again.
    void run();
    static constexpr int kRunsPerTurn = 16;
    bool streaming() const;  // a stream is sending
    void drop_expired();
    void arm();

    EventLoop& loop_;
    bool unix_socket_;
    HttpLimits limits_;
    BodyBudget& bodies_;
    PeerCheck may_connect_;
    Gate gate_;
    Handler handler_;
    std::uint64_t next_id_ = 1;
    std::map<Connection*, std::unique_ptr<Connection>> connections_;
    MHD_Daemon* daemon_ = nullptr;
    EventSource io_;
    EventSource timer_;
};

}  // namespace tend
