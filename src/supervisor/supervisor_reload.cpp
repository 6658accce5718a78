// Reload: the new config is loaded and validated in full, diffed against what
// runs, and only the difference moves. Removed and changed services stop in
// reverse (old) dependency order with their old stop settings; changed ones
// then start with their new definition; added ones start in dependency order.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "tend/config/config_loader.hpp"
#include "tend/config/setting_keys.hpp"
#include "tend/log/logging.hpp"
#include "tend/supervisor/supervisor.hpp"

namespace tend {

void Supervisor::reload(bool dry_run, std::function<void(ReloadOutcome)> done) {
    if (!config_reader_) {
        ReloadOutcome outcome;
        outcome.refused = "tend runs a command, not a config file: nothing to reload";
        done(std::move(outcome));
        return;
    }
    config_reader_->read([this, dry_run, done = std::move(done)](const ConfigReader::Result& read) {
        ReloadOutcome outcome;
        if (!read.config) {
            outcome.errors = read.errors;
        } else if (read.config->empty) {
            // A file caught half-written (or truncated by mistake) must not stop every service.
            outcome.errors.push_back({{options_.config_path, 0, 0},
                                      "the config file is empty; to remove every service, write 'services: {}'"});
        } else {
            outcome = apply_config(*read.config, dry_run);
        }
        done(std::move(outcome));
    });
}

ReloadOutcome Supervisor::apply_config(Config next, bool dry_run) {
    ReloadOutcome outcome;
    if (shutting_down()) {
        outcome.refused = "tend is shutting down";
        return outcome;
    }
    advance_reload();  // a reload whose stops just finished completes first
    if (reloading() && !dry_run) {
        outcome.refused = "a reload is in progress (stopping " + reload_.waiting() + "); try again when it has finished";
        return outcome;
    }
    std::vector<ServiceSpec> current;
    current.reserve(services_.size());
    for (const auto& s : services_) current.push_back(s->spec());
    outcome.diff = diff_configs(settings_, current, next);
    if (dry_run) return outcome;

    if (!outcome.diff.settings.empty()) apply_settings(std::move(next.settings), outcome.warnings);
    replica_sets_ = std::move(next.replica_sets);

    // Old dependents, by service, before the graph is replaced: removed and
    // changed services stop in the reverse of the order they started in.
    std::vector<Service*> old_order;
    for (const auto& s : services_) old_order.push_back(s.get());
    const DependencyGraph old_graph = graph_;
    DependencyGraph new_graph(next.services);  // before the specs move out of `next`
    const std::vector<Service*> restarted = replace_services(std::move(next.services), outcome.diff);
    reload_.order(old_order, old_graph);

    // Changed services still hold their old spec until they are down; the graph is of the new ones.
    graph_ = std::move(new_graph);
    start_order_ = graph_.start_order();
    news_.services_replaced.for_each([](const std::function<void()>& listener) { listener(); });

    for (const ServiceDiff& d : outcome.diff.services)
        if (d.change != ServiceChange::unchanged) spdlog::info("Reload: {}", describe(d));
    for (const SettingDiff& d : outcome.diff.settings) spdlog::info("Reload: {}", describe(d));
    if (outcome.diff.empty()) spdlog::info("Reload: nothing changed");

    // A reload that restarts a service restarts its `restart: true` dependants, as `tendctl restart` does.
    for (Service* s : restarted) restart_dependants(*s);
    if (reload_.empty()) reload_finished();  // nothing to stop: done already
    else advance_reload();
    schedule_starts();
    return outcome;
}

void Supervisor::apply_settings(Settings next, std::vector<std::string>& warnings) {
    Settings before = std::exchange(settings_, std::move(next));
    if (settings_differ(before, settings_, SettingEffect::logging)) setup_logging(settings_.log_format, settings_.log_level);
    output_.set_format(settings_.log_format);
    news_.settings.for_each([&](const SettingsListener& listener) {
        std::string warning = listener(before, settings_);
        if (!warning.empty()) warnings.push_back(warning);
    });
}

// The new list of services: added ones made, kept ones moved over (updated in
// place, or queued to stop and be replaced), removed ones queued to stop and retire.
// Returns the changed ones that were up and will start again.
std::vector<Service*> Supervisor::replace_services(std::vector<ServiceSpec> specs, const ConfigDiff& diff) {
    std::vector<Service*> restarted;
    std::map<std::string, std::unique_ptr<Service>> old_by_name;
    for (auto& s : services_.take()) old_by_name[s->name()] = std::move(s);
    ServiceTable::List next;
    std::vector<Service*> updated;  // in place

    for (std::size_t i = 0; i < specs.size(); ++i) {
        ServiceSpec& spec = specs[i];
        const ServiceDiff& change = diff.services[i];
        if (change.change == ServiceChange::added) {
            Service& added = *next.emplace_back(std::make_unique<Service>(spec, i, services_.next_id()));
            if (added.spec().autostart) added.goal = wanted(added.run_want());
            continue;
        }
        std::unique_ptr<Service> service = std::move(old_by_name.at(spec.name));
        old_by_name.erase(spec.name);
        service->set_index(i);
        if (change.change == ServiceChange::restarted) {
            bool start_after = spec.autostart || service->goal.start_owed() || !is_down(service->state());
            if (!is_down(service->state()) && service->goal.want != Want::down) restarted.push_back(service.get());
            reload_.replace(*service, std::move(spec), start_after);
        } else {
            service->update_spec(spec);
            updated.push_back(service.get());
        }
        next.push_back(std::move(service));
    }
    services_.set(std::move(next));
    // A health check given to one that had no checks begins now, found by its id like any other.
    for (Service* s : updated) runner_.begin_checks(*s);
    for (auto& [name, service] : old_by_name) {
        reload_.remove(*service);
        services_.retire(std::move(service));
    }
    return restarted;
}

void Supervisor::advance_reload() {
    if (reload_.empty() || shutting_down()) return;
    if (!reload_.advance([this](Service& s) { runner_.dispatch(s, {EventKind::stop, {}, {}}); })) return;
    // From the progress post, never inside a retiring service's own timer callback.
    for (const auto& s : services_.end_retiring()) pids_.forget(s->id());
    reload_.clear();
    reload_finished();
}

void Supervisor::reload_finished() {
    spdlog::info("Reload finished");
    news_.reload_done.for_each([](const std::function<void()>& listener) { listener(); });
    if (reload_queued_) {
        reload_queued_ = false;
        reload_from_signal();
    }
}

void Supervisor::reload_from_signal() {
    if (reloading()) {
        spdlog::info("SIGHUP received while a reload is in progress: reloading again when it has finished");
        reload_queued_ = true;
        return;
    }
    spdlog::info("SIGHUP received: reloading {}", options_.config_path);
    reload(false, [](const ReloadOutcome& outcome) {
        for (const auto& d : outcome.errors) spdlog::error("Reload: {}", d.to_string());
        if (!outcome.errors.empty()) spdlog::error("Reload: the config has errors; nothing changed");
        if (!outcome.refused.empty()) spdlog::warn("Reload refused: {}", outcome.refused);
        for (const auto& w : outcome.warnings) spdlog::warn("Reload: {}", w);
    });
}

}  // namespace tend
