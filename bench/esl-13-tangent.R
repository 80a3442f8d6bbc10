# ESL 13.3.3 / Table 13.1: 1-nearest-neighbour classification of the zip
# digits (7291 training x 2007 test x 256) with tangent distance
# (statlearn::tangent_metric(), 50 Euclidean candidates per query), on 1 and 2
# threads, beside Euclidean 1-NN; and the candidate filter against the
# exhaustive tangent search on the first 100 test digits. Run from the package
# root after installing: Rscript bench/esl-13-tangent.R
library(statlearn)
stopifnot(requireNamespace("bench"))
x <- as.matrix(zip_train[, -1])
y <- zip_train$digit
q <- as.matrix(zip_test[, -1])
yq <- zip_test$digit
m <- tangent_metric(16, 16)
tangent_fit <- nearest_neighbors(x, y, k = 1, metric = m, threads = 1)
euclid_fit <- nearest_neighbors(x, y, k = 1, threads = 1)
p1 <- predict(tangent_fit, q, threads = 1)
p2 <- predict(tangent_fit, q, threads = 2)
cat(sprintf("1 and 2 threads identical: %s\n", identical(p1, p2)))
cat(sprintf("test error: Euclidean %.4f (ESL Table 13.1: 0.055), tangent %.4f (ESL: 0.026)\n",
            mean(predict(euclid_fit, q) != yq), mean(p1 != yq)))
res <- bench::mark(
  tangent_1_thread = predict(tangent_fit, q, threads = 1),
  tangent_2_threads = predict(tangent_fit, q, threads = 2),
  euclidean_2_threads = predict(euclid_fit, q, threads = 2),
  iterations = 3, check = FALSE, filter_gc = FALSE
)
med <- as.numeric(res$median)
print(res[, c("expression", "median", "mem_alloc")])
cat(sprintf("ratio 2 threads / 1 thread: %.3f; tangent / Euclidean (2 threads): %.1f\n",
            med[2] / med[1], med[2] / med[3]))
# The candidate filter against the exhaustive search, first 100 test digits.
ex_fit <- nearest_neighbors(x, y, k = 1, metric = tangent_metric(16, 16, candidates = Inf),
                            threads = 2)
t_ex <- system.time(p_ex <- predict(ex_fit, q[1:100, ], threads = 2))[["elapsed"]]
t_c <- system.time(p_c <- predict(tangent_fit, q[1:100, ], threads = 2))[["elapsed"]]
cat(sprintf("100 test digits: exhaustive %.1f s, 50 candidates %.2f s; same predictions for %d of 100;\n",
            t_ex, t_c, sum(p_ex == p_c)))
cat(sprintf("errors: exhaustive %d, 50 candidates %d\n", sum(p_ex != yq[1:100]), sum(p_c != yq[1:100])))
