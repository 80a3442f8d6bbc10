# ESL 5.4-5.5: cubic smoothing splines, with lambda given, matched to a df,
# or chosen by GCV or leave-one-out cross-validation.

#' Cubic smoothing spline
#'
#' Fits the function f with two continuous derivatives that minimises
#' \deqn{\sum_i w_i (y_i - f(x_i))^2 + \lambda \int f''(t)^2 dt}{sum w_i (y_i - f(x_i))^2 + lambda * integral f''(t)^2 dt}
#' (ESL 5.4), a natural cubic spline with knots at the distinct x, computed as
#' in ESL eq. 5.12 in the cubic B-spline basis: \eqn{(B'WB + \lambda
#' \Omega)\theta = B'Wy}{(B'WB + lambda Omega) theta = B'Wy}, a band system
#' solved in O(n). With many distinct x an evenly spread subset of them serves
#' as knots (ESL 5.4 notes that this thinning changes the fit negligibly; it
#' keeps the system well conditioned), chosen as [stats::smooth.spline()]
#' chooses them; `all_knots = TRUE` uses every distinct x. The diagonal of the
#' smoother matrix, hence the effective degrees of freedom
#' \eqn{df_\lambda = trace(S_\lambda)} (ESL 5.4.1), generalised
#' cross-validation and the exact leave-one-out residuals (ESL 5.5.2), are also
#' O(n) for each \eqn{\lambda} (Hutchinson and de Hoog's band inverse).
#'
#' Give `lambda` (on the scale of `x`: the penalty integrates over the units
#' of `x`), or `df` (the \eqn{\lambda} whose trace is `df`), or neither: then
#' \eqn{\lambda} minimises the `criterion`, GCV or leave-one-out
#' cross-validation. The fit is that of [stats::smooth.spline()] on the same
#' knots (whose `lambda` is on the scale of x mapped to \[0, 1\]: ours is
#' \eqn{range(x)^3} times it). x values closer than `tol` are treated as tied.
#'
#' **Nonparametric logistic regression** (`family = "binomial"`, ESL 5.6).
#' `y` has two classes (a factor, logical or 0/1; the second level is the
#' event) and the spline models the log-odds \eqn{f(x) = \log(p / (1 - p))}.
#' The fit maximises the penalised log-likelihood
#' \eqn{\sum_i w_i [y_i f(x_i) - \log(1 + e^{f(x_i)})] - \frac{\lambda}{2}
#' \int f''(t)^2 dt}{sum w_i [y_i f(x_i) - log(1 + exp(f(x_i)))] - lambda / 2
#' integral f''^2} (ESL eq. 5.30) by penalised iteratively reweighted least
#' squares (ESL 5.31-5.33): each step is the Gaussian fit above to the working
#' response \eqn{z = f + (y - p) / (p(1 - p))} with weights \eqn{w p (1 -
#' p)}, until the deviance changes by at most 1e-9 relative. `df` is matched
#' at each step's weights (so it is the trace of the final weighted smoother)
#' and with neither `df` nor `lambda` each step takes the GCV choice of its
#' Gaussian fit (the "performance iteration"). The fit gets `deviance`, `aic`
#' (deviance + 2 df), `iterations` and `converged`; `fitted()` gives
#' probabilities, and `predict(type = "response")` too (the default `type =
#' "link"` gives the log-odds).
#'
#' @param x A numeric vector of inputs, or a formula `y ~ x` for the formula
#'   method.
#' @param y The numeric response, as long as `x`.
#' @param df Effective degrees of freedom of the fit, or `NULL`.
#' @param lambda The smoothing parameter (> 0), or `NULL`.
#' @param weights Non-negative observation weights (default 1); observations
#'   of weight 0 do not influence the fit.
#' @param criterion How \eqn{\lambda} is chosen when neither `df` nor
#'   `lambda` is given: `"gcv"` (generalised cross-validation, ESL 7.52) or
#'   `"loo"` (leave-one-out cross-validation, ESL 5.26).
#' @param all_knots Use every distinct x as a knot (`TRUE`), or, for more
#'   than 49 distinct x, an evenly spread subset (`FALSE`, the default, as
#'   [stats::smooth.spline()]).
#' @param tol x values closer than this are treated as one (as in
#'   [stats::smooth.spline()]).
#' @param family `"gaussian"` (the penalised least squares above) or
#'   `"binomial"`: nonparametric logistic regression (ESL 5.6), see Details.
#' @param max_iter For `family = "binomial"`: the largest number of
#'   penalised IRLS iterations.
#' @param data For the formula method, a data frame holding the variables.
#' @param ... Unused.
#' @return An object of class `statlearn_smoothing_spline`: `knots`, the
#'   B-spline `coefficients`, the distinct x `x_distinct` with the fitted
#'   `values` there, `lambda`, `df`, `criterion` and the values of `gcv`,
#'   `loo` and the weighted residual sum of squares `rss`, and per observation
#'   `fitted.values`, `residuals`, `leverage` (the diagonal of the smoother
#'   matrix) and `weights`. `predict(fit, x, deriv = )` evaluates the spline
#'   (or its first, second or third derivative) at new x, linear beyond the
#'   boundary knots.
#' @references Hastie, Tibshirani and Friedman (2009), sections 5.4 and
#'   5.5. Green and Silverman (1994), *Nonparametric Regression and
#'   Generalized Linear Models*, chapter 2. Hutchinson and de Hoog (1985),
#'   Smoothing noisy data with spline functions, *Numerische Mathematik* 47.
#' @family chapter 5
#' @seealso [natural_spline_basis()]
#' @examples
#' fit <- smoothing_spline(bone$age, bone$spnbmd, df = 12)
#' fit
#' predict(fit, c(10, 15, 20))
#' plot(fit, main = "Relative spinal bone mineral density (ESL Figure 5.6)")
#' # lambda by generalised cross-validation
#' smoothing_spline(spnbmd ~ age, data = bone)$df
#' # nonparametric logistic regression (ESL 5.6)
#' heart <- smoothing_spline(chd ~ sbp, data = SAheart, family = "binomial", df = 4)
#' heart
#' predict(heart, c(120, 160, 200), type = "response")
#' @export
smoothing_spline <- function(x, ...) UseMethod("smoothing_spline")

#' @rdname smoothing_spline
#' @export
smoothing_spline.default <- function(x, y, df = NULL, lambda = NULL, weights = NULL,
                                     criterion = c("gcv", "loo"), all_knots = FALSE,
                                     tol = 1e-6 * stats::IQR(x), family = c("gaussian", "binomial"),
                                     max_iter = 50, ...) {
  check_dots(..., fun = "smoothing_spline")
  if (!is.numeric(x) || !is.null(dim(x)) && length(dim(x)) > 1L && min(dim(x)) > 1L) {
    abort_input("x", "a numeric vector", describe(x), class = "statlearn_error_type")
  }
  x <- as.double(x)
  n <- length(x)
  if (n == 0L) abort_input("x", "at least one value", "none", class = "statlearn_error_empty")
  check_finite_values(x, "x")
  family <- check_choice(family, c("gaussian", "binomial"), "family")
  levels <- NULL
  if (family == "binomial") {
    y <- check_class_y(y, n)
    if (length(levels(y)) != 2L) {
      abort_input("y", "two classes for family = \"binomial\"",
                  sprintf("%d class(es)", length(levels(y))), class = "statlearn_error_classes")
    }
    levels <- levels(y)
    y <- as.double(y == levels[2L])
  } else {
    if (!is.numeric(y) || !is.null(dim(y)) && length(dim(y)) > 1L && min(dim(y)) > 1L) {
      abort_input("y", "a numeric response vector", describe(y), class = "statlearn_error_type")
    }
    y <- as.double(y)
    if (length(y) != n) {
      abort_input("y", sprintf("of length %d (the length of x)", n), sprintf("length %d", length(y)),
                  class = "statlearn_error_length")
    }
    check_finite_values(y, "y")
  }
  max_iter <- check_count(max_iter, "max_iter", lower = 1)
  w <- if (is.null(weights)) rep(1, n) else check_weights(weights, n)
  criterion <- check_choice(criterion, c("gcv", "loo"), "criterion")
  all_knots <- check_flag(all_knots, "all_knots")
  if (!is.null(df) && !is.null(lambda)) {
    abort_input("lambda", "NULL when `df` is given (one of the two fixes the smoothing)", format(lambda),
                class = "statlearn_error_conflict")
  }
  use <- w > 0
  xu <- x[use]
  if (!is.numeric(tol) || length(tol) != 1L || !is.finite(tol) || tol <= 0) {
    tol <- if (is.numeric(tol) && length(tol) == 1L && is.finite(tol) && tol == 0 && length(xu)) {
      1e-6 * diff(range(xu))  # an IQR of zero (most x equal): a tolerance from the range
    } else {
      abort_input("tol", "a positive number", describe(tol), class = "statlearn_error_range")
    }
    if (!(tol > 0)) abort_input("x", "at least 4 distinct values", "fewer", class = "statlearn_error_constant")
  }
  # Distinct x (x within tol of each other are one), as smooth.spline bins
  # them: equal round((x - mean) / tol).
  yu <- y[use]
  wu <- w[use]
  o <- order(xu)
  g <- cpp_smoothing_spline_groups(xu, yu, wu, o, mean(xu), tol)
  ux <- g$x
  m <- length(ux)
  if (m < 4L) {
    abort_input("x", "at least 4 distinct values with positive weight", sprintf("%d", m),
                class = "statlearn_error_constant")
  }
  k <- g$group
  W <- g$W
  ybar <- g$ybar
  pure_ss <- g$pure_ss
  r <- ux[m] - ux[1L]
  xbar <- (ux - ux[1L]) / r
  nknots <- if (all_knots || m < 50L) m else smoothing_spline_nknots(m)
  knots <- if (nknots == m) xbar else xbar[seq.int(1, m, length.out = nknots)]
  if (!is.null(lambda)) {
    lambda <- check_number(lambda, "lambda", 0, Inf, lower_open = TRUE, upper_open = TRUE)
    mode <- 0L
    value <- lambda / r^3
  } else if (!is.null(df)) {
    df <- check_number(df, "df", 2, min(m, length(knots) + 2L), lower_open = TRUE, upper_open = TRUE)
    mode <- 1L
    value <- df
  } else {
    mode <- if (criterion == "gcv") 2L else 3L
    value <- 0
  }
  res <- cpp_smoothing_spline(xbar, ybar, W, pure_ss, k, yu, wu, knots, mode, value)
  obs_w <- wu  # the weights of the (last) Gaussian fit
  iterations <- NA_integer_
  deviance <- NA_real_
  converged <- NA
  if (family == "binomial") {
    # Penalised IRLS (ESL 5.6): the Gaussian fit to the working response
    # z = eta + (y - p) / (p (1 - p)) with weights w p (1 - p), at the given
    # lambda, at the lambda of the df at the current weights, or at the GCV
    # choice of the working fit (the "performance iteration").
    binomial_deviance <- function(p) {
      -2 * sum(wu * (yu * log(pmax(p, 1e-300)) + (1 - yu) * log(pmax(1 - p, 1e-300))))
    }
    eta <- stats::qlogis((wu * yu + 0.5) / (wu + 1))
    deviance <- Inf
    converged <- FALSE
    for (iterations in seq_len(max_iter)) {
      p <- stats::plogis(eta)
      v <- pmax(p * (1 - p), 1e-10)
      gw <- cpp_smoothing_spline_groups(xu, eta + (yu - p) / v, wu * v, o, mean(xu), tol)
      res <- cpp_smoothing_spline(xbar, gw$ybar, gw$W, gw$pure_ss, k, eta + (yu - p) / v, wu * v,
                                  knots, mode, value)
      eta <- res$fit[k]
      old <- deviance
      deviance <- binomial_deviance(stats::plogis(eta))
      if (abs(deviance - old) <= 1e-9 * (abs(deviance) + 0.1)) {
        converged <- TRUE
        break
      }
    }
    if (!converged) {
      warn(sprintf("The penalised IRLS did not converge in %d iterations (`max_iter`).", max_iter),
           class = "statlearn_warning_convergence")
    }
    W <- gw$W
    obs_w <- wu * v
  }
  if (mode == 1L && abs(res$df - df) > 1e-6 * df) {
    abort_input("df", "a value that a lambda reaches (df this close to 2 is the least-squares line: use linear_regression())",
                format(df), class = "statlearn_error_range")
  }
  if (!res$pivots_ok || !(res$df > 2 - 1e-3)) {
    abort_input("lambda", "a value small enough to compute (larger ones give the least-squares line: use linear_regression())",
                format(lambda), class = "statlearn_error_numerical")
  }
  if (!(max(res$leverage) <= 1 + 1e-6)) {
    abort_input("lambda", "a value large enough to compute (smaller ones interpolate the data)",
                format(lambda), class = "statlearn_error_numerical")
  }
  fit <- structure(list(
    knots = ux[1L] + r * knots, coefficients = res$coef, x_distinct = ux, values = res$fit,
    lambda = res$lambda * r^3, df = res$df,
    criterion = if (mode >= 2L) criterion else if (mode == 1L) "df" else "lambda",
    gcv = res$gcv, loo = res$loo, rss = res$rss, nobs = sum(use), scale = c(min = ux[1L], range = r),
    unit_knots = knots, family = family, levels = levels, deviance = deviance,
    iterations = iterations, converged = converged,
    weights = w, x = x, y = y, call = match.call()
  ), class = c("statlearn_smoothing_spline", "statlearn_model"))
  fitted <- predict(fit, x, type = "response")
  leverage <- numeric(n)
  leverage[use] <- res$leverage[k] * obs_w / W[k]
  fit$fitted.values <- fitted
  fit$residuals <- y - fitted
  fit$leverage <- leverage
  if (family == "binomial") fit$aic <- deviance + 2 * res$df
  fit
}

# The number of knots for m distinct x when they are thinned: all of them
# below 50, then slowly growing to about 200 (the rule of stats::smooth.spline).
smoothing_spline_nknots <- function(m) {
  if (m < 50L) return(m)
  a1 <- log2(50); a2 <- log2(100); a3 <- log2(140); a4 <- log2(200)
  trunc(if (m < 200L) 2^(a1 + (a2 - a1) * (m - 50) / 150)
        else if (m < 800L) 2^(a2 + (a3 - a2) * (m - 200) / 600)
        else if (m < 3200L) 2^(a3 + (a4 - a3) * (m - 800) / 2400)
        else 200 + (m - 3200)^0.2)
}

#' @rdname smoothing_spline
#' @export
smoothing_spline.formula <- function(x, data = NULL, ...) {
  formula <- x
  if (length(formula) != 3L || length(all.vars(formula[[3L]])) != 1L) {
    abort_input("x", "a formula `y ~ x` with one input", deparse(formula)[1L],
                class = "statlearn_error_formula")
  }
  mf <- tryCatch(stats::model.frame(formula, data, na.action = stats::na.omit),
                 error = function(e) abort(sprintf("Could not evaluate the formula: %s", conditionMessage(e)),
                                           class = c("statlearn_error_formula", "statlearn_error_input")))
  fit <- smoothing_spline.default(mf[[2L]], stats::model.response(mf), ...)
  fit$formula <- formula
  fit$names <- c(x = names(mf)[2L], y = names(mf)[1L])
  fit$call <- match.call()
  fit
}

#' @rdname smoothing_spline
#' @param object A `smoothing_spline()` fit.
#' @param newdata New x values (a numeric vector, or a data frame holding
#'   the input for a fit made by formula); by default the training x.
#' @param deriv The derivative to evaluate: 0 (the fit), 1, 2 or 3.
#' @param type For a binomial fit: `"link"` (the log-odds, and their
#'   derivatives) or `"response"` (probabilities). The same for a Gaussian
#'   fit.
#' @export
predict.statlearn_smoothing_spline <- function(object, newdata = NULL, deriv = 0,
                                               type = c("link", "response"), ...) {
  check_dots(..., fun = "predict")
  deriv <- check_count(deriv, "deriv", lower = 0, upper = 3)
  type <- check_choice(type, c("link", "response"), "type")
  if (is.null(newdata)) {
    newx <- object$x
  } else if (is.data.frame(newdata)) {
    v <- object$names[["x"]] %||% names(newdata)[1L]
    if (!v %in% names(newdata)) {
      abort_input("newdata", sprintf("a data frame with column `%s`", v), describe(newdata),
                  class = "statlearn_error_missing")
    }
    newx <- newdata[[v]]
  } else {
    newx <- newdata
  }
  if (!is.numeric(newx) || !is.null(dim(newx)) && length(dim(newx)) > 1L && min(dim(newx)) > 1L) {
    abort_input("newdata", "numeric x values", describe(newx), class = "statlearn_error_type")
  }
  if (any(is.infinite(newx))) {
    abort_input("newdata", "finite x values (NA gives NA)", "infinite values", class = "statlearn_error_nonfinite")
  }
  sc <- object$scale
  u <- (as.double(newx) - sc[["min"]]) / sc[["range"]]
  eta <- cpp_smoothing_spline_eval(object$unit_knots, object$coefficients, u, as.integer(deriv)) /
    sc[["range"]]^deriv
  if (identical(object$family, "binomial") && type == "response") {
    if (deriv > 0L) {
      abort_input("type", "\"link\" for derivatives", "\"response\"", class = "statlearn_error_conflict")
    }
    eta <- stats::plogis(eta)
  }
  eta
}

#' @export
print.statlearn_smoothing_spline <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  how <- switch(x$criterion, gcv = "chosen by GCV", loo = "chosen by leave-one-out CV",
                df = "matched to the df", lambda = "given")
  cat(sprintf("Cubic smoothing spline: %d observations, %d distinct x, %d knots\n", x$nobs,
              length(x$x_distinct), length(x$knots)))
  cat(sprintf("lambda %s (%s), effective df %s\n", format(signif(x$lambda, digits)), how,
              format(signif(x$df, digits))))
  if (identical(x$family, "binomial")) {
    cat(sprintf("Logistic (binomial, logit link): %s vs %s; deviance %s, AIC %s, %d IRLS iterations%s\n",
                x$levels[2L], x$levels[1L], format(signif(x$deviance, digits)),
                format(signif(x$aic, digits)), x$iterations, if (isTRUE(x$converged)) "" else " (not converged)"))
  } else {
    cat(sprintf("RSS %s, GCV %s, leave-one-out CV %s\n", format(signif(x$rss, digits)),
                format(signif(x$gcv, digits)), format(signif(x$loo, digits))))
  }
  invisible(x)
}

#' @rdname smoothing_spline
#' @param n For `plot()`: the number of points at which the curve is drawn.
#' @details `plot()` draws the data and the fitted curve.
#' @export
plot.statlearn_smoothing_spline <- function(x, n = 400, ...) {
  n <- check_count(n, "n", lower = 2, upper = 1e6)
  grid <- seq(min(x$x_distinct), max(x$x_distinct), length.out = n)
  labels <- x$names %||% c(x = "x", y = "y")
  args <- list(x = x$x, y = x$y, pch = 1, cex = 0.6, col = "grey45", xlab = labels[["x"]],
               ylab = labels[["y"]], main = sprintf("Smoothing spline, df = %.1f", x$df))
  extra <- list(...)
  args[names(extra)] <- extra
  do.call(graphics::plot, args)
  graphics::lines(grid, predict(x, grid, type = "response"), col = "firebrick", lwd = 2)
  invisible(x)
}
