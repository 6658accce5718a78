// Reads the config file for reloads off the event loop: checking a large or
// broken file takes up to a second, which the loop must spend reaping and
// answering. A request made while a read is under way gets one more read,
// shared by every such request, once it ends: the file may have changed since
// the first began.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tend/config/config.hpp"
#include "tend/config/config_error.hpp"
#include "tend/event/background_task.hpp"
#include "tend/event/clock.hpp"

namespace tend {

class ConfigReader {
public:
    struct Result {
        std::optional<Config> config;
        std::vector<Diagnostic> errors;  // when there is no config
    };
    using Done = std::function<void(const Result&)>;

    ConfigReader(EventLoop& loop, Clock& clock, std::string path);

    // `done` is called from the loop, never from within read().
    void read(Done done);
    bool busy() const { return task_ != nullptr; }
    std::size_t reads_begun() const { return reads_begun_; }

private:
    void begin(std::vector<Done> callers);
    void finished();
    void give_back_memory();

    EventLoop& loop_;
    std::string path_;
    std::unique_ptr<BackgroundTask> task_;   // the read under way
    std::unique_ptr<BackgroundTask> spent_;  // the last one, kept until the next: it ended in its own callback
    std::shared_ptr<Result> result_;
    std::vector<Done> reading_for_;  // callers of the read under way
    std::vector<Done> next_for_;     // callers that came during it
    std::size_t reads_begun_ = 0;
    std::unique_ptr<Timer> trim_;  // malloc_trim once what a read made is freed
};

}  // namespace tend
