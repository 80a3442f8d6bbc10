# ESL 9.1: generalized additive models, fitted by backfitting (Algorithm 9.1)
# and, for a binary response, local scoring (Algorithm 9.2), with cubic
# smoothing splines as the smoothers.

#' Mark a smoothing-spline term in an additive model formula
#'
#' Used inside the formula of [additive_model()]: `smooth_term(x, df = 4)`
#' makes x enter the model as a centred cubic smoothing spline f(x) (ESL 9.1)
#' whose smoother has `df` degrees of freedom, or whose smoothing parameter is
#' `lambda`. Called on its own it returns `x` unchanged.
#'
#' @param x A numeric input.
#' @param df Degrees of freedom of the term: trace(S) - 1 of its smoother
#'   matrix S at the fit's weights (ESL 9.1.2, the count of `gam::gam()`):
#'   `df = 1` is a straight line, which enters the linear part.
#' @param lambda The smoothing parameter on the scale of `x` (as in
#'   [smoothing_spline()]); when given it replaces `df`.
#' @return `x`.
#' @family chapter 9
#' @examples
#' smooth_term(1:5)
#' @export
smooth_term <- function(x, df = 4, lambda = NULL) x

#' Generalized additive models
#'
#' Fits the additive model \eqn{g(\mu) = \alpha + \sum_j f_j(X_j) + \beta'Z}{g(mu) = alpha + sum_j f_j(X_j) + beta'Z}
#' (ESL 9.1): each \eqn{f_j} a cubic smoothing spline of one input (ESL 5.4,
#' [smoothing_spline()]) centred to weighted mean zero over the training data,
#' and Z the inputs entering linearly (factors as dummy variables). The
#' Gaussian model (identity link) is fitted by backfitting (ESL Algorithm 9.1):
#' the linear part and the smooth terms are updated in turn, each by the
#' weighted smoothing spline (or least-squares fit) of the partial residuals,
#' until the fit changes by less than `tol`. The binomial model (logit link)
#' is fitted by local scoring (ESL Algorithm 9.2): iteratively reweighted least
#' squares whose weighted least-squares step is a weighted backfitting of the
#' working response, until the deviance changes by less than `tol`
#' relatively.
#'
#' **Degrees of freedom.** A term's `df` is trace(S_j) - 1, with S_j the
#' smoothing spline's smoother matrix on that input at the fit's weights (the
#' prior weights for the Gaussian family, the final IRLS weights for the
#' binomial), the constant removed because the term is centred: the count ESL
#' 9.1.2 and `gam::gam()` use (`smooth.spline(df = d + 1)` and
#' [smoothing_spline()]`(df = d + 1)` are the same smoother). `df = 1` is a
#' straight line and makes the input linear. With `df` given, each term's
#' \eqn{\lambda_j} is found for the weights of each backfitting (so for the
#' binomial family it is re-found at each local-scoring step); with `lambda`
#' given it is fixed. `lambda` is on the scale of the input, as in
#' [smoothing_spline()] (`smooth.spline()`'s lambda times range(x)^3, for
#' unit weights). Knots are thinned as [smoothing_spline()] and
#' [stats::smooth.spline()] thin them.
#'
#' **Standard errors.** For a smooth term the pointwise variance is
#' \eqn{\phi\, b(x)'(B'WB + \lambda\Omega)^{-1} b(x)}{phi b(x)'(B'WB + lambda Omega)^-1 b(x)},
#' the Bayesian posterior variance of the smoothing spline at the converged
#' weights W (at the data it is \eqn{\phi S_{ii}/w_i}{phi S_ii / w_i}, the
#' approximation `gam::gam()` uses), ignoring the uncertainty of the centring
#' and of the other terms; \eqn{\phi}{phi} is the dispersion (1 for the
#' binomial family, the residual mean square for the Gaussian). The
#' approximate test of nonlinearity in `summary()` is the score-type test of
#' Hastie and Tibshirani (1990) that `gam::gam()` reports: the drop in
#' (weighted) residual sum of squares of the final working regression if the
#' nonlinear part of the term, that is f_j minus its weighted linear fit on
#' x_j, were removed and the parametric part (intercept, linear terms and
#' every smooth input linearly) refitted, compared with a chi-squared (binomial)
#' or F (Gaussian) distribution on df - 1 degrees of freedom.
#'
#' @param x A formula, `y ~ smooth_term(x1, df = 4) + smooth_term(x2) + x3 + f`
#'   (terms in [smooth_term()] are smoothing splines, the others enter
#'   linearly; no interactions with smooth terms), or for the default method
#'   a numeric matrix of inputs, each column a smooth term. For `plot()`, a
#'   fit.
#' @param y For the default method, the response: numeric for `"gaussian"`; a
#'   factor with two levels (the second is the event), logical, or 0/1 for
#'   `"binomial"`.
#' @param data A data frame holding the formula's variables.
#' @param df For the default method: the degrees of freedom of every column's
#'   term, or one per column (1 = linear). See Details.
#' @param lambda For the default method: `NULL`, or smoothing parameters (one,
#'   or one per column) that replace `df`.
#' @param family `"gaussian"` (identity link) or `"binomial"` (logit link).
#' @param weights Positive prior weights (default 1).
#' @param tol Convergence tolerance: of backfitting, the relative change of
#'   the fitted additive predictor in one sweep; of local scoring, the
#'   relative change of the deviance.
#' @param max_iter Maximum number of backfitting sweeps (per local-scoring
#'   step).
#' @param max_outer Maximum number of local-scoring steps (binomial family).
#' @param ... Unused.
#' @return An object of class `statlearn_additive_model`: `coefficients` (the
#'   linear part, with the intercept), `smooth` (per smooth term: `name`, `df`,
#'   `lambda`, the spline's `knots` and `coefficients`, its centring
#'   constant), `fitted.values` (the mean), `linear.predictors`, the matrix
#'   `term_fitted` of the smooth terms at the data, `deviance`,
#'   `null.deviance`, `df.residual`, `aic`, `dispersion`, `iterations`,
#'   `converged`, `nonlinear` (the test of nonlinearity) and what predict()
#'   needs. Methods: `print`, `summary`, `predict`, `fitted`, `residuals`,
#'   `coef`, `plot` (the fitted functions with pointwise +-2 standard-error
#'   bands and a rug, as ESL Figure 9.1).
#' @references Hastie, Tibshirani and Friedman (2009), section 9.1. Hastie and
#'   Tibshirani (1990), *Generalized Additive Models*, Chapman and Hall,
#'   chapters 4-6.
#' @inheritParams statlearn-params
#' @family chapter 9
#' @seealso [smoothing_spline()]
#' @examples
#' set.seed(1)
#' n <- 300
#' d <- data.frame(x1 = runif(n), x2 = runif(n), g = factor(sample(c("a", "b"), n, TRUE)))
#' d$y <- sin(2 * pi * d$x1) + (d$x2 - 0.5)^2 + (d$g == "b") + rnorm(n, sd = 0.3)
#' fit <- additive_model(y ~ smooth_term(x1, df = 5) + smooth_term(x2) + g, data = d, threads = 1)
#' fit
#' summary(fit)
#' predict(fit, data.frame(x1 = c(0.1, 0.5), x2 = 0.5, g = "a"), se.fit = TRUE)
#' plot(fit)
#' # binomial: local scoring
#' d$z <- d$y > 0.7
#' additive_model(z ~ smooth_term(x1) + x2, data = d, family = "binomial", threads = 1)
#' @export
additive_model <- function(x, ...) UseMethod("additive_model")

#' @rdname additive_model
#' @export
additive_model.formula <- function(x, data = NULL, family = c("gaussian", "binomial"), weights = NULL,
                                   subset = NULL, na.action = NULL, tol = 1e-8, max_iter = 100,
                                   max_outer = 50, threads = NULL, ...) {
  check_dots(..., fun = "additive_model")
  formula <- x
  env <- environment(formula) %||% parent.frame()
  if (length(formula) != 3L) {
    abort_input("x", "a formula with a response, y ~ terms", deparse(formula)[1L],
                class = "statlearn_error_formula")
  }
  spec <- additive_formula_terms(formula, env)
  # model frame of the response, the linear variables and the smooth inputs
  rhs <- c(spec$linear, vapply(spec$smooth, function(s) s$label, ""))
  frame_formula <- stats::reformulate(if (length(rhs)) rhs else "1", response = formula[[2L]])
  environment(frame_formula) <- env
  call <- match.call(expand.dots = FALSE)
  call$x <- NULL
  call$formula <- frame_formula
  mf <- formula_model_frame(call, parent.frame())
  if (nrow(mf) == 0L) {
    abort_input("data", "at least one complete row", "none after removing missing values",
                class = "statlearn_error_empty")
  }
  y <- stats::model.response(mf, "any")
  w <- stats::model.weights(mf)
  lin_formula <- stats::reformulate(if (length(spec$linear)) spec$linear else "1", response = formula[[2L]])
  environment(lin_formula) <- env
  lin_tt <- stats::terms(lin_formula)
  X <- stats::model.matrix(lin_tt, mf)
  contrasts <- attr(X, "contrasts")
  X <- X[, colnames(X) != "(Intercept)", drop = FALSE]
  check_finite_values(X, "data")
  xs <- lapply(spec$smooth, function(s) as.vector(unname(mf[[s$label]])))
  names(xs) <- vapply(spec$smooth, function(s) s$name, "")
  fit <- additive_fit(y, w, X, xs, vapply(spec$smooth, function(s) s$df, 0),
                      lapply(spec$smooth, function(s) s$lambda), family, tol, max_iter, max_outer, threads)
  fit$formula <- formula
  fit$smooth_labels <- vapply(spec$smooth, function(s) s$label, "")
  fit$linear_labels <- spec$linear
  fit$terms <- lin_tt
  fit$xlevels <- stats::.getXlevels(lin_tt, mf)
  fit$contrasts <- contrasts
  fit$na.action <- attr(mf, "na.action")
  fit$call <- match.call()
  fit
}

#' @rdname additive_model
#' @export
additive_model.default <- function(x, y, df = 4, lambda = NULL, family = c("gaussian", "binomial"),
                                   weights = NULL, tol = 1e-8, max_iter = 100, max_outer = 50,
                                   threads = NULL, ...) {
  check_dots(..., fun = "additive_model")
  if (is.data.frame(x) && any(vapply(x, is.factor, logical(1)))) {
    abort_input("x", "numeric columns (use the formula interface, where factors enter linearly)",
                "factor column(s)", class = "statlearn_error_type")
  }
  x <- check_x(x)
  p <- ncol(x)
  if (!is.numeric(df) || !(length(df) %in% c(1L, p)) || anyNA(df)) {
    abort_input("df", sprintf("one number or %d (one per column of x)", p), describe(df),
                class = "statlearn_error_length")
  }
  df <- rep_len(as.double(df), p)
  if (!is.null(lambda)) {
    if (!is.numeric(lambda) || !(length(lambda) %in% c(1L, p))) {
      abort_input("lambda", sprintf("NULL, one number or %d (one per column of x)", p), describe(lambda),
                  class = "statlearn_error_length")
    }
    lambda <- rep_len(as.double(lambda), p)
  }
  lin <- df == 1 & (is.null(lambda))
  X <- x[, lin, drop = FALSE]
  smooth <- which(!lin)
  xs <- lapply(smooth, function(j) unname(x[, j]))
  names(xs) <- colnames(x)[smooth]
  fit <- additive_fit(y, weights, X, xs, df[smooth],
                      if (is.null(lambda)) vector("list", length(smooth)) else as.list(lambda[smooth]),
                      family, tol, max_iter, max_outer, threads)
  fit$xnames <- colnames(x)
  fit$linear_columns <- colnames(x)[lin]
  fit$call <- match.call()
  fit
}

# Parse the right-hand side: smooth_term() calls and linear terms.
additive_formula_terms <- function(formula, env) {
  tt <- tryCatch(stats::terms(formula), error = function(e) {
    abort(sprintf("Could not read the formula: %s", conditionMessage(e)),
          class = c("statlearn_error_formula", "statlearn_error_input"))
  })
  labels <- attr(tt, "term.labels")
  if (attr(tt, "intercept") != 1L) {
    abort_input("x", "a formula with an intercept (the smooth terms are centred)", deparse(formula)[1L],
                class = "statlearn_error_formula")
  }
  smooth <- list()
  linear <- character()
  for (lab in labels) {
    e <- str2lang(lab)
    if (is.call(e) && identical(e[[1L]], as.name("smooth_term"))) {
      mc <- match.call(smooth_term, e)
      if (is.null(mc$x)) {
        abort_input("x", "smooth_term() with an input", lab, class = "statlearn_error_formula")
      }
      df <- if (is.null(mc$df)) 4 else eval(mc$df, env)
      lambda <- if (is.null(mc$lambda)) NULL else eval(mc$lambda, env)
      if (!is.null(lambda)) lambda <- check_number(lambda, sprintf("lambda of %s", lab), 0, Inf, TRUE, TRUE)
      df <- check_number(df, sprintf("df of %s", lab), 1, Inf, upper_open = TRUE)
      xl <- paste(deparse(mc$x, width.cutoff = 500L), collapse = " ")
      if (is.null(lambda) && df == 1) {
        linear <- c(linear, xl)
      } else {
        smooth[[length(smooth) + 1L]] <- list(label = xl, name = lab, df = df, lambda = lambda)
      }
    } else if (grepl("smooth_term(", lab, fixed = TRUE)) {
      abort_input("x", "smooth_term() only as a term of its own (no interactions or functions of it)",
                  lab, class = "statlearn_error_formula")
    } else {
      linear <- c(linear, lab)
    }
  }
  list(smooth = smooth, linear = linear)
}

# The response for a family; returns list(y numeric, levels).
additive_response <- function(y, n, family) {
  if (family == "gaussian") {
    if (is.factor(y) || is.character(y)) {
      abort_input("y", "a numeric response for the gaussian family", describe(y),
                  class = "statlearn_error_type")
    }
    return(list(y = check_y(y, n), levels = NULL))
  }
  if (is.matrix(y) && ncol(y) == 1L) y <- drop(y)
  if (length(y) != n) {
    abort_input("y", sprintf("of length %d (the number of rows of x)", n), sprintf("length %d", length(y)),
                class = "statlearn_error_length")
  }
  if (anyNA(y)) abort_input("y", "a response without NA", sprintf("%d NA", sum(is.na(y))),
                            class = "statlearn_error_nonfinite")
  if (is.numeric(y) && !all(y %in% c(0, 1))) {
    abort_input("y", "a two-valued response for the binomial family (0/1, logical or a two-level factor)",
                sprintf("values other than 0 and 1 (%s)", paste(utils::head(setdiff(unique(y), c(0, 1)), 3L), collapse = ", ")),
                class = "statlearn_error_classes")
  }
  f <- if (is.numeric(y)) factor(y, levels = c(0, 1)) else droplevels(as.factor(y))
  if (nlevels(f) != 2L || any(table(f) == 0L)) {
    abort_input("y", "a two-valued response for the binomial family, both values present",
                sprintf("%d distinct value(s)", sum(table(f) > 0L)), class = "statlearn_error_classes")
  }
  list(y = as.double(as.integer(f) == 2L), levels = levels(f))
}

# Reduce a smooth input to its distinct values and knots (as smoothing_spline()).
additive_smooth_input <- function(x, name) {
  if (is.factor(x) || is.character(x) || is.logical(x) || !is.numeric(x) || !is.null(dim(x))) {
    abort_input(name, "a numeric input for a smooth term (factors enter linearly)", describe(x),
                class = "statlearn_error_type")
  }
  x <- as.double(x)
  check_finite_values(x, name)
  tol <- 1e-6 * stats::IQR(x)
  if (!(tol > 0)) tol <- 1e-6 * diff(range(x))
  if (!(tol > 0)) {
    abort_input(name, "at least 4 distinct values for a smooth term", "1", class = "statlearn_error_constant")
  }
  bins <- round((x - mean(x)) / tol)
  o <- order(x)
  first <- !duplicated(bins[o])
  ux <- x[o][first]
  m <- length(ux)
  if (m < 4L) {
    abort_input(name, "at least 4 distinct values for a smooth term", sprintf("%d", m),
                class = "statlearn_error_constant")
  }
  k <- match(bins, bins[o][first])
  r <- ux[m] - ux[1L]
  xbar <- (ux - ux[1L]) / r
  nknots <- smoothing_spline_nknots(m)
  knots <- if (nknots == m) xbar else xbar[seq.int(1, m, length.out = nknots)]
  list(x = xbar, knots = knots, bin = as.integer(k), min = ux[1L], range = r, m = m)
}

# The fit shared by both interfaces. X: linear inputs without intercept.
additive_fit <- function(y, weights, X, xs, df, lambda, family, tol, max_iter, max_outer, threads) {
  family <- check_choice(family, c("gaussian", "binomial"), "family")
  n <- nrow(X)
  resp <- additive_response(y, n, family)
  w <- check_weights(weights, n)
  if (any(w <= 0)) {
    abort_input("weights", "positive weights", sprintf("%d zero weight(s)", sum(w <= 0)),
                class = "statlearn_error_range")
  }
  tol <- check_number(tol, "tol", 0, 1, lower_open = TRUE)
  max_iter <- check_count(max_iter, "max_iter")
  max_outer <- check_count(max_outer, "max_outer")
  threads <- resolve_threads(threads)
  Xi <- cbind("(Intercept)" = 1, X)
  storage.mode(Xi) <- "double"
  terms <- vector("list", length(xs))
  for (j in seq_along(xs)) {
    s <- additive_smooth_input(xs[[j]], names(xs)[j])
    lam <- lambda[[j]]
    if (is.null(lam)) {
      upper <- min(s$m, length(s$knots) + 2L) - 1
      d <- check_number(df[j], sprintf("df of %s", names(xs)[j]), 1, upper, lower_open = TRUE, upper_open = TRUE)
      s$mode <- 1L
      s$value <- d
    } else {
      lam <- check_number(lam, sprintf("lambda of %s", names(xs)[j]), 0, Inf, TRUE, TRUE)
      s$mode <- 0L
      s$value <- lam / s$range^3
    }
    terms[[j]] <- s
  }
  Pm <- if (length(xs)) cbind(Xi, do.call(cbind, lapply(xs, as.double))) else Xi
  qx <- qr(Pm * sqrt(w))
  if (qx$rank < ncol(Pm)) {
    abort_input("x", "linear terms and smooth inputs that are not collinear (each smooth term also has a linear part)",
                sprintf("a design of rank %d < %d columns", qx$rank, ncol(Pm)), class = "statlearn_error_collinear")
  }
  res <- cpp_additive_model(resp$y, w, Xi, lapply(terms, function(s) s[c("x", "knots", "bin", "mode", "value")]),
                            if (family == "gaussian") 0L else 1L, tol, as.integer(max_iter), tol,
                            as.integer(max_outer), threads)
  if (res$fault == 2L) {
    abort_input("df", "values a smoothing parameter reaches (too close to 1, or near interpolation)",
                paste(format(df), collapse = ", "), class = "statlearn_error_range")
  }
  if (res$fault != 0L) {
    abort_input("lambda", "smoothing that gives a positive definite system (larger lambda or smaller df)",
                "a singular system", class = "statlearn_error_numerical")
  }
  if (!res$converged) {
    warn(sprintf("additive_model() did not converge in %d backfitting sweeps%s; increase `max_iter`%s (or `tol`).",
                 max_iter, if (family == "binomial") sprintf(" and %d local-scoring steps", max_outer) else "",
                 if (family == "binomial") " or `max_outer`" else ""),
         class = "statlearn_warning_convergence")
  }
  beta <- res$beta
  names(beta) <- colnames(Xi)
  smooth <- lapply(seq_along(terms), function(j) {
    s <- terms[[j]]
    tr <- res$terms[[j]]
    list(name = names(xs)[j], df = tr$df, lambda = tr$lambda * s$range^3,
         requested = if (s$mode == 1L) c(df = s$value) else c(lambda = s$value * s$range^3),
         unit_knots = s$knots, knots = s$min + s$range * s$knots, coefficients = tr$coef,
         center = tr$center, sigma = tr$sigma, scale = c(min = s$min, range = s$range),
         range = c(s$min, s$min + s$range), x_distinct = s$min + s$range * s$x)
  })
  names(smooth) <- names(xs)
  term_fitted <- matrix(as.double(unlist(lapply(res$terms, `[[`, "fitted"))), n, length(terms),
                        dimnames = list(NULL, names(xs)))
  eta <- res$eta
  mu <- res$mu
  yy <- resp$y
  if (family == "gaussian") {
    dev <- sum(w * (yy - mu)^2)
    null_dev <- sum(w * (yy - sum(w * yy) / sum(w))^2)
  } else {
    dev <- res$deviance
    p0 <- sum(w * yy) / sum(w)
    null_dev <- -2 * sum(w * (yy * log(p0) + (1 - yy) * log(1 - p0)))
  }
  total_df <- ncol(Xi) + sum(vapply(smooth, `[[`, 0, "df"))
  df_res <- n - total_df
  dispersion <- if (family == "gaussian") dev / df_res else 1
  aic <- if (family == "gaussian") {
    n * (log(2 * pi * dev / n) + 1) + 2 - sum(log(w)) + 2 * total_df
  } else {
    -2 * sum(w * ifelse(yy == 1, log(mu), log(1 - mu))) + 2 * total_df
  }
  fit <- structure(list(
    coefficients = beta, smooth = smooth, family = family, levels = resp$levels,
    fitted.values = mu, linear.predictors = eta, term_fitted = term_fitted,
    y = yy, prior.weights = w, weights = res$work_w, working = res$work_z,
    deviance = dev, null.deviance = null_dev, df.residual = df_res, df.total = total_df,
    dispersion = dispersion, aic = aic, iterations = res$iterations, local_scoring = res$outer,
    converged = res$converged, tol = tol, nobs = n, X = Xi
  ), class = c("statlearn_additive_model", "statlearn_model"))
  fit <- additive_inference(fit, xs)
  fit$training <- list(X = X, xs = unname(xs))
  fit$X <- NULL
  fit
}

# Covariance of the parametric part and the test of nonlinearity of each
# smooth term (see ?additive_model).
additive_inference <- function(fit, xs) {
  W <- fit$weights
  sw <- sqrt(W)
  J <- length(fit$smooth)
  P <- fit$X
  if (J) {
    L <- do.call(cbind, lapply(xs, as.double))
    colnames(L) <- names(xs)
    P <- cbind(P, L)
  }
  qp <- qr(P * sw)
  r_work <- fit$working - fit$linear.predictors
  chisq <- pval <- lin_coef <- lin_se <- numeric(J)
  phi <- fit$dispersion
  # parametric coefficients with the nonlinear parts as offsets (gam's "linear part")
  nl <- matrix(0, fit$nobs, J)
  for (j in seq_len(J)) {
    f <- fit$term_fitted[, j]
    A <- cbind(1, xs[[j]]) * sw
    nl[, j] <- f - drop(cbind(1, xs[[j]]) %*% qr.coef(qr(A), f * sw))
  }
  rank_ok <- qp$rank == ncol(P)
  if (rank_ok) {
    Rinv <- backsolve(qr.R(qp), diag(ncol(P)))
    V <- phi * tcrossprod(Rinv)
    piv <- qp$pivot
    V[piv, piv] <- V
    dimnames(V) <- list(colnames(P), colnames(P))
    coefP <- qr.coef(qp, (fit$working - rowSums(nl)) * sw)
    names(coefP) <- colnames(P)
  } else {
    V <- NULL
    coefP <- NULL
  }
  p <- ncol(fit$X)
  if (J) {
    Rs <- qr.resid(qp, nl * sw)
    chisq <- colSums(Rs^2) + 2 * colSums(Rs * (r_work * sw))
    npar <- vapply(fit$smooth, `[[`, 0, "df") - 1
    if (fit$family == "gaussian") {
      stat <- chisq / phi / npar
      pval <- stats::pf(stat, npar, fit$df.residual, lower.tail = FALSE)
    } else {
      stat <- chisq
      pval <- stats::pchisq(stat, npar, lower.tail = FALSE)
    }
    lin_coef <- if (rank_ok) coefP[p + seq_len(J)] else rep(NA_real_, J)
    lin_se <- if (rank_ok) sqrt(diag(V))[p + seq_len(J)] else rep(NA_real_, J)
    fit$nonlinear <- data.frame(
      df = vapply(fit$smooth, `[[`, 0, "df"), lambda = vapply(fit$smooth, `[[`, 0, "lambda"),
      linear = lin_coef, se = lin_se, z = lin_coef / lin_se,
      npar_df = npar, statistic = stat, p_value = pval,
      row.names = names(fit$smooth)
    )
  }
  fit$vcov_linear <- if (rank_ok) V[seq_len(p), seq_len(p), drop = FALSE] else NULL
  fit
}

#' @export
print.statlearn_additive_model <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Generalized additive model (%s family, %s link): %d observations\n", x$family,
              if (x$family == "gaussian") "identity" else "logit", x$nobs))
  if (length(x$smooth)) {
    cat("Smooth terms (df = trace(S) - 1):\n")
    tab <- data.frame(df = vapply(x$smooth, `[[`, 0, "df"), lambda = vapply(x$smooth, `[[`, 0, "lambda"))
    print(signif(tab, digits))
  }
  cat("Linear part:\n")
  print(signif(x$coefficients, digits))
  cat(sprintf("Deviance %s on %s residual df (null %s); AIC %s; %s after %d backfitting sweeps%s\n",
              format(signif(x$deviance, digits)), format(round(x$df.residual, 2)),
              format(signif(x$null.deviance, digits)), format(signif(x$aic, digits)),
              if (x$converged) "converged" else "NOT converged", x$iterations,
              if (x$family == "binomial") sprintf(" in %d local-scoring steps", x$local_scoring) else ""))
  invisible(x)
}

#' @rdname additive_model
#' @param object An `additive_model()` fit.
#' @export
summary.statlearn_additive_model <- function(object, ...) {
  check_dots(..., fun = "summary")
  V <- object$vcov_linear
  b <- object$coefficients
  se <- if (is.null(V)) rep(NA_real_, length(b)) else sqrt(diag(V))
  stat <- b / se
  pv <- if (object$family == "gaussian") 2 * stats::pt(-abs(stat), object$df.residual) else 2 * stats::pnorm(-abs(stat))
  coefs <- cbind(Estimate = b, `Std. Error` = se, statistic = stat, `p value` = pv)
  structure(list(coefficients = coefs, nonlinear = object$nonlinear, family = object$family,
                 deviance = object$deviance, null.deviance = object$null.deviance,
                 df.residual = object$df.residual, aic = object$aic, dispersion = object$dispersion,
                 nobs = object$nobs, converged = object$converged),
            class = "summary.statlearn_additive_model")
}

#' @export
print.summary.statlearn_additive_model <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Generalized additive model, %s family, %d observations\n", x$family, x$nobs))
  cat("\nLinear part:\n")
  stats::printCoefmat(x$coefficients, digits = digits, has.Pvalue = TRUE)
  if (!is.null(x$nonlinear)) {
    cat(sprintf("\nSmooth terms: df, lambda, linear component (coefficient, se, z) and the approximate\ntest of nonlinearity (%s on df - 1):\n",
                if (x$family == "gaussian") "F" else "chi-squared"))
    tab <- x$nonlinear
    tab[] <- lapply(tab, function(v) signif(v, digits))
    print(tab)
  }
  cat(sprintf("\nDispersion %s. Deviance %s on %s residual df (null deviance %s). AIC %s.%s\n",
              format(signif(x$dispersion, digits)), format(signif(x$deviance, digits)),
              format(round(x$df.residual, 2)), format(signif(x$null.deviance, digits)),
              format(signif(x$aic, digits)), if (x$converged) "" else " NOT converged."))
  invisible(x)
}

#' @export
coef.statlearn_additive_model <- function(object, ...) object$coefficients

#' @export
fitted.statlearn_additive_model <- function(object, ...) object$fitted.values

#' @rdname additive_model
#' @param type For `residuals()`: `"deviance"`, `"pearson"`, `"working"` or
#'   `"response"`. For `predict()`: `"link"` (the additive predictor),
#'   `"response"` (the mean) or `"terms"` (a matrix, one column per term).
#' @export
residuals.statlearn_additive_model <- function(object, type = c("deviance", "pearson", "working", "response"),
                                               ...) {
  type <- check_choice(type, c("deviance", "pearson", "working", "response"), "type")
  y <- object$y
  mu <- object$fitted.values
  w <- object$prior.weights
  switch(type,
         response = y - mu,
         working = object$working - object$linear.predictors,
         pearson = if (object$family == "gaussian") sqrt(w) * (y - mu) else sqrt(w) * (y - mu) / sqrt(mu * (1 - mu)),
         deviance = if (object$family == "gaussian") sqrt(w) * (y - mu) else {
           sign(y - mu) * sqrt(2 * w * ifelse(y == 1, -log(mu), -log(1 - mu)))
         })
}

# The inputs of new data: the linear design (without intercept) and the smooth inputs.
additive_new_inputs <- function(object, newdata) {
  if (!is.null(object$formula)) {
    if (!is.data.frame(newdata) && !is.list(newdata)) {
      abort_input("newdata", "a data frame (the model was fitted by formula)", describe(newdata),
                  class = "statlearn_error_type")
    }
    newdata <- as.data.frame(newdata)
    if (nrow(newdata) == 0L) abort_input("newdata", "at least one row", "none", class = "statlearn_error_empty")
    X <- new_design(list(terms = object$terms, xlevels = object$xlevels, contrasts = object$contrasts), newdata)
    env <- environment(object$formula) %||% globalenv()
    xs <- lapply(object$smooth_labels, function(lab) {
      v <- tryCatch(eval(str2lang(lab), newdata, env), error = function(e) {
        abort_input("newdata", sprintf("a data frame from which `%s` can be computed", lab),
                    conditionMessage(e), class = "statlearn_error_missing")
      })
      if (!is.numeric(v) || is.factor(v)) {
        abort_input("newdata", sprintf("numeric values of `%s`", lab), describe(v), class = "statlearn_error_type")
      }
      if (length(v) != nrow(newdata)) v <- rep_len(v, nrow(newdata))
      as.double(v)
    })
  } else {
    x <- newdata
    if (is.data.frame(x)) x <- as.matrix(x)
    if (is.vector(x) && is.numeric(x) && length(object$xnames) == length(x)) x <- matrix(x, 1L)
    if (!is.matrix(x) || !is.numeric(x)) {
      abort_input("newdata", "a numeric matrix", describe(newdata), class = "statlearn_error_type")
    }
    if (ncol(x) != length(object$xnames)) {
      abort_input("newdata", sprintf("a matrix with %d columns", length(object$xnames)), describe(x),
                  class = "statlearn_error_dimension")
    }
    if (!is.null(colnames(x)) && !identical(colnames(x), object$xnames)) {
      abort_input("newdata", sprintf("columns %s", paste(object$xnames, collapse = ", ")),
                  paste(colnames(x), collapse = ", "), class = "statlearn_error_dimension")
    }
    colnames(x) <- object$xnames
    X <- x[, object$linear_columns, drop = FALSE]
    xs <- lapply(names(object$smooth), function(v) as.double(x[, v]))
  }
  for (v in xs) {
    if (any(is.infinite(v))) {
      abort_input("newdata", "finite inputs (NA gives NA)", "infinite values", class = "statlearn_error_nonfinite")
    }
  }
  list(X = X, xs = xs)
}

# A smooth term's value (and variance, without the dispersion) at new inputs.
additive_term_eval <- function(s, x, variance = FALSE) {
  u <- (x - s$scale[["min"]]) / s$scale[["range"]]
  v <- cpp_smoothing_spline_eval(s$unit_knots, s$coefficients, u, 0L) - s$center
  if (!variance) return(v)
  list(fit = v, var = cpp_additive_term_variance(s$unit_knots, s$sigma, u))
}

#' @rdname additive_model
#' @param newdata New data: a data frame (formula fits) or matrix (default
#'   method); by default the training data.
#' @param se.fit Also return pointwise standard errors (see Details).
#' @export
predict.statlearn_additive_model <- function(object, newdata = NULL, type = c("link", "response", "terms"),
                                             se.fit = FALSE, ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("link", "response", "terms"), "type")
  se.fit <- check_flag(se.fit, "se.fit")
  if (is.null(newdata) && !se.fit && type != "terms") {
    return(if (type == "link") object$linear.predictors else object$fitted.values)
  }
  b <- object$coefficients
  phi <- object$dispersion
  if (is.null(newdata)) {
    smooth_fit <- object$term_fitted
    smooth_var <- NULL
    X <- NULL
  }
  if (!is.null(newdata) || se.fit) {
    if (is.null(newdata)) {
      stop_missing <- function() abort_input("newdata", "new data for standard errors of a fit without stored inputs",
                                             "NULL", class = "statlearn_error_missing")
      if (is.null(object$training)) stop_missing()
      inp <- object$training
    } else {
      inp <- additive_new_inputs(object, newdata)
    }
    X <- inp$X
    ev <- lapply(seq_along(object$smooth), function(j) additive_term_eval(object$smooth[[j]], inp$xs[[j]], TRUE))
    n <- nrow(X)
    smooth_fit <- matrix(as.double(unlist(lapply(ev, `[[`, "fit"))), n, length(ev),
                         dimnames = list(NULL, names(object$smooth)))
    smooth_var <- phi * matrix(as.double(unlist(lapply(ev, `[[`, "var"))), n, length(ev),
                               dimnames = list(NULL, names(object$smooth)))
  }
  Xi <- cbind(1, X)
  lin <- unname(drop(Xi %*% b))
  eta <- lin + rowSums(smooth_fit)
  V <- object$vcov_linear
  if (type == "terms") {
    out <- smooth_fit
    attr(out, "constant") <- b[[1L]]
    if (ncol(Xi) > 1L) {
      linpart <- sweep(Xi[, -1L, drop = FALSE], 2L, b[-1L], `*`)
      out <- cbind(linpart, out)
      attr(out, "constant") <- b[[1L]]
    }
    if (!se.fit) return(out)
    se <- sqrt(smooth_var)
    if (ncol(Xi) > 1L) {
      vl <- diag(V)[-1L]
      se <- cbind(sweep(Xi[, -1L, drop = FALSE]^2, 2L, vl, `*`)^0.5, se)
    }
    return(list(fit = out, se.fit = se))
  }
  mu <- if (object$family == "gaussian") eta else stats::plogis(eta)
  fitv <- if (type == "link") eta else mu
  if (!se.fit) return(fitv)
  var_lin <- rowSums((Xi %*% V) * Xi)
  se <- unname(sqrt(var_lin + rowSums(smooth_var)))
  if (type == "response" && object$family == "binomial") se <- se * mu * (1 - mu)
  list(fit = fitv, se.fit = se)
}

#' @rdname additive_model
#' @param select For `plot()`: which smooth terms to draw (names or numbers;
#'   default all).
#' @param se For `plot()`: draw the +-2 standard-error bands.
#' @param rug For `plot()`: draw the training inputs as a rug.
#' @param n For `plot()`: the number of points at which each curve is drawn.
#' @details `plot()` draws one panel per smooth term (in a grid of panels when
#'   there are several; set `par(mfrow)` yourself and give `select` to place
#'   them otherwise): the centred function with its pointwise +-2 standard-error
#'   band and a rug of the training inputs, as ESL Figure 9.1.
#' @export
plot.statlearn_additive_model <- function(x, select = NULL, se = TRUE, rug = TRUE, n = 200, ...) {
  J <- length(x$smooth)
  if (J == 0L) {
    abort_input("x", "a fit with at least one smooth term", "none", class = "statlearn_error_unsupported")
  }
  if (is.null(select)) select <- seq_len(J)
  if (is.character(select)) {
    bad <- setdiff(select, names(x$smooth))
    if (length(bad)) {
      abort_input("select", sprintf("names of smooth terms (%s)", paste(names(x$smooth), collapse = ", ")),
                  paste(bad, collapse = ", "), class = "statlearn_error_range")
    }
    select <- match(select, names(x$smooth))
  }
  if (!is.numeric(select) || any(select < 1 | select > J)) {
    abort_input("select", sprintf("term numbers in 1..%d", J), describe(select), class = "statlearn_error_range")
  }
  n <- check_count(n, "n", lower = 2, upper = 1e6)
  se <- check_flag(se, "se")
  rug <- check_flag(rug, "rug")
  if (length(select) > 1L) {
    old <- graphics::par(mfrow = grDevices::n2mfrow(length(select)))
    on.exit(graphics::par(old))
  }
  extra <- list(...)
  for (j in select) {
    s <- x$smooth[[j]]
    grid <- seq(s$range[1L], s$range[2L], length.out = n)
    ev <- additive_term_eval(s, grid, TRUE)
    band <- 2 * sqrt(x$dispersion * ev$var)
    lo <- ev$fit - band
    hi <- ev$fit + band
    args <- list(x = grid, y = ev$fit, type = "n", xlab = s$name, ylab = sprintf("f(%s)", s$name),
                 ylim = if (se) range(lo, hi) else range(ev$fit))
    args[names(extra)] <- extra
    do.call(graphics::plot, args)
    if (se) graphics::polygon(c(grid, rev(grid)), c(lo, rev(hi)), col = grDevices::adjustcolor("firebrick", 0.2),
                              border = NA)
    graphics::lines(grid, ev$fit, col = "firebrick", lwd = 2)
    if (rug) graphics::rug(s$x_distinct, col = "grey40")
  }
  invisible(x)
}
