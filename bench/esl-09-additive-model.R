# ESL 9.1 / issue 14: additive_model() (backfitting with cubic smoothing
# splines) against mgcv::gam() (penalised regression splines, one joint
# solve) for a Gaussian additive model with 10 smooth terms, n = 1e5, at FIXED
# smoothness on both sides. Matching the smoothness: mgcv is fitted once
# (outside the timing) with its smoothing parameters chosen by GCV; each of our
# terms is then given mgcv's effective df for that term (both count df without
# the constant), and the timed fits use fixed smoothing on both sides: mgcv
# with `sp` fixed at those values, ours with each term's lambda fixed at the
# value that gives that df. gam::gam() is timed too when it is installed.
# Run from the package root after installing (about 5 minutes, nearly all of it
# mgcv): Rscript bench/esl-09-additive-model.R
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("mgcv"))
set.seed(9)
n <- 1e5
p <- 10
X <- matrix(runif(n * p), n, p, dimnames = list(NULL, paste0("x", 1:p)))
fs <- list(function(x) sin(2 * pi * x), function(x) exp(x), function(x) x^2, function(x) cos(4 * x),
           function(x) 2 * (x - 0.5)^2, function(x) sqrt(x), function(x) sin(6 * x), function(x) (x - 0.5)^3,
           function(x) log(x + 0.5), function(x) abs(x - 0.3))
y <- Reduce(`+`, lapply(1:p, function(j) fs[[j]](X[, j]))) + rnorm(n, sd = 0.5)
d <- data.frame(X, y = y)
form <- stats::as.formula(paste("y ~", paste0("s(", colnames(X), ")", collapse = " + ")))
ref0 <- mgcv::gam(form, data = d, method = "GCV.Cp")
sp <- ref0$sp
edf <- vapply(split(ref0$edf[-1], rep(seq_len(p), each = length(ref0$edf[-1]) / p)), sum, 0)
stopifnot(all(edf > 1.05))  # a term mgcv makes linear has no df our search reaches
ours0 <- additive_model(X, y, df = edf, threads = 2)
lam <- vapply(ours0$smooth, `[[`, 0, "lambda")
threads <- statlearn_threads(2)
res <- bench::mark(
  statlearn_1_thread = additive_model(X, y, lambda = lam, threads = 1),
  statlearn = additive_model(X, y, lambda = lam, threads = threads),
  mgcv_fixed_sp = mgcv::gam(form, data = d, sp = sp),
  iterations = 3, check = FALSE, filter_gc = FALSE
)
if (requireNamespace("gam", quietly = TRUE)) {
  gform <- stats::as.formula(paste("y ~", paste0("gam::s(", colnames(X), ", df = ", round(edf, 3), ")",
                                                  collapse = " + ")))
  res_gam <- bench::mark(gam = gam::gam(gform, data = d), iterations = 3, check = FALSE, filter_gc = FALSE)
  res <- rbind(res, res_gam)
}
ours <- additive_model(X, y, lambda = lam, threads = threads)
ref <- mgcv::gam(form, data = d, sp = sp)
med <- as.numeric(res$median)
print(data.frame(fit = as.character(res$expression), median_s = med, ratio_to_mgcv = med / med[3]), digits = 3)
cat(sprintf("df per term, ours vs mgcv: max |difference| %.2g; fitted correlation %.6f; backfitting sweeps %d\n",
            max(abs(vapply(ours$smooth, `[[`, 0, "df") - edf)), cor(fitted(ours), fitted(ref)), ours$iterations))
cat(sprintf("threads %d; ratio statlearn / mgcv (fixed sp) = %.3f (target <= 0.3)\n", threads, med[2] / med[3]))
