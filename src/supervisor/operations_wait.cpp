// The waits for an operation's completion: each is a check, run again after
// every change the supervisor announces, and a timer for its timeout.
#include "tend/supervisor/operations.hpp"

#include "tend/supervisor/ordering.hpp"

namespace tend {
namespace {

// What a wait keeps of the services it waits on: ids, looked up at each check,
// so a service a reload removed is noticed instead of read after it is freed.
struct Target {
    std::uint64_t id;
    std::string name;
};

std::vector<Target> targets(const std::vector<Service*>& services) {
    std::vector<Target> out;
    for (const Service* s : services) out.push_back({s->id(), s->name()});
    return out;
}

const char* to_string(LifecycleRequest::Kind kind) {
    switch (kind) {
        case LifecycleRequest::Kind::start: return "start";
        case LifecycleRequest::Kind::stop: return "stop";
        case LifecycleRequest::Kind::restart: return "restart";
    }
    return "?";
}

}  // namespace

Operations::Operations(Supervisor& supervisor, EventLoop& loop) : supervisor_(supervisor), loop_(loop) {
    subscriptions_.push_back(supervisor_.news().transitions.add([this](const Service&, const Transition&) { check_pending(); }));
    subscriptions_.push_back(supervisor_.news().reload_done.add([this] { check_pending(); }));
    // Checked from the loop, not inside the reload: a completion may start another request.
    recheck_ = loop_.add_post([this] { check_pending(); });
    free_expired_ = loop_.add_post([this] { expired_.clear(); });
    subscriptions_.push_back(supervisor_.news().services_replaced.add(
        [this] { EventLoop::schedule(recheck_.get()); }));
}

Operations::~Operations() = default;

Subscription Operations::pend(Duration timeout, std::string timeout_message,
                              std::function<std::optional<std::string>()> check,
                              std::function<void(const std::string& error)> done) {
    if (auto error = check()) {
        done(*error);
        return {};
    }
    std::uint64_t id = next_id_++;
    auto pending = std::make_unique<Pending>(Pending{id, std::move(check), std::move(done), std::move(timeout_message), {}});
    Pending* raw = pending.get();
    pending->timer = supervisor_.clock().timer([this, raw] { on_timeout(raw); });
    pending->timer->arm(timeout);
    pending_->push_back(std::move(pending));
    std::weak_ptr<PendingList> weak = pending_;
    return Subscription([weak, id] {
        if (auto list = weak.lock()) list->remove_if([id](const auto& p) { return p->id == id; });
    });
}

void Operations::on_timeout(Pending* pending) {
    // The wait owns this very timer: park it instead of destroying it inside
    // its own callback; it is freed at the end of this loop iteration.
    for (auto it = pending_->begin(); it != pending_->end(); ++it)
        if (it->get() == pending) {
            expired_.push_back(std::move(*it));
            pending_->erase(it);
            break;
        }
    EventLoop::schedule(free_expired_.get());
    auto done = std::exchange(pending->done, nullptr);
    if (done) done(pending->timeout_message);
}

void Operations::check_pending() {
    std::vector<std::pair<std::function<void(const std::string&)>, std::string>> settled;
    for (auto it = pending_->begin(); it != pending_->end();) {
        if (auto error = (*it)->check()) {
            settled.emplace_back(std::move((*it)->done), *error);
            it = pending_->erase(it);
        } else {
            ++it;
        }
    }
    // Completions run once the list is settled: one may drop another wait
    // (its client went away), which edits the list.
    for (auto& [done, error] : settled) done(error);
}

Subscription Operations::await(const LifecycleRequest& request, Duration timeout, Completion done) {
    const bool stop = request.kind == LifecycleRequest::Kind::stop;
    const bool restart = request.kind == LifecycleRequest::Kind::restart;
    if (stop && timeout.count() == 0) timeout = stop_budget(request.services) + std::chrono::seconds(5);
    auto check = [this, waited = targets(request.services), since = request.since, stop,
                  restart]() -> std::optional<std::string> {
        for (const Target& target : waited) {
            const Service* s = supervisor_.services().find(target.id);
            if (!s) return target.name + ": removed by reload";
            if (stop) {
                if (!is_down(s->state())) return std::nullopt;
                continue;
            }
            // A start is done by a service already running (as s6-svc -u); restart bounces it.
            auto outcome = start_outcome(*s, since, restart);
            if (!outcome) return std::nullopt;
            if (!outcome->empty()) return outcome;
        }
        return std::string();
    };
    return pend(timeout, std::string(to_string(request.kind)) + " timed out after " + format_duration(timeout),
                std::move(check), [done = std::move(done)](const std::string& error) { done(Outcome{error}); });
}

Subscription Operations::wait_for(const std::vector<Service*>& services, WaitTarget target, Duration timeout,
                                  Completion done) {
    std::string what = std::holds_alternative<ServiceState>(target)
                           ? std::string("state ") + to_string(std::get<ServiceState>(target))
                           : std::string(to_string(std::get<DependencyCondition>(target)));
    auto check = [this, waited = targets(services), target]() -> std::optional<std::string> {
        for (const Target& t : waited) {
            const Service* s = supervisor_.services().find(t.id);
            if (!s) return t.name + ": removed by reload";
            bool met = std::holds_alternative<ServiceState>(target)
                           ? s->state() == std::get<ServiceState>(target)
                           : condition_met(s->view(), std::get<DependencyCondition>(target));
            if (!met) return std::nullopt;
        }
        return std::string();
    };
    return pend(timeout, "wait timed out after " + format_duration(timeout) + " for " + what, std::move(check),
                [done = std::move(done)](const std::string& error) { done(Outcome{error}); });
}

Subscription Operations::reload(bool dry_run, ReloadCompletion done) {
    // What the stops of this reload can take, in dependency order, with the old stop settings.
    std::vector<Service*> all;
    for (const auto& s : supervisor_.services()) all.push_back(s.get());
    Duration timeout = stop_budget(all) + kReloadReadBudget;
    // Two steps: the file is read off the loop, then (unless dry_run) the
    // stops it made finish. The completion waits for both, so scripts can
    // run reloads back to back.
    struct Progress {
        std::optional<std::string> refusal;  // set when the read ended in errors or a refusal
        std::optional<ReloadOutcome> result;  // set when it was applied
    };
    auto progress = std::make_shared<Progress>();
    supervisor_.reload(dry_run, [this, progress, alive = std::weak_ptr<bool>(alive_)](ReloadOutcome outcome) {
        if (alive.expired()) return;
        if (!outcome.errors.empty()) {
            std::string message = "the config has errors; nothing changed:";
            for (const auto& d : outcome.errors) message += "\n" + d.to_string();
            progress->refusal = message;
        } else if (!outcome.refused.empty()) {
            progress->refusal = "reload refused: " + outcome.refused;
        } else {
            progress->result = std::move(outcome);
        }
        EventLoop::schedule(recheck_.get());
    });
    auto check = [this, progress, dry_run]() -> std::optional<std::string> {
        if (progress->refusal) return progress->refusal;
        if (!progress->result || (!dry_run && supervisor_.reloading())) return std::nullopt;
        return std::string();
    };
    return pend(timeout,
                "reload timed out after " + format_duration(timeout) +
                    ": the config was still being read, or services were still stopping",
                std::move(check), [progress, done = std::move(done)](const std::string& error) {
                    done(Outcome{error}, progress->result ? *progress->result : ReloadOutcome{});
                });
}

}  // namespace tend
