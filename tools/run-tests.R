# Runs the whole test suite against the installed statlearn and prints one
# closing line "N passed, N failed, N skipped". Exit status 1 on any failure.
# Usage (from the source tree): Rscript tools/run-tests.R
# Set STATLEARN_TEST_LEVEL=full for the slow tests as well.
library(testthat)
res <- as.data.frame(test_dir("tests/testthat", package = "statlearn",
                              load_package = "installed", stop_on_failure = FALSE,
                              reporter = ProgressReporter$new(show_praise = FALSE)))
failed <- sum(res$failed) + sum(res$error)
cat(sprintf("\n%d passed, %d failed, %d skipped\n", sum(res$passed), failed, sum(res$skipped)))
quit(status = if (failed > 0) 1L else 0L)
