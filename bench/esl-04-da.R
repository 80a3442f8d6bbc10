# Speed of the discriminant-analysis engines (ESL 4.3) against MASS.
# n = 100000, p = 50, K = 5 Gaussian classes with different covariances.
# Medians of bench::mark runs, ratios statlearn / MASS, R memory allocated.
# Run from the package root with the package installed:  Rscript bench/esl-04-da.R
library(statlearn)
library(bench)
threads <- 2L

ratio <- function(b, ours, theirs) {
  m <- setNames(as.numeric(b$median), as.character(b$expression))
  cat(sprintf("ratio %s / %s (median): %.3f\n", ours, theirs, m[[ours]] / m[[theirs]]))
}
show <- function(b) print(b[, c("expression", "min", "median", "mem_alloc", "n_itr")])

set.seed(1)
n <- 100000; p <- 50; K <- 5
y <- factor(sample(letters[1:K], n, replace = TRUE))
mu <- matrix(rnorm(K * p, sd = 0.5), K, p)
x <- matrix(rnorm(n * p), n, p)
for (k in seq_len(K)) {
  i <- which(as.integer(y) == k)
  A <- diag(p) + matrix(rnorm(p * p, sd = 0.1), p, p)
  x[i, ] <- x[i, ] %*% A + rep(mu[k, ], each = length(i))
}
colnames(x) <- paste0("x", seq_len(p))
cat(sprintf("n = %d, p = %d, K = %d, threads = %d\n", n, p, K, threads))

cat("\n== LDA: agreement\n")
fl <- linear_discriminant(x, y, threads = threads)
ml <- MASS::lda(x, y)
cat(sprintf("max |posterior difference| = %.2e, classes identical: %s\n",
            max(abs(predict(fl, x, type = "prob", threads = threads) - predict(ml, x)$posterior)),
            identical(predict(fl, x, threads = threads), predict(ml, x)$class)))

cat("\n== LDA fit\n")
b <- mark(statlearn = linear_discriminant(x, y, threads = threads), MASS = MASS::lda(x, y),
          iterations = 5, check = FALSE, memory = TRUE)
show(b); ratio(b, "statlearn", "MASS")

cat("\n== LDA fit + predict (posteriors of the n training rows)\n")
b <- mark(statlearn = predict(linear_discriminant(x, y, threads = threads), x, type = "prob", threads = threads),
          MASS = predict(MASS::lda(x, y), x)$posterior,
          iterations = 5, check = FALSE, memory = TRUE)
show(b); ratio(b, "statlearn", "MASS")

cat("\n== QDA: agreement\n")
fq <- quadratic_discriminant(x, y, threads = threads)
mq <- MASS::qda(x, y)
cat(sprintf("max |posterior difference| = %.2e, classes identical: %s\n",
            max(abs(predict(fq, x, type = "prob", threads = threads) - predict(mq, x)$posterior)),
            identical(predict(fq, x, threads = threads), predict(mq, x)$class)))

cat("\n== QDA fit\n")
b <- mark(statlearn = quadratic_discriminant(x, y, threads = threads), MASS = MASS::qda(x, y),
          iterations = 5, check = FALSE, memory = TRUE)
show(b); ratio(b, "statlearn", "MASS")

cat("\n== QDA fit + predict (posteriors of the n training rows)\n")
b <- mark(statlearn = predict(quadratic_discriminant(x, y, threads = threads), x, type = "prob", threads = threads),
          MASS = predict(MASS::qda(x, y), x)$posterior,
          iterations = 5, check = FALSE, memory = TRUE)
show(b); ratio(b, "statlearn", "MASS")

cat("\n== statlearn with 1 thread (fit + predict)\n")
b <- mark(lda = predict(linear_discriminant(x, y, threads = 1), x, type = "prob", threads = 1),
          qda = predict(quadratic_discriminant(x, y, threads = 1), x, type = "prob", threads = 1),
          iterations = 5, check = FALSE, memory = TRUE)
show(b)
