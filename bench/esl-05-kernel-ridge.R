# Issue 14: kernel ridge regression (ESL 5.8), Gaussian kernel, n = 2000,
# p = 10. statlearn::kernel_ridge() against the closed form written in plain
# R (kernel matrix from dist(), alpha = solve(K + lambda I, y)), and against
# kernlab::gausspr() with the same fixed kernel width and noise variance
# (which, with scaled = FALSE, computes the same alpha), same data, same process.
# (1) one lambda, no intercept: statlearn takes the Cholesky path;
# (2) ten lambdas at once with df and GCV for each: statlearn decomposes the
#     kernel matrix once (LAPACK dsyevd); plain R solves ten systems and
#     forms ten hat-matrix traces (through one eigen(), as anyone would).
# Run from the package root after installing: Rscript bench/esl-05-kernel-ridge.R
library(statlearn)
stopifnot(requireNamespace("bench"))
set.seed(2026)
n <- 2000; p <- 10
x <- matrix(rnorm(n * p), n)
y <- sin(x[, 1]) + x[, 2] * x[, 3] + rnorm(n, sd = 0.5)
sigma <- sqrt(p)
lambda <- 0.5
lambdas <- 10^seq(1, -3, length.out = 10)
threads <- statlearn_threads()

plain_one <- function() {
  K <- exp(-as.matrix(stats::dist(x))^2 / (2 * sigma^2))
  solve(K + lambda * diag(n), y)
}
plain_many <- function() {
  K <- exp(-as.matrix(stats::dist(x))^2 / (2 * sigma^2))
  e <- eigen(K, symmetric = TRUE)
  z <- crossprod(e$vectors, y)
  alpha <- sapply(lambdas, function(l) e$vectors %*% (z / (e$values + l)))
  df <- sapply(lambdas, function(l) sum(e$values / (e$values + l)))
  list(alpha = alpha, df = df)
}
ours_one <- function() kernel_ridge(x, y, sigma = sigma, lambda = lambda, intercept = FALSE, threads = threads)
ours_many <- function() kernel_ridge(x, y, sigma = sigma, lambda = lambdas, intercept = FALSE, threads = threads)

a_ours <- ours_one()$alpha
a_plain <- plain_one()
cat(sprintf("max |alpha difference|, one lambda: %.2e\n", max(abs(a_ours - a_plain))))
m_ours <- ours_many()
m_plain <- plain_many()
cat(sprintf("max |alpha difference|, ten lambdas: %.2e; df difference %.2e\n",
            max(abs(m_ours$alpha - m_plain$alpha)), max(abs(m_ours$df - m_plain$df))))

cases <- list(
  one = bench::mark(statlearn = ours_one(), plain_R_solve = plain_one(), iterations = 3, check = FALSE,
                    filter_gc = FALSE),
  many = bench::mark(statlearn = ours_many(), plain_R_eigen = plain_many(), iterations = 2, check = FALSE,
                     filter_gc = FALSE)
)
if (requireNamespace("kernlab", quietly = TRUE)) {
  # rbfdot's sigma is ESL's nu: exp(-nu ||x - y||^2); var is the noise variance = lambda
  gp <- kernlab::gausspr(x, y, kernel = "rbfdot", kpar = list(sigma = 1 / (2 * sigma^2)), var = lambda,
                         scaled = FALSE, type = "regression")
  nx <- x[1:5, ]
  cat(sprintf("kernlab::gausspr prediction difference: %.2e\n",
              max(abs(kernlab::predict(gp, nx) - predict(ours_one(), nx)))))
  cases$kernlab <- bench::mark(statlearn = ours_one(),
                               kernlab_gausspr = kernlab::gausspr(x, y, kernel = "rbfdot",
                                                                  kpar = list(sigma = 1 / (2 * sigma^2)),
                                                                  var = lambda, scaled = FALSE,
                                                                  type = "regression"),
                               iterations = 3, check = FALSE, filter_gc = FALSE)
}
tab <- do.call(rbind, lapply(names(cases), function(nm) {
  r <- cases[[nm]]
  med <- as.numeric(r$median)
  data.frame(case = nm, method = as.character(r$expression), median_s = med, ratio = med / med[1L])
}))
print(tab, digits = 3, row.names = FALSE)
cat(sprintf("threads = %d; ratio = time / statlearn's time in the same case (> 1: statlearn faster)\n", threads))
