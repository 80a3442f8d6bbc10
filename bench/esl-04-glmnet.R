# The elastic net for classification against glmnet: full default paths,
# same data, medians, ratios, R memory. Run from the package root with the
# package installed:  Rscript bench/esl-04-glmnet.R
library(statlearn)
library(bench)
threads <- 2L
ratio <- function(b) {
  m <- setNames(as.numeric(b$median), as.character(b$expression))
  cat(sprintf("ratio statlearn / glmnet (median): %.2f\n", m[["statlearn"]] / m[["glmnet"]]))
}
set.seed(1)
n <- 10000; p <- 1000
x <- matrix(rnorm(n * p), n, p)
eta <- drop(x[, 1:20] %*% rnorm(20, sd = 0.5))

cat("== lasso(family = \"binomial\"), full path: n = 10000, p = 1000\n")
y <- rbinom(n, 1, plogis(eta))
g <- glmnet::glmnet(x, y, family = "binomial")
f <- lasso(x, y, family = "binomial", lambda = g$lambda, threads = threads)
obj <- function(a0, b, lam) {
  e <- a0 + drop(x %*% b)
  mean(log1p(exp(e)) - y * e) + lam * sum(abs(b))
}
rel <- max(vapply(seq_along(g$lambda), function(l) {
  og <- obj(g$a0[l], g$beta[, l], g$lambda[l]); of <- obj(f$a0[l], f$beta[, l], f$lambda[l])
  (of - og) / og
}, numeric(1)))
cat(sprintf("same lambdas (%d); largest relative objective excess over glmnet: %.2e\n",
            length(g$lambda), rel))
b <- mark(statlearn = lasso(x, y, family = "binomial", threads = threads),
          glmnet = glmnet::glmnet(x, y, family = "binomial"),
          iterations = 3, check = FALSE, memory = TRUE)
print(b[, c("expression", "median", "mem_alloc")])
ratio(b)

cat("\n== lasso(family = \"multinomial\"), K = 5, full path: n = 10000, p = 1000\n")
B <- matrix(rnorm(20 * 5, sd = 0.5), 20, 5)
eta5 <- x[, 1:20] %*% B
pr <- exp(eta5) / rowSums(exp(eta5))
y5 <- factor(apply(pr, 1, function(q) sample(5, 1, prob = q)))
g <- glmnet::glmnet(x, y5, family = "multinomial")
f <- lasso(x, y5, family = "multinomial", lambda = g$lambda, threads = threads)
objm <- function(a0, b, lam) {
  e <- sweep(x %*% b, 2, a0, "+")
  lse <- apply(e, 1, max); lse <- lse + log(rowSums(exp(e - lse)))
  -mean(e[cbind(seq_len(n), as.integer(y5))] - lse) + lam * sum(abs(b))
}
rel <- max(vapply(seq_along(g$lambda), function(l) {
  bg <- vapply(g$beta, function(m) m[, l], numeric(p))
  og <- objm(g$a0[, l], bg, g$lambda[l]); of <- objm(f$a0[, l], f$beta[, , l], f$lambda[l])
  (of - og) / og
}, numeric(1)))
cat(sprintf("same lambdas (%d); largest relative objective excess over glmnet: %.2e\n",
            length(g$lambda), rel))
b <- mark(statlearn = lasso(x, y5, family = "multinomial", threads = threads),
          glmnet = glmnet::glmnet(x, y5, family = "multinomial"),
          iterations = 3, check = FALSE, memory = TRUE)
print(b[, c("expression", "median", "mem_alloc")])
ratio(b)
