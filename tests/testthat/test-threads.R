test_that("threads resolve from argument, option and environment, capped by cores", {
  cores <- RcppParallel::defaultNumThreads()
  expect_identical(statlearn_threads(1), 1L)
  expect_identical(statlearn_threads(10000), as.integer(cores))
  withr::with_options(list(statlearn.threads = 1), expect_identical(statlearn_threads(), 1L))
  withr::with_envvar(c(STATLEARN_THREADS = "1"), {
    withr::with_options(list(statlearn.threads = NULL), expect_identical(statlearn_threads(), 1L))
  })
  expect_error(statlearn_threads(0), class = "statlearn_error_input", regexp = "threads")
  expect_error(statlearn_threads("two"), class = "statlearn_error_input", regexp = "threads")
  expect_error(statlearn_threads(1.5), class = "statlearn_error_input")
})

test_that("chunked parallel sums are bit-identical for 1 and 2 threads", {
  set.seed(3)
  v <- rnorm(200001)
  expect_identical(statlearn:::cpp_chunked_sum(v, 1L), statlearn:::cpp_chunked_sum(v, 2L))
  expect_equal(statlearn:::cpp_chunked_sum(v, 2L), sum(v), tolerance = 1e-10)
})
