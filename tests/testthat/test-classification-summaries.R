# summary() of the chapter-4 classifiers: against table() of the predictions,
# MASS::lda's proportion of trace, and the determinants of the class
# covariances computed directly.

test_that("the confusion matrix and error rate are those of the predictions", {
  d2 <- droplevels(subset(iris, Species != "virginica"))
  fits <- list(
    linear_discriminant(Species ~ ., data = iris),
    quadratic_discriminant(Species ~ ., data = iris),
    regularized_discriminant(Species ~ ., data = iris, alpha = 0.3, gamma = 0.1),
    indicator_regression(Species ~ ., data = iris),
    perceptron(Species ~ Petal.Length + Petal.Width, data = d2)
  )
  for (fit in fits) {
    data <- if (length(fit$levels) == 2L) d2 else iris
    s <- summary(fit)
    pred <- predict(fit, data, type = "class")
    expect_equal(unclass(s$confusion), unclass(table(observed = data$Species, predicted = pred)),
                 ignore_attr = TRUE)
    expect_equal(s$error, mean(pred != data$Species))
    expect_output(print(s), "Training error rate")
  }
})

test_that("LDA's summary gives MASS's proportion of trace; QDA's the log-determinants", {
  skip_if_not_installed("MASS")
  fit <- linear_discriminant(Species ~ ., data = iris)
  ref <- MASS::lda(Species ~ ., data = iris)
  s <- summary(fit)
  prop <- s$estimates[[grep("variance explained", names(s$estimates))]]["proportion", ]
  expect_equal(unname(prop), ref$svd^2 / sum(ref$svd^2), tolerance = 1e-8)
  q <- summary(quadratic_discriminant(Species ~ ., data = iris))
  direct <- sapply(split(iris[, 1:4], iris$Species),
                   function(d) as.numeric(determinant(cov(d))$modulus))
  expect_equal(unname(q$estimates[[grep("Log-determinant", names(q$estimates))]][1, ]),
               unname(direct), tolerance = 1e-8)
})

test_that("the separating hyperplane's summary reports its margin and support points", {
  d2 <- droplevels(subset(iris, Species != "virginica"))
  fit <- separating_hyperplane(Species ~ Petal.Length + Petal.Width, data = d2)
  s <- summary(fit)
  info <- s$estimates$Fit
  # The margin is the smallest distance of a training point to the hyperplane.
  x <- as.matrix(d2[, c("Petal.Length", "Petal.Width")])
  dist <- abs(x %*% fit$beta + fit$beta0) / sqrt(sum(fit$beta^2))
  expect_equal(as.numeric(info$margin), min(dist), tolerance = 1e-6)
  expect_identical(s$error, 0)
})
