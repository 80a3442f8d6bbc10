# Gaussian mixture by EM, n = 1e5, p = 10, G = 5, full covariances varying by
# component (mclust's VVV): statlearn::gaussian_mixture() against mclust::me()
# from the same start (a k-means partition given to both), iterated to the
# same stopping rule (|l_t - l_{t-1}| / (1 + |l_t|) <= 1e-5, both defaults), so
# both run the same EM iterations and end at the same log-likelihood.
# Then, as context only, the whole mclust::Mclust(x, G = 5, modelNames =
# "VVV") call (hierarchical start on a 2000-point subset, then EM) against
# gaussian_mixture(x, 5) with its own k-means++ start.
# Target: at most 0.3 x mclust::me at the same log-likelihood (1e-6 relative).
# Run from the package root after installing: Rscript bench/esl-13-gaussian-mixture.R
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("mclust"))
suppressPackageStartupMessages(library(mclust))  # mclust's fitters need it attached
set.seed(2026)
n <- 1e5; p <- 10; G <- 5
means <- matrix(rnorm(G * p, sd = 0.6), G)  # overlapping clusters: EM needs a few dozen iterations
x <- means[sample(G, n, TRUE), ] + matrix(rnorm(n * p), n)
threads <- statlearn_threads()
start <- stats::kmeans(x, G, nstart = 1, iter.max = 50)$cluster
z0 <- mclust::unmap(start)

res <- bench::mark(
  statlearn_1 = gaussian_mixture(x, G, start = start, threads = 1),
  statlearn = gaussian_mixture(x, G, start = start, threads = threads),
  mclust_me = mclust::me(x, modelName = "VVV", z = z0),
  iterations = 3, check = FALSE, filter_gc = FALSE
)
ours <- gaussian_mixture(x, G, start = start, threads = threads)
mc <- mclust::me(x, modelName = "VVV", z = z0)
tab <- data.frame(method = as.character(res$expression), median_s = as.numeric(res$median),
                  loglik = c(ours$loglik, ours$loglik, mc$loglik),
                  iterations = c(ours$iterations, ours$iterations, attr(mc, "info")[["iterations"]]))
tab$ratio_to_mclust <- tab$median_s / tab$median_s[tab$method == "mclust_me"]
tab$loglik_rel_mclust <- (tab$loglik - mc$loglik) / abs(mc$loglik)
cat("Same start, same stopping rule (EM only):\n")
print(tab, digits = 4, row.names = FALSE)
cat(sprintf("threads = %d; target: statlearn at most 0.3 x mclust::me at the same log-likelihood (1e-6 relative)\n\n",
            threads))

# Context: whole calls with each package's own starts (one run each).
t_mclust <- system.time(full <- mclust::Mclust(x, G = G, modelNames = "VVV", verbose = FALSE))[["elapsed"]]
set.seed(1)
t_ours <- system.time(own <- gaussian_mixture(x, G, starts = 1, threads = threads))[["elapsed"]]
ctx <- data.frame(method = c("statlearn gaussian_mixture(x, 5)", "mclust Mclust(x, 5, 'VVV')"),
                  elapsed_s = c(t_ours, t_mclust), loglik = c(own$loglik, full$loglik),
                  bic_statlearn_convention = c(own$bic, -full$bic))
ctx$ratio_to_mclust <- ctx$elapsed_s / t_mclust
cat("Context: whole calls, each with its own starts (one run each):\n")
print(ctx, digits = 6, row.names = FALSE)
