# ESL 5.9 / issue 14: wavelet_transform() and wavelet_smooth() (symmlet 8,
# periodic) against a plain vectorised-R pyramid (the same algorithm written
# with R's vector arithmetic, and checked to give the same coefficients),
# and against waveslim::dwt() ("la8", periodic) when waveslim is installed
# (it is not a dependency). One signal of length 2^14 and 2^18, and a matrix
# of 500 signals of length 1024 (1 and 2 threads). Run from the package root
# after installing: Rscript bench/esl-05-wavelet.R
library(statlearn)
stopifnot(requireNamespace("bench"))
h <- wavelet_transform(numeric(16), "symmlet8", threads = 1)$filter
L <- length(h)
g <- rev(h) * (-1)^(0:(L - 1))
# The pyramid in plain R: a_k = sum_l h_l x[(2k + l) mod M], d_k likewise with g.
r_dwt <- function(x, levels) {
  out <- x
  a <- x
  for (s in seq_len(levels)) {
    M <- length(a)
    k <- seq(0, M - 2, by = 2)
    sm <- numeric(M / 2)
    dt <- numeric(M / 2)
    for (l in seq_len(L)) {
      v <- a[(k + l - 1) %% M + 1]
      sm <- sm + h[l] * v
      dt <- dt + g[l] * v
    }
    out[(M / 2 + 1):M] <- dt
    a <- sm
  }
  out[seq_along(a)] <- a
  out
}
rows <- list()
for (J in c(14, 18)) {
  set.seed(9)
  y <- rnorm(2^J)
  lev <- J - 2
  stopifnot(isTRUE(all.equal(wavelet_transform(y, threads = 1)$coefficients, r_dwt(y, lev),
                             tolerance = 1e-12)))
  exprs <- list(statlearn = quote(wavelet_transform(y, threads = 1)),
                plain_R = quote(r_dwt(y, lev)),
                statlearn_smooth = quote(wavelet_smooth(y, threads = 1)))
  if (requireNamespace("waveslim", quietly = TRUE)) {
    exprs$waveslim <- quote(waveslim::dwt(y, "la8", n.levels = lev, boundary = "periodic"))
  }
  res <- bench::mark(exprs = exprs, iterations = 7, check = FALSE, filter_gc = FALSE)
  med <- setNames(as.numeric(res$median), names(exprs))
  rows[[length(rows) + 1L]] <- data.frame(N = 2^J, method = names(med), median_s = med,
                                          ratio_to_plain_R = med / med[["plain_R"]])
}
print(do.call(rbind, rows), digits = 4, row.names = FALSE)
set.seed(10)
Y <- matrix(rnorm(1024 * 500), 1024)
res <- bench::mark(threads_1 = wavelet_transform(Y, threads = 1),
                   threads_2 = wavelet_transform(Y, threads = 2),
                   smooth_threads_1 = wavelet_smooth(Y, threads = 1),
                   smooth_threads_2 = wavelet_smooth(Y, threads = 2),
                   iterations = 7, check = FALSE, filter_gc = FALSE)
print(data.frame(matrix_1024x500 = as.character(res$expression), median_s = as.numeric(res$median)),
      digits = 4, row.names = FALSE)
