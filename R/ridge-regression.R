#' Ridge regression along its whole path
#'
#' Minimises \eqn{\sum_i w_i (y_i - \beta_0 - x_i^T\beta)^2 + \lambda\|\beta\|^2}
#' on standardised inputs with the intercept unpenalised (ESL eq. 3.41). One
#' singular value decomposition of the centred, scaled x gives every point of
#' the path exactly: \eqn{\hat\beta(\lambda) = V \mathrm{diag}(d_j/(d_j^2 +
#' \lambda)) U^T y}, the effective degrees of freedom \eqn{df(\lambda) =
#' \sum_j d_j^2/(d_j^2 + \lambda)} (eq. 3.50) and generalised cross-validation.
#'
#' @inheritParams statlearn-params
#' @param lambda Optional penalty values; by default `nlambda` values on a log
#'   scale spanning degrees of freedom from about 0 to p.
#' @param nlambda Number of default penalty values.
#' @return An object of class `c("statlearn_ridge", "statlearn_path",
#'   "statlearn_model")` with `a0`, `beta` (original scale), `lambda`, `df`,
#'   `gcv`, and the decomposition (`d`, `v`, `uty`) that gives exact
#'   coefficients at any `lambda` or `df` through `coef()`.
#' @references Hastie, Tibshirani and Friedman (2009), section 3.4.1,
#'   equations 3.41-3.47 and 3.50, Figure 3.8. Golub, Heath and Wahba (1979),
#'   Generalized cross-validation as a method for choosing a good ridge
#'   parameter, *Technometrics* 21(2).
#' @family chapter 3
#' @export
#' @examples
#' train <- subset(prostate, train, select = -train)
#' fit <- ridge_regression(lpsa ~ ., data = train)
#' coef(fit, df = 5)
#' plot(fit, xvar = "df")
ridge_regression <- function(x, ...) UseMethod("ridge_regression")

#' @rdname ridge_regression
#' @export
ridge_regression.default <- function(x, y, weights = NULL, lambda = NULL, nlambda = 100,
                                     standardize = TRUE, ...) {
  check_dots(..., fun = "ridge_regression")
  fit <- fit_ridge(x, y, weights, lambda, nlambda, standardize)
  fit$call <- match.call()
  fit
}

#' @rdname ridge_regression
#' @export
ridge_regression.formula <- function(formula, data, subset, weights, na.action, ...) {
  check_dots(..., fun = "ridge_regression",
             allowed = setdiff(names(formals(fit_ridge)), c("x", "y", "weights")))
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_ridge(des$x, des$y, des$weights, ...)
  add_formula_info(fit, des, call)
}

fit_ridge <- function(x, y, weights = NULL, lambda = NULL, nlambda = 100, standardize = TRUE) {
  x <- check_x(x, "x")
  y <- check_y(y, nrow(x), "y")
  w <- check_weights(weights, nrow(x))
  standardize <- check_flag(standardize, "standardize")
  nlambda <- check_count(nlambda, "nlambda", lower = 2, upper = 10000)
  if (!is.null(lambda)) lambda <- check_penalty_sequence(lambda, "lambda")
  ws <- w / sum(w)
  xm <- colSums(x * ws)
  ym <- sum(y * ws)
  xc <- sweep(x, 2L, xm)
  scales <- if (standardize) sqrt(colSums(xc^2 * ws)) else rep(1, ncol(x))
  # Constant: no spread, or spread that is rounding relative to the mean (a
  # scale-free test: columns in tiny units are not constant).
  constant <- scales == 0 | scales <= 1e-12 * abs(xm)
  if (any(constant)) {
    abort_input("x", "columns that vary", sprintf("constant column(s) %s",
                paste0("'", colnames(x)[constant], "'", collapse = ", ")),
                class = "statlearn_error_constant")
  }
  xs <- sweep(xc, 2L, scales, "/") * sqrt(w)
  ys <- (y - ym) * sqrt(w)
  s <- svd(xs, nu = 0L)
  r <- sum(s$d > max(s$d) * 1e-10)
  d <- s$d[seq_len(r)]
  v <- s$v[, seq_len(r), drop = FALSE]
  uty <- drop(crossprod(xs %*% v, ys)) / d
  if (is.null(lambda)) lambda <- exp(seq(log(d[1L]^2 * 1e3), log(d[1L]^2 * 1e-5), length.out = nlambda))
  coefs <- ridge_coef_std(d, v, uty, lambda)
  beta <- coefs / scales
  dimnames(beta) <- list(colnames(x), paste0("s", seq_along(lambda) - 1L))
  df <- vapply(lambda, function(l) sum(d^2 / (d^2 + l)), numeric(1))
  rss <- vapply(lambda, function(l) sum(ys^2) - sum(uty^2) + sum((l / (d^2 + l))^2 * uty^2), numeric(1))
  n_eff <- sum(w > 0)
  gcv <- (rss / n_eff) / (1 - df / n_eff)^2
  new_path_fit(list(
    a0 = stats::setNames(ym - colSums(beta * xm), colnames(beta)), beta = beta, lambda = lambda,
    df = df, gcv = gcv, rss = rss, d = d, v = v, uty = uty, xm = xm, ym = ym, scales = scales,
    tuning_name = "lambda", tuning = lambda, axes = list(df = df, lambda = lambda),
    complexity = df, complexity_name = "Degrees of freedom",
    xnames = colnames(x), nobs = nrow(x), y = y, weights = w, standardize = standardize,
    method = "Ridge regression"
  ), "statlearn_ridge")
}

# Standardised-scale ridge coefficients (p x length(lambda)) from the SVD:
# beta = V diag(d / (d^2 + lambda)) U'y.
ridge_coef_std <- function(d, v, uty, lambda) {
  matrix(vapply(lambda, function(l) drop(v %*% (d / (d^2 + l) * uty)), numeric(nrow(v))), nrow(v))
}

#' @rdname ridge_regression
#' @param object A ridge fit.
#' @param df Effective degrees of freedom at which to return coefficients
#'   (between 0 and the rank of x); an alternative to `lambda`.
#' @export
coef.statlearn_ridge <- function(object, lambda = NULL, df = NULL, ...) {
  check_dots(..., fun = "coef")
  if (!is.null(lambda) && !is.null(df)) {
    abort_input("df", "NULL when `lambda` is given (choose one)", describe(df),
                class = "statlearn_error_conflict")
  }
  if (is.null(lambda) && is.null(df)) return(path_coef(object, seq_along(object$lambda)))
  d <- object$d
  if (!is.null(df)) {
    if (!is.numeric(df) || !length(df) || anyNA(df) || any(df <= 0) || any(df > length(d))) {
      abort_input("df", sprintf("values in (0, %d] (the rank of x)", length(d)), describe(df),
                  class = "statlearn_error_range")
    }
    lambda <- vapply(df, function(k) {
      if (k >= length(d)) return(0)
      f <- function(ll) sum(d^2 / (d^2 + exp(ll))) - k
      # df(lambda) is about sum(d^2) / lambda for large lambda and about
      # rank - lambda * sum(1 / d^2) for small: bracket the root from these.
      hi <- max(log(d[1L]^2) + 40, log(sum(d^2)) - log(k) + 1)
      lo <- min(log(d[1L]^2) - 40, log(length(d) - k) - log(sum(1 / d^2)) - 1)
      exp(stats::uniroot(f, c(lo, hi), tol = 1e-12)$root)
    }, numeric(1))
    label <- paste0("df=", signif(df, 4))
  } else {
    if (!is.numeric(lambda) || !length(lambda) || anyNA(lambda) || any(lambda < 0)) {
      abort_input("lambda", "non-negative numbers", describe(lambda), class = "statlearn_error_range")
    }
    label <- paste0("lambda=", signif(lambda, 4))
  }
  beta <- ridge_coef_std(d, object$v, object$uty, lambda) / object$scales
  beta <- matrix(beta, ncol = length(lambda))
  m <- rbind(object$ym - colSums(beta * object$xm), beta)
  dimnames(m) <- list(c("(Intercept)", object$xnames), label)
  coef_result(m)
}

#' @export
cv_fold_predict.statlearn_ridge <- function(fit, x, y, weights, xtest, threads) {
  f <- fit_ridge(x, y, weights, lambda = fit$lambda, standardize = fit$standardize)
  cbind(1, xtest) %*% rbind(f$a0, f$beta)
}
