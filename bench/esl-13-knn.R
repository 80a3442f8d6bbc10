# ESL 13.3 / issue 12: 1-nearest-neighbour classification of the zip digits
# (7291 training x 2007 test x 256), statlearn::nearest_neighbors() against
# class::knn() on the same data in the same process. Run from the package
# root after installing: Rscript bench/esl-13-knn.R
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("class"))
x <- as.matrix(zip_train[, -1])
y <- factor(zip_train$digit)
q <- as.matrix(zip_test[, -1])
threads <- statlearn_threads()
ours <- predict(nearest_neighbors(x, y, k = 1, threads = threads), q)
ref <- class::knn(x, q, y, k = 1)
cat(sprintf("identical predictions: %s; test error %.4f (ESL Table 13.1: about 0.055)\n",
            identical(as.character(ours), as.character(ref)), mean(ours != zip_test$digit)))
res <- bench::mark(
  statlearn = predict(nearest_neighbors(x, y, k = 1, threads = threads), q),
  class_knn = class::knn(x, q, y, k = 1),
  iterations = 3, check = FALSE, filter_gc = FALSE
)
med <- as.numeric(res$median)
print(res[, c("expression", "median", "mem_alloc")])
cat(sprintf("ratio statlearn / class::knn: %.4f (target <= 0.05), %d threads\n", med[1] / med[2], threads))
# GFLOP/s of the distance kernel: 2 n m p multiply-adds for the cross products.
t <- as.numeric(bench::mark(statlearn:::cpp_knn_search(x, q, 1L, threads, FALSE),
                            iterations = 5, check = FALSE)$median)
peak <- 2 * 1024^3 * 5 / statlearn:::cpp_sgemm_seconds(matrix(rnorm(1024^2), 1024),
                                                    matrix(rnorm(1024^2), 1024), FALSE, FALSE, 5L,
                                                    threads)
cat(sprintf("search alone: %.3f s, %.1f GFLOP/s; SGEMM peak measured now (1024^3): %.1f GFLOP/s\n",
            t, 2 * nrow(x) * nrow(q) * ncol(x) / t / 1e9, peak / 1e9))

# Few inputs: the k-d tree (chosen automatically for p <= 6) against the
# blocked search and class::knn, 15-NN, n = m = 20000, p = 2 and p = 5.
for (p in c(2L, 5L)) {
  set.seed(p)
  xl <- matrix(rnorm(2e4 * p), ncol = p)
  yl <- factor(xl[, 1] + rnorm(2e4) > 0)
  ql <- matrix(rnorm(2e4 * p), ncol = p)
  low <- bench::mark(
    tree = predict(nearest_neighbors(xl, yl, k = 15, search = "tree", threads = threads), ql),
    brute = predict(nearest_neighbors(xl, yl, k = 15, search = "brute", threads = threads), ql),
    class_knn = class::knn(xl, ql, yl, k = 15),
    iterations = 3, check = FALSE, filter_gc = FALSE
  )
  m <- as.numeric(low$median)
  same <- identical(predict(nearest_neighbors(xl, yl, k = 15, search = "tree", threads = threads), ql),
                    predict(nearest_neighbors(xl, yl, k = 15, search = "brute", threads = threads), ql))
  cat(sprintf("p = %d, 15-NN: tree %.3f s, blocked %.3f s, class::knn %.3f s; tree / class::knn %.4f; tree = blocked: %s\n",
              p, m[1], m[2], m[3], m[1] / m[3], same))
}
