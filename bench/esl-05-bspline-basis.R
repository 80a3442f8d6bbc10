# ESL 5.2 / issue 14: bspline_basis() and natural_spline_basis() against
# splines::bs() and splines::ns() on the same x, same process, df = 20, at
# n = 1e4 to 1e6 (knots at quantiles on both sides; results are equal).
# Target (issue 14): the B-spline basis at n = 1e6, df = 20, at most
# 0.5 x splines::bs. Run from the package root after installing:
#   Rscript bench/esl-05-bspline-basis.R
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("splines"))
rows <- list()
for (n in c(1e4, 1e5, 1e6)) {
  set.seed(3)
  x <- rnorm(n)
  stopifnot(max(abs(unclass(bspline_basis(x, df = 20)) - unclass(splines::bs(x, df = 20)))) < 1e-12)
  res <- bench::mark(
    bspline_basis = bspline_basis(x, df = 20),
    bs = splines::bs(x, df = 20),
    natural_spline_basis = natural_spline_basis(x, df = 20),
    ns = splines::ns(x, df = 20),
    iterations = if (n < 1e6) 11 else 5, check = FALSE, filter_gc = FALSE
  )
  med <- as.numeric(res$median)
  rows[[length(rows) + 1L]] <- data.frame(
    n = n, bspline_s = med[1], bs_s = med[2], ratio_bs = med[1] / med[2],
    natural_s = med[3], ns_s = med[4], ratio_ns = med[3] / med[4])
}
print(do.call(rbind, rows), digits = 3, row.names = FALSE)
