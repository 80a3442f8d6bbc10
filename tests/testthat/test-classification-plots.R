# plot() for every classifier and for least squares: the decision regions and
# their boundaries, the diagnostics of linear regression, the calibration of
# logistic regression.

test_that("regression diagnostics match stats::lm's hat values, rstandard and Cook's distance", {
  train <- subset(prostate, train, select = -train)
  set.seed(4)
  train$w <- runif(nrow(train), 0.5, 2)
  for (weighted in c(FALSE, TRUE)) {
    fit <- if (weighted) linear_regression(lpsa ~ . - w, data = train, weights = w)
           else linear_regression(lpsa ~ . - w, data = train)
    ref <- if (weighted) lm(lpsa ~ . - w, data = train, weights = w) else lm(lpsa ~ . - w, data = train)
    d <- statlearn:::regression_diagnostics(fit, environment())
    expect_equal(unname(d$leverage), unname(hatvalues(ref)), tolerance = 1e-10)
    expect_equal(unname(d$standardised), unname(rstandard(ref)), tolerance = 1e-10)
    expect_equal(unname(d$cook), unname(cooks.distance(ref)), tolerance = 1e-10)
  }
  pdf(NULL)
  on.exit(dev.off())
  fit <- linear_regression(lpsa ~ ., data = subset(prostate, select = -train))
  expect_identical(plot(fit), fit)
  expect_identical(plot(fit, which = 4), fit)
  expect_statlearn_error(plot(fit, which = 5), "statlearn_error_range", "which")
})

test_that("decision-region scores are positive exactly where the class is predicted", {
  d2 <- droplevels(subset(iris, Species != "virginica"))
  fits <- list(
    quadratic_discriminant(Species ~ Petal.Length + Petal.Width, data = iris),
    regularized_discriminant(Species ~ Petal.Length + Petal.Width, data = iris, alpha = 0.5, gamma = 0.2),
    indicator_regression(Species ~ Petal.Length + Petal.Width, data = iris),
    separating_hyperplane(Species ~ Petal.Length + Petal.Width, data = d2)
  )
  set.seed(5)
  G <- cbind(Petal.Length = runif(400, 0.5, 7.5), Petal.Width = runif(400, 0, 2.7))
  for (fit in fits) {
    bare <- fit
    bare$terms <- NULL
    K <- length(fit$levels)
    S <- statlearn:::region_scores(bare, G, K)
    expect_false(is.null(S))
    cls <- as.integer(factor(predict(bare, G, type = "class"), levels = fit$levels))
    expect_identical(max.col(S, ties.method = "first"), cls)
    expect_true(all(S[cbind(seq_len(nrow(G)), cls)] >= 0))
  }
})

test_that("plot() works for every classifier and checks its arguments", {
  pdf(NULL)
  on.exit(dev.off())
  d2 <- droplevels(subset(iris, Species != "virginica"))
  fits <- list(
    quadratic_discriminant(Species ~ ., data = iris),
    regularized_discriminant(Species ~ ., data = iris, alpha = 0.5, gamma = 0),
    indicator_regression(Species ~ ., data = iris),
    perceptron(Species ~ Petal.Length + Petal.Width, data = d2),
    separating_hyperplane(Species ~ Petal.Length + Petal.Width, data = d2),
    quadratic_discriminant(as.matrix(iris[, 1:4]), iris$Species)
  )
  for (fit in fits) expect_identical(plot(fit), fit)
  q <- fits[[1L]]
  expect_identical(plot(q, dimensions = c("Petal.Length", "Petal.Width"),
                        newdata = iris[1:20, ], y = iris$Species[1:20]), q)
  expect_statlearn_error(plot(q, dimensions = c(1, 1)), "statlearn_error_range", "dimensions")
  expect_statlearn_error(plot(q, dimensions = "Petal"), "statlearn_error_range", "dimensions")
  expect_statlearn_error(plot(q, newdata = iris[1:5, ]), "statlearn_error_missing", "y")
  expect_statlearn_error(plot(q, newdata = iris[1:5, ], y = iris$Species[1:4]),
                         "statlearn_error_length", "y")
  one <- quadratic_discriminant(Species ~ Petal.Length, data = iris)
  expect_statlearn_error(plot(one), "statlearn_error_unsupported", "two inputs")
})

test_that("logistic regression plots: calibration, residuals, regions", {
  pdf(NULL)
  on.exit(dev.off())
  fit <- logistic_regression(chd ~ sbp + tobacco + ldl + famhist + age, data = SAheart)
  for (type in c("calibration", "residuals", "regions")) expect_identical(plot(fit, type = type), fit)
  heart <- transform(SAheart, agegroup = cut(age, c(0, 30, 50, 100)))
  multi <- logistic_regression(agegroup ~ sbp + tobacco + ldl, data = heart)
  expect_identical(plot(multi), multi)
  expect_statlearn_error(plot(multi, type = "residuals"), "statlearn_error_unsupported", "type")
  expect_statlearn_error(plot(fit, bins = 1), "statlearn_error_range", "bins")
})

test_that("the LDA canonical plot takes a legend and labelled centroids, with distinct colours", {
  pdf(NULL)
  on.exit(dev.off())
  fit <- linear_discriminant(y ~ ., data = vowel_train)
  expect_identical(plot(fit), fit)
  expect_identical(plot(fit, legend = "none", label_means = TRUE), fit)
  expect_identical(plot(fit, legend = "topleft"), fit)
  expect_statlearn_error(plot(fit, legend = "inside"), "statlearn_error_range", "legend")
  expect_statlearn_error(plot(fit, label_means = NA), "statlearn_error_type", "label_means")
  # Eleven classes, eleven different colours, none near-white.
  col <- statlearn:::class_colours(11L)
  expect_length(unique(col), 11L)
  expect_true(all(colSums(col2rgb(col)) < 3 * 240))
  # The mar set for the outside legend is given back.
  mar <- par("mar")
  plot(fit)
  expect_identical(par("mar"), mar)
})
