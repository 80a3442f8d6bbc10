// A minimal registry for the C++ unit tests of the core (src/test-*.cpp).
// Each UNIT_TEST registers a function at load time; cpp_unit_tests() in
// glue-unit-tests.cpp runs them all and returns one row per expectation, which
// tests/testthat/test-cpp.R asserts. No dependency beyond the standard library,
// so building the package needs neither testthat's headers nor xml2.
#ifndef STATLEARN_UNIT_TEST_H
#define STATLEARN_UNIT_TEST_H

#include <string>
#include <vector>

namespace statlearn_unit {

struct outcome {
  std::string context, test, expression, file;
  int line;
  bool passed;
};

class recorder {
 public:
  recorder(std::vector<outcome>& out, const char* context, const char* test)
      : out_(out), context_(context), test_(test) {}
  void check(bool passed, const char* expression, const char* file, int line) {
    out_.push_back({context_, test_, expression, file, line, passed});
  }

 private:
  std::vector<outcome>& out_;
  const char* context_;
  const char* test_;
};

using test_fn = void (*)(recorder&);

struct test_case {
  const char* context;
  const char* test;
  const char* file;
  test_fn fn;
};

inline std::vector<test_case>& registry() {
  static std::vector<test_case> cases;
  return cases;
}

struct registrar {
  registrar(const char* context, const char* test, const char* file, test_fn fn) {
    registry().push_back({context, test, file, fn});
  }
};

}  // namespace statlearn_unit

#define STATLEARN_UNIT_CAT2(a, b) a##b
#define STATLEARN_UNIT_CAT(a, b) STATLEARN_UNIT_CAT2(a, b)

// UNIT_TEST("context", "what it checks") { ... UNIT_EXPECT(condition); ... }
#define UNIT_TEST(context, test)                                                        \
  static void STATLEARN_UNIT_CAT(unit_test_fn_, __LINE__)(statlearn_unit::recorder&);   \
  static const statlearn_unit::registrar STATLEARN_UNIT_CAT(unit_test_reg_, __LINE__)(  \
      context, test, __FILE__, &STATLEARN_UNIT_CAT(unit_test_fn_, __LINE__));           \
  static void STATLEARN_UNIT_CAT(unit_test_fn_, __LINE__)(statlearn_unit::recorder & unit_recorder_)

#define UNIT_EXPECT(condition) \
  unit_recorder_.check(static_cast<bool>(condition), #condition, __FILE__, __LINE__)

#endif
