#' Projection pursuit regression
#'
#' Fits the additive model of ridge functions
#' \deqn{f(X) = \bar y + \sum_{m=1}^M g_m(w_m^T X)}
#' of ESL eq. 11.1, where each \eqn{w_m} is a unit vector (a *direction*) and
#' each \eqn{g_m} an unspecified smooth function (a *ridge function*) of the
#' derived input \eqn{V_m = w_m^T X}.
#'
#' The terms are added one at a time (forward stagewise). Term \eqn{m} is fitted
#' to the working response \eqn{r = y - \bar y - \sum_{k \ne m} g_k} by
#' alternating two steps (ESL section 11.2):
#' 1. with the direction \eqn{w} fixed, \eqn{g} is the smoothing spline of
#'    \eqn{r} on \eqn{v_i = w^T x_i} ([stats::smooth.spline()] with `df`
#'    equivalent degrees of freedom, or generalised cross-validation when `df`
#'    is `NULL`);
#' 2. with \eqn{g} fixed, \eqn{w} takes one Gauss-Newton step: expanding
#'    \eqn{g(w^T x_i) \approx g(v_i) + g'(v_i)(w - w_{old})^T x_i} turns the
#'    criterion into the weighted least-squares regression of the targets
#'    \eqn{v_i + (r_i - g(v_i))/g'(v_i)} on \eqn{x_i} with weights
#'    \eqn{g'(v_i)^2} (ESL eqs. 11.6-11.7; \eqn{g'} comes from
#'    `predict(..., deriv = 1)` of the spline). The new direction is scaled to
#'    unit length. If it does not lower the residual sum of squares, the step is
#'    halved (up to ten times); when no step helps, or the relative decrease is
#'    below `tol`, the term has converged.
#'
#' The first direction of a term is the least-squares direction of the working
#' response on the inputs; with `starts > 1`, `starts - 1` random unit
#' directions are tried as well and the best fit kept. With `backfit = TRUE`,
#' after each new term the earlier terms are refitted in turn, each to the
#' residual of all the others, until the residual sum of squares stops falling
#' (relative change below `tol`, at most `max_iter` sweeps). With `max_terms >
#' terms`, `max_terms` terms are fitted forward and then pruned as
#' [stats::ppr()] does: the least important term (smallest root mean square of
#' \eqn{g_m}) is dropped and the others backfitted, until `terms` remain.
#'
#' Inputs are centred and (with `standardize = TRUE`) scaled to unit variance
#' inside the fit; `coef()` gives the directions on the original scale of `x`,
#' each scaled to unit length, with the sign that makes its largest entry
#' positive. The fit is plain R: its cost is that of the smoothing splines
#' (a few milliseconds each for n in the thousands).
#'
#' @inheritParams statlearn-params
#' @param terms Number of terms M in the final model, a whole number from 1
#'   to 100.
#' @param max_terms Number of terms fitted forward before pruning back to
#'   `terms` (at least `terms`; the default does no pruning).
#' @param df Equivalent degrees of freedom of each ridge function's smoothing
#'   spline, a number above 1 (below the number of observations); `NULL`
#'   chooses them by generalised cross-validation at every step.
#' @param max_iter Maximum number of alternations (smooth, then direction) per
#'   term fit, and of backfitting sweeps.
#' @param tol Relative decrease of the residual sum of squares below which the
#'   alternation and the backfitting stop.
#' @param backfit Refit the earlier terms after each new term is added?
#' @param starts Number of starting directions tried for each new term: the
#'   least-squares direction and `starts - 1` random ones.
#' @return An object of class `c("statlearn_projection_pursuit",
#'   "statlearn_model")`: a list with `alpha` (the directions on the
#'   standardised scale, p x M), `directions` (the unit directions on the
#'   original scale), `smooths` (one [stats::smooth.spline()] fit object per
#'   term), `intercept`, `center`, `scale`, `fitted.values`, `residuals`,
#'   `projections` and `ridge` (n x M: \eqn{w_m^T x_i} on the standardised scale
#'   and \eqn{g_m} there), `df` and `iterations` per term, `converged`,
#'   `rss`, `rss_path` (residual sum of squares against the number of terms,
#'   after pruning) and the settings. Formula fits also keep what `predict()`
#'   needs to rebuild the design.
#' @references Hastie, Tibshirani and Friedman (2009), section 11.2, equations
#'   11.1-11.7. Friedman, J. H. and Stuetzle, W. (1981), Projection pursuit
#'   regression, *Journal of the American Statistical Association* 76, 817-823.
#' @family neural networks
#' @export
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(200 * 2), ncol = 2, dimnames = list(NULL, c("x1", "x2")))
#' y <- x[, 1] * x[, 2] + rnorm(200, sd = 0.1)   # ((x1 + x2)^2 - (x1 - x2)^2) / 4
#' fit <- projection_pursuit_regression(x, y, terms = 2)
#' fit
#' coef(fit)      # close to (1, 1) / sqrt(2) and (1, -1) / sqrt(2), up to sign
#' plot(fit)
#' d <- data.frame(y = y, x)
#' fit2 <- projection_pursuit_regression(y ~ x1 + x2, data = d, terms = 2)
#' predict(fit2, d[1:3, ])
projection_pursuit_regression <- function(x, ...) UseMethod("projection_pursuit_regression")

#' @rdname projection_pursuit_regression
#' @export
projection_pursuit_regression.default <- function(x, y, weights = NULL, terms = 2, max_terms = terms,
                                                  df = 5, max_iter = 50, tol = 1e-4, backfit = TRUE,
                                                  starts = 1, standardize = TRUE, seed = NULL, ...) {
  check_dots(..., fun = "projection_pursuit_regression")
  fit <- fit_projection_pursuit(x, y, weights, terms, max_terms, df, max_iter, tol, backfit,
                                starts, standardize, seed)
  fit$call <- match.call()
  fit
}

#' @rdname projection_pursuit_regression
#' @export
projection_pursuit_regression.formula <- function(formula, data, subset, weights, na.action, ...) {
  check_dots(..., fun = "projection_pursuit_regression",
             allowed = setdiff(names(formals(fit_projection_pursuit)), c("x", "y", "weights")))
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  if (ncol(des$x) == 0L) {
    abort_input("formula", "at least one input on its right-hand side", "none",
                class = "statlearn_error_formula")
  }
  fit <- fit_projection_pursuit(des$x, des$y, des$weights, ...)
  add_formula_info(fit, des, call)
}

fit_projection_pursuit <- function(x, y, weights = NULL, terms = 2, max_terms = terms, df = 5,
                                   max_iter = 50, tol = 1e-4, backfit = TRUE, starts = 1,
                                   standardize = TRUE, seed = NULL) {
  x <- check_x(x, "x")
  n <- nrow(x)
  p <- ncol(x)
  y <- check_y(y, n, "y")
  w <- check_weights(weights, n)
  terms <- check_count(terms, "terms", lower = 1, upper = 100)
  max_terms <- check_count(max_terms, "max_terms", lower = terms, upper = 100)
  if (!is.null(df)) {
    df <- check_number(df, "df", lower = 1, lower_open = TRUE)
    if (!is.finite(df)) abort_input("df", "a finite number above 1, or NULL", format(df),
                                    class = "statlearn_error_range")
  }
  max_iter <- check_count(max_iter, "max_iter", lower = 1, upper = 1e5)
  tol <- check_number(tol, "tol", lower = 0, upper = 1, lower_open = TRUE, upper_open = TRUE)
  backfit <- check_flag(backfit, "backfit")
  starts <- check_count(starts, "starts", lower = 1, upper = 1000)
  standardize <- check_flag(standardize, "standardize")
  # A seed is drawn only when random starts use it (so the default fit leaves
  # the caller's random stream alone); a given seed is checked either way.
  seed <- if (starts > 1L || !is.null(seed)) resolve_seed(seed) else NULL
  check_response_varies(y, w)
  npos <- sum(w > 0)
  if (npos <= p) {
    abort_input("x", sprintf("fewer columns than observations of positive weight (%d): each direction is a least-squares fit of p coefficients",
                             npos), sprintf("%d columns", p), class = "statlearn_error_dimension")
  }
  if (npos < 4L) {
    abort_input("weights", "at least four observations of positive weight (the smoother needs four distinct values)",
                sprintf("%d", npos), class = "statlearn_error_empty")
  }
  if (!is.null(df) && df >= npos) {
    abort_input("df", sprintf("below the number of observations of positive weight (%d)", npos),
                format(df), class = "statlearn_error_range")
  }
  ws <- w / sum(w)
  center <- colSums(x * ws)
  xc <- sweep(x, 2L, center)
  spread <- sqrt(colSums(xc^2 * ws))
  constant <- spread == 0 | spread <= 1e-12 * abs(center)
  if (any(constant)) {
    abort_input("x", "columns that vary", sprintf("constant column(s) %s",
                paste0("'", colnames(x)[constant], "'", collapse = ", ")),
                class = "statlearn_error_constant")
  }
  scale <- if (standardize) spread else rep(1, p)
  names(center) <- names(scale) <- colnames(x)
  xs <- sweep(xc, 2L, scale, "/")
  ybar <- sum(ws * y)
  ctl <- list(df = df, max_iter = max_iter, tol = tol, starts = starts)
  core <- function() ppr_forward(xs, y - ybar, w, terms, max_terms, backfit, ctl)
  res <- if (is.null(seed)) core() else with_seed(seed, core())
  if (!all(res$converged)) {
    warn(sprintf("projection pursuit: the fit of term(s) %s stopped at `max_iter` = %d alternations without converging; increase `max_iter` or `tol`.",
                 paste(which(!res$converged), collapse = ", "), max_iter),
         class = "statlearn_warning_convergence")
  }
  M <- ncol(res$alpha)
  tn <- paste("term", seq_len(M))
  alpha <- res$alpha
  dimnames(alpha) <- list(colnames(x), tn)
  directions <- alpha / scale
  directions <- sweep(directions, 2L, sqrt(colSums(directions^2)), "/")
  fitted <- ybar + rowSums(res$G)
  rn <- rownames(x)
  dimnames(res$G) <- dimnames(res$V) <- list(rn, tn)
  structure(list(
    alpha = alpha, directions = directions, smooths = res$smooths, intercept = ybar,
    center = center, scale = scale,
    fitted.values = stats::setNames(fitted, rn), residuals = stats::setNames(y - fitted, rn),
    projections = res$V, ridge = res$G,
    df = stats::setNames(res$df, tn), iterations = stats::setNames(res$iterations, tn),
    converged = all(res$converged), rss = sum(w * (y - fitted)^2), rss_path = res$rss_path,
    tss = sum(w * (y - ybar)^2), n_terms = M, max_terms = max_terms, df_setting = df,
    max_iter = max_iter, tol = tol, backfit = backfit, starts = starts, seed = seed,
    standardize = standardize, xnames = colnames(x), nobs = n, y = y, weights = w,
    method = "Projection pursuit regression"
  ), class = c("statlearn_projection_pursuit", "statlearn_model"))
}

# The smoothing spline of r on v, with the fitted values and the weighted RSS.
# The tie tolerance is set here (smooth.spline's default, 1e-6 * IQR, is 0 when
# most projections are equal) and too few distinct projections is a classed
# error rather than smooth.spline's message.
ppr_smooth <- function(v, r, w, df) {
  tol <- 1e-6 * max(stats::IQR(v), diff(range(v)))
  nux <- if (tol > 0) length(unique(round((v[w > 0] - mean(v)) / tol))) else 1L
  need <- max(4L, if (is.null(df)) 4L else floor(df) + 1L)
  if (nux < need) {
    abort(sprintf(paste0("A projection w'x of the inputs takes %d distinct value(s); the ridge function's ",
                         "smoothing spline needs at least %d (more than `df`). Use inputs with more distinct ",
                         "values or a smaller `df`."), nux, need),
          class = c("statlearn_error_smoother", "statlearn_error_input"))
  }
  s <- if (is.null(df)) {
    stats::smooth.spline(v, r, w = w, tol = tol, keep.data = FALSE)
  } else {
    stats::smooth.spline(v, r, w = w, df = df, tol = tol, keep.data = FALSE)
  }
  g <- stats::predict(s$fit, v)$y
  list(fit = s$fit, g = g, rss = sum(w * (r - g)^2), df = s$df)
}

# Unit length, and the sign that makes the largest entry positive.
ppr_unit <- function(a) {
  a <- a / sqrt(sum(a^2))
  if (a[which.max(abs(a))] < 0) -a else a
}

# Weighted least squares without intercept; aliased coefficients are 0.
ppr_wls <- function(X, z) {
  q <- qr(X, tol = 1e-10)
  b <- numeric(ncol(X))
  if (q$rank > 0L) {
    k <- q$pivot[seq_len(q$rank)]
    b[k] <- qr.coef(q, z)[k]
  }
  b
}

# One ridge term fitted to the working response r by alternating the
# smoother and Gauss-Newton direction steps, from direction `a`.
ppr_alternate <- function(xs, r, w, a, ctl) {
  sw <- sqrt(w)
  a <- ppr_unit(a)
  v <- drop(xs %*% a)
  st <- ppr_smooth(v, r, w, ctl$df)
  converged <- FALSE
  it <- 0L
  while (it < ctl$max_iter) {
    it <- it + 1L
    d1 <- stats::predict(st$fit, v, deriv = 1L)$y
    # ESL 11.6-11.7 with the weights g'^2 folded into the rows: regress
    # g'(v) v + r - g(v) on g'(v) x (no intercept: g carries the level).
    anew <- ppr_wls(xs * (d1 * sw), (d1 * v + r - st$g) * sw)
    if (!all(is.finite(anew)) || sum(anew^2) == 0) {
      converged <- TRUE
      break
    }
    anew <- anew / sqrt(sum(anew^2))
    if (sum(anew * a) < 0) anew <- -anew
    accepted <- FALSE
    step <- 1
    for (h in 0:10) {
      atry <- a + step * (anew - a)
      atry <- atry / sqrt(sum(atry^2))
      vtry <- drop(xs %*% atry)
      sttry <- ppr_smooth(vtry, r, w, ctl$df)
      if (sttry$rss < st$rss) {
        accepted <- TRUE
        break
      }
      step <- step / 2
    }
    if (!accepted) {
      converged <- TRUE
      break
    }
    drop_rel <- (st$rss - sttry$rss) / max(st$rss, .Machine$double.xmin)
    a <- atry
    v <- vtry
    st <- sttry
    if (drop_rel < ctl$tol) {
      converged <- TRUE
      break
    }
  }
  # Report the direction with its conventional sign; the spline of the
  # mirrored projection is the mirror image of the same fit.
  if (a[which.max(abs(a))] < 0) {
    a <- -a
    v <- drop(xs %*% a)
    st <- ppr_smooth(v, r, w, ctl$df)
  }
  list(a = a, v = v, smooth = st, iterations = it, converged = converged)
}

# A new term: the least-squares direction of r on x, and random directions
# when starts > 1; the fit with the smallest RSS is kept.
ppr_new_term <- function(xs, r, w, ctl) {
  sw <- sqrt(w)
  a0 <- ppr_wls(xs * sw, r * sw)
  if (!(sum(a0^2) > 0)) a0 <- as.numeric(seq_len(ncol(xs)) == 1L)
  best <- ppr_alternate(xs, r, w, a0, ctl)
  for (s in seq_len(ctl$starts - 1L)) {
    t <- ppr_alternate(xs, r, w, stats::rnorm(ncol(xs)), ctl)
    if (t$smooth$rss < best$smooth$rss) best <- t
  }
  best
}

# Refit every term in turn to the residual of the others until the RSS stops
# falling. `terms` is a list of term fits; r0 = y - ybar.
ppr_backfit <- function(xs, r0, w, fits, ctl) {
  G <- vapply(fits, function(f) f$smooth$g, numeric(length(r0)))
  G <- matrix(G, length(r0))
  rss <- sum(w * (r0 - rowSums(G))^2)
  for (pass in seq_len(ctl$max_iter)) {
    for (k in seq_along(fits)) {
      rk <- r0 - rowSums(G[, -k, drop = FALSE])
      t <- ppr_alternate(xs, rk, w, fits[[k]]$a, ctl)
      t$iterations <- t$iterations + fits[[k]]$iterations
      fits[[k]] <- t
      G[, k] <- t$smooth$g
    }
    new_rss <- sum(w * (r0 - rowSums(G))^2)
    done <- (rss - new_rss) / max(rss, .Machine$double.xmin) < ctl$tol
    rss <- new_rss
    if (done) break
  }
  fits
}

ppr_rss <- function(fits, r0, w) {
  G <- matrix(vapply(fits, function(f) f$smooth$g, numeric(length(r0))), length(r0))
  sum(w * (r0 - rowSums(G))^2)
}

# Forward stagewise fit of max_terms terms, then pruning back to `terms`.
ppr_forward <- function(xs, r0, w, terms, max_terms, backfit, ctl) {
  fits <- list()
  fitted <- numeric(length(r0))
  for (m in seq_len(max_terms)) {
    fits[[m]] <- ppr_new_term(xs, r0 - fitted, w, ctl)
    if (backfit && m > 1L) fits <- ppr_backfit(xs, r0, w, fits, ctl)
    fitted <- rowSums(matrix(vapply(fits, function(f) f$smooth$g, numeric(length(r0))), length(r0)))
  }
  rss_path <- stats::setNames(rep(NA_real_, max_terms), seq_len(max_terms))
  rss_path[max_terms] <- ppr_rss(fits, r0, w)
  while (length(fits) > terms) {
    imp <- vapply(fits, function(f) sum(w * f$smooth$g^2), numeric(1))
    fits <- fits[-which.min(imp)]
    fits <- ppr_backfit(xs, r0, w, fits, ctl)
    rss_path[length(fits)] <- ppr_rss(fits, r0, w)
  }
  # Terms in order of importance.
  imp <- vapply(fits, function(f) sum(w * f$smooth$g^2), numeric(1))
  fits <- fits[order(imp, decreasing = TRUE)]
  list(
    alpha = matrix(vapply(fits, `[[`, numeric(ncol(xs)), "a"), ncol(xs)),
    smooths = lapply(fits, function(f) f$smooth$fit),
    G = matrix(vapply(fits, function(f) f$smooth$g, numeric(length(r0))), length(r0)),
    V = matrix(vapply(fits, `[[`, numeric(length(r0)), "v"), length(r0)),
    df = vapply(fits, function(f) f$smooth$df, numeric(1)),
    iterations = vapply(fits, `[[`, integer(1), "iterations"),
    converged = vapply(fits, `[[`, logical(1), "converged"),
    rss_path = rss_path
  )
}

# Projections on the standardised scale and ridge-function values for a design.
ppr_terms <- function(object, x) {
  xs <- sweep(sweep(x, 2L, object$center), 2L, object$scale, "/")
  V <- xs %*% object$alpha
  G <- vapply(seq_len(ncol(V)), function(m) stats::predict(object$smooths[[m]], V[, m])$y,
              numeric(nrow(V)))
  G <- matrix(G, nrow(V), dimnames = list(rownames(x), colnames(object$alpha)))
  list(V = V, G = G)
}

#' @rdname projection_pursuit_regression
#' @param object A `projection_pursuit_regression()` fit.
#' @param newdata New data: a data frame for formula fits, else a matrix with
#'   the training columns. Missing: the fitted values.
#' @param type `"response"` (the prediction \eqn{\bar y + \sum_m g_m}) or
#'   `"terms"` (the n x M matrix of the ridge functions \eqn{g_m(w_m^T x)}).
#' @export
predict.statlearn_projection_pursuit <- function(object, newdata, type = c("response", "terms"), ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("response", "terms"), "type")
  if (missing(newdata) || is.null(newdata)) {
    return(if (type == "response") object$fitted.values else object$ridge)
  }
  x <- new_design(object, newdata)
  G <- ppr_terms(object, x)$G
  if (type == "terms") return(G)
  stats::setNames(object$intercept + rowSums(G), rownames(x))
}

#' @rdname projection_pursuit_regression
#' @export
coef.statlearn_projection_pursuit <- function(object, ...) {
  check_dots(..., fun = "coef")
  object$directions
}

#' @export
fitted.statlearn_projection_pursuit <- function(object, ...) object$fitted.values

#' @export
residuals.statlearn_projection_pursuit <- function(object, ...) object$residuals

#' @export
deviance.statlearn_projection_pursuit <- function(object, ...) object$rss

#' @export
print.statlearn_projection_pursuit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Projection pursuit regression: %d term%s, ridge functions by smoothing splines (%s)\n",
              x$n_terms, if (x$n_terms == 1L) "" else "s",
              if (is.null(x$df_setting)) "df by GCV" else sprintf("df = %s", format(x$df_setting))))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat(sprintf("R-squared %s on %d observations\n", format(signif(1 - x$rss / x$tss, digits)), x$nobs))
  cat("\nDirections (unit length, original scale):\n")
  print(round(x$directions, digits))
  invisible(x)
}

#' @rdname projection_pursuit_regression
#' @export
summary.statlearn_projection_pursuit <- function(object, ...) {
  check_dots(..., fun = "summary")
  w <- object$weights
  imp <- sqrt(colSums(w * object$ridge^2) / sum(w))
  term_table <- cbind(`Importance (rms of g)` = imp, `Spline df` = object$df,
                      Iterations = object$iterations)
  path <- object$rss_path[!is.na(object$rss_path)]
  structure(list(
    call = object$call, directions = object$directions, terms = term_table,
    r.squared = 1 - object$rss / object$tss, sigma = sqrt(object$rss / sum(w)),
    rss_path = path, converged = object$converged, nobs = object$nobs,
    max_terms = object$max_terms, backfit = object$backfit
  ), class = "summary.statlearn_projection_pursuit")
}

#' @export
print.summary.statlearn_projection_pursuit <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n\n", sep = "")
  cat("Directions w_m (unit length, original scale of the inputs):\n")
  print(round(x$directions, digits))
  cat("\nTerms:\n")
  print(signif(x$terms, digits))
  cat(sprintf("\nR-squared: %s, residual root mean square: %s (%d observations)\n",
              format(signif(x$r.squared, digits)), format(signif(x$sigma, digits)), x$nobs))
  if (length(x$rss_path) > 1L) {
    cat("Residual sum of squares by number of terms (pruned from ", x$max_terms, "):\n", sep = "")
    print(signif(x$rss_path, digits))
  }
  cat(sprintf("Backfitting: %s; converged: %s\n", if (x$backfit) "yes" else "no",
              if (x$converged) "yes" else "no"))
  invisible(x)
}

#' Plot the ridge functions of a projection pursuit regression
#'
#' Draws each estimated ridge function \eqn{\hat g_m} against \eqn{w_m^T x},
#' with \eqn{w_m} the unit direction on the original scale of the inputs (as
#' `coef()` gives it), one panel per term, as in ESL Figure 11.1.
#'
#' @param x A [projection_pursuit_regression()] fit.
#' @param which Terms to draw (default all), one panel each.
#' @param residuals Add the partial residuals \eqn{y_i - \hat f(x_i) +
#'   \hat g_m(w_m^T x_i)} as points?
#' @param ask,col,xlab,ylab,main Graphical settings; `xlab` and `main` may
#'   be vectors (one per term).
#' @param ... Further graphical arguments for [graphics::plot()].
#' @return `x`, invisibly.
#' @references Hastie, Tibshirani and Friedman (2009), section 11.2 and Figure 11.1.
#' @family neural networks
#' @export
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(300 * 2), ncol = 2)
#' y <- x[, 1] * x[, 2] + rnorm(300, sd = 0.1)
#' plot(projection_pursuit_regression(x, y, terms = 2))
plot.statlearn_projection_pursuit <- function(x, which = seq_len(x$n_terms), residuals = TRUE,
                                              col = "steelblue", xlab = NULL, ylab = NULL,
                                              main = NULL, ask = FALSE, ...) {
  M <- x$n_terms
  if (!is.numeric(which) || !length(which) || anyNA(which) || any(which < 1) || any(which > M) ||
      any(which != round(which))) {
    abort_input("which", sprintf("term numbers in 1..%d", M), describe(which), class = "statlearn_error_range")
  }
  residuals <- check_flag(residuals, "residuals")
  check_flag(ask, "ask")
  k <- length(which)
  # Panels side by side (up to three), else a grid filled row by row.
  layout <- if (k <= 3L) c(1L, k) else rev(grDevices::n2mfrow(k))
  op <- if (k > 1L && !ask) graphics::par(mfrow = layout) else graphics::par(ask = ask)
  on.exit(graphics::par(op))
  # w_m'x on the original scale, from the standardised projection.
  a <- x$alpha / x$scale
  na <- sqrt(colSums(a^2))
  shift <- colSums(a * x$center)
  lab <- function(v, i, default) if (is.null(v)) default else rep_len(v, k)[i]
  for (i in seq_along(which)) {
    m <- which[i]
    u <- (x$projections[, m] + shift[m]) / na[m]
    g <- x$ridge[, m]
    o <- order(u)
    pr <- x$residuals + g
    yl <- if (residuals) range(g, pr) else range(g)
    graphics::plot(u[o], g[o], type = "n", ylim = yl,
                   xlab = lab(xlab, i, bquote(w[.(m)]^T * x)),
                   ylab = lab(ylab, i, bquote(hat(g)[.(m)](w[.(m)]^T * x))),
                   main = lab(main, i, sprintf("Term %d", m)), ...)
    if (residuals) graphics::points(u, pr, pch = 16, cex = 0.4, col = grDevices::adjustcolor("grey40", 0.5))
    graphics::lines(u[o], g[o], lwd = 2, col = col)
    graphics::rug(u, col = "grey60", ticksize = 0.02)
  }
  invisible(x)
}
