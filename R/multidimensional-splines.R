# ESL 5.7: multidimensional splines -- tensor product bases (usable inside
# the formula of every fitter) and thin-plate smoothing splines. The
# thin-plate engine is inst/include/statlearn/smooth/kernel_smoother.h.

#' Tensor product basis
#'
#' The tensor product of two or more marginal bases (ESL 5.7, eq. 5.35): the
#' functions \eqn{g_{jk}(X) = h_{1j}(X_1) h_{2k}(X_2)}{g_jk(X) = h1j(X1) h2k(X2)},
#' the row-wise products of every column of one basis with every column of
#' the others. The margins are usually [bspline_basis()] or
#' [natural_spline_basis()] of single inputs; any numeric matrices or vectors
#' with the same number of rows work.
#'
#' With `main_effects = TRUE` (the default) a constant column is put in front
#' of each margin before the products are taken and the all-constant product
#' is dropped: the result holds each margin's own columns (its main effects)
#' and all the interaction products. For margins made without an intercept
#' (the bases' default) this spans the full tensor product space of the
#' margins with intercepts, except the constant, which the model's own
#' intercept supplies: `y ~ tensor_product_basis(natural_spline_basis(x1, df =
#' 3), natural_spline_basis(x2, df = 3))` has 15 columns plus the intercept,
#' the 4 x 4 = 16 functions of ESL's Figure 5.11. `main_effects = FALSE`
#' gives the plain products of eq. 5.35 (for margins built with `intercept =
#' TRUE`, fitted without a model intercept, `- 1`).
#'
#' Inside a formula the marginal bases keep their training knots: `predict()`
#' evaluates the same basis on new data (through [stats::makepredictcall()]).
#'
#' @param ... Two or more marginal bases (matrices or vectors, one row per
#'   observation).
#' @param main_effects Include each margin's own columns (see Details)?
#' @return A matrix of class `statlearn_tensor_basis` with one column per
#'   product. Column `"j:k"` is the product of column j of the first margin
#'   and column k of the second (and so on), 0 standing for the constant. The
#'   attribute `margins` records the marginal bases' knots.
#' @references Hastie, Tibshirani and Friedman (2009), section 5.7.
#' @family chapter 5
#' @seealso [thin_plate_spline()], [bspline_basis()], [natural_spline_basis()]
#' @examples
#' x1 <- mixture$x[, 1]
#' x2 <- mixture$x[, 2]
#' G <- tensor_product_basis(bspline_basis(x1, df = 4), bspline_basis(x2, df = 4))
#' dim(G)
#' # in a formula (ESL Figure 5.11): the knots are kept for predict()
#' d <- data.frame(y = mixture$y, x1 = x1, x2 = x2)
#' fit <- logistic_regression(y ~ tensor_product_basis(natural_spline_basis(x1, df = 3),
#'                                                     natural_spline_basis(x2, df = 3)), data = d)
#' mean((predict(fit, d, type = "prob")[, 2] > 0.5) != d$y)  # training error
#' @export
tensor_product_basis <- function(..., main_effects = TRUE) {
  main_effects <- check_flag(main_effects, "main_effects")
  margins <- list(...)
  if (length(margins) < 2L) {
    abort_input("...", "at least two marginal bases", sprintf("%d", length(margins)),
                class = "statlearn_error_length")
  }
  mats <- lapply(seq_along(margins), function(i) {
    m <- margins[[i]]
    if (!is.numeric(m) || (!is.null(dim(m)) && length(dim(m)) != 2L)) {
      abort_input(sprintf("..%d", i), "a numeric basis matrix (or vector)", describe(m),
                  class = "statlearn_error_type")
    }
    m <- unclass(m)
    if (is.null(dim(m))) m <- matrix(m, ncol = 1L)
    attributes(m) <- list(dim = dim(m))
    if (ncol(m) == 0L) {
      abort_input(sprintf("..%d", i), "a basis with at least one column", "none",
                  class = "statlearn_error_empty")
    }
    m
  })
  n <- nrow(mats[[1L]])
  rows <- vapply(mats, nrow, integer(1))
  if (any(rows != n)) {
    abort_input("...", sprintf("marginal bases with the same number of rows (%d)", n),
                paste(rows, collapse = ", "), class = "statlearn_error_length")
  }
  out <- NULL
  labels <- NULL
  for (i in seq_along(mats)) {
    m <- mats[[i]]
    lab <- as.character(seq_len(ncol(m)))
    if (main_effects) {
      m <- cbind(1, m)
      lab <- c("0", lab)
    }
    if (is.null(out)) {
      out <- m
      labels <- lab
    } else {
      a <- ncol(out)
      b <- ncol(m)
      out <- out[, rep(seq_len(a), times = b), drop = FALSE] * m[, rep(seq_len(b), each = a), drop = FALSE]
      labels <- paste(rep(labels, times = b), rep(lab, each = a), sep = ":")
    }
  }
  if (main_effects) {
    out <- out[, -1L, drop = FALSE]
    labels <- labels[-1L]
  }
  info <- lapply(margins, function(m) {
    if (!inherits(m, "statlearn_basis")) return(NULL)
    a <- attributes(m)
    list(class = class(m), attributes = a[setdiff(names(a), c("dim", "dimnames", "class"))])
  })
  dimnames(out) <- list(NULL, labels)
  structure(out, margins = info, main_effects = main_effects,
            class = c("statlearn_tensor_basis", "matrix", "array"))
}

#' @export
makepredictcall.statlearn_tensor_basis <- function(var, call) {
  if (!is.call(call)) return(call)
  margins <- attr(var, "margins")
  args <- seq_len(length(call) - 1L) + 1L
  nm <- names(call)
  if (!is.null(nm)) args <- args[!nzchar(nm[args]) | is.na(nm[args])]
  for (i in seq_along(margins)) {
    if (is.null(margins[[i]]) || i > length(args)) next
    stub <- matrix(0, 0L, 0L)
    attributes(stub) <- c(list(dim = c(0L, 0L)), margins[[i]]$attributes)
    class(stub) <- margins[[i]]$class
    call[[args[i]]] <- stats::makepredictcall(stub, call[[args[i]]])
  }
  call
}

#' @export
print.statlearn_tensor_basis <- function(x, ...) {
  cat(sprintf("Tensor product basis: %d x %d (%d margins%s)\n", nrow(x), ncol(x),
              length(attr(x, "margins")), if (isTRUE(attr(x, "main_effects"))) ", with main effects" else ""))
  m <- unclass(x)
  attributes(m) <- attributes(m)[c("dim", "dimnames")]
  print(utils::head(m, 6L), ...)
  if (nrow(x) > 6L) cat(sprintf("... %d more rows\n", nrow(x) - 6L))
  invisible(x)
}

#' Thin-plate smoothing spline
#'
#' The function f of d inputs that minimises
#' \deqn{\sum_i (y_i - f(x_i))^2 + \lambda J_m(f)}{sum (y_i - f(x_i))^2 + lambda J_m(f)}
#' where \eqn{J_m} integrates the squares of all m-th order partial
#' derivatives over \eqn{R^d}; for d = 2, m = 2 it is ESL's eq. 5.38,
#' \eqn{\int\int (f_{11}^2 + 2 f_{12}^2 + f_{22}^2)}{integral of f11^2 + 2 f12^2 + f22^2}.
#' The solution (ESL eq. 5.39) is
#' \eqn{f(x) = \sum_j \beta_j \phi_j(x) + \sum_i \alpha_i \eta(\|x - x_i\|)}{f(x) = sum beta_j phi_j(x) + sum alpha_i eta(||x - x_i||)},
#' the polynomials \eqn{\phi_j} of degree below m (unpenalised: 1, x1, x2 for
#' d = 2) plus radial functions, \eqn{\eta(r) = \theta r^2 \log r}{eta(r) =
#' theta r^2 log r} for d = 2 (\eqn{\theta = 1/(8\pi)}{theta = 1/(8 pi)}, the
#' constant that makes \eqn{J(f) = \alpha' E \alpha}{J(f) = alpha' E alpha}
#' exactly, so `lambda` is the lambda of eq. 5.38). Any d >= 1 works with
#' `order` m such that 2m > d (default: the smallest m with 2m > d + 1, as
#' mgcv chooses, so that the fit is smooth: m = 2 for d = 1, 2, 3), with Duchon's
#' radial functions \eqn{\theta r^{2m-d}}{theta r^(2m - d)} (times
#' \eqn{\log r}{log r} for even d); for d = 1, m = 2 the fit is the cubic
#' smoothing spline ([smoothing_spline()] with every x a knot).
#'
#' The coefficients solve \eqn{(E + \lambda I)\alpha + T\beta = y}{(E +
#' lambda I) alpha + T beta = y}, \eqn{T'\alpha = 0}{T' alpha = 0}. The null
#' space T is removed by its QR decomposition and the reduced kernel
#' eigen-decomposed once (O(n^3), LAPACK); after that the fit, the effective
#' degrees of freedom \eqn{df = trace(S_\lambda)}{df = trace(S)} and GCV cost
#' O(n) for every \eqn{\lambda}, so `df` is matched and GCV minimised
#' exactly. The kernel matrix is built in parallel (`threads`) with the same
#' bits for any number of threads. The penalty is invariant to rotations but
#' not to rescaling one input: put the inputs in comparable units.
#'
#' @param x A numeric matrix (n x d) of locations, or a formula `y ~ x1 + x2`.
#' @param y The numeric response, one per row of `x`.
#' @param lambda The smoothing parameter (>= 0; 0 interpolates, which needs
#'   distinct locations), or `NULL`.
#' @param df The effective degrees of freedom, in (M, n] where M is the
#'   dimension of the null space (3 for d = 2), or `NULL`.
#' @param criterion How \eqn{\lambda} is chosen when neither is given:
#'   `"gcv"` (generalised cross-validation, ESL 7.52).
#' @param order The order m of the derivatives penalised (2m > d), or `NULL`
#'   for the smallest m with 2m > d + 1.
#' @inheritParams statlearn-params
#' @param data For the formula method, a data frame.
#' @param ... Unused.
#' @return An object of class `c("statlearn_thin_plate_spline",
#'   "statlearn_model")`: the radial coefficients `alpha`, the polynomial
#'   coefficients `beta` (named), `lambda`, `df`, `rss`, `gcv`, the GCV
#'   search (`gcv_path`, for `criterion`), `eigenvalues` of the reduced kernel,
#'   `fitted.values`, `residuals`, the locations `x` and `y`, `order`.
#'   `predict(fit, newdata)` evaluates the surface; `plot()` draws it (d =
#'   2: an image and contours with the data, as ESL Figure 5.12).
#' @references Hastie, Tibshirani and Friedman (2009), section 5.7. Wahba
#'   (1990), *Spline Models for Observational Data*, SIAM, chapter 2. Green
#'   and Silverman (1994), *Nonparametric Regression and Generalized Linear
#'   Models*, chapter 7. Duchon (1977), Splines minimizing rotation-invariant
#'   semi-norms in Sobolev spaces.
#' @family chapter 5
#' @seealso [tensor_product_basis()], [kernel_ridge()], [smoothing_spline()]
#' @examples
#' fit <- thin_plate_spline(sbp ~ age + obesity, data = SAheart, df = 8, threads = 1)
#' fit
#' predict(fit, data.frame(age = c(30, 50), obesity = c(25, 30)))
#' plot(fit)
#' @export
thin_plate_spline <- function(x, ...) UseMethod("thin_plate_spline")

#' @rdname thin_plate_spline
#' @export
thin_plate_spline.default <- function(x, y, lambda = NULL, df = NULL, criterion = "gcv", order = NULL,
                                      threads = NULL, ...) {
  check_dots(..., fun = "thin_plate_spline")
  x <- check_x(x, "x")
  fit <- fit_thin_plate(x, y, lambda, df, criterion, order, threads)
  fit$call <- match.call()
  fit
}

#' @rdname thin_plate_spline
#' @export
thin_plate_spline.formula <- function(x, data, subset, na.action, lambda = NULL, df = NULL,
                                      criterion = "gcv", order = NULL, threads = NULL, ...) {
  check_dots(..., fun = "thin_plate_spline")
  call <- match.call()
  names(call)[names(call) == "x"] <- "formula"
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_thin_plate(des$x, des$y, lambda, df, criterion, order, threads)
  fit <- add_formula_info(fit, des, call)
  fit$names <- c(colnames(des$x), deparse(x[[2L]]))
  fit
}

# Exponents (M x d) of the monomials of total degree below m in d variables.
thin_plate_exponents <- function(d, m) {
  e <- as.matrix(expand.grid(rep(list(0:(m - 1L)), d)))
  e <- e[rowSums(e) < m, , drop = FALSE]
  e <- e[order(rowSums(e), -e %*% (m^rev(seq_len(d) - 1L))), , drop = FALSE]
  dimnames(e) <- NULL
  e
}

thin_plate_null_space <- function(x, exps) {
  T <- matrix(1, nrow(x), nrow(exps))
  for (j in seq_len(nrow(exps))) {
    for (c in seq_len(ncol(x))) if (exps[j, c] > 0L) T[, j] <- T[, j] * x[, c]^exps[j, c]
  }
  T
}

# theta, power and the log flag of Duchon's radial function for d, m.
thin_plate_radial <- function(d, m) {
  power <- 2L * m - d
  if (d %% 2L == 0L) {
    theta <- (-1)^(m + 1L + d / 2L) / (2^(2L * m - 1L) * pi^(d / 2) * factorial(m - 1L) * factorial(m - d / 2L))
    c(theta, power, 1)
  } else {
    theta <- gamma(d / 2 - m) / (2^(2L * m) * pi^(d / 2) * factorial(m - 1L))
    c(theta, power, 0)
  }
}

fit_thin_plate <- function(x, y, lambda, df, criterion, order, threads) {
  n <- nrow(x)
  d <- ncol(x)
  y <- check_y(y, n)
  criterion <- check_choice(criterion, "gcv", "criterion")
  m <- if (is.null(order)) (d + 1L) %/% 2L + 1L else check_count(order, "order", lower = d %/% 2L + 1L, upper = 10)
  threads <- resolve_threads(threads)
  exps <- thin_plate_exponents(d, m)
  M <- nrow(exps)
  T <- thin_plate_null_space(x, exps)
  distinct <- nrow(unique(x))
  if (distinct <= M || qr(T)$rank < M) {
    abort_input("x", sprintf("more than %d distinct locations, not all on one %s (the null space of the penalty has dimension %d)",
                             M, if (m == 2L) "line or plane" else "polynomial surface", M),
                sprintf("%d distinct location(s)%s", distinct, if (distinct > M) " spanning too few dimensions" else ""),
                class = "statlearn_error_constant")
  }
  if (!is.null(df) && !is.null(lambda)) {
    abort_input("lambda", "NULL when `df` is given (one of the two fixes the smoothing)", format(lambda),
                class = "statlearn_error_conflict")
  }
  if (!is.null(lambda)) {
    lambda <- check_nonnegative(lambda, "lambda")
    if (lambda == 0 && distinct < n) {
      abort_input("lambda", "positive when locations are repeated (lambda = 0 interpolates, which needs distinct locations)",
                  sprintf("0 with %d repeated location(s)", n - distinct), class = "statlearn_error_duplicate")
    }
    mode <- 0L
  } else if (!is.null(df)) {
    df <- check_number(df, "df", M, n, lower_open = TRUE)
    mode <- if (df == n) 0L else 1L
    if (mode == 0L) {
      if (distinct < n) {
        abort_input("df", sprintf("below %d (df = n interpolates, which needs distinct locations)", n),
                    format(df), class = "statlearn_error_duplicate")
      }
      lambda <- 0
    }
  } else {
    mode <- 2L
  }
  rad <- thin_plate_radial(d, m)
  res <- cpp_kernel_smoother(x, T, y, 3L, rad, mode, if (mode == 0L) lambda else numeric(0),
                             if (is.null(df)) 0 else df, FALSE, threads)
  if (res$fault == 2L) {
    abort_input("lambda", "positive (the kernel of these locations is numerically singular)", "0",
                class = "statlearn_error_numerical")
  }
  if (res$fault == 3L) {
    abort_input("df", "a value the locations allow (repeated locations lower the largest df)", format(df),
                class = "statlearn_error_range")
  }
  xnames <- colnames(x)
  beta <- drop(res$beta)
  names(beta) <- apply(exps, 1L, function(e) {
    if (all(e == 0L)) return("(Intercept)")
    parts <- ifelse(e == 1L, xnames, sprintf("%s^%d", xnames, e))[e > 0L]
    paste(parts, collapse = "*")
  })
  structure(list(
    alpha = drop(res$alpha), beta = beta, lambda = res$lambda, df = res$df, rss = res$rss,
    gcv = res$gcv, criterion = c("lambda", "df", "gcv")[mode + 1L],
    gcv_path = if (mode == 2L) data.frame(lambda = res$grid_lambda, df = res$grid_df, gcv = res$grid_gcv),
    eigenvalues = res$eigenvalues, fitted.values = drop(res$fitted), residuals = y - drop(res$fitted),
    x = x, xnames = xnames, y = y, order = m, exponents = exps, radial = rad, nobs = n
  ), class = c("statlearn_thin_plate_spline", "statlearn_model"))
}

#' @rdname thin_plate_spline
#' @param object A `thin_plate_spline()` fit.
#' @param newdata New locations: a matrix with the training columns, or a
#'   data frame for a fit made by formula; by default the training locations.
#' @export
predict.statlearn_thin_plate_spline <- function(object, newdata = NULL, threads = NULL, ...) {
  check_dots(..., fun = "predict")
  if (is.null(newdata)) return(object$fitted.values)
  newx <- new_design(object, newdata)
  threads <- resolve_threads(threads)
  out <- drop(cpp_kernel_apply(newx, object$x, 3L, object$radial, matrix(object$alpha), threads)) +
    drop(thin_plate_null_space(newx, object$exponents) %*% object$beta)
  names(out) <- rownames(newx)
  out
}

#' @export
print.statlearn_thin_plate_spline <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  how <- switch(x$criterion, gcv = "chosen by GCV", df = "matched to the df", lambda = "given")
  cat(sprintf("Thin-plate spline: %d observations in %d dimension(s), order %d (%d polynomial terms)\n",
              x$nobs, ncol(x$x), x$order, length(x$beta)))
  cat(sprintf("lambda %s (%s), effective df %s\n", format(signif(x$lambda, digits)), how,
              format(signif(x$df, digits))))
  cat(sprintf("RSS %s, GCV %s\n", format(signif(x$rss, digits)), format(signif(x$gcv, digits))))
  invisible(x)
}

#' @rdname thin_plate_spline
#' @param grid For `plot()`: the number of grid points along each axis.
#' @details `plot()` draws, for d = 2, the fitted surface as an image with
#'   contours over the range of the data (the convex hull is not masked)
#'   and the data points; for d = 1 the curve and the data.
#' @export
plot.statlearn_thin_plate_spline <- function(x, grid = 60, threads = NULL, ...) {
  grid <- check_count(grid, "grid", lower = 2, upper = 1000)
  d <- ncol(x$x)
  labels <- x$names %||% c(x$xnames, "y")
  extra <- list(...)
  if (d == 1L) {
    g <- seq(min(x$x), max(x$x), length.out = grid * 4L)
    args <- list(x = x$x[, 1L], y = x$y, pch = 1, cex = 0.6, col = "grey45", xlab = labels[1L],
                 ylab = labels[2L], main = sprintf("Thin-plate spline, df = %.1f", x$df))
    args[names(extra)] <- extra
    do.call(graphics::plot, args)
    graphics::lines(g, predict(x, matrix(g, dimnames = list(NULL, x$xnames)), threads = threads),
                    col = "firebrick", lwd = 2)
    return(invisible(x))
  }
  if (d != 2L) {
    abort_input("x", "a fit on one or two inputs to plot", sprintf("%d inputs", d),
                class = "statlearn_error_dimension")
  }
  g1 <- seq(min(x$x[, 1L]), max(x$x[, 1L]), length.out = grid)
  g2 <- seq(min(x$x[, 2L]), max(x$x[, 2L]), length.out = grid)
  new <- as.matrix(expand.grid(g1, g2))
  colnames(new) <- x$xnames
  z <- matrix(predict(x, if (is.null(x$terms)) new else as.data.frame(new), threads = threads), grid, grid)
  args <- list(x = g1, y = g2, z = z, col = grDevices::hcl.colors(40, "YlOrRd", rev = TRUE),
               xlab = labels[1L], ylab = labels[2L], main = sprintf("Thin-plate spline, df = %.1f", x$df))
  args[names(extra)] <- extra
  do.call(graphics::image, args)
  graphics::contour(g1, g2, z, add = TRUE, labcex = 0.7, col = "grey20")
  graphics::points(x$x[, 1L], x$x[, 2L], pch = 20, cex = 0.4, col = "grey10")
  invisible(x)
}
