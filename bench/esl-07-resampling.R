# ESL 7.11 / issue 13: the bootstrap estimates of prediction error, and the
# overhead of dispatching replicates through future. Run from the package root
# after installing: Rscript bench/esl-07-resampling.R
library(statlearn)
stopifnot(requireNamespace("bench"), requireNamespace("ipred"), requireNamespace("MASS"))

# 1. bootstrap_error(.632+), B = 200, LDA on the vowel training data, against
# ipred::errorest(estimator = "632plus") with MASS::lda on the same samples.
fit <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
set.seed(1)
samples <- resampling_plan(nrow(vowel_train), "bootstrap", B = 200)
pred_class <- function(object, newdata) predict(object, newdata)$class
ours <- bootstrap_error(fit, samples = samples)$estimate
ref <- ipred::errorest(y ~ ., data = vowel_train, model = MASS::lda, predict = pred_class,
                       estimator = "632plus",
                       est.para = ipred::control.errorest(list.tindx = samples$train))$error
cat(sprintf(".632+ error: statlearn %.6f, ipred %.6f (same samples; difference %.2g)\n",
            ours, ref, ours - ref))
res <- bench::mark(
  statlearn = bootstrap_error(fit, samples = samples),
  ipred = ipred::errorest(y ~ ., data = vowel_train, model = MASS::lda, predict = pred_class,
                          estimator = "632plus",
                          est.para = ipred::control.errorest(list.tindx = samples$train)),
  iterations = 3, check = FALSE, filter_gc = FALSE
)
med <- as.numeric(res$median)
print(res[, c("expression", "median", "mem_alloc")])
cat(sprintf("ratio statlearn / ipred::errorest: %.3f (target <= 0.2)\n", med[1] / med[2]))

# 2. Ten-fold cross-validation of logistic regression, n = 1e5, p = 50,
# against the loop of glm() refits a user writes, on the same folds; both
# give the misclassification rate of the held-out folds.
set.seed(7)
n <- 1e5; p <- 50
xl <- matrix(rnorm(n * p), n, dimnames = list(NULL, paste0("x", 1:p)))
yl <- rbinom(n, 1, plogis(drop(xl %*% rnorm(p, sd = 0.3)) - 0.5))
dl <- data.frame(y = yl, xl)
lfit <- logistic_regression(xl, yl)
lfold <- resampling_plan(yl, "kfold", folds = 10)$foldid[, 1]
glm_cv <- function() {
  wrong <- numeric(n)
  for (f in 1:10) {
    test <- lfold == f
    g <- glm(y ~ ., family = binomial, data = dl[!test, ])
    wrong[test] <- (predict(g, dl[test, ]) > 0) != (yl[test] == 1)
  }
  mean(wrong)
}
cat(sprintf("10-fold CV misclassification: statlearn %.6f, glm loop %.6f\n",
            cross_validate(lfit, foldid = lfold)$cvm, glm_cv()))
res <- bench::mark(statlearn = cross_validate(lfit, foldid = lfold), glm = glm_cv(),
                   iterations = 3, check = FALSE, filter_gc = FALSE)
med <- as.numeric(res$median)
print(res[, c("expression", "median", "mem_alloc")])
cat(sprintf("ratio statlearn / glm loop: %.3f (target <= 0.3); threads = %d\n", med[1] / med[2],
            statlearn_threads()))

# 3. The future path: a cheap learner (least squares on 200 x 5), replicates
# per second dispatched sequentially, through 2 multisession workers in
# chunks (the default: one chunk per worker), and one future per replicate.
if (requireNamespace("future", quietly = TRUE) && requireNamespace("future.apply", quietly = TRUE)) {
  set.seed(2)
  x <- matrix(rnorm(1000), 200, 5)
  y <- drop(x %*% rnorm(5) + rnorm(200))
  cheap <- learner(function(x, y) stats::lm.fit(x, y)$coefficients,
                   function(model, newx) drop(newx %*% model), name = "least squares")
  rate <- function(B) {
    set.seed(3)
    t <- system.time(e <- bootstrap_error(cheap, x, y, B = B))[["elapsed"]]
    c(rate = (B + 1) / t, estimate = e$estimate)
  }
  seq_rate <- rate(2000)
  oplan <- future::plan(future::multisession, workers = 2)
  invisible(rate(20))  # start the workers
  chunked <- rate(2000)
  options(statlearn.future_chunk_size = 1)
  single <- rate(100)
  options(statlearn.future_chunk_size = NULL)
  future::plan(oplan)
  cat(sprintf("replicates per second: sequential %.0f; 2 multisession workers, chunked %.0f; one future per replicate %.1f\n",
              seq_rate[["rate"]], chunked[["rate"]], single[["rate"]]))
  cat(sprintf("same estimate sequential and chunked: %s\n",
              identical(seq_rate[["estimate"]], chunked[["estimate"]])))
}
