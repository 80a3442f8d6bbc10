# GFLOP/s of statlearn's float32 GEMM (statlearn/common/sgemm.h) on square shapes and
# on the shapes of network training; compare with bench/sgemm-openblas.c
# (see bench/README-sgemm.md). Timing is done in C++ on float buffers, so R's
# double -> float conversion is excluded.
# Run: R_LIBS=/tmp/lib-sgemm Rscript bench/sgemm.R
library(statlearn)

shapes <- data.frame(
  shape = c("square 512", "square 1024", "square 2048", "batch 256 x 256 -> 32",
            "7291 x 256 -> 32", "grad W: X' dY (k = 7291)", "grad X: dY W' (k = 32)"),
  m = c(512, 1024, 2048, 256, 7291, 256, 7291),
  n = c(512, 1024, 2048, 32, 32, 32, 256),
  k = c(512, 1024, 2048, 256, 256, 7291, 32),
  trans_a = c(FALSE, FALSE, FALSE, FALSE, FALSE, TRUE, FALSE),
  trans_b = c(FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, TRUE)
)

set.seed(1)
rows <- list()
for (i in seq_len(nrow(shapes))) {
  s <- shapes[i, ]
  a <- if (s$trans_a) matrix(runif(s$k * s$m), s$k, s$m) else matrix(runif(s$m * s$k), s$m, s$k)
  b <- if (s$trans_b) matrix(runif(s$n * s$k), s$n, s$k) else matrix(runif(s$k * s$n), s$k, s$n)
  flops <- 2 * s$m * s$n * s$k
  reps <- max(3L, as.integer(3e9 / flops))
  for (threads in 1:2) {
    # best of three batches
    sec <- min(vapply(1:3, function(r)
      statlearn:::cpp_sgemm_seconds(a, b, s$trans_a, s$trans_b, reps, threads), 0)) / reps
    rows[[length(rows) + 1]] <- data.frame(shape = s$shape, m = s$m, n = s$n, k = s$k,
                                           threads = threads, gflops = round(flops / sec / 1e9, 1))
  }
}
res <- do.call(rbind, rows)
print(res, row.names = FALSE)
write.csv(res, file.path(tempdir(), "sgemm-statlearn.csv"), row.names = FALSE)
