# ESL 5.8: regularisation in reproducing kernel Hilbert spaces -- kernel
# ridge regression with Gaussian, polynomial and linear kernels. The engine
# (shared with thin_plate_spline()) is inst/include/statlearn/smooth/kernel_smoother.h.

#' Kernel ridge regression
#'
#' Fits \eqn{f(x) = \beta_0 + \sum_{i=1}^n \alpha_i K(x, x_i)}{f(x) = b0 +
#' sum_i alpha_i K(x, x_i)} by minimising the penalised residual sum of
#' squares \deqn{\|y - \beta_0 1 - K\alpha\|^2 + \lambda \alpha' K
#' \alpha}{||y - b0 - K alpha||^2 + lambda alpha' K alpha} over the
#' reproducing kernel Hilbert space of the kernel (ESL 5.8, eqs. 5.63-5.65,
#' and 5.8.2). Without the intercept the solution is ESL's
#' \eqn{\hat\alpha = (K + \lambda I)^{-1} y}{alpha = (K + lambda I)^-1 y}.
#'
#' **The intercept.** With `intercept = TRUE` (the default) the constant is an
#' unpenalised function beside the kernel (as the polynomial null space of a
#' thin-plate spline is): \eqn{(\alpha, \beta_0)} solve \eqn{(K + \lambda
#' I)\alpha + \beta_0 1 = y}{(K + lambda I) alpha + b0 1 = y} with
#' \eqn{\sum_i \alpha_i = 0}{sum alpha_i = 0}. This is the same as centring
#' `y` and the kernel (\eqn{HKH}{HKH}, \eqn{H = I - 11'/n}) and adding the
#' mean back; a large \eqn{\lambda} then shrinks towards the mean of `y`
#' rather than towards 0. For the linear kernel it is ridge regression with an
#' unpenalised intercept (ESL 3.4.1) in its dual form.
#'
#' **Many lambdas at once.** The (centred) kernel matrix is decomposed once,
#' \eqn{K = UDU'}{K = UDU'} (LAPACK's symmetric eigensolver through
#' Armadillo); then for every \eqn{\lambda} the coefficients, the effective
#' degrees of freedom \eqn{df_\lambda = trace(K(K + \lambda I)^{-1}) (+1)
#' = \sum_k d_k / (d_k + \lambda) (+1)}{df = sum d_k / (d_k + lambda) (+1
#' for the intercept)} and generalised cross-validation
#' \eqn{GCV = n\,RSS / (n - df)^2}{GCV = n RSS / (n - df)^2} (ESL 7.52) cost
#' O(n) more (O(n^2) for the coefficients). For a single `lambda` a Cholesky
#' factorisation replaces the eigen-decomposition (several times cheaper:
#' about 2.7 s against 20 s at n = 2000 under the reference BLAS).
#' Without `lambda` a grid of 30 values from \eqn{10^{-6}} to 10 times the
#' largest eigenvalue is used. `predict()` uses the value of smallest GCV
#' unless `lambda` is given.
#'
#' **Kernels** (as in CS229's notes and ESL 5.8.2):
#' * `"gaussian"`: \eqn{K(x, x') = \exp(-\|x - x'\|^2 / (2\sigma^2))}{exp(-||x - x'||^2 / (2 sigma^2))}.
#'   ESL 5.8.2 (eq. 5.67 and Figure 5.15) writes the radial kernel as
#'   \eqn{\exp(-\nu\|x - y\|^2)}{exp(-nu ||x - y||^2)}: \eqn{\nu = 1 / (2\sigma^2)}{nu = 1 / (2 sigma^2)},
#'   so ESL's \eqn{\nu = 1} is `sigma = sqrt(1/2)`.
#' * `"polynomial"`: \eqn{K(x, x') = (\mathrm{scale}\,\langle x, x'\rangle + \mathrm{offset})^{degree}}{(scale <x, x'> + offset)^degree}
#'   (ESL 5.8.2's \eqn{(1 + \langle x, y\rangle)^d}{(1 + <x, y>)^d} with the defaults).
#' * `"linear"`: \eqn{K(x, x') = \langle x, x'\rangle}{<x, x'>}.
#'
#' The kernel matrix is built in parallel on TBB (`threads`), with the same
#' bits for any number of threads. Inputs are used as given: scale them first
#' when their units differ.
#'
#' @inheritParams statlearn-params
#' @param kernel `"gaussian"`, `"polynomial"` or `"linear"`.
#' @param lambda Non-negative penalties (a vector is solved at once), or
#'   `NULL` for a grid. 0 interpolates (the kernel matrix must then be
#'   nonsingular).
#' @param sigma The Gaussian kernel's width (> 0).
#' @param degree The polynomial kernel's degree (a whole number >= 1).
#' @param scale,offset The polynomial kernel's scale (> 0) and offset (>= 0).
#' @param intercept Include an unpenalised intercept (see Details)?
#' @return An object of class `c("statlearn_kernel_ridge",
#'   "statlearn_model")`: `alpha` (n x L, one column per `lambda`),
#'   `intercept` (L values, 0 without intercept), `lambda` (decreasing), `df`, `rss`,
#'   `gcv`, `best` (the index of the smallest GCV), `eigenvalues` (of the
#'   kernel matrix, centred with the intercept; empty on the Cholesky path),
#'   `fitted.values` and `residuals` (n x L), the training `x` and the
#'   kernel's parameters. `coef()` gives `alpha` (a vector for one lambda),
#'   `predict(fit, newdata, lambda = )` predictions, `plot()` the GCV curve.
#' @references Hastie, Tibshirani and Friedman (2009), section 5.8 (and
#'   3.4.1, 7.10 for GCV). Wahba (1990), *Spline Models for Observational
#'   Data*, SIAM. Ng, CS229 lecture notes on kernel methods.
#' @family chapter 5
#' @seealso [thin_plate_spline()], [ridge_regression()]
#' @examples
#' set.seed(1)
#' x <- matrix(runif(100, -2, 2))
#' y <- sin(2 * x[, 1]) + rnorm(100, sd = 0.3)
#' fit <- kernel_ridge(x, y, sigma = 0.5, lambda = 10^seq(-4, 1, by = 0.25), threads = 1)
#' fit
#' plot(fit)
#' predict(fit, matrix(c(-1, 0, 1)))
#' @export
kernel_ridge <- function(x, ...) UseMethod("kernel_ridge")

#' @rdname kernel_ridge
#' @export
kernel_ridge.default <- function(x, y, kernel = c("gaussian", "polynomial", "linear"), lambda = NULL,
                                 sigma = 1, degree = 2, scale = 1, offset = 1, intercept = TRUE,
                                 threads = NULL, ...) {
  check_dots(..., fun = "kernel_ridge")
  x <- check_x(x, "x")
  fit <- fit_kernel_ridge(x, y, kernel, lambda, sigma, degree, scale, offset, intercept, threads)
  fit$call <- match.call()
  fit
}

#' @rdname kernel_ridge
#' @export
kernel_ridge.formula <- function(formula, data, subset, na.action, kernel = c("gaussian", "polynomial", "linear"),
                                 lambda = NULL, sigma = 1, degree = 2, scale = 1, offset = 1,
                                 intercept = TRUE, threads = NULL, ...) {
  check_dots(..., fun = "kernel_ridge")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_kernel_ridge(des$x, des$y, kernel, lambda, sigma, degree, scale, offset, intercept, threads)
  add_formula_info(fit, des, call)
}

# The kernel code and parameter vector for the glue.
kernel_parameters <- function(kernel, sigma, degree, scale, offset) {
  kernel <- check_choice(kernel, c("gaussian", "polynomial", "linear"), "kernel")
  switch(kernel,
         gaussian = {
           sigma <- check_positive(sigma, "sigma")
           list(kernel = kernel, code = 0L, par = 1 / (2 * sigma^2), sigma = sigma)
         },
         polynomial = {
           degree <- check_count(degree, "degree", lower = 1, upper = 100)
           scale <- check_positive(scale, "scale")
           offset <- check_nonnegative(offset, "offset")
           list(kernel = kernel, code = 1L, par = c(scale, offset, degree), degree = degree,
                scale = scale, offset = offset)
         },
         linear = list(kernel = kernel, code = 2L, par = 0))
}

fit_kernel_ridge <- function(x, y, kernel, lambda, sigma, degree, scale, offset, intercept, threads) {
  n <- nrow(x)
  y <- check_y(y, n)
  if (n < 2L) abort_input("x", "at least two rows", sprintf("%d", n), class = "statlearn_error_empty")
  k <- kernel_parameters(kernel, sigma, degree, scale, offset)
  intercept <- check_flag(intercept, "intercept")
  threads <- resolve_threads(threads)
  if (!is.null(lambda)) lambda <- check_penalty_sequence(lambda)
  T <- if (intercept) matrix(1, n, 1L) else matrix(0, n, 0L)
  if (is.null(lambda)) lambda <- numeric(0)  # the engine's grid, from the largest eigenvalue
  single <- length(lambda) == 1L && lambda > 0
  res <- cpp_kernel_smoother(x, T, y, k$code, k$par, 0L, lambda, 0, single, threads)
  if (res$fault == 2L) {
    abort_input("lambda", "positive values (the kernel matrix is singular, so lambda = 0 cannot interpolate)",
                "0", class = "statlearn_error_numerical")
  }
  best <- if (all(is.na(res$gcv))) 1L else which.min(res$gcv)
  structure(list(
    alpha = res$alpha, intercept = if (intercept) drop(res$beta) else rep(0, length(res$lambda)),
    lambda = res$lambda, df = res$df, rss = res$rss, gcv = res$gcv, best = best,
    eigenvalues = res$eigenvalues, fitted.values = res$fitted, residuals = y - res$fitted,
    x = x, xnames = colnames(x), y = y, kernel = k, has_intercept = intercept, nobs = n
  ), class = c("statlearn_kernel_ridge", "statlearn_model"))
}

# Index of the fitted lambda matching `lambda` (the GCV choice for NULL).
kernel_ridge_index <- function(fit, lambda) {
  if (is.null(lambda)) return(fit$best)
  if (!is.numeric(lambda) || length(lambda) < 1L || anyNA(lambda)) {
    abort_input("lambda", "values of the fit's lambda", describe(lambda), class = "statlearn_error_type")
  }
  idx <- vapply(lambda, function(l) {
    hit <- which(abs(fit$lambda - l) <= 1e-8 * pmax(abs(fit$lambda), 1e-300))
    if (length(hit)) hit[1L] else NA_integer_
  }, integer(1))
  if (anyNA(idx)) {
    abort_input("lambda", "values at which the model was fitted (refit with them: all lambdas are solved at once)",
                paste(format(lambda[is.na(idx)]), collapse = ", "), class = "statlearn_error_range")
  }
  idx
}

#' @rdname kernel_ridge
#' @param object A `kernel_ridge()` fit.
#' @param newdata New inputs (a matrix with the training columns, or a data
#'   frame for a fit made by formula); by default the training inputs.
#' @param threads Threads for the kernel evaluations.
#' @export
predict.statlearn_kernel_ridge <- function(object, newdata = NULL, lambda = NULL, threads = NULL, ...) {
  check_dots(..., fun = "predict")
  idx <- kernel_ridge_index(object, lambda)
  if (is.null(newdata)) return(drop(object$fitted.values[, idx, drop = FALSE]))
  newx <- new_design(object, newdata)
  threads <- resolve_threads(threads)
  k <- object$kernel
  out <- cpp_kernel_apply(newx, object$x, k$code, k$par, object$alpha[, idx, drop = FALSE], threads)
  out <- sweep(out, 2L, object$intercept[idx], "+")
  rownames(out) <- rownames(newx)
  if (length(idx) == 1L) drop(out) else out
}

#' @rdname kernel_ridge
#' @export
coef.statlearn_kernel_ridge <- function(object, lambda = NULL, ...) {
  check_dots(..., fun = "coef")
  idx <- if (is.null(lambda) && length(object$lambda) > 1L) seq_along(object$lambda) else kernel_ridge_index(object, lambda)
  a <- object$alpha[, idx, drop = FALSE]
  colnames(a) <- format(object$lambda[idx], digits = 4)
  if (length(idx) == 1L) drop(a) else a
}

#' @export
fitted.statlearn_kernel_ridge <- function(object, ...) drop(object$fitted.values[, object$best, drop = FALSE])

#' @export
residuals.statlearn_kernel_ridge <- function(object, ...) drop(object$residuals[, object$best, drop = FALSE])

#' @export
print.statlearn_kernel_ridge <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  k <- x$kernel
  desc <- switch(k$kernel,
                 gaussian = sprintf("Gaussian kernel, sigma = %s", format(signif(k$sigma, digits))),
                 polynomial = sprintf("polynomial kernel (%s <x, x'> + %s)^%d", format(k$scale), format(k$offset), k$degree),
                 linear = "linear kernel")
  cat(sprintf("Kernel ridge regression: %d observations, %d input(s), %s, %s\n", x$nobs, ncol(x$x), desc,
              if (x$has_intercept) "unpenalised intercept" else "no intercept"))
  b <- x$best
  if (length(x$lambda) > 1L) {
    cat(sprintf("%d lambda values from %s to %s; smallest GCV at lambda %s\n", length(x$lambda),
                format(signif(min(x$lambda), digits)), format(signif(max(x$lambda), digits)),
                format(signif(x$lambda[b], digits))))
  } else {
    cat(sprintf("lambda %s\n", format(signif(x$lambda, digits))))
  }
  cat(sprintf("effective df %s, RSS %s, GCV %s\n", format(signif(x$df[b], digits)),
              format(signif(x$rss[b], digits)), format(signif(x$gcv[b], digits))))
  invisible(x)
}

#' @rdname kernel_ridge
#' @details `plot()` draws GCV against \eqn{\log_{10}\lambda}{log10 lambda}
#'   with the effective degrees of freedom on the top axis and the chosen
#'   value marked.
#' @export
plot.statlearn_kernel_ridge <- function(x, ...) {
  if (length(x$lambda) < 2L) {
    abort_input("x", "a fit with several lambda values (a GCV curve)", "one lambda",
                class = "statlearn_error_range")
  }
  ok <- is.finite(x$gcv)
  ll <- log10(x$lambda[ok])
  args <- list(x = ll, y = x$gcv[ok], type = "b", pch = 20, xlab = expression(log[10](lambda)),
               ylab = "GCV", main = "Kernel ridge regression")
  extra <- list(...)
  args[names(extra)] <- extra
  main <- args$main
  args$main <- NULL
  op <- graphics::par(mar = c(5, 4, 5.5, 2) + 0.1)
  on.exit(graphics::par(op))
  do.call(graphics::plot, args)
  graphics::title(main = main, line = 3.6)
  at <- pretty(ll, 6)
  dfs <- stats::approx(ll, x$df[ok], at, rule = 2)$y
  graphics::axis(3, at = at, labels = format(round(dfs, 1)))
  graphics::mtext("effective degrees of freedom", side = 3, line = 2, cex = 0.8)
  graphics::abline(v = log10(x$lambda[x$best]), lty = 2, col = "grey40")
  invisible(x)
}
