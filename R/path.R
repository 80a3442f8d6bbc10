# The machinery shared by every path method (best subsets, ridge, lasso and
# elastic net, LARS, PCR, PLS).
#
# A path fit is a classed list c("statlearn_<method>", "statlearn_path",
# "statlearn_model") holding plain data:
#   a0            intercepts, one per point of the path (length G)
#   beta          p x G coefficients on the original scale of x
#   tuning_name   the argument that selects a point ("lambda", "size", "ncomp", "s")
#   tuning        the G values of that argument along the path
#   axes          named list of G-vectors that can label the path in plots
#                 (for example lambda, df, s); the first is the default
#   complexity, complexity_name   the G-vector that orders models from
#                 simplest to most complex (used by the one-standard-error rule)
#   xnames, nobs, y, weights, method, call, and for formula fits terms,
#   xlevels, contrasts.

new_path_fit <- function(fields, subclass) {
  structure(fields, class = c(subclass, "statlearn_path", "statlearn_model"))
}

# (p + 1) x length(index) coefficients, intercept first.
path_coef <- function(fit, index) {
  m <- rbind(fit$a0[index], fit$beta[, index, drop = FALSE])
  rownames(m) <- c("(Intercept)", fit$xnames)
  colnames(m) <- path_labels(fit, index)
  m
}

path_labels <- function(fit, index) {
  paste0(fit$tuning_name, "=", signif(fit$tuning[index], 4))
}

# Collapse a one-column coefficient matrix to a named vector.
coef_result <- function(m) {
  if (ncol(m) == 1L) stats::setNames(m[, 1L], rownames(m)) else m
}

# Coefficients at values of a discrete tuning parameter that must lie on the
# path (subset size, number of components).
path_coef_discrete <- function(fit, value, arg) {
  if (is.null(value)) return(path_coef(fit, seq_along(fit$tuning)))
  if (!is.numeric(value) || anyNA(value) || length(value) == 0L) {
    abort_input(arg, "numeric values on the path", describe(value), class = "statlearn_error_type")
  }
  index <- match(value, fit$tuning)
  if (anyNA(index)) {
    abort_input(arg, sprintf("values in %s", deparse_range(fit$tuning)),
                format(value[is.na(index)][1L]), class = "statlearn_error_range")
  }
  coef_result(path_coef(fit, index))
}

deparse_range <- function(v) {
  if (length(v) <= 6L) paste0("{", paste(format(v), collapse = ", "), "}")
  else sprintf("{%s, ..., %s}", format(v[1L]), format(v[length(v)]))
}

# Linear interpolation of the coefficient path along a monotone axis `along`
# (for example lambda or the shrinkage factor s) at `value`.
path_coef_interpolate <- function(fit, along, value, arg) {
  if (!is.numeric(value) || anyNA(value) || length(value) == 0L) {
    abort_input(arg, "numeric values", describe(value), class = "statlearn_error_type")
  }
  lo <- min(along); hi <- max(along)
  bad <- value < lo - 1e-12 * max(1, abs(lo)) | value > hi + 1e-12 * max(1, abs(hi))
  if (any(bad)) {
    abort_input(arg, sprintf("within the path's range [%g, %g]", lo, hi),
                format(value[bad][1L]), class = "statlearn_error_range")
  }
  full <- rbind(fit$a0, fit$beta)
  ord <- order(along)
  a <- along[ord]
  out <- vapply(value, function(v) {
    v <- min(max(v, lo), hi)
    j <- findInterval(v, a, rightmost.closed = TRUE, all.inside = FALSE)
    j <- max(1L, min(j, length(a)))
    if (j == length(a) || a[j] == v) return(full[, ord[j]])
    k <- j + 1L
    t <- (v - a[j]) / (a[k] - a[j])
    (1 - t) * full[, ord[j]] + t * full[, ord[k]]
  }, numeric(nrow(full)))
  out <- matrix(out, nrow = nrow(full))
  rownames(out) <- c("(Intercept)", fit$xnames)
  colnames(out) <- paste0(arg, "=", signif(value, 4))
  coef_result(out)
}

#' @export
predict.statlearn_path <- function(object, newdata, ...) {
  if (missing(newdata) || is.null(newdata)) return(fitted(object, ...))
  x <- new_design(object, newdata, sparse_ok = isTRUE(object$sparse_ok))
  B <- coef(object, ...)
  pred <- if (is.matrix(B)) as.matrix(x %*% B[-1L, , drop = FALSE]) + rep(B[1L, ], each = nrow(x))
          else drop(as.matrix(x %*% B[-1L])) + B[1L]
  if (is.matrix(pred)) dimnames(pred) <- list(rownames(x), colnames(B))
  pred
}

#' @export
fitted.statlearn_path <- function(object, ...) {
  td <- training_data(object, parent.frame())
  B <- coef(object, ...)
  if (is.matrix(B)) as.matrix(td$x %*% B[-1L, , drop = FALSE]) + rep(B[1L, ], each = nrow(td$x))
  else drop(as.matrix(td$x %*% B[-1L])) + B[1L]
}

#' @export
residuals.statlearn_path <- function(object, ...) {
  object$y - fitted(object, ...)
}

#' @export
nobs.statlearn_model <- function(object, ...) object$nobs

#' @export
print.statlearn_path <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s path: %d points, n = %d, p = %d\n", x$method, length(x$tuning), x$nobs,
              length(x$xnames)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  tab <- path_table(x)
  show <- if (nrow(tab) > 12L) unique(round(seq(1, nrow(tab), length.out = 12L))) else seq_len(nrow(tab))
  print(format(tab[show, , drop = FALSE], digits = digits), row.names = FALSE)
  if (length(show) < nrow(tab)) cat(sprintf("... (%d of %d points shown)\n", length(show), nrow(tab)))
  invisible(x)
}

path_table <- function(fit) {
  tab <- data.frame(fit$axes, check.names = FALSE)
  # A multinomial path's beta is p x K x L: a variable counts once when it is
  # nonzero in any class.
  tab$nonzero <- if (length(dim(fit$beta)) == 3L) {
    apply(fit$beta != 0, 3L, function(b) sum(rowSums(b) > 0))
  } else {
    colSums(fit$beta != 0)
  }
  tab
}

#' @export
summary.statlearn_path <- function(object, ...) {
  check_dots(..., fun = "summary")
  structure(list(method = object$method, call = object$call, table = path_table(object),
                 nobs = object$nobs, p = length(object$xnames)),
            class = "summary.statlearn_path")
}

#' @export
print.summary.statlearn_path <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s path, n = %d, p = %d\n", x$method, x$nobs, x$p))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  print(format(x$table, digits = digits), row.names = FALSE)
  invisible(x)
}

#' Plot a coefficient path
#'
#' Draws coefficient profiles along the path, as in ESL Figures 3.8, 3.10 and
#' 3.15-3.16 and 3.19, on the book's axes.
#'
#' Labels are written at the end of the path where the coefficients are
#' largest, spread apart so that they never overprint (a short leader line
#' joins a moved label to its curve), in room left for them inside the plot.
#'
#' @param x A path fit (ridge, lasso, elastic net, LARS, PCR, PLS, best subsets,
#'   stagewise).
#' @param xvar The axis: one of the path's axes, such as `"df"` (ridge),
#'   `"s"` (the shrinkage factor of the lasso and LARS, ESL Figure 3.10),
#'   `"norm"` (L1 norm), `"arc_length"` (L1 arc length, LARS and stagewise,
#'   ESL Figures 3.15 and 3.19), `"lambda"`, `"ncomp"` or `"size"`;
#'   `names(x$axes)` lists a fit's axes.
#' @param label `TRUE` to name every curve, `FALSE` for none, a whole number
#'   `k` to name the `k` curves that end farthest from zero, or `"legend"` for
#'   a legend.
#' @param log_lambda Use a log scale when `xvar = "lambda"`?
#' @param cv A [cross_validate()] result for this fit: vertical lines mark the
#'   minimum (dotted) and the one-standard-error (dashed) choices.
#' @param ... Further graphical parameters passed to [graphics::matplot()].
#' @return `x`, invisibly.
#' @family chapter 3
#' @export
#' @examples
#' fit <- ridge_regression(lpsa ~ . - train, data = prostate)
#' plot(fit, xvar = "df")
#' las <- lasso(lpsa ~ . - train, data = prostate)
#' set.seed(1)
#' plot(las, xvar = "s", cv = cross_validate(las, folds = 5))
plot.statlearn_path <- function(x, xvar = names(x$axes)[1L], label = TRUE, log_lambda = TRUE,
                                cv = NULL, ...) {
  label <- check_label(label, nrow(x$beta))
  log_lambda <- check_flag(log_lambda, "log_lambda")
  xvar <- check_choice(xvar, names(x$axes), "xvar")
  if (!is.null(cv) && !inherits(cv, "statlearn_cv")) {
    abort_input("cv", "a cross_validate() result for this fit", describe(cv),
                class = "statlearn_error_type")
  }
  along <- x$axes[[xvar]]
  B <- x$beta
  ord <- order(along)
  logx <- identical(xvar, "lambda") && log_lambda && all(along > 0)
  xs <- if (logx) log(along) else along
  col <- grDevices::hcl.colors(max(2L, nrow(B)), "Dark 3")[seq_len(nrow(B))]
  # Labels go where the coefficients are largest (the least-regularised end).
  ends <- ord[c(1L, length(ord))]
  end <- ends[which.max(colSums(abs(B[, ends, drop = FALSE])))]
  side <- if (end == ends[2L]) "right" else "left"
  shown <- if (isTRUE(label)) seq_len(nrow(B)) else if (is.numeric(label)) {
    utils::head(order(-abs(B[, end])), label)
  } else integer()
  args <- list(x = xs[ord], y = t(B[, ord, drop = FALSE]), type = "l", lty = 1, col = col,
               xlab = axis_title(xvar, logx), ylab = "Coefficients", main = x$method)
  extra <- list(...)
  args[names(extra)] <- extra
  if (is.null(extra$xlim) && length(shown)) {
    # Open the plot first to measure the labels in inches, then leave room.
    graphics::plot.new()
    args$xlim <- limits_with_label_room(range(xs, finite = TRUE), x$xnames[shown], side)
    graphics::par(new = TRUE)
  }
  do.call(graphics::matplot, args)
  graphics::abline(h = 0, lty = 3, col = "grey50")
  if (!is.null(cv)) mark_cv_choices(x, cv, xs)
  if (length(shown)) {
    label_curve_ends(xs[end], B[shown, end], x$xnames[shown], col[shown], side)
  } else if (identical(label, "legend")) {
    graphics::legend(emptiest_corner(xs[ord], t(B[, ord, drop = FALSE])), legend = x$xnames,
                     col = col, lty = 1, cex = 0.7, bg = "white", box.col = "grey80")
  }
  invisible(x)
}

# Vertical lines at the cross-validated choices of a path, on its own axis.
mark_cv_choices <- function(fit, cv, xs) {
  at <- function(i) {
    k <- if (identical(cv$tuning, fit$tuning)) i else which.min(abs(fit$tuning - cv$tuning[i]))
    xs[k]
  }
  v <- c(at(cv$index_min), at(cv$index_1se))
  graphics::abline(v = v, lty = c(3, 2), col = "grey25")
  # In the top margin, clear of the curves and their labels.
  if (v[1L] == v[2L]) graphics::mtext("min = 1se", side = 3, at = v[1L], line = 0.1, cex = 0.7)
  else graphics::mtext(c("min", "1se"), side = 3, at = v, line = 0.1, cex = 0.7,
                       adj = if (v[1L] > v[2L]) c(0, 1) else c(1, 0))
}

check_label <- function(label, p) {
  if (identical(label, "legend")) return(label)
  if (is.logical(label) && length(label) == 1L && !is.na(label)) return(label)
  if (is.numeric(label) && length(label) == 1L && !is.na(label) && label >= 0 &&
      label == round(label)) {
    return(min(as.integer(label), p))
  }
  abort_input("label", "TRUE, FALSE, a whole number of curves to name, or \"legend\"",
              describe(label), class = "statlearn_error_type")
}

# The training data of a fit, for fitted() and cross_validate(): evaluated
# again from the fit's call (as update() does) in the caller's environment.
training_data <- function(fit, env = parent.frame(), x = NULL, y = NULL, weights = NULL,
                          raw_response = FALSE) {
  if (raw_response) fit_response <- function(fit, y, n) y  # class labels as given
  if (!is.null(x) || !is.null(y)) {
    if (is.null(x) || is.null(y)) {
      abort_input(if (is.null(x)) "x" else "y", "given together with the other (x and y)",
                  "only one of them", class = "statlearn_error_missing")
    }
    if (is.data.frame(x) && !is.null(fit$terms)) {
      des <- formula_design(stats::model.frame(fit$terms, x), fit$contrasts)
      return(list(x = des$x, y = fit_response(fit, des$y, nrow(des$x)),
                  weights = check_weights(des$weights, nrow(des$x))))
    }
    x <- check_x(x, "x", sparse_ok = isTRUE(fit$sparse_ok))
    return(list(x = x, y = fit_response(fit, y, nrow(x)), weights = check_weights(weights, nrow(x))))
  }
  call <- fit$call
  if (is.null(call)) {
    abort("The fit has no call to rebuild its training data from; pass `x` and `y`.",
          class = c("statlearn_error_missing", "statlearn_error_input"))
  }
  rebuild <- function(env) {
    if (!is.null(fit$terms)) {
      des <- formula_design(formula_model_frame(call, env), fit$contrasts)
      list(x = des$x, y = fit_response(fit, des$y, nrow(des$x)),
           weights = check_weights(des$weights, nrow(des$x)))
    } else {
      xx <- check_x(eval(call$x, env), "x", sparse_ok = isTRUE(fit$sparse_ok))
      list(x = xx, y = fit_response(fit, eval(call$y, env), nrow(xx)),
           weights = check_weights(if (is.null(call$weights)) NULL else eval(call$weights, env),
                                   nrow(xx)))
    }
  }
  # Where the formula was written first (as update() and model.frame() do, so
  # that a fit made inside a function works), then the caller's environment,
  # then the global one.
  fenv <- if (!is.null(fit$terms)) environment(fit$terms)
  first <- function() if (is.null(fenv)) rebuild(env) else
    tryCatch(rebuild(fenv), error = function(e) rebuild(env))
  out <- tryCatch(tryCatch(first(), error = function(e) rebuild(globalenv())),
                  statlearn_error = function(e) stop(e), error = function(e) {
    abort(sprintf("Could not rebuild the training data from the fit's call (%s); pass `x` and `y`.",
                  conditionMessage(e)), class = c("statlearn_error_missing", "statlearn_error_input"))
  })
  if (nrow(out$x) != fit$nobs || !identical(colnames(out$x), fit$xnames)) {
    abort("The data named in the fit's call have changed since fitting; pass `x` and `y`.",
          class = c("statlearn_error_missing", "statlearn_error_input"))
  }
  out
}

# The numeric response a fit was computed from (GLM families encode classes).
fit_response <- function(fit, y, n) {
  if (is.null(fit$family) || identical(fit$family, "gaussian")) return(check_y(y, n))
  if (identical(fit$family, "multinomial")) return(multinomial_codes(y, n, fit$classes))
  glm_response(y, n, fit$family)$y
}

# One warning when a coordinate-descent path stopped before converging.
warn_path_convergence <- function(res, opt) {
  if (res$converged) return(invisible())
  warn(sprintf("Coordinate descent did not converge within maxit = %d passes; the path stops at lambda = %g. Increase `maxit` or `thresh`.",
               opt$maxit, if (length(res$lambda)) min(res$lambda) else NA),
       class = "statlearn_warning_convergence")
}

