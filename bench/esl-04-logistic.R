# Speed of logistic_regression() against glm(): same data, medians of several
# runs (bench::mark), ratio printed, R memory (mem_alloc) beside time.
# Run from the package root with the package installed:
#   Rscript bench/esl-04-logistic.R
library(statlearn)
library(bench)
threads <- 2L

ratio <- function(b, ours, theirs) {
  m <- setNames(as.numeric(b$median), as.character(b$expression))
  cat(sprintf("ratio %s / %s (median): %.3f\n", ours, theirs, m[[ours]] / m[[theirs]]))
}

cat("== binomial logistic regression with full summary: n = 100000, p = 50\n")
set.seed(1)
n <- 100000; p <- 50
x <- matrix(rnorm(n * p), n, p)
colnames(x) <- paste0("x", seq_len(p))
y <- factor(runif(n) < plogis(drop(-0.5 + x %*% rnorm(p, sd = 0.2))))
f <- logistic_regression(x, y, threads = threads)
g <- glm(y ~ x, family = binomial)
cat(sprintf("largest |coefficient difference| vs glm: %.2e; deviance difference: %.2e; iterations %d vs %d\n",
            max(abs(unname(coef(f)) - unname(coef(g)))), deviance(f) - deviance(g),
            f$iterations, g$iter))
b <- mark(statlearn = summary(logistic_regression(x, y, threads = threads)),
          glm = summary(glm(y ~ x, family = binomial)),
          iterations = 5, check = FALSE, memory = TRUE)
print(b[, c("expression", "median", "mem_alloc")])
ratio(b, "statlearn", "glm")

cat("\n== same fit, 1 thread\n")
b1 <- mark(statlearn_1thread = summary(logistic_regression(x, y, threads = 1L)),
           iterations = 5, check = FALSE, memory = TRUE)
print(b1[, c("expression", "median", "mem_alloc")])
cat(sprintf("ratio statlearn (1 thread) / glm (median): %.3f\n",
            as.numeric(b1$median) / as.numeric(b$median[2])))

cat("\n== multinomial: vowel data (K = 11, p = 10) vs nnet::multinom\n")
data(vowel_train, package = "statlearn")
b <- mark(statlearn = logistic_regression(y ~ ., data = vowel_train, threads = threads),
          multinom = nnet::multinom(y ~ ., data = vowel_train, trace = FALSE, maxit = 1000),
          iterations = 5, check = FALSE, memory = TRUE)
print(b[, c("expression", "median", "mem_alloc")])
ratio(b, "statlearn", "multinom")
