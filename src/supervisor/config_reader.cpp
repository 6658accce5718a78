#include "tend/supervisor/config_reader.hpp"

#include <malloc.h>

#include "tend/config/config_loader.hpp"

namespace tend {

ConfigReader::ConfigReader(EventLoop& loop, Clock& clock, std::string path)
    : loop_(loop), path_(std::move(path)), trim_(clock.timer([this] { give_back_memory(); })) {}

void ConfigReader::read(Done done) {
    if (busy()) next_for_.push_back(std::move(done));
    else begin({std::move(done)});
}

void ConfigReader::begin(std::vector<Done> callers) {
    reading_for_ = std::move(callers);
    result_ = std::make_shared<Result>();
    ++reads_begun_;
    // The thread gets the path and the result slot, nothing of the loop's.
    auto work = [result = result_, path = path_] {
        try {
            result->config = load_config_file(path);
        } catch (const ConfigError& e) {
            result->errors = e.diagnostics();
        } catch (const std::exception& e) {
            result->errors.push_back({{path, 0, 0}, e.what()});
        }
    };
    task_ = std::make_unique<BackgroundTask>(loop_, std::move(work), [this] { finished(); });
}

void ConfigReader::finished() {
    spent_ = std::move(task_);
    auto callers = std::move(reading_for_);
    auto result = std::move(result_);
    if (!next_for_.empty()) begin(std::move(next_for_));
    next_for_.clear();
    for (const Done& done : callers) done(*result);
    // A big config's parse (a 150,000-service file: over 800 MB at its peak)
    // is free once the callers' replies are made and sent; without a trim,
    // PID 1 would keep that memory for the rest of its life. At the next turn
    // of the loop, not now: the replies go out at the end of this one.
    trim_->arm(Duration(0));
}

void ConfigReader::give_back_memory() {
    if (!busy()) malloc_trim(0);  // else the next read's end will
}

}  // namespace tend
