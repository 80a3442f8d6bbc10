#' Linear regression by least squares
#'
#' Fits \eqn{y = \beta_0 + X\beta + \varepsilon} by least squares. With
#' `method = "auto"` (the default) a tall, full-rank, well-conditioned design
#' is solved by the corrected semi-normal equations: a parallel SIMD kernel
#' forms the centred Gram matrix, a Cholesky factor gives the coefficients and
#' one refinement step from the residuals brings them to the accuracy of a QR
#' decomposition; any other design (aliased columns, a condition estimate
#' above 1e5, p close to n) goes to the QR decomposition with limited column
#' pivoting that [stats::lm()] uses, so aliased columns get `NA` coefficients
#' with a message. `method = "qr"` always uses QR; `method = "gram_schmidt"`
#' is regression by successive orthogonalisation (ESL Algorithm 3.1), for
#' teaching. `summary()` gives estimates, standard errors,
#' Z scores (t statistics) and p-values in the layout of ESL Table 3.2, the
#' residual standard error, \eqn{R^2} and the overall F statistic; `anova()`
#' compares nested fits by the F statistic of ESL eq. 3.13.
#'
#' @inheritParams statlearn-params
#' @param method `"auto"` (semi-normal equations with refinement when safe,
#'   else QR), `"qr"` (Householder QR, as lm) or `"gram_schmidt"` (successive
#'   orthogonalisation, ESL Algorithm 3.1).
#' @return An object of class `c("statlearn_linear_regression",
#'   "statlearn_model")` with `coefficients`, `fitted.values`, `residuals`,
#'   `sigma`, `df.residual`, `rank`, `cov.unscaled`, and for formula fits the
#'   terms needed by `predict()`.
#' @references Hastie, Tibshirani and Friedman (2009), section 3.2,
#'   equations 3.6-3.13, Algorithm 3.1, Table 3.2.
#' @family chapter 3
#' @export
#' @examples
#' train <- subset(prostate, train, select = -train)
#' train[1:8] <- scale(train[1:8])
#' fit <- linear_regression(lpsa ~ ., data = train)
#' summary(fit)   # ESL Table 3.2
#' confint(fit)
linear_regression <- function(x, ...) UseMethod("linear_regression")

#' @rdname linear_regression
#' @export
linear_regression.default <- function(x, y, weights = NULL, intercept = TRUE,
                                      method = c("auto", "qr", "gram_schmidt"), threads = NULL, ...) {
  check_dots(..., fun = "linear_regression")
  x <- check_x(x, "x", names = FALSE)
  fit <- fit_linear_regression(x, y, weights, check_flag(intercept, "intercept"), method, threads)
  fit$call <- match.call()
  fit
}

#' @rdname linear_regression
#' @export
linear_regression.formula <- function(formula, data, subset, weights, na.action,
                                      method = c("auto", "qr", "gram_schmidt"), threads = NULL, ...) {
  check_dots(..., fun = "linear_regression")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()), columns = TRUE)
  x <- des$x
  if (length(des$assign) == 0L && !des$intercept) {
    abort_input("formula", "at least one term", "an empty model", class = "statlearn_error_formula")
  }
  fit <- fit_linear_regression(x, des$y, des$weights, des$intercept, method, threads)
  add_formula_info(fit, des, call)
}

fit_linear_regression <- function(x, y, weights, intercept, method, threads = NULL) {
  method <- check_choice(method, c("auto", "qr", "gram_schmidt"), "method")
  threads <- resolve_threads(threads)
  # x is a matrix, or a formula design's list of columns (formula_design()).
  columns <- is.list(x)
  n <- if (columns) attr(x, "nrow") else nrow(x)
  if (n == 0L) abort_input("x", "at least one row", "none", class = "statlearn_error_empty")
  y <- check_y(y, n, "y")
  w <- check_weights(weights, n)
  xnames <- if (columns) names(x) else column_names(x)
  rn <- if (columns) attr(x, "row_names") else rownames(x)
  allnames <- c(if (intercept) "(Intercept)", xnames)
  fast <- NULL
  if (method == "auto" && length(xnames) > 0L && n >= 2L * length(allnames)) {
    fast <- cpp_least_squares(x, y, w, intercept, threads)
    if (!isTRUE(fast$ok)) fast <- NULL
  }
  if (!is.null(fast)) {
    coef <- stats::setNames(c(if (intercept) fast$intercept, fast$beta), allnames)
    cov_unscaled <- fast$cov_unscaled
    dimnames(cov_unscaled) <- list(allnames, allnames)
    df_res <- sum(w > 0) - length(allnames)
    return(structure(list(
      coefficients = coef, fitted.values = stats::setNames(fast$fitted, rn),
      residuals = stats::setNames(fast$residuals, rn), weights = w,
      rank = length(allnames), df.residual = df_res,
      sigma = if (df_res > 0) sqrt(fast$rss / df_res) else NaN,
      rss = fast$rss, cov.unscaled = cov_unscaled, intercept = intercept, xnames = xnames,
      nobs = n, y = y, method = "cholesky"
    ), class = c("statlearn_linear_regression", "statlearn_model")))
  }
  if (columns) x <- matrix(unlist(x, use.names = FALSE), n, length(xnames), dimnames = list(rn, xnames))
  xx <- if (intercept) cbind(1, x) else x
  colnames(xx) <- allnames
  sw <- sqrt(w)
  xw <- xx * sw
  yw <- y * sw
  if (method != "gram_schmidt") {
    method <- "qr"
    qx <- qr(xw, tol = 1e-7, LAPACK = FALSE)
    rank <- qx$rank
    piv <- qx$pivot
    coef <- rep(NA_real_, ncol(xx))
    if (rank > 0L) coef[piv[seq_len(rank)]] <- qr.coef(qx, yw)[piv[seq_len(rank)]]
    R <- qr.R(qx)[seq_len(rank), seq_len(rank), drop = FALSE]
  } else {
    gs <- successive_orthogonalization(xw, yw)
    rank <- gs$rank
    piv <- c(which(!gs$aliased), which(gs$aliased))
    coef <- rep(NA_real_, ncol(xx))
    coef[!gs$aliased] <- gs$coefficients
    R <- gs$R
  }
  names(coef) <- colnames(xx)
  if (rank < ncol(xx)) {
    message(sprintf("Aliased (linearly dependent) column(s) %s: coefficient(s) set to NA.",
                    paste0("'", colnames(xx)[is.na(coef)], "'", collapse = ", ")))
  }
  ok <- !is.na(coef)
  fitted <- drop(xx[, ok, drop = FALSE] %*% coef[ok])
  res <- y - fitted
  df_res <- sum(w > 0) - rank
  rss <- sum(w * res^2)
  sigma <- if (df_res > 0) sqrt(rss / df_res) else NaN
  Rinv <- if (rank > 0L) backsolve(R, diag(rank)) else matrix(0, 0, 0)
  cov_unscaled <- Rinv %*% t(Rinv)
  nm <- colnames(xx)[piv[seq_len(rank)]]
  dimnames(cov_unscaled) <- list(nm, nm)
  structure(list(
    coefficients = coef, fitted.values = stats::setNames(fitted, rn),
    residuals = stats::setNames(res, rn), weights = w, rank = rank,
    df.residual = df_res, sigma = sigma, rss = rss, cov.unscaled = cov_unscaled,
    intercept = intercept, xnames = xnames, nobs = n, y = y, method = method
  ), class = c("statlearn_linear_regression", "statlearn_model"))
}

#' Regression by successive orthogonalisation
#'
#' ESL Algorithm 3.1 (Gram-Schmidt): orthogonalise each column of `x` on the
#' residuals of the previous ones; the last coefficient is the simple
#' regression of y on the last residual vector. Here all coefficients are
#' recovered from the triangular factor. Columns whose residual is negligible
#' (relative norm below `tol`) are aliased.
#' @param x Numeric matrix (include a column of ones for an intercept).
#' @param y Numeric response.
#' @param tol Relative tolerance for aliasing.
#' @return A list with `coefficients` (for the non-aliased columns), `R`,
#'   `Z` (the orthogonal residual vectors), `aliased` and `rank`.
#' @references Hastie, Tibshirani and Friedman (2009), Algorithm 3.1.
#' @family chapter 3
#' @export
#' @examples
#' x <- cbind(1, as.matrix(prostate[, 1:8]))
#' successive_orthogonalization(x, prostate$lpsa)$coefficients
successive_orthogonalization <- function(x, y, tol = 1e-7) {
  x <- check_x(x, "x")
  y <- check_y(y, nrow(x), "y")
  tol <- check_number(tol, "tol", lower = 0, upper = 1, upper_open = TRUE)
  p <- ncol(x)
  Z <- matrix(0, nrow(x), 0L)
  R <- matrix(0, 0L, 0L)
  aliased <- logical(p)
  for (j in seq_len(p)) {
    xj <- x[, j]
    gamma <- if (ncol(Z)) drop(crossprod(Z, xj)) / colSums(Z^2) else numeric()
    zj <- if (ncol(Z)) xj - drop(Z %*% gamma) else xj
    if (sqrt(sum(zj^2)) <= tol * max(sqrt(sum(xj^2)), .Machine$double.xmin)) {
      aliased[j] <- TRUE
      next
    }
    k <- ncol(Z)
    R <- rbind(cbind(R, gamma), c(rep(0, k), 1))
    Z <- cbind(Z, zj)
  }
  # X = Z R with Z orthogonal: normalise to X = Q (D R), Q orthonormal.
  dz <- sqrt(colSums(Z^2))
  Rn <- R * dz
  theta <- drop(crossprod(Z, y)) / dz
  coef <- backsolve(Rn, theta)
  names(coef) <- colnames(x)[!aliased]
  list(coefficients = coef, R = Rn, Z = Z, aliased = aliased, rank = ncol(Z))
}

#' @export
coef.statlearn_linear_regression <- function(object, ...) object$coefficients

#' @export
fitted.statlearn_linear_regression <- function(object, ...) object$fitted.values

#' @export
residuals.statlearn_linear_regression <- function(object, ...) object$residuals

#' @export
vcov.statlearn_linear_regression <- function(object, ...) {
  check_residual_df(object, "a covariance matrix")
  object$sigma^2 * object$cov.unscaled
}

# Inference needs an estimate of sigma: at least one residual degree of
# freedom (n greater than the number of estimated coefficients).
check_residual_df <- function(object, what) {
  if (!(object$df.residual > 0)) {
    abort(sprintf(paste0("No residual degrees of freedom (%d observations with positive weight, ",
                         "%d coefficients estimated): sigma and hence %s cannot be estimated."),
                  as.integer(sum(object$weights > 0)), as.integer(object$rank), what),
          class = c("statlearn_error_df", "statlearn_error_input"))
  }
}

#' @export
deviance.statlearn_linear_regression <- function(object, ...) object$rss

#' @export
logLik.statlearn_linear_regression <- function(object, ...) {
  w <- object$weights
  n <- sum(w > 0)
  val <- 0.5 * (sum(log(w[w > 0])) - n * (log(2 * pi) + 1 - log(n) + log(object$rss)))
  structure(val, df = object$rank + 1, nobs = n, class = "logLik")
}

#' @export
print.statlearn_linear_regression <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat("Linear regression (least squares by ", switch(x$method, qr = "QR", cholesky = "refined semi-normal equations",
      gram_schmidt = "Gram-Schmidt"), ")\n", sep = "")
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients:\n")
  print(format(x$coefficients, digits = digits), quote = FALSE)
  invisible(x)
}

#' @export
summary.statlearn_linear_regression <- function(object, ...) {
  check_dots(..., fun = "summary")
  b <- object$coefficients
  ok <- !is.na(b)
  se <- rep(NA_real_, length(b))
  se[ok] <- object$sigma * sqrt(diag(object$cov.unscaled))[names(b)[ok]]
  z <- b / se
  df <- object$df.residual
  tab <- cbind(Estimate = b, `Std. Error` = se, `Z score` = z,
               `Pr(>|t|)` = 2 * stats::pt(abs(z), df, lower.tail = FALSE))
  y <- object$y
  w <- object$weights
  tss <- if (object$intercept) sum(w * (y - sum(w * y) / sum(w))^2) else sum(w * y^2)
  r2 <- 1 - object$rss / tss
  k <- object$rank - as.integer(object$intercept)
  fstat <- if (k > 0 && df > 0) ((tss - object$rss) / k) / (object$rss / df) else NA_real_
  structure(list(
    call = object$call, coefficients = tab, sigma = object$sigma, df = c(object$rank, df),
    r.squared = r2,
    adj.r.squared = 1 - (1 - r2) * (sum(w > 0) - as.integer(object$intercept)) / df,
    fstatistic = c(value = fstat, numdf = k, dendf = df), aliased = !ok
  ), class = "summary.statlearn_linear_regression")
}

#' @export
print.summary.statlearn_linear_regression <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  stats::printCoefmat(x$coefficients, digits = digits, na.print = "NA")
  cat(sprintf("\nResidual standard error: %s on %d degrees of freedom\n",
              format(signif(x$sigma, digits)), x$df[2L]))
  cat(sprintf("R-squared: %s, adjusted R-squared: %s\n", format(signif(x$r.squared, digits)),
              format(signif(x$adj.r.squared, digits))))
  if (is.finite(x$fstatistic[1L])) {
    cat(sprintf("F statistic: %s on %d and %d DF, p-value: %s\n",
                format(signif(x$fstatistic[1L], digits)), x$fstatistic[2L], x$fstatistic[3L],
                format.pval(stats::pf(x$fstatistic[1L], x$fstatistic[2L], x$fstatistic[3L],
                                      lower.tail = FALSE), digits = digits)))
  }
  invisible(x)
}

#' @export
confint.statlearn_linear_regression <- function(object, parm, level = 0.95, ...) {
  check_dots(..., fun = "confint")
  level <- check_number(level, "level", 0, 1, lower_open = TRUE, upper_open = TRUE)
  check_residual_df(object, "confidence intervals")
  b <- object$coefficients
  se <- summary(object)$coefficients[, 2L]
  q <- stats::qt((1 + level) / 2, object$df.residual)
  ci <- cbind(b - q * se, b + q * se)
  pct <- paste(format(100 * c((1 - level) / 2, (1 + level) / 2), trim = TRUE, digits = 3), "%")
  dimnames(ci) <- list(names(b), pct)
  if (!missing(parm)) ci <- ci[check_parm(parm, rownames(ci)), , drop = FALSE]
  ci
}

#' Predictions from a linear regression
#'
#' @param object A `linear_regression()` fit.
#' @param newdata New data: a data frame for formula fits, else a matrix with
#'   the training columns. Missing: the fitted values.
#' @param interval `"none"`, `"confidence"` (for the mean response) or
#'   `"prediction"` (for a new observation).
#' @param level Coverage of the intervals.
#' @param se.fit Also return the standard errors of the fitted mean,
#'   \eqn{\hat\sigma (h^T (H^TH)^{-1} h)^{1/2}} (ESL 8.2.2, as
#'   [stats::predict.lm()])?
#' @param ... Unused.
#' @return A vector, or a matrix with columns `fit`, `lwr`, `upr`; with
#'   `se.fit = TRUE` a list with `fit` (that vector or matrix), `se.fit`,
#'   `df` (residual degrees of freedom) and `residual.scale` (\eqn{\hat\sigma}),
#'   as [stats::predict.lm()].
#' @family chapter 3
#' @export
#' @examples
#' fit <- linear_regression(lpsa ~ lcavol + lweight, data = prostate)
#' predict(fit, prostate[1:3, ], interval = "prediction")
#' predict(fit, prostate[1:3, ], se.fit = TRUE)
predict.statlearn_linear_regression <- function(object, newdata, interval = c("none", "confidence", "prediction"),
                                                level = 0.95, se.fit = FALSE, ...) {
  check_dots(..., fun = "predict")
  se.fit <- check_flag(se.fit, "se.fit")
  interval <- check_choice(interval, c("none", "confidence", "prediction"), "interval")
  level <- check_number(level, "level", 0, 1, lower_open = TRUE, upper_open = TRUE)
  if (missing(newdata) || is.null(newdata)) {
    x <- NULL
  } else {
    x <- new_design(object, newdata)
  }
  b <- object$coefficients
  ok <- !is.na(b)
  if (is.null(x)) {
    if (interval == "none" && !se.fit) return(object$fitted.values)
    abort_input("newdata", "new data for intervals or standard errors", "none",
                class = "statlearn_error_missing")
  }
  xx <- if (object$intercept) cbind(`(Intercept)` = 1, x) else x
  fit <- drop(xx[, ok, drop = FALSE] %*% b[ok])
  if (interval == "none" && !se.fit) return(fit)
  check_residual_df(object, if (se.fit) "standard errors" else "intervals")
  xo <- xx[, ok, drop = FALSE][, rownames(object$cov.unscaled), drop = FALSE]
  v <- rowSums((xo %*% object$cov.unscaled) * xo) * object$sigma^2
  se <- sqrt(v)
  names(se) <- names(fit)
  if (interval == "prediction") v <- v + object$sigma^2
  q <- stats::qt((1 + level) / 2, object$df.residual)
  out <- if (interval == "none") fit else cbind(fit = fit, lwr = fit - q * sqrt(v), upr = fit + q * sqrt(v))
  if (!se.fit) return(out)
  list(fit = out, se.fit = se, df = object$df.residual, residual.scale = object$sigma)
}

#' @export
anova.statlearn_linear_regression <- function(object, ...) {
  fits <- c(list(object), list(...))
  if (length(fits) < 2L) {
    abort_input("...", "a second, nested linear_regression() fit to compare with", "none",
                class = "statlearn_error_missing")
  }
  ok <- vapply(fits, inherits, logical(1), "statlearn_linear_regression")
  if (!all(ok)) abort_input("...", "linear_regression() fits", "another kind of object",
                            class = "statlearn_error_type")
  n <- vapply(fits, function(f) f$nobs, numeric(1))
  if (length(unique(n)) > 1L) abort_input("...", "fits to the same observations",
                                          "fits with different numbers of rows",
                                          class = "statlearn_error_length")
  same <- vapply(fits[-1L], function(f) isTRUE(all.equal(unname(f$y), unname(fits[[1L]]$y), tolerance = 1e-12)) &&
                   isTRUE(all.equal(unname(f$weights), unname(fits[[1L]]$weights), tolerance = 1e-12)),
                 logical(1))
  if (!all(same)) {
    abort_input("...", "fits of the same response with the same weights",
                sprintf("fit %d with another response or other weights", which(!same)[1L] + 1L),
                class = "statlearn_error_mismatch")
  }
  rss <- vapply(fits, function(f) f$rss, numeric(1))
  dfr <- vapply(fits, function(f) f$df.residual, numeric(1))
  if (anyDuplicated(dfr)) {
    abort_input("...", "nested fits of different sizes", "two fits with the same residual degrees of freedom",
                class = "statlearn_error_mismatch")
  }
  big <- which.min(dfr)
  check_residual_df(fits[[big]], "an F test")
  ddf <- c(NA, -diff(dfr))
  dss <- c(NA, -diff(rss))
  f <- (dss / ddf) / (rss[big] / dfr[big])
  p <- stats::pf(f, ddf, dfr[big], lower.tail = FALSE)
  tab <- data.frame(Res.Df = dfr, RSS = rss, Df = ddf, `Sum of Sq` = dss, F = f, `Pr(>F)` = p,
                    check.names = FALSE)
  structure(tab, heading = "Analysis of variance: F tests between nested linear regressions (ESL eq. 3.13)\n",
            class = c("anova", "data.frame"))
}

#' Diagnostic plots of a linear regression
#'
#' The four standard checks of a least-squares fit (ESL 3.2): residuals
#' against fitted values (is the mean linear?), a normal quantile plot of the
#' standardised residuals (are the errors Gaussian, as the t and F tests of
#' Table 3.2 assume?), the scale-location plot (is the variance constant?) and
#' standardised residuals against leverage with Cook's distance contours (does
#' one observation drive the fit?). The three most extreme points are labelled
#' by row name.
#'
#' Standardised residuals are \eqn{e_i \sqrt{w_i} / (\hat\sigma \sqrt{1 - h_i})}
#' with leverages \eqn{h_i} the diagonal of the hat matrix; Cook's distance is
#' \eqn{r_i^2 h_i / (p (1 - h_i))}. Leverages need the training data, which are
#' rebuilt from the fit's call.
#'
#' @param x A [linear_regression()] fit.
#' @param which Which plots: any of 1 to 4.
#' @param ... Further graphical parameters passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @family chapter 3
#' @export
#' @examples
#' fit <- linear_regression(lpsa ~ . - train, data = prostate)
#' plot(fit)
#' plot(fit, which = 1)
plot.statlearn_linear_regression <- function(x, which = 1:4, ...) {
  if (!is.numeric(which) || !length(which) || anyNA(which) || any(!which %in% 1:4)) {
    abort_input("which", "plot numbers among 1 to 4", describe(which), class = "statlearn_error_range")
  }
  which <- unique(as.integer(which))
  d <- regression_diagnostics(x, parent.frame())
  if (length(which) > 1L && identical(graphics::par("mfrow"), c(1L, 1L))) {
    old <- graphics::par(mfrow = if (length(which) > 2L) c(2L, 2L) else c(1L, 2L),
                         mar = c(4, 4, 2.5, 1))
    on.exit(graphics::par(old), add = TRUE)
  }
  extra <- list(...)
  draw <- function(args, extreme) {
    args[names(extra)] <- extra
    do.call(graphics::plot, args)
    lab <- utils::head(order(-extreme), 3L)
    graphics::text(args$x[lab], args$y[lab], d$labels[lab], pos = 4, cex = 0.7, xpd = TRUE)
  }
  smooth <- function(u, v) {
    ok <- is.finite(u) & is.finite(v)
    if (sum(ok) > 3L) graphics::lines(stats::lowess(u[ok], v[ok]), col = "firebrick")
  }
  for (k in which) {
    if (k == 1L) {
      draw(list(x = d$fitted, y = d$residuals, xlab = "Fitted values", ylab = "Residuals",
                main = "Residuals vs fitted"), abs(d$residuals))
      graphics::abline(h = 0, lty = 3, col = "grey50")
      smooth(d$fitted, d$residuals)
    } else if (k == 2L) {
      q <- stats::qnorm(stats::ppoints(length(d$standardised)))[rank(d$standardised, ties.method = "first")]
      draw(list(x = q, y = d$standardised, xlab = "Normal quantiles",
                ylab = "Standardised residuals", main = "Normal Q-Q"), abs(d$standardised))
      graphics::abline(0, 1, lty = 3, col = "grey50")
    } else if (k == 3L) {
      s <- sqrt(abs(d$standardised))
      draw(list(x = d$fitted, y = s, xlab = "Fitted values",
                ylab = expression(sqrt("|standardised residuals|")), main = "Scale-location"), s)
      smooth(d$fitted, s)
    } else {
      draw(list(x = d$leverage, y = d$standardised, xlab = "Leverage",
                ylab = "Standardised residuals", main = "Residuals vs leverage",
                xlim = c(0, max(d$leverage, na.rm = TRUE) * 1.05)), d$cook)
      graphics::abline(h = 0, lty = 3, col = "grey50")
      # Cook's distance 0.5 and 1: r^2 = D p (1 - h) / h.
      h <- seq(max(min(d$leverage, na.rm = TRUE), 1e-3), max(d$leverage, na.rm = TRUE), length.out = 60)
      for (D in c(0.5, 1)) {
        r <- sqrt(D * d$p * (1 - h) / h)
        graphics::lines(h, r, lty = 2, col = "firebrick")
        graphics::lines(h, -r, lty = 2, col = "firebrick")
      }
      graphics::legend("bottomleft", lty = 2, col = "firebrick", legend = "Cook's distance 0.5 and 1",
                       bty = "n", cex = 0.7)
    }
  }
  invisible(x)
}

# Fitted values, residuals, leverages, standardised residuals and Cook's
# distances of a least-squares fit (zero-weight rows are left out).
regression_diagnostics <- function(fit, env) {
  td <- training_data(fit, env)
  b <- fit$coefficients
  ok <- !is.na(b)
  xx <- if (fit$intercept) cbind(`(Intercept)` = 1, td$x) else td$x
  xo <- xx[, ok, drop = FALSE][, rownames(fit$cov.unscaled), drop = FALSE]
  w <- fit$weights
  h <- w * rowSums((xo %*% fit$cov.unscaled) * xo)
  keep <- w > 0
  e <- fit$residuals
  r <- e * sqrt(w) / (fit$sigma * sqrt(pmax(1 - h, 0)))
  r[h >= 1 - 1e-10] <- NaN
  labels <- names(e) %||% rownames(td$x) %||% as.character(seq_along(e))
  p <- sum(ok)
  list(fitted = fit$fitted.values[keep], residuals = e[keep], leverage = h[keep],
       standardised = r[keep], cook = (r^2 * h / (p * (1 - h)))[keep], labels = labels[keep],
       p = p)
}
