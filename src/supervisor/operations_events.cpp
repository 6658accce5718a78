// `events`: the supervisor's news as an operator reads it. State changes come
// as transitions; a health verdict comes as a transition that changed nothing,
// so the last verdict seen of each service tells a new one from a repeat.
#include <map>
#include <memory>

#include "tend/supervisor/operations.hpp"

namespace tend {

Subscription Operations::follow_events(std::function<void(const OperatorEvent&)> on_event) {
    auto tell = std::make_shared<std::function<void(const OperatorEvent&)>>(std::move(on_event));
    auto verdicts = std::make_shared<std::map<std::string, std::string>>();
    for (const auto& s : supervisor_.services()) (*verdicts)[s->name()] = status(*s).health;
    auto transitions = std::make_shared<Subscription>(
        supervisor_.news().transitions.add([this, tell, verdicts](const Service& service, const Transition& t) {
            if (t.changed()) (*tell)({"state", service.name(), to_string(t.from), to_string(t.to), t.reason});
            std::string verdict = status(service).health;
            std::string& seen = (*verdicts)[service.name()];
            if (verdict == seen) return;
            (*tell)({"health", service.name(), seen, verdict, ""});
            seen = std::move(verdict);
        }));
    auto reloads = std::make_shared<Subscription>(
        supervisor_.news().reload_done.add([tell] { (*tell)({"reload", "", "", "", "the config was re-read"}); }));
    return Subscription([transitions, reloads] {
        transitions->reset();
        reloads->reset();
    });
}

}  // namespace tend
