#include <doctest/doctest.h>

#include <algorithm>

#include "tend/control/command_handler.hpp"
#include "tend/control/commands.hpp"

namespace unit_commands_test {

using namespace tend;

TEST_CASE("tend answers exactly the commands tendctl offers") {
    auto handled = CommandHandler::handled_commands();
    for (const auto& command : kCommands) {
        CAPTURE(command.name);
        CHECK(std::count(handled.begin(), handled.end(), command.name) == 1);
        CHECK_FALSE(command.help.empty());
    }
    CHECK(handled.size() == std::size(kCommands));
    CHECK(command_help("status") == kCommands[0].help);
    CHECK(command_help("nope").empty());
}

}  // namespace unit_commands_test
