# subset, weights and na.action of every formula method, against the matrix
# interface on the rows model.frame() keeps (lm's conventions): the formula
# path must select exactly those rows and pass exactly those weights.

formula_data <- function(n = 90, seed = 61) {
  set.seed(seed)
  d <- data.frame(x1 = rnorm(n), x2 = rnorm(n), x3 = rnorm(n), x4 = rnorm(n))
  d$y <- d$x1 - d$x2 + 0.5 * d$x3 + rnorm(n)
  d$cls <- factor(ifelse(d$x1 + d$x2 > 0, "up", "down"))  # separable by a plane
  d$grp <- factor(ifelse(d$x1 + d$x2 + rnorm(n) > 0, "up", "down"))  # not separable
  d$w <- runif(n, 0.5, 2)
  d$x2[c(4, 30)] <- NA
  d$y[11] <- NA
  d
}

# name, fitter, response, extra arguments, takes weights, what to compare
formula_cases <- list(
  list("linear_regression", linear_regression, "y", list(), TRUE, coef),
  list("ridge_regression", ridge_regression, "y", list(lambda = 3), TRUE, coef),
  list("elastic_net", elastic_net, "y", list(alpha = 0.5, nlambda = 20), TRUE, function(f) f$beta),
  list("lasso", lasso, "y", list(nlambda = 20), TRUE, function(f) f$beta),
  list("lasso binomial", lasso, "grp", list(family = "binomial", nlambda = 20), TRUE, function(f) f$beta),
  list("pcr", pcr, "y", list(), TRUE, function(f) coef(f, ncomp = 3)),
  list("plsr", plsr, "y", list(), TRUE, function(f) coef(f, ncomp = 2)),
  list("lars", lars, "y", list(), TRUE, function(f) coef(f)),
  list("best_subset", best_subset, "y", list(), TRUE, function(f) coef(f, size = 2)),
  list("stepwise", stepwise, "y", list(criterion = "BIC"), TRUE, coef),
  list("forward_stagewise", forward_stagewise, "y", list(epsilon = 0.05), TRUE, coef),
  list("logistic_regression", logistic_regression, "grp", list(), TRUE, coef),
  list("indicator_regression", indicator_regression, "grp", list(), TRUE, coef),
  list("linear_discriminant", linear_discriminant, "grp", list(), TRUE,
       function(f) c(f$means, f$covariance)),
  list("quadratic_discriminant", quadratic_discriminant, "grp", list(), TRUE,
       function(f) c(f$means, f$covariances)),
  list("regularized_discriminant", regularized_discriminant, "grp", list(alpha = 0.5), TRUE,
       function(f) c(f$means, f$covariances)),
  list("perceptron", perceptron, "cls", list(seed = 3), FALSE, coef),
  list("separating_hyperplane", separating_hyperplane, "cls", list(), FALSE, coef)
)

test_that("every formula method fits the rows and weights that subset and na.omit leave", {
  d <- formula_data()
  keep <- seq_len(nrow(d)) %% 4 != 0
  xs <- c("x1", "x2", "x3", "x4")
  for (case in formula_cases) {
    name <- case[[1]]; fun <- case[[2]]; resp <- case[[3]]; args <- case[[4]]
    form <- stats::reformulate(xs, resp)
    # complete cases of the variables the model uses
    used <- c(xs, resp, if (case[[5]]) "w")
    ok <- keep & stats::complete.cases(d[used])
    fa <- c(list(form, data = d, subset = keep), if (case[[5]]) list(weights = d$w), args)
    xa <- c(list(as.matrix(d[ok, xs]), d[[resp]][ok]), if (case[[5]]) list(weights = d$w[ok]), args)
    ff <- do.call(fun, fa)
    fx <- do.call(fun, xa)
    expect_equal(unname(as.matrix(case[[6]](ff))), unname(as.matrix(case[[6]](fx))), tolerance = 1e-10,
                 info = name)
    # the fit saw sum(ok) rows: a subset or NA handling bug changes the answer
    fw <- do.call(fun, c(list(form, data = d), if (case[[5]]) list(weights = d$w), args))
    expect_false(isTRUE(all.equal(unname(as.matrix(case[[6]](fw))), unname(as.matrix(case[[6]](ff))))),
                 info = paste(name, "without subset differs"))
    # na.fail refuses the missing values
    expect_error(do.call(fun, c(fa, list(na.action = stats::na.fail))), "missing values", info = name)
  }
})
