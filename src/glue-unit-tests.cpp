// Runs the C++ unit tests of the core (src/test-*.cpp) and returns one row per
// expectation; an exception thrown by a test becomes a failed row.
#include <Rcpp.h>
#include <exception>
#include <string>
#include <vector>
#include "host.h"
#include "unit-test.h"

// [[Rcpp::export(rng = false)]]
Rcpp::DataFrame cpp_unit_tests() {
  statlearn_host::begin();
  std::vector<statlearn_unit::outcome> out;
  for (const statlearn_unit::test_case& tc : statlearn_unit::registry()) {
    statlearn_unit::recorder rec(out, tc.context, tc.test);
    try {
      tc.fn(rec);
    } catch (const std::exception& e) {
      out.push_back({tc.context, tc.test, std::string("threw: ") + e.what(), tc.file, 0, false});
    }
  }
  const std::size_t n = out.size();
  Rcpp::CharacterVector context(n), test(n), expression(n), file(n);
  Rcpp::IntegerVector line(n);
  Rcpp::LogicalVector passed(n);
  for (std::size_t i = 0; i < n; ++i) {
    context[i] = out[i].context;
    test[i] = out[i].test;
    expression[i] = out[i].expression;
    file[i] = out[i].file;
    line[i] = out[i].line;
    passed[i] = out[i].passed;
  }
  return Rcpp::DataFrame::create(
      Rcpp::Named("context") = context, Rcpp::Named("test") = test,
      Rcpp::Named("expression") = expression, Rcpp::Named("file") = file,
      Rcpp::Named("line") = line, Rcpp::Named("passed") = passed,
      Rcpp::Named("stringsAsFactors") = false);
}
