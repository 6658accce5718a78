// Runs a function on a thread with a small stack, so that a test of "no
// recursion" fails (the thread overflows its stack and the test binary dies)
// with an input of thousands, not the hundreds of thousands the default 8 MiB
// stack would need: fast, and still able to fail.
#pragma once

#include <pthread.h>

#include <cstring>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>

namespace tend::test {

inline void run_on_small_stack(const std::function<void()>& body, std::size_t stack_bytes = 128 * 1024) {
    struct Call {
        const std::function<void()>* body;
        std::exception_ptr error;
    } call{&body, nullptr};
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, stack_bytes);
    pthread_t thread;
    int error = pthread_create(&thread, &attributes, [](void* argument) -> void* {
        auto* c = static_cast<Call*>(argument);
        try {
            (*c->body)();
        } catch (...) {
            c->error = std::current_exception();
        }
        return nullptr;
    }, &call);
    pthread_attr_destroy(&attributes);
    if (error != 0) throw std::runtime_error(std::string("pthread_create: ") + std::strerror(error));
    pthread_join(thread, nullptr);
    if (call.error) std::rethrow_exception(call.error);
}

}  // namespace tend::test
