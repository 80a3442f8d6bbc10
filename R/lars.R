# Least angle regression and its lasso and forward stagewise modifications
# (ESL section 3.4.4).

#' Least angle regression
#'
#' Computes the whole Least Angle Regression path (ESL Algorithm 3.2) with
#' exact breakpoints, or one of its two modifications: the lasso
#' (Algorithm 3.2a: a variable leaves the active set when its coefficient
#' crosses zero, which gives the exact lasso path) and infinitesimal forward
#' stagewise regression (the direction is projected onto the positive cone of
#' the signed active variables, by non-negative least squares, as in Efron et
#' al., 2004, section 3.2). The path is piecewise linear; its breakpoints are
#' computed in the C++ core from the Gram matrix of the centred, scaled
#' predictors with Cholesky updates of the active set's Gram matrix.
#'
#' The shrinkage factor `s` of a point is `sum(abs(beta)) / sum(abs(beta_end))`
#' with coefficients on the original scale of `x` and `beta_end` the end of the
#' path (the least squares fit when n > p), as in ESL Figures 3.10 and 3.15.
#' `lambda` is the largest absolute (weighted) inner product of the scaled
#' predictors with the residual, divided by the sum of the weights: for the
#' lasso type it is the penalty of `sum(w * r^2) / (2 * sum(w)) + lambda *
#' sum(abs(beta))` on the scaled predictors (standard deviation 1 when
#' `standardize = TRUE`).
#'
#' @inheritParams statlearn-params
#' @param type `"lar"`, `"lasso"` or `"stagewise"`.
#' @param max_steps Largest number of steps; the default `8 * min(p, n - 1)`
#'   (plain LAR needs at most `min(p, n - 1)`).
#' @param object A fit from [lars()].
#' @param s Values of the shrinkage factor at which to return coefficients
#'   (interpolated linearly between breakpoints).
#' @param step Step numbers (0 is the empty model).
#' @param lambda Values of `lambda` (interpolated linearly between breakpoints).
#' @return An object of class `c("statlearn_lars", "statlearn_path",
#'   "statlearn_model")` with `a0` and `beta` at every breakpoint (original
#'   scale), `tuning` (the shrinkage factor `s` at the breakpoints), `axes`
#'   (`s`, `step`, `lambda`, `df`, `norm` (the L1 norm of the coefficients) and
#'   `arc_length` (the L1 arc length, ESL Figure 3.15)), `df` (the number of active variables: for
#'   the lasso an unbiased estimate of the degrees of freedom), `rss`, `Cp`
#'   (`rss / sigma2 - n + 2 * (df + intercept)` with `sigma2` from the end of
#'   the path), `actions` (the variable entering, `+name`, or leaving, `-name`,
#'   at each step) and `type`. `coef(fit, s = )`, `coef(fit, step = )` and
#'   `coef(fit, lambda = )` select points; `predict()` takes the same arguments.
#' @references Efron, Hastie, Johnstone and Tibshirani (2004), Least angle
#'   regression, *Annals of Statistics* 32, 407-499. Hastie, Tibshirani and
#'   Friedman (2009), *The Elements of Statistical Learning*, 2nd edition,
#'   section 3.4.4, Algorithms 3.2 and 3.2a, Figure 3.15.
#' @family chapter 3
#' @export
#' @examples
#' fit <- lars(lpsa ~ . - train, data = prostate, type = "lasso", threads = 1)
#' fit
#' coef(fit, s = 0.5)
#' plot(fit, xvar = "s")
lars <- function(x, ...) UseMethod("lars")

#' @rdname lars
#' @export
lars.default <- function(x, y, type = c("lar", "lasso", "stagewise"), standardize = TRUE,
                         intercept = TRUE, max_steps = NULL, weights = NULL, threads = NULL, ...) {
  check_dots(..., fun = "lars")
  fit <- fit_lars(x, y, weights, type, standardize, intercept, max_steps, threads)
  fit$call <- match.call()
  fit
}

#' @rdname lars
#' @export
lars.formula <- function(formula, data, subset, weights, na.action,
                         type = c("lar", "lasso", "stagewise"), standardize = TRUE,
                         intercept = TRUE, max_steps = NULL, threads = NULL, ...) {
  check_dots(..., fun = "lars")
  call <- match.call()
  mf <- formula_model_frame(call, parent.frame())
  des <- formula_design(mf)
  fit <- fit_lars(des$x, des$y, des$weights, type, standardize, intercept, max_steps, threads)
  add_formula_info(fit, des, call)
}

lars_types <- c("lar", "lasso", "stagewise")

fit_lars <- function(x, y, weights, type, standardize, intercept, max_steps, threads) {
  x <- check_x(x, "x")
  n <- nrow(x)
  p <- ncol(x)
  y <- check_y(y, n)
  weights <- check_weights(weights, n)
  check_response_varies(y, weights)
  type <- check_choice(type, lars_types, "type")
  standardize <- check_flag(standardize, "standardize")
  intercept <- check_flag(intercept, "intercept")
  threads <- resolve_threads(threads)
  if (n < 2L) {
    abort_input("x", "a matrix with at least two rows", describe(x), class = "statlearn_error_empty")
  }
  max_steps <- if (is.null(max_steps)) 8L * max(1L, min(p, n - intercept))
               else check_count(max_steps, "max_steps", lower = 1, upper = .Machine$integer.max)
  res <- cpp_lars_fit(x, y, weights, match(type, lars_types) - 1L, standardize, intercept,
                      max_steps, threads)
  xnames <- colnames(x)
  beta <- res$beta
  dimnames(beta) <- list(xnames, NULL)
  K <- ncol(beta)
  norm1 <- colSums(abs(beta))
  s <- if (norm1[K] > 0) norm1 / norm1[K] else rep(0, K)
  steps <- seq_len(K) - 1L
  df <- res$df
  n_eff <- sum(weights > 0)
  resid_df <- n_eff - df[K] - intercept
  sigma2 <- if (resid_df > 0) res$rss[K] / resid_df else NA_real_
  cp <- res$rss / sigma2 - n_eff + 2 * (df + intercept)
  actions <- ifelse(res$entered > 0, paste0("+", xnames[pmax(res$entered, 1L)]), "")
  actions <- ifelse(res$dropped > 0,
                    paste0(actions, ifelse(nzchar(actions), " ", ""), "-",
                           xnames[pmax(res$dropped, 1L)]), actions)
  new_path_fit(list(
    a0 = res$a0, beta = beta, tuning_name = "s", tuning = s,
    axes = list(s = s, step = steps, lambda = res$lambda / res$wsum, df = df, norm = norm1,
                arc_length = cumsum(c(0, colSums(abs(beta[, -1L, drop = FALSE] -
                                                     beta[, -K, drop = FALSE]))))),
    complexity = s, complexity_name = "s",
    xnames = xnames, nobs = n, y = y, weights = weights,
    method = c(lar = "Least angle regression", lasso = "Lasso (LARS)",
               stagewise = "Forward stagewise (LARS)")[[type]],
    type = type, standardize = standardize, intercept = intercept, max_steps = max_steps,
    lambda = res$lambda / res$wsum, df = df, rss = res$rss, Cp = cp, sigma2 = sigma2,
    actions = actions, xmean = stats::setNames(res$xmean, xnames),
    xscale = stats::setNames(res$xscale, xnames)
  ), "statlearn_lars")
}

#' @rdname lars
#' @export
coef.statlearn_lars <- function(object, s = NULL, step = NULL, lambda = NULL, ...) {
  check_dots(..., fun = "coef")
  given <- !c(is.null(s), is.null(step), is.null(lambda))
  if (sum(given) > 1L) {
    abort_input("s", "given alone (not together with `step` or `lambda`)", "several of them",
                class = "statlearn_error_range")
  }
  if (!is.null(step)) {
    out <- path_coef_discrete(lars_step_view(object), step, "step")
    return(out)
  }
  if (!is.null(lambda)) return(path_coef_interpolate(object, object$axes$lambda, lambda, "lambda"))
  if (is.null(s)) return(path_coef(object, seq_along(object$tuning)))
  path_coef_interpolate(object, object$tuning, s, "s")
}

# The fit seen with the step number as its tuning parameter.
lars_step_view <- function(fit) {
  fit$tuning_name <- "step"
  fit$tuning <- fit$axes$step
  fit
}

#' @export
summary.statlearn_lars <- function(object, ...) {
  check_dots(..., fun = "summary")
  out <- NextMethod()
  out$table$action <- object$actions
  out$table$rss <- object$rss
  out$table$Cp <- object$Cp
  out
}

#' @export
cv_fold_predict.statlearn_lars <- function(fit, x, y, weights, xtest, threads) {
  sub <- fit_lars(x, y, weights, fit$type, fit$standardize, fit$intercept, fit$max_steps, threads)
  s <- pmin(pmax(fit$tuning, min(sub$tuning)), max(sub$tuning))
  B <- path_coef_interpolate(sub, sub$tuning, s, "s")
  B <- matrix(B, nrow = length(sub$xnames) + 1L)
  xtest %*% B[-1L, , drop = FALSE] + rep(B[1L, ], each = nrow(xtest))
}
