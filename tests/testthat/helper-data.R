# Seeded generators shared by the tests.

# A linear-model data set: n x p Gaussian design with correlated columns,
# `nonzero` true coefficients, noise sd `sigma`.
sim_linear <- function(n = 100, p = 10, nonzero = 5, sigma = 1, rho = 0.3, seed = 1) {
  set.seed(seed)
  z <- matrix(rnorm(n * p), n, p)
  common <- rnorm(n)
  x <- sqrt(1 - rho) * z + sqrt(rho) * common
  colnames(x) <- paste0("x", seq_len(p))
  beta <- c(rep(c(2, -1.5, 1, -0.5, 0.25), length.out = min(nonzero, p)), rep(0, max(0, p - nonzero)))
  y <- drop(1 + x %*% beta + sigma * rnorm(n))
  list(x = x, y = y, beta = beta)
}

full_tests <- function() identical(Sys.getenv("STATLEARN_TEST_LEVEL"), "full")

# saveRDS/readRDS round trip in a temporary file.
round_trip <- function(object) {
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(object, f)
  readRDS(f)
}

# Expect a classed statlearn error whose message matches `pattern`.
expect_statlearn_error <- function(expr, class = "statlearn_error_input", pattern = NULL) {
  expect_error(expr, class = class, regexp = pattern)
}

# Run R code in a fresh R process that sees the same libraries; returns the
# last line it printed to standard output.
run_in_fresh_r <- function(lines) {
  script <- tempfile(fileext = ".R")
  on.exit(unlink(script))
  writeLines(lines, script)
  out <- system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE,
                 env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":")))
  utils::tail(out, 1L)
}

# For tests that switch future plans: skips unless future and future.apply
# are installed (and not on CRAN), and restores the caller's plan when the
# calling test ends.
local_future_plans <- function(env = parent.frame()) {
  skip_on_cran()
  skip_if_not_installed("future")
  skip_if_not_installed("future.apply")
  old <- future::plan()
  withr::defer(future::plan(old), envir = env)
}
