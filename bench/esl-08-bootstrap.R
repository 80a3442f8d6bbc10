# ESL 8.2 / issue 14: the nonparametric bootstrap of a lasso-path statistic,
# B = 1000: statlearn's bootstrap(fit, statistic) (all samples refitted at
# once on TBB, samples as row multiplicities) on 1 and 2 threads, against
# boot::boot with the same statistic (a lasso() refit on the resampled rows,
# the coefficients at shrinkage s = 0.5), on the same bootstrap samples.
# Replicates per second and ratios are printed. Run from the package root
# after installing: Rscript bench/esl-08-bootstrap.R
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("boot"))
set.seed(8)
n <- 1000
p <- 20
x <- matrix(rnorm(n * p), n, dimnames = list(NULL, paste0("x", seq_len(p))))
y <- drop(x[, 1:5] %*% c(3, -2, 1.5, 1, -1)) + rnorm(n, sd = 2)
B <- 1000
fit <- lasso(x, y, threads = 1)
stat <- function(f) coef(f, s = 0.5)
ref <- boot::boot(cbind(y, x), function(d, i) stat(lasso(d[i, -1], d[i, 1], threads = 1)), R = B)
idx <- boot::boot.array(ref, indices = TRUE)
samples <- lapply(seq_len(B), function(b) idx[b, ])
ours <- bootstrap(fit, stat, samples = samples, threads = 2)
stopifnot(max(abs(ours$t - ref$t)) < 1e-8)
res <- bench::mark(
  statlearn_1_thread = bootstrap(fit, stat, samples = samples, threads = 1),
  statlearn_2_threads = bootstrap(fit, stat, samples = samples, threads = 2),
  boot = boot::boot(cbind(y, x), function(d, i) stat(lasso(d[i, -1], d[i, 1], threads = 1)), R = B),
  iterations = 3, check = FALSE, filter_gc = FALSE
)
med <- as.numeric(res$median)
print(data.frame(method = c("statlearn, 1 thread", "statlearn, 2 threads", "boot::boot (lasso refits)"),
                 seconds = med, replicates_per_s = B / med, ratio_to_boot = med / med[3]),
      digits = 3, row.names = FALSE)
