# The C++ unit tests of the core (src/test-*.cpp), one assertion per expectation.
test_that("the C++ unit tests of the core pass", {
  res <- cpp_unit_tests()
  # Every test registers: a lost file or test would otherwise pass unseen.
  expect_gte(length(unique(paste(res$context, res$test))), 15L)
  expect_gte(nrow(res), 25L)
  for (i in seq_len(nrow(res))) {
    expect_true(res$passed[i], info = sprintf("%s / %s: %s (%s:%d)", res$context[i],
                                              res$test[i], res$expression[i],
                                              basename(res$file[i]), res$line[i]))
  }
})
