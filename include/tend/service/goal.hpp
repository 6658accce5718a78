// What should become of a service, kept apart from its state (s6's "want up"
// beside what the process is doing): the operator's start and stop, a reload's
// replacement and the shutdown set the goal; the supervisor moves the state
// toward it, in dependency order, by dispatching events to the machine.
#pragma once

namespace tend {

enum class Want {
    up,    // keep it running (its restart policy says what an exit does)
    down,  // keep it stopped
    once,  // run it to its end, then leave it down (one-shot tasks)
};

const char* to_string(Want want);

struct Goal {
    Want want = Want::down;
    bool from_operator = false;  // down by `tendctl stop`: kept across reloads, shown in status
    bool reached = true;         // false while the step toward it (a start or a stop) waits on dependency order

    // A start is owed once its dependencies have started; a stop once its dependents are down.
    bool start_owed() const { return !reached && want != Want::down; }
    bool stop_owed() const { return !reached && want == Want::down; }
    bool stopped_by_operator() const { return want == Want::down && from_operator; }
};

// The goal a request sets; its step toward it is still to be taken.
constexpr Goal wanted(Want want, bool from_operator = false) {
    return {want, from_operator && want == Want::down, false};
}

}  // namespace tend
