# ESL 5.4-5.5 / issue 14: smoothing_spline() against stats::smooth.spline()
# on the same data, same process: lambda chosen by GCV, and a given df, at
# n = 1e3 to 1e6 (x uniform, y = sin(12 (x + 0.2)) / (x + 0.2) + noise).
# Target (issue 14): with GCV at n = 1e6, at most 0.5 x smooth.spline.
# Both use the same thinned knots (smooth.spline's rule). Run from the
# package root after installing: Rscript bench/esl-05-smoothing-spline.R
library(statlearn)
stopifnot(requireNamespace("bench"))
rows <- list()
for (n in c(1e3, 1e4, 1e5, 1e6)) {
  set.seed(5)
  x <- runif(n)
  y <- sin(12 * (x + 0.2)) / (x + 0.2) + rnorm(n)
  ours <- smoothing_spline(x, y)
  ref <- stats::smooth.spline(x, y)
  res <- bench::mark(
    statlearn_gcv = smoothing_spline(x, y),
    smooth.spline_gcv = stats::smooth.spline(x, y),
    statlearn_df10 = smoothing_spline(x, y, df = 10),
    smooth.spline_df10 = stats::smooth.spline(x, y, df = 10),
    iterations = if (n < 1e6) 7 else 5, check = FALSE, filter_gc = FALSE
  )
  med <- as.numeric(res$median)
  rows[[length(rows) + 1L]] <- data.frame(
    n = n, gcv_df_ours = ours$df, gcv_df_ref = ref$df,
    ours_gcv_s = med[1], ref_gcv_s = med[2], ratio_gcv = med[1] / med[2],
    ours_df10_s = med[3], ref_df10_s = med[4], ratio_df10 = med[3] / med[4])
}
print(do.call(rbind, rows), digits = 4, row.names = FALSE)
