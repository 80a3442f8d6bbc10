# ESL 8.6: the Gibbs sampler for a two-component univariate Gaussian mixture
# (Algorithm 8.4, variances and proportions fixed), statlearn::gibbs_mixture()
# against a vectorised plain-R sampler of the same conditionals (there is no
# CRAN reference for this exact sampler). n = 1e4 points, 4 chains of 1000
# sweeps; plain R runs the chains one after another. Run from the package
# root after installing: Rscript bench/esl-08-gibbs.R
library(statlearn)
stopifnot(requireNamespace("bench"))
set.seed(2026)
n <- 1e4
y <- c(rnorm(0.45 * n, 1, 0.9), rnorm(0.55 * n, 4.5, 0.9))
v <- c(0.81, 0.81); p <- c(0.45, 0.55); sweeps <- 1000; chains <- 4
plain_r <- function(y, sweeps, start) {
  mu <- start
  out <- matrix(NA_real_, sweeps, 2)
  for (t in seq_len(sweeps)) {
    a <- p[1] * dnorm(y, mu[1], sqrt(v[1])); b <- p[2] * dnorm(y, mu[2], sqrt(v[2]))
    d <- runif(length(y)) < b / (a + b)                       # labels
    n2 <- sum(d); n1 <- length(y) - n2
    mu <- c(rnorm(1, sum(y[!d]) / n1, sqrt(v[1] / n1)), rnorm(1, sum(y[d]) / n2, sqrt(v[2] / n2)))
    out[t, ] <- mu
  }
  out
}
threads <- statlearn_threads()
res <- bench::mark(
  statlearn = gibbs_mixture(y, 2, iterations = sweeps, variances = v, proportions = p,
                            start = c(0, 5), chains = chains, seed = 1, threads = threads),
  statlearn_1thread = gibbs_mixture(y, 2, iterations = sweeps, variances = v, proportions = p,
                                    start = c(0, 5), chains = chains, seed = 1, threads = 1),
  plain_r = lapply(seq_len(chains), function(c) plain_r(y, sweeps, c(0, 5))),
  iterations = 3, check = FALSE, filter_gc = FALSE
)
tab <- data.frame(method = as.character(res$expression), median_s = as.numeric(res$median))
tab$ratio_to_plain_r <- tab$median_s / tab$median_s[tab$method == "plain_r"]
print(tab, digits = 4, row.names = FALSE)
# the same posterior: means of the draws after 100 sweeps of burn-in
g <- gibbs_mixture(y, 2, iterations = sweeps, burn_in = 100, variances = v, proportions = p,
                   start = c(0, 5), chains = chains, seed = 1, threads = threads)
r <- do.call(rbind, lapply(seq_len(chains), function(c) plain_r(y, sweeps, c(0, 5))[-(1:100), ]))
print(rbind(statlearn = apply(g$means, 2, mean), plain_r = colMeans(r)), digits = 5)
cat(sprintf("threads = %d; n = %d, %d chains x %d sweeps\n", threads, n, chains, sweeps))
