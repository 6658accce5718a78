// What /metrics answers: every service's figures and tend's own, in the
// Prometheus text format. An encoder only: the figures come from Operations.
#pragma once

#include <string>
#include <vector>

#include "tend/supervisor/operations.hpp"

namespace tend {

std::string metrics_page(const std::vector<ServiceMetrics>& services, const TendMetrics& self);

}  // namespace tend
