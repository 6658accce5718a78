#include <doctest/doctest.h>

#include <functional>
#include <optional>
#include <vector>

#include "tend/util/listener_list.hpp"

namespace unit_listener_list_test {

using namespace tend;

TEST_CASE("listeners are called in the order they were added, until their subscription goes") {
    ListenerList<std::function<void(int)>> list;
    std::vector<int> calls;
    Subscription a = list.add([&](int v) { calls.push_back(v); });
    {
        Subscription b = list.add([&](int v) { calls.push_back(v * 10); });
        list.for_each([](const auto& f) { f(1); });
    }
    list.for_each([](const auto& f) { f(2); });
    CHECK(calls == std::vector<int>{1, 10, 2});
    a.reset();
    CHECK(list.empty());
}

TEST_CASE("a listener removed by an earlier one in the same round is not called") {
    ListenerList<std::function<void()>> list;
    int second_calls = 0;
    std::optional<Subscription> second;
    Subscription first = list.add([&] { second.reset(); });
    second = list.add([&] { ++second_calls; });
    list.for_each([](const auto& f) { f(); });
    CHECK(second_calls == 0);
}

TEST_CASE("a subscription outliving its list does nothing when it goes") {
    using List = ListenerList<std::function<void()>>;
    Subscription survivor;
    std::optional<List> list;
    list.emplace();
    survivor = list->add([] {});
    list.emplace();  // a new list in the same place, whose first listener has the same id
    Subscription fresh = list->add([] {});
    survivor.reset();  // must not reach into the new list
    CHECK_FALSE(list->empty());
}

TEST_CASE("moving a subscription moves the registration") {
    ListenerList<std::function<void()>> list;
    int calls = 0;
    Subscription moved;
    {
        Subscription original = list.add([&] { ++calls; });
        moved = std::move(original);
    }
    list.for_each([](const auto& f) { f(); });
    CHECK(calls == 1);
}

}  // namespace unit_listener_list_test
