# ESL chapter 15: statlearn::random_forest() against ranger::ranger() on the
# same data, same settings (trees, mtry, node size 1, bootstrap), 2 threads.
# Run from the package root after installing: Rscript bench/esl-15-random-forest.R
# Targets (issue): spam, 500 trees: time <= 0.8 x ranger's at equal test error;
# simulated n = 1e5, p = 50: time <= 1.0 x ranger's, memory <= ranger's.
# BIG_TREES (default 500) sets the trees of the large problem.
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("ranger"))
threads <- 2L
d <- spam[, setdiff(names(spam), "test")]
x <- as.matrix(d[!spam$test, 1:57]); y <- d$spam[!spam$test]
xt <- as.matrix(d[spam$test, 1:57]); yt <- d$spam[spam$test]

# 1. spam, 500 trees
res <- bench::mark(
  statlearn = random_forest(x, y, trees = 500, seed = 1, threads = threads),
  ranger = ranger::ranger(x = x, y = y, num.trees = 500, seed = 1, num.threads = threads),
  iterations = 10, check = FALSE, filter_gc = FALSE
)
print(res[, c("expression", "median", "mem_alloc")])
med <- as.numeric(res$median)
errs <- sapply(1:5, function(s) {
  f <- random_forest(x, y, trees = 500, seed = s, threads = threads)
  r <- ranger::ranger(x = x, y = y, num.trees = 500, seed = s, num.threads = threads)
  c(statlearn = mean(predict(f, xt) != yt), ranger = mean(predict(r, xt)$predictions != yt))
})
cat(sprintf("spam 500 trees: ratio statlearn / ranger %.3f (target <= 0.8); test error over 5 seeds: statlearn %.4f, ranger %.4f\n",
            med[1] / med[2], mean(errs[1, ]), mean(errs[2, ])))
fit <- random_forest(x, y, trees = 500, seed = 1, threads = threads)
f <- tempfile(fileext = ".rds"); saveRDS(fit, f)
cat(sprintf("saveRDS size of the 500-tree spam forest: %.2f MB (forest vectors %.2f MB in memory)\n",
            file.size(f) / 2^20, as.numeric(object.size(fit$forest)) / 2^20))
unlink(f)

# 2. simulated classification, n = 1e5, p = 50: time and peak resident memory,
# each side in a fresh Rscript (VmHWM from /proc/self/status).
big_trees <- as.integer(Sys.getenv("BIG_TREES", "500"))
sim <- '
set.seed(1); n <- 1e5; p <- 50
x <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", 1:p)))
y <- factor(x[, 1] + x[, 2] + x[, 3] * x[, 4] + rnorm(n) > 0, labels = c("a", "b"))
xt <- matrix(rnorm(2e4 * p), 2e4, p, dimnames = list(NULL, paste0("x", 1:p)))
yt <- factor(xt[, 1] + xt[, 2] + xt[, 3] * xt[, 4] + rnorm(2e4) > 0, labels = c("a", "b"))
gc(reset = TRUE)
'
run_side <- function(side) {
  fit <- switch(side,
    statlearn = sprintf("library(statlearn); m <- bench::mark(f <- random_forest(x, y, trees = %d, seed = 1, threads = 2), iterations = 1, check = FALSE); err <- mean(predict(f, xt, threads = 2) != yt)", big_trees),
    ranger = sprintf("m <- bench::mark(f <- ranger::ranger(x = x, y = y, num.trees = %d, seed = 1, num.threads = 2), iterations = 1, check = FALSE); err <- mean(predict(f, xt, num.threads = 2)$predictions != yt)", big_trees))
  script <- tempfile(fileext = ".R")
  writeLines(c(sim, fit,
               "hwm <- grep('VmHWM', readLines('/proc/self/status'), value = TRUE)",
               "cat(as.numeric(m$median), as.numeric(m$mem_alloc), as.numeric(gsub('[^0-9]', '', hwm)) * 1024, err, '\\n')"),
             script)
  out <- system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE,
                 env = paste0("R_LIBS=", paste(.libPaths(), collapse = ":")))
  unlink(script)
  as.numeric(strsplit(trimws(utils::tail(out, 1L)), " +")[[1]])
}
a <- run_side("statlearn"); b <- run_side("ranger")
big <- data.frame(side = c("statlearn", "ranger"), seconds = c(a[1], b[1]),
                  mem_alloc_MB = c(a[2], b[2]) / 2^20, peak_rss_MB = c(a[3], b[3]) / 2^20,
                  test_error = c(a[4], b[4]))
print(big)
cat(sprintf("n = 1e5, p = 50, %d trees: time ratio %.3f (target <= 1.0), peak RSS ratio %.3f (target <= 1.0)\n",
            big_trees, a[1] / b[1], a[3] / b[3]))
