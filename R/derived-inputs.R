# Methods using derived input directions (ESL section 3.5): principal
# components regression and partial least squares.

#' Principal components regression
#'
#' Regresses `y` on the first `m` principal components of the centred (and by
#' default standardised) predictors, for every `m` from 0 (the intercept-only
#' model) to `ncomp`, as in ESL section 3.5.1. The components come from the
#' eigen-decomposition of the weighted cross-product matrix of the centred
#' predictors, computed once in parallel, so that the whole path costs one
#' pass over the data.
#'
#' With `standardize = TRUE` every column is divided by its (weighted)
#' standard deviation `sqrt(sum(w * (x - m)^2) / sum(w))`. Because all columns
#' are divided by the same power of `n`, the coefficients are identical to
#' those from `sd()` scaling (divisor `n - 1`, as in `pls::pcr(scale = TRUE)`).
#' Coefficients are always reported on the original scale of `x`.
#'
#' @inheritParams statlearn-params
#' @param ncomp Largest number of components; the default is
#'   `min(n - 1, p)`.
#' @return An object of class `c("statlearn_pcr", "statlearn_derived",
#'   "statlearn_path", "statlearn_model")`: `a0` and `beta` (intercepts and
#'   coefficients for 0..`ncomp` components, original scale), `tuning` (the
#'   numbers of components), `directions` (the component loadings on the
#'   centred and scaled predictors, whose scores are
#'   `scale(x, xmean, xscale) %*% directions`), `xmean`, `xscale` and
#'   `explained` (percentage of the variance of X and of y explained by each
#'   component). Use `coef(fit, ncomp = m)` and `predict(fit, newdata, ncomp = m)`.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd edition, sections 3.5.1 and 3.6, Table 3.3.
#' @family chapter 3
#' @export
#' @examples
#' fit <- pcr(lpsa ~ . - train, data = prostate, threads = 1)
#' summary(fit)
#' coef(fit, ncomp = 7)
pcr <- function(x, ...) UseMethod("pcr")

#' @rdname pcr
#' @export
pcr.default <- function(x, y, ncomp = NULL, standardize = TRUE, weights = NULL,
                        threads = NULL, ...) {
  check_dots(..., fun = "pcr")
  fit <- fit_derived(x, y, weights, ncomp, standardize, threads, pls = FALSE)
  fit$call <- match.call()
  fit
}

#' @rdname pcr
#' @export
pcr.formula <- function(formula, data, subset, weights, na.action, ncomp = NULL,
                        standardize = TRUE, threads = NULL, ...) {
  check_dots(..., fun = "pcr")
  call <- match.call()
  mf <- formula_model_frame(call, parent.frame())
  des <- formula_design(mf)
  fit <- fit_derived(des$x, des$y, des$weights, ncomp, standardize, threads, pls = FALSE)
  add_formula_info(fit, des, call)
}

#' Partial least squares regression
#'
#' Fits partial least squares (ESL Algorithm 3.3) for every number of
#' directions from 0 (the intercept-only model) to `ncomp`. Each direction is
#' the covariance of the (deflated) predictors with `y`; the fit uses the
#' kernel form of the algorithm, which works on the cross products `X'WX` and
#' `X'Wy` of the centred predictors (computed once, in parallel) and gives the
#' same coefficients as NIPALS with orthogonal scores (`pls::plsr(method =
#' "oscorespls")`) and the kernel algorithm (`method = "kernelpls"`).
#'
#' Standardisation is as for [pcr()]: it uses the weighted standard deviation
#' with divisor `sum(w)`, which gives the same coefficients as `sd()` scaling.
#'
#' @inheritParams pcr
#' @return An object of class `c("statlearn_plsr", "statlearn_derived",
#'   "statlearn_path", "statlearn_model")` with the fields described in
#'   [pcr()]; here `directions` holds the PLS weights `R` such that the scores
#'   are `scale(x, xmean, xscale) %*% R`.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd edition, sections 3.5.2 and 3.6, Algorithm 3.3,
#'   Table 3.3. Dayal and MacGregor (1997), Improved PLS algorithms, *Journal of
#'   Chemometrics* 11, 73-85.
#' @family chapter 3
#' @export
#' @examples
#' fit <- plsr(lpsa ~ . - train, data = prostate, threads = 1)
#' summary(fit)
#' coef(fit, ncomp = 2)
plsr <- function(x, ...) UseMethod("plsr")

#' @rdname plsr
#' @export
plsr.default <- function(x, y, ncomp = NULL, standardize = TRUE, weights = NULL,
                         threads = NULL, ...) {
  check_dots(..., fun = "plsr")
  fit <- fit_derived(x, y, weights, ncomp, standardize, threads, pls = TRUE)
  fit$call <- match.call()
  fit
}

#' @rdname plsr
#' @export
plsr.formula <- function(formula, data, subset, weights, na.action, ncomp = NULL,
                         standardize = TRUE, threads = NULL, ...) {
  check_dots(..., fun = "plsr")
  call <- match.call()
  mf <- formula_model_frame(call, parent.frame())
  des <- formula_design(mf)
  fit <- fit_derived(des$x, des$y, des$weights, ncomp, standardize, threads, pls = TRUE)
  add_formula_info(fit, des, call)
}

fit_derived <- function(x, y, weights, ncomp, standardize, threads, pls) {
  x <- check_x(x, "x")
  n <- nrow(x)
  p <- ncol(x)
  y <- check_y(y, n)
  weights <- check_weights(weights, n)
  standardize <- check_flag(standardize, "standardize")
  threads <- resolve_threads(threads)
  if (n < 2L) {
    abort_input("x", "a matrix with at least two rows", describe(x), class = "statlearn_error_empty")
  }
  max_comp <- min(n - 1L, p)
  ncomp <- if (is.null(ncomp)) max_comp else check_count(ncomp, "ncomp", lower = 1, upper = max_comp)
  if (sum(weights > 0) < 2L) {
    abort_input("weights", "at least two rows of positive weight", sprintf("%d", sum(weights > 0)),
                class = "statlearn_error_empty")
  }
  res <- cpp_derived_fit(x, y, weights, standardize, ncomp, pls, threads)
  if (!(res$xtotal > 0)) {
    abort_input("x", "columns that vary over the rows of positive weight", "no variation",
                class = "statlearn_error_constant")
  }
  xnames <- colnames(x)
  beta <- res$beta
  dimnames(beta) <- list(xnames, NULL)
  directions <- res$directions
  dimnames(directions) <- list(xnames, paste0("Comp", seq_len(ncomp)))
  comps <- 0:ncomp
  explained <- data.frame(
    ncomp = seq_len(ncomp),
    X = 100 * res$xvar / res$xtotal,
    y = if (res$ytotal > 0) 100 * res$yss / res$ytotal else rep(0, ncomp)
  )
  explained$X_cumulative <- cumsum(explained$X)
  explained$y_cumulative <- cumsum(explained$y)
  new_path_fit(list(
    a0 = res$a0, beta = beta, tuning_name = "ncomp", tuning = comps,
    axes = list(ncomp = comps), complexity = comps, complexity_name = "ncomp",
    xnames = xnames, nobs = n, y = y, weights = weights,
    method = if (pls) "Partial least squares" else "Principal components regression",
    directions = directions, xmean = stats::setNames(res$xmean, xnames),
    xscale = stats::setNames(res$xscale, xnames), standardize = standardize,
    ncomp = ncomp, explained = explained, pls = pls
  ), c(if (pls) "statlearn_plsr" else "statlearn_pcr", "statlearn_derived"))
}

#' @rdname pcr
#' @param object A fit from [pcr()] or [plsr()].
#' @export
coef.statlearn_derived <- function(object, ncomp = NULL, ...) {
  check_dots(..., fun = "coef")
  path_coef_discrete(object, ncomp, "ncomp")
}

#' @export
summary.statlearn_derived <- function(object, ...) {
  check_dots(..., fun = "summary")
  out <- NextMethod()
  out$explained <- object$explained
  class(out) <- c("summary.statlearn_derived", class(out))
  out
}

#' @export
print.summary.statlearn_derived <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s, n = %d, p = %d\n", x$method, x$nobs, x$p))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("Percentage of variance explained by each component:\n")
  print(format(x$explained, digits = digits), row.names = FALSE)
  invisible(x)
}

#' @export
cv_fold_predict.statlearn_derived <- function(fit, x, y, weights, xtest, threads) {
  G <- length(fit$tuning)
  m <- min(max(fit$tuning), nrow(x) - 1L, ncol(x))
  res <- cpp_derived_fit(x, y, weights, isTRUE(fit$standardize), m, isTRUE(fit$pls), threads)
  pred <- xtest %*% res$beta + rep(res$a0, each = nrow(xtest))
  idx <- pmin(fit$tuning, m) + 1L
  pred[, idx, drop = FALSE]
}
