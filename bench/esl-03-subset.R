# Benchmark: exact best subsets (ESL 3.3.1), statlearn::best_subset() against
# leaps::regsubsets(method = "exhaustive") on the same data, p = 30, n = 1000.
# Run from the package root with the package installed:
#   Rscript bench/esl-03-subset.R
suppressPackageStartupMessages({
  library(statlearn)
  library(leaps)
  library(bench)
})

make_data <- function(n, p, nonzero, sigma, rho, seed) {
  set.seed(seed)
  z <- matrix(rnorm(n * p), n, p)
  x <- sqrt(1 - rho) * z + sqrt(rho) * rnorm(n)
  colnames(x) <- paste0("x", seq_len(p))
  beta <- c(rep(c(1, -0.75, 0.5, -0.25), length.out = nonzero), rep(0, p - nonzero))
  y <- drop(x %*% beta + sigma * rnorm(n))
  list(x = x, y = y)
}

cases <- list(
  "p = 30, 10 true predictors" = make_data(1000, 30, 10, 3, 0.3, 2026),
  "p = 30, 20 weak predictors" = make_data(1000, 30, 20, 6, 0.3, 2027)
)

cat(sprintf("R %s, leaps %s, statlearn %s, BLAS: %s\n", getRversion(), packageVersion("leaps"),
            packageVersion("statlearn"), basename(extSoftVersion()[["BLAS"]])))
cat(sprintf("cores: %d\n\n", parallel::detectCores()))

for (name in names(cases)) {
  d <- cases[[name]]
  p <- ncol(d$x)
  # Same answers first: variable sets and RSS for every size.
  fit <- best_subset(d$x, d$y, threads = 1)
  ref <- summary(regsubsets(d$x, d$y, nvmax = p, method = "exhaustive"))
  stopifnot(identical(unname(fit$which[-1, ]), unname(ref$which[, -1])),
            isTRUE(all.equal(fit$rss[-1], ref$rss, tolerance = 1e-8)))
  cat(sprintf("== %s: same subsets as leaps for all %d sizes (max rel. RSS diff %.1e), %d nodes visited\n",
              name, p, max(abs(fit$rss[-1] - ref$rss) / ref$rss), as.integer(fit$nodes)))
  res <- bench::mark(
    statlearn_1_thread = best_subset(d$x, d$y, threads = 1),
    statlearn_2_threads = best_subset(d$x, d$y, threads = 2),
    leaps = regsubsets(d$x, d$y, nvmax = p, method = "exhaustive"),
    check = FALSE, min_iterations = 15, max_iterations = 100, filter_gc = FALSE
  )
  tab <- data.frame(expression = as.character(res$expression), median = format(res$median),
                    mem_alloc = format(res$mem_alloc), itr_per_sec = signif(res$`itr/sec`, 3))
  print(tab, row.names = FALSE)
  med <- as.numeric(res$median)
  cat(sprintf("ratio statlearn / leaps (median): 1 thread %.2f x, 2 threads %.2f x\n\n",
              med[1] / med[3], med[2] / med[3]))
}
