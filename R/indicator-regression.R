#' Linear regression of an indicator matrix
#'
#' Classification by least squares (ESL section 4.2): the K classes are coded
#' by the n x K indicator response matrix \eqn{Y} (\eqn{Y_{ik} = 1} when
#' observation \eqn{i} is in class \eqn{k}), each column is regressed on the
#' inputs with an intercept, \eqn{\hat B = (X^TX)^{-1}X^TY} (ESL eq. 4.3), and a
#' new \eqn{x} is classified to the largest fitted value
#' \eqn{\hat f_k(x)} (eq. 4.4). The fitted values sum to one but are not
#' probabilities (they can be negative or above one). With three or more
#' classes a class can be *masked* by the others (ESL Figures 4.2-4.3);
#' polynomial terms of the inputs (for example `y ~ poly(x1, x2, degree = 2,
#' raw = TRUE)`) can remove the masking. The least squares fit uses a
#' Householder QR decomposition, so aliased columns get zero coefficients with
#' a message.
#'
#' @inheritParams linear_discriminant
#' @return An object of class `c("statlearn_indicator_regression",
#'   "statlearn_classifier", "statlearn_model")` with `coefficients` (the
#'   (p+1) x K matrix \eqn{\hat B}, intercepts first), `levels`, `counts`,
#'   `xnames`, `nobs` and, for formula fits, what `predict()` needs.
#'   `predict()` gives `type = "class"` or `"link"` (the fitted indicator
#'   values \eqn{\hat f_k(x)}); `fitted()` the same for the training data,
#'   found again from the call.
#' @references Hastie, Tibshirani and Friedman (2009), section 4.2,
#'   equations 4.3-4.4, Figures 4.2-4.3, Table 4.1.
#' @family chapter 4
#' @export
#' @examples
#' fit <- indicator_regression(y ~ ., data = vowel_train)
#' mean(predict(fit, vowel_test) != vowel_test$y)  # ESL Table 4.1: 0.67
#' head(predict(fit, vowel_test, type = "link"), 3)
indicator_regression <- function(x, ...) UseMethod("indicator_regression")

#' @rdname indicator_regression
#' @export
indicator_regression.default <- function(x, y, weights = NULL, ...) {
  check_dots(..., fun = "indicator_regression")
  x <- check_x(x, "x")
  fit <- fit_indicator_regression(x, y, weights)
  fit$call <- match.call()
  fit
}

#' @rdname indicator_regression
#' @export
indicator_regression.formula <- function(formula, data, subset, weights, na.action, ...) {
  check_dots(..., fun = "indicator_regression")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_indicator_regression(formula_x(des), des$y, des$weights)
  add_formula_info(fit, des, call)
}

fit_indicator_regression <- function(x, y, weights) {
  n <- nrow(x)
  y <- check_class_y(y, n)
  w <- check_weights(weights, n)
  lev <- levels(y)
  K <- length(lev)
  xnames <- column_names(x)
  Y <- matrix(0, n, K)
  Y[cbind(seq_len(n), as.integer(y))] <- 1
  X1 <- cbind(1, x)
  f <- stats::lm.wfit(X1, Y, w)
  B <- as.matrix(f$coefficients)
  aliased <- is.na(B[, 1L])
  if (any(aliased)) {
    message(sprintf("Aliased (linearly dependent) column(s) %s: coefficient(s) set to 0.",
                    paste0("'", c("(Intercept)", xnames)[aliased], "'", collapse = ", ")))
    B[aliased, ] <- 0
  }
  dimnames(B) <- list(c("(Intercept)", xnames), lev)
  structure(list(
    coefficients = B, levels = lev, counts = c(table(y)), xnames = xnames, nobs = n,
    aliased = c("(Intercept)", xnames)[aliased], call = NULL,
    method = "linear regression of an indicator matrix"
  ), class = c("statlearn_indicator_regression", "statlearn_classifier", "statlearn_model"))
}

#' @rdname indicator_regression
#' @param object A fit.
#' @param newdata New data: a data frame for formula fits, else a matrix with
#'   the training columns. Missing or `NULL`: the training data, found again
#'   from the fit's call.
#' @param type `"class"` (a factor with the training levels) or `"link"` (the
#'   n x K fitted indicator values).
#' @export
predict.statlearn_indicator_regression <- function(object, newdata = NULL, type = c("class", "link"),
                                                   ...) {
  check_dots(..., fun = "predict")
  predict_indicator(object, newdata, type, parent.frame())
}

predict_indicator <- function(object, newdata, type, env) {
  type <- check_choice(type, c("class", "link"), "type")
  x <- da_newx(object, newdata, env)
  B <- object$coefficients
  f <- x %*% B[-1L, , drop = FALSE] + rep(B[1L, ], each = nrow(x))
  if (type == "class") return(class_factor(max.col(f, ties.method = "first"), object$levels))
  dimnames(f) <- list(rownames(x), object$levels)
  f
}

#' @export
fitted.statlearn_indicator_regression <- function(object, type = c("class", "link"), ...) {
  check_dots(..., fun = "fitted")
  predict_indicator(object, NULL, type, parent.frame())
}

#' @export
coef.statlearn_indicator_regression <- function(object, ...) object$coefficients

#' @export
print.statlearn_indicator_regression <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Linear regression of an indicator matrix: n = %d, p = %d, K = %d classes\n", x$nobs,
              length(x$xnames), length(x$levels)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients:\n")
  print(round(x$coefficients, digits))
  invisible(x)
}
