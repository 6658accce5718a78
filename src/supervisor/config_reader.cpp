#include "tend/supervisor/config_reader.hpp"

#include <malloc.h>

#include "tend/config/config_loader.hpp"

namespace tend {

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
    // A big config's parse (a 13 MiB file: over a GiB of YAML nodes, much of it
    // in the reading thread's own malloc arena) is all free now; without a trim,
    // PID 1 would keep that memory for the rest of its life.
    result.reset();  // the thread let go of its copy when the work ended
    malloc_trim(0);
}

}  // namespace tend
