# Benchmark: principal components and partial least squares regression
# (ESL section 3.5) against the pls package.
# n = 10000, p = 200, 50 components; medians of repeated runs, ratios and
# peak memory allocated in R (bench::mark's mem_alloc).
# Run with: Rscript bench/esl-03-pls.R   (statlearn, pls and bench installed)
suppressPackageStartupMessages({
  library(statlearn)
  library(pls)
  library(bench)
})
set.seed(2024)
n <- 10000; p <- 200; ncomp <- 50
x <- matrix(rnorm(n * p), n, p)
x <- x + 0.5 * rnorm(n)  # correlated columns
colnames(x) <- paste0("x", seq_len(p))
y <- drop(x[, 1:10] %*% rnorm(10) + rnorm(n))
threads <- statlearn_threads()
cat(sprintf("n = %d, p = %d, ncomp = %d, statlearn threads = %d\n", n, p, ncomp, threads))

run <- function(label, ours, theirs) {
  res <- bench::mark(statlearn = ours(), pls = theirs(), iterations = 7, check = FALSE,
                     filter_gc = FALSE)
  med <- as.numeric(res$median)
  cat(sprintf("%-5s statlearn median %.3f s (mem %s), pls median %.3f s (mem %s), ratio %.3f\n",
              label, med[1], format(res$mem_alloc[1]), med[2], format(res$mem_alloc[2]),
              med[1] / med[2]))
  invisible(res)
}

# the same answers first
f1 <- statlearn::pcr(x, y, ncomp = ncomp, threads = threads)
r1 <- pls::pcr(y ~ x, ncomp = ncomp, scale = TRUE)
f2 <- statlearn::plsr(x, y, ncomp = ncomp, threads = threads)
r2 <- pls::plsr(y ~ x, ncomp = ncomp, scale = TRUE, method = "kernelpls")
sdx <- apply(x, 2, sd)
cat(sprintf("max |coef difference| at ncomp = %d: pcr %.2e, plsr %.2e\n", ncomp,
            max(abs(coef(f1, ncomp = ncomp)[-1] - drop(coef(r1, ncomp = ncomp)) / sdx)),
            max(abs(coef(f2, ncomp = ncomp)[-1] - drop(coef(r2, ncomp = ncomp)) / sdx))))

run("pcr", function() statlearn::pcr(x, y, ncomp = ncomp, threads = threads),
    function() pls::pcr(y ~ x, ncomp = ncomp, scale = TRUE))
run("plsr", function() statlearn::plsr(x, y, ncomp = ncomp, threads = threads),
    function() pls::plsr(y ~ x, ncomp = ncomp, scale = TRUE, method = "kernelpls"))
run("plsr", function() statlearn::plsr(x, y, ncomp = ncomp, threads = threads),
    function() pls::plsr(y ~ x, ncomp = ncomp, scale = TRUE, method = "oscorespls"))
