// Entry point for the C++ unit tests of the core (testthat's Catch support).
#define TESTTHAT_TEST_RUNNER
#include <testthat.h>
