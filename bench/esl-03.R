# Speed of the chapter-3 engines against the packages users pick today.
# Same data for both sides, medians of several runs (bench::mark), ratios
# printed, peak R memory (mem_alloc) beside time. Run from the package root
# with the package installed:  Rscript bench/esl-03.R
# See also bench/esl-03-subset.R (best subsets) and bench/esl-03-pls.R (PCR, PLS).
library(statlearn)
library(bench)
threads <- 2L

ratio <- function(b, ours, theirs) {
  m <- setNames(as.numeric(b$median), as.character(b$expression))
  cat(sprintf("ratio %s / %s (median): %.2f\n", ours, theirs, m[[ours]] / m[[theirs]]))
}

cat("== lasso, full default path: n = 10000, p = 1000, 20 true nonzeros\n")
set.seed(1)
n <- 10000; p <- 1000
x <- matrix(rnorm(n * p), n, p)
beta <- c(rnorm(20), rep(0, p - 20))
y <- drop(x %*% beta + rnorm(n))
g <- glmnet::glmnet(x, y)
f <- lasso(x, y, lambda = g$lambda, threads = threads)
obj <- function(a0, b, lam) 0.5 * mean((y - a0 - x %*% b)^2) + lam * sum(abs(b))
rel <- max(vapply(seq_along(g$lambda), function(l) {
  og <- obj(g$a0[l], g$beta[, l], g$lambda[l]); of <- obj(f$a0[l], f$beta[, l], f$lambda[l])
  (of - og) / og
}, numeric(1)))
cat(sprintf("same lambdas (%d); largest relative objective excess over glmnet: %.2e\n",
            length(g$lambda), rel))
b <- mark(statlearn = lasso(x, y, threads = threads), glmnet = glmnet::glmnet(x, y),
          iterations = 5, check = FALSE, memory = TRUE)
print(b[, c("expression", "median", "mem_alloc")])
ratio(b, "statlearn", "glmnet")

cat("\n== 10-fold cross-validation of the lasso at the same size\n")
foldid <- sample(rep(1:10, length.out = n))
fit <- lasso(x, y, threads = threads)
b <- mark(statlearn = cross_validate(fit, foldid = foldid, x = x, y = y, threads = threads),
          glmnet = glmnet::cv.glmnet(x, y, foldid = foldid),
          iterations = 3, check = FALSE, memory = TRUE)
print(b[, c("expression", "median", "mem_alloc")])
ratio(b, "statlearn", "glmnet")

cat("\n== linear_regression with full summary: n = 100000, p = 100\n")
n <- 100000; p <- 100
x <- matrix(rnorm(n * p), n, p)
y <- drop(x %*% rnorm(p) + rnorm(n))
b <- mark(statlearn = summary(linear_regression(x, y)), lm = summary(lm(y ~ x)),
          iterations = 3, check = FALSE, memory = TRUE)
print(b[, c("expression", "median", "mem_alloc")])
ratio(b, "statlearn", "lm")

cat("\n== the formula interface: summary(linear_regression(y ~ ., data = d)), same size\n")
colnames(x) <- paste0("x", seq_len(p))
d <- data.frame(y = y, x)
b <- mark(formula = summary(linear_regression(y ~ ., data = d)),
          matrix = summary(linear_regression(x, y)),
          lm = summary(lm(y ~ ., data = d)),
          iterations = 5, check = FALSE, memory = TRUE)
print(b[, c("expression", "median", "mem_alloc")])
ratio(b, "formula", "matrix")
ratio(b, "formula", "lm")
