# Runs the whole test suite against the installed statlearn and prints one
# closing line "N passed, N failed, N skipped". Exit status 1 on any failure.
#
#   Rscript tools/run-tests.R               # from the source tree
#   Rscript tools/run-tests.R --no-install  # do not install missing test packages
#
# First installs what the tests need and lack from the CRAN mirror R is
# configured with: testthat and withr (required), and the reference packages
# the tests compare against (glmnet, leaps, pls, lars, e1071, MASS, nnet);
# tests whose reference cannot be installed are skipped and counted as such.
# Set STATLEARN_TEST_LEVEL=full for the slow tests as well.
local({
  args <- commandArgs(TRUE)
  unknown <- setdiff(args, "--no-install")
  if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)
  script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))[1]
  source(file.path(dirname(script), "cran.R"), local = TRUE)
  root <- statlearn_root()

  needs <- description_needs(root, "Suggests")
  needs <- needs[!needs$package %in% c("bench", "knitr", "rmarkdown"), ]
  required <- c("testthat", "withr")
  missing <- if ("--no-install" %in% args) {
    needs$package[!is_satisfied(needs)]
  } else {
    install_missing(needs, writable_library())
  }
  if (any(required %in% missing)) {
    stop("the tests need ", paste(intersect(required, missing), collapse = " and "),
         call. = FALSE)
  }
  if (length(missing)) {
    message("Not installed, so the tests that compare with them are skipped: ",
            paste(missing, collapse = ", "))
  }
  if (!requireNamespace("statlearn", quietly = TRUE)) {
    stop("statlearn is not installed: run 'Rscript tools/install.R' first", call. = FALSE)
  }

  library(testthat)
  # Run every file to the end however many tests fail.
  options(testthat.progress.max_fails = Inf)
  res <- as.data.frame(test_dir(file.path(root, "tests", "testthat"), package = "statlearn",
                                load_package = "installed", stop_on_failure = FALSE,
                                reporter = ProgressReporter$new(show_praise = FALSE)))
  failed <- sum(res$failed) + sum(res$error)
  cat(sprintf("\n%d passed, %d failed, %d skipped\n", sum(res$passed), failed, sum(res$skipped)))
  quit(status = if (failed > 0) 1L else 0L)
})
