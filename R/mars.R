# Multivariate adaptive regression splines (ESL 9.4).

#' Multivariate adaptive regression splines (MARS)
#'
#' Fits a MARS model (ESL 9.4; Friedman 1991): a forward pass adds reflected
#' pairs of hinge functions \eqn{(x_j - t)_+} and \eqn{(t - x_j)_+} with knots
#' at data values, multiplied by terms already in the model (up to `degree`
#' factors per term), each step choosing the pair that reduces the residual sum
#' of squares most; a backward pass then deletes terms one at a time and keeps
#' the subset with the smallest generalized cross-validation criterion
#' \deqn{GCV = \frac{RSS / N}{(1 - M / N)^2},\quad M = r + c (r - 1) / 2,}
#' with \eqn{r} terms (including the intercept) and `penalty` \eqn{c} per knot
#' (ESL eq. 9.20, counting a knot per pair of terms as the earth package does).
#'
#' The selection rules (minimum knot spacing `min_span` and end spacing
#' `end_span` of Friedman 1991, eqs. 43 and 45; the tolerance tests; the Fast
#' MARS parent queue of Friedman 1993 with `fast_k` and `fast_beta`; the
#' forward stopping rules on `thresh` and `max_terms`) follow the earth
#' package, so that with the same settings the same terms are selected. The
#' knot search updates the least-squares fit in \eqn{O(1)} per data point and
#' basis term, runs over the inputs in parallel, and breaks ties by the lowest
#' input index, so any number of threads gives the same model.
#'
#' With `weights`, the least-squares fits are weighted and the search follows
#' earth's weighted rules, so weighted fits also agree with earth's.
#'
#' With `family = "binomial"` the MARS model is built on the 0/1 response and a
#' logistic regression is then fitted on the selected basis functions (as
#' earth's `glm = list(family = binomial)` does).
#'
#' @param x A numeric matrix or data frame of inputs; for the formula method a
#'   formula `y ~ x1 + x2`; for `plot()` a fitted `statlearn_mars` model.
#' @param y A numeric response; for `family = "binomial"` a two-level factor,
#'   a logical, or numbers 0/1.
#' @param degree Maximum number of hinge factors in a term (1: additive).
#' @param penalty GCV cost per knot, \eqn{c} above; `-1` makes terms and knots
#'   free.
#' @param max_terms Maximum number of terms in the forward pass, including the
#'   intercept (earth's `nk`).
#' @param min_span Minimum number of observations between knots; `0` uses
#'   Friedman's rule (eq. 43), a negative value `-k` asks for about `k` evenly
#'   spaced knots.
#' @param end_span Number of observations kept free of knots at each end; `0`
#'   uses Friedman's rule (eq. 45). Tripled for interaction terms.
#' @param prune Backward pass (`TRUE`) or keep all forward terms (`FALSE`).
#' @param thresh Forward stopping threshold on the increase of \eqn{R^2}.
#' @param fast_k Number of parent terms considered at each forward step (Fast
#'   MARS); `0` considers all.
#' @param fast_beta Ageing coefficient of the Fast MARS queue.
#' @param family `"gaussian"` or `"binomial"`.
#' @inheritParams statlearn-params
#' @param ... For the formula method, arguments passed to `mars.default()`.
#' @return An object of class `statlearn_mars`: a list with the basis terms
#'   (`dirs`, `cuts`: one row per selected term, one column per input; a
#'   direction 1 is \eqn{(x - t)_+}, -1 is \eqn{(t - x)_+}, 2 is \eqn{x}),
#'   `basis` (one row per factor: term, variable, knot, direction),
#'   `coefficients`, `rss`, `rsq`, `gcv`, `grsq`, the pruning path
#'   (`rss_path`, `gcv_path`, `prune_terms`), the forward pass (`forward_dirs`,
#'   `forward_cuts`, `termcond`) and, for binomial, `glm_coefficients`.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The
#'   Elements of Statistical Learning*, 2nd ed., Section 9.4.
#'
#'   Friedman, J. H. (1991). Multivariate adaptive regression splines.
#'   *Annals of Statistics* 19, 1--67.
#'
#'   Friedman, J. H. (1993). Fast MARS. Technical Report 110, Stanford.
#' @family chapter 9
#' @examples
#' fit <- mars(Volume ~ Girth + Height, data = datasets::trees, threads = 1)
#' fit
#' predict(fit, datasets::trees[1:3, ])
#' fit2 <- mars(Volume ~ Girth + Height, data = datasets::trees, degree = 2, threads = 1)
#' summary(fit2)
#' @export
mars <- function(x, ...) UseMethod("mars")

#' @rdname mars
#' @export
mars.default <- function(x, y, weights = NULL, degree = 1,
                         penalty = if (degree > 1) 3 else 2,
                         max_terms = min(200, max(20, 2 * NCOL(x))) + 1,
                         min_span = 0, end_span = 0, prune = TRUE, thresh = 0.001,
                         fast_k = 20, fast_beta = 1, family = c("gaussian", "binomial"),
                         threads = NULL, ...) {
  check_dots(..., fun = "mars")
  x <- check_x(x)
  fit <- fit_mars(x, y, weights = weights, degree = degree, penalty = penalty,
                  max_terms = max_terms, min_span = min_span, end_span = end_span,
                  prune = prune, thresh = thresh, fast_k = fast_k, fast_beta = fast_beta,
                  family = family, threads = threads)
  fit$call <- match.call()
  fit
}

#' @rdname mars
#' @export
mars.formula <- function(x, data = NULL, subset, weights, na.action, ...) {
  formula <- x
  call <- match.call()
  names(call)[names(call) == "x"] <- "formula"
  mf <- formula_model_frame(call, parent.frame())
  des <- formula_design(mf)
  fit <- mars.default(des$x, des$y, weights = des$weights, ...)
  fit <- add_formula_info(fit, des, match.call())
  fit
}

# The basis matrix of terms given by dirs/cuts (rows: terms) at inputs x.
mars_basis <- function(x, dirs, cuts) {
  B <- matrix(1, nrow(x), nrow(dirs))
  for (t in seq_len(nrow(dirs))) {
    for (j in which(dirs[t, ] != 0)) {
      d <- dirs[t, j]
      B[, t] <- B[, t] * switch(as.character(d),
                                "1" = pmax(x[, j] - cuts[t, j], 0),
                                "-1" = pmax(cuts[t, j] - x[, j], 0),
                                "2" = x[, j])
    }
  }
  B
}

mars_term_names <- function(dirs, cuts, xnames) {
  vapply(seq_len(nrow(dirs)), function(t) {
    js <- which(dirs[t, ] != 0)
    if (!length(js)) return("(Intercept)")
    paste(vapply(js, function(j) {
      switch(as.character(dirs[t, j]),
             "1" = sprintf("h(%s-%g)", xnames[j], cuts[t, j]),
             "-1" = sprintf("h(%g-%s)", cuts[t, j], xnames[j]),
             "2" = xnames[j])
    }, ""), collapse = "*")
  }, "")
}

mars_response <- function(y, n, family) {
  if (family == "gaussian") return(list(y = check_y(y, n), levels = NULL))
  if (is.factor(y) || is.character(y)) {
    y <- factor(y)
    if (nlevels(y) != 2L) {
      abort_input("y", "a response with two classes for family = \"binomial\"",
                  sprintf("%d classes", nlevels(y)), class = "statlearn_error_classes")
    }
    if (length(y) != n) {
      abort_input("y", sprintf("of length %d (the number of rows of x)", n),
                  sprintf("length %d", length(y)), class = "statlearn_error_length")
    }
    if (anyNA(y)) abort_input("y", "no missing values", "NA", class = "statlearn_error_nonfinite")
    return(list(y = as.double(y == levels(y)[2L]), levels = levels(y)))
  }
  y <- check_y(y, n)
  if (!all(y == 0 | y == 1)) {
    abort_input("y", "0/1 values, a logical or a two-level factor for family = \"binomial\"",
                "other values", class = "statlearn_error_range")
  }
  list(y = y, levels = c("0", "1"))
}

fit_mars <- function(x, y, weights = NULL, degree = 1, penalty = 2,
                     max_terms = 21, min_span = 0, end_span = 0, prune = TRUE,
                     thresh = 0.001, fast_k = 20, fast_beta = 1,
                     family = c("gaussian", "binomial"), threads = NULL) {
  family <- check_choice(family, c("gaussian", "binomial"), "family")
  n <- nrow(x)
  p <- ncol(x)
  xnames <- colnames(x)
  resp <- mars_response(y, n, family)
  y <- resp$y
  w <- check_weights(weights, n)
  degree <- check_count(degree, "degree", lower = 1, upper = 100)
  penalty <- check_number(penalty, "penalty", lower = -1, upper = 1000)
  if (penalty < 0 && penalty != -1) {
    abort_input("penalty", "non-negative or -1 (free knots)", format(penalty),
                class = "statlearn_error_range")
  }
  max_terms <- check_count(max_terms, "max_terms", lower = 1, upper = 1000)
  min_span <- check_number(min_span, "min_span", lower = -n, upper = n, integer = TRUE)
  end_span <- check_count(end_span, "end_span", lower = 0, upper = n)
  prune <- check_flag(prune, "prune")
  thresh <- check_number(thresh, "thresh", lower = 0, upper = 1, upper_open = TRUE)
  fast_k <- check_count(fast_k, "fast_k", lower = 0)
  fast_beta <- check_number(fast_beta, "fast_beta", lower = 0, upper = 1000)
  threads <- resolve_threads(threads)
  if (n < 2L) {
    abort_input("x", "at least two rows", sprintf("%d", n), class = "statlearn_error_empty")
  }
  check_response_varies(y, w)
  if (any(w == 0)) {
    abort_input("weights", "positive weights (drop rows of weight zero)",
                sprintf("%d zero weight(s)", sum(w == 0)), class = "statlearn_error_range")
  }
  use_w <- !all(w == w[1L])
  ys <- (y - mean(y)) / stats::sd(y)

  fw <- cpp_mars_forward(x, ys, if (use_w) w else numeric(0), degree, penalty,
                         max_terms, thresh, min_span, end_span, 2, fast_k, fast_beta,
                         TRUE, threads)
  used <- fw$used
  dirs <- fw$dirs[used, , drop = FALSE]
  cuts <- fw$cuts[used, , drop = FALSE]
  colnames(dirs) <- colnames(cuts) <- xnames
  B <- mars_basis(x, dirs, cuts)
  sw <- sqrt(w)
  nterms <- nrow(dirs)
  bk <- cpp_mars_backward(B * sw, y * sw)
  rss_path <- bk$rss
  nk <- seq_len(nterms)
  cost <- nk + penalty * (nk - 1) / 2
  if (penalty == -1) cost <- rep(0, nterms)
  gcv_path <- ifelse(cost >= n, Inf, rss_path / (n * (1 - cost / n)^2))
  size <- if (prune) which.min(gcv_path) else nterms
  selected <- sort(bk$terms[size, seq_len(size)])
  Bs <- B[, selected, drop = FALSE]
  lmf <- if (use_w) stats::lm.wfit(Bs, y, w) else stats::lm.fit(Bs, y)
  coef <- lmf$coefficients
  tnames <- mars_term_names(dirs, cuts, xnames)
  names(coef) <- tnames[selected]
  res <- lmf$residuals
  fitted <- lmf$fitted.values
  rss <- sum(w * res^2)
  tss <- rss_path[1L]
  sel_dirs <- dirs[selected, , drop = FALSE]
  sel_cuts <- cuts[selected, , drop = FALSE]
  rownames(sel_dirs) <- rownames(sel_cuts) <- tnames[selected]
  rownames(dirs) <- rownames(cuts) <- tnames
  idx <- which(sel_dirs != 0, arr.ind = TRUE)
  idx <- idx[order(idx[, 1L], idx[, 2L]), , drop = FALSE]
  basis <- data.frame(term = unname(idx[, 1L]), variable = unname(idx[, 2L]),
                      knot = sel_cuts[idx], direction = sel_dirs[idx])
  fit <- list(
    coefficients = coef, dirs = sel_dirs, cuts = sel_cuts, basis = basis,
    selected = selected, forward_dirs = dirs, forward_cuts = cuts,
    rss = rss, rsq = 1 - rss / tss, gcv = gcv_path[size], grsq = 1 - gcv_path[size] / gcv_path[1L],
    rss_path = rss_path, gcv_path = gcv_path, prune_terms = bk$terms,
    forward_rsq = fw$rsq, termcond = fw$termcond,
    fitted.values = fitted, residuals = res, weights = if (use_w) w else NULL,
    family = family, levels = resp$levels, xnames = xnames, nobs = n,
    xrange = fw$xrange,
    settings = list(degree = degree, penalty = penalty, max_terms = max_terms,
                    min_span = min_span, end_span = end_span, prune = prune,
                    thresh = thresh, fast_k = fast_k, fast_beta = fast_beta)
  )
  if (family == "binomial") {
    g <- suppressWarnings(stats::glm.fit(Bs, y, weights = w, family = stats::binomial()))
    gc <- g$coefficients
    names(gc) <- names(coef)
    fit$glm_coefficients <- gc
    fit$glm_deviance <- g$deviance
    fit$glm_converged <- g$converged
    fit$fitted.values <- g$fitted.values
    fit$residuals <- y - g$fitted.values
    fit$y <- y
  }
  class(fit) <- c("statlearn_mars", "statlearn_model")
  fit
}

mars_newx <- function(object, newdata) {
  if (is.null(newdata)) return(NULL)
  if (!is.null(object$terms)) return(new_design(object, newdata))
  x <- check_x(newdata, "newdata")
  if (ncol(x) != length(object$xnames)) {
    abort_input("newdata", sprintf("%d columns (as in training)", length(object$xnames)),
                sprintf("%d columns", ncol(x)), class = "statlearn_error_dimension")
  }
  x
}

#' @rdname mars
#' @param object A fitted `statlearn_mars` model.
#' @param newdata New inputs: a matrix (or data frame for a formula fit);
#'   `NULL` returns the fitted values.
#' @param type `"response"` (fitted values; probabilities for binomial) or
#'   `"link"` (the logit for binomial).
#' @export
predict.statlearn_mars <- function(object, newdata = NULL, type = c("response", "link"), ...) {
  type <- check_choice(type, c("response", "link"), "type")
  x <- mars_newx(object, newdata)
  if (is.null(x)) {
    if (object$family == "gaussian" || type == "response") return(object$fitted.values)
    return(stats::qlogis(object$fitted.values))
  }
  B <- mars_basis(x, object$dirs, object$cuts)
  if (object$family == "gaussian") return(drop(B %*% object$coefficients))
  eta <- drop(B %*% object$glm_coefficients)
  if (type == "link") eta else stats::plogis(eta)
}

#' MARS basis functions at new data
#'
#' The basis matrix of a [mars()] fit: one column per selected term (the
#' intercept first), or per term of the pruning subset with `size` terms.
#'
#' @param object A `statlearn_mars` fit.
#' @param newdata Inputs (a matrix, or a data frame for a formula fit);
#'   `NULL` is not allowed (the training inputs are not stored).
#' @param size `NULL` for the selected model, or a number of terms in
#'   `1..nrow(object$forward_dirs)`: the subset of that size on the pruning
#'   path.
#' @param ... Unused.
#' @return A numeric matrix with the term names as column names.
#' @family chapter 9
#' @examples
#' fit <- mars(Volume ~ Girth + Height, data = datasets::trees, threads = 1)
#' head(model.matrix(fit, datasets::trees))
#' @export
model.matrix.statlearn_mars <- function(object, newdata, size = NULL, ...) {
  x <- mars_newx(object, newdata)
  if (is.null(x)) {
    abort_input("newdata", "the inputs at which to evaluate the basis", "NULL",
                class = "statlearn_error_type")
  }
  if (is.null(size)) {
    dirs <- object$dirs
    cuts <- object$cuts
  } else {
    size <- check_count(size, "size", lower = 1, upper = nrow(object$forward_dirs))
    terms <- object$prune_terms[size, seq_len(size)]
    dirs <- object$forward_dirs[terms, , drop = FALSE]
    cuts <- object$forward_cuts[terms, , drop = FALSE]
  }
  B <- mars_basis(x, dirs, cuts)
  colnames(B) <- rownames(dirs)
  B
}

#' @export
coef.statlearn_mars <- function(object, ...) {
  if (object$family == "binomial") object$glm_coefficients else object$coefficients
}

#' @export
fitted.statlearn_mars <- function(object, ...) object$fitted.values

#' @export
residuals.statlearn_mars <- function(object, ...) object$residuals

#' @export
nobs.statlearn_mars <- function(object, ...) object$nobs

mars_termcond <- function(code) {
  c("reached the maximum number of terms (max_terms < 3)", "GRSq -Inf",
    "GRSq below -10", "RSq changed by less than thresh",
    "reached RSq 1 - thresh", "no new term increases RSq",
    "reached max_terms")[code]
}

#' @export
print.statlearn_mars <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("MARS (ESL 9.4), degree %d, penalty %g%s\n", x$settings$degree, x$settings$penalty,
              if (x$family == "binomial") ", binomial glm on the selected terms" else ""))
  cf <- coef(x)
  print(format(data.frame(coefficient = cf, row.names = names(cf)), digits = digits))
  nused <- sum(colSums(abs(x$dirs)) > 0)
  cat(sprintf("\nSelected %d of %d terms, and %d of %d inputs\n", length(x$selected),
              nrow(x$forward_dirs), nused, length(x$xnames)))
  cat(sprintf("Forward pass: %s\n", mars_termcond(x$termcond)))
  cat(sprintf("GCV %s  RSS %s  GRSq %s  RSq %s\n", format(x$gcv, digits = digits),
              format(x$rss, digits = digits), format(x$grsq, digits = digits),
              format(x$rsq, digits = digits)))
  invisible(x)
}

#' @export
summary.statlearn_mars <- function(object, ...) {
  cf <- coef(object)
  tab <- data.frame(coefficient = cf, row.names = names(cf))
  out <- list(coefficients = tab, basis = object$basis, gcv = object$gcv, rss = object$rss,
              rsq = object$rsq, grsq = object$grsq, family = object$family,
              settings = object$settings, nterms = length(object$selected),
              nforward = nrow(object$forward_dirs), termcond = object$termcond,
              importance = mars_importance(object), call = object$call)
  class(out) <- "summary.statlearn_mars"
  out
}

# Number of subsets in the pruning path that contain each input (earth's
# "nsubsets" importance).
mars_importance <- function(object) {
  imp <- stats::setNames(numeric(length(object$xnames)), object$xnames)
  size <- length(object$selected)
  for (k in seq_len(size)) {
    terms <- object$prune_terms[k, seq_len(k)]
    vars <- which(colSums(abs(object$forward_dirs[terms, , drop = FALSE])) > 0)
    imp[vars] <- imp[vars] + 1
  }
  sort(imp[imp > 0], decreasing = TRUE)
}

#' @export
print.summary.statlearn_mars <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  if (!is.null(x$call)) {
    cat("Call: ")
    print(x$call)
  }
  cat(sprintf("\nMARS, degree %d, penalty %g, %s\n\n", x$settings$degree, x$settings$penalty,
              x$family))
  stats::printCoefmat(as.matrix(x$coefficients), digits = digits)
  cat(sprintf("\nSelected %d of %d terms; forward pass: %s\n", x$nterms, x$nforward,
              mars_termcond(x$termcond)))
  cat(sprintf("GCV %s  RSS %s  GRSq %s  RSq %s\n", format(x$gcv, digits = digits),
              format(x$rss, digits = digits), format(x$grsq, digits = digits),
              format(x$rsq, digits = digits)))
  if (length(x$importance)) {
    cat("\nInput importance (number of pruning subsets that use it):\n")
    print(x$importance)
  }
  invisible(x)
}

#' @rdname mars
#' @param which `"selection"`: GRSq and RSq of the pruning path against the
#'   number of terms, with the selected size marked; `"functions"`: the fitted
#'   function of each input that enters additively (other inputs at their
#'   training medians are not needed, as the terms of one input are summed),
#'   over the training range, with the knots as a rug.
#' @export
plot.statlearn_mars <- function(x, which = c("selection", "functions"), ...) {
  which <- check_choice(which, c("selection", "functions"), "which")
  op <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(op))
  if (which == "selection") {
    k <- seq_along(x$rss_path)
    grsq <- 1 - x$gcv_path / x$gcv_path[1L]
    rsq <- 1 - x$rss_path / x$rss_path[1L]
    grsq[!is.finite(grsq)] <- NA
    graphics::par(mar = c(4.5, 4.5, 2.5, 1))
    graphics::plot(k, rsq, type = "b", pch = 20, ylim = range(c(rsq, grsq), na.rm = TRUE),
                   xlab = "Number of terms", ylab = "R-squared",
                   main = "MARS pruning path (ESL 9.4)", ...)
    graphics::lines(k, grsq, type = "b", pch = 1, lty = 2, col = "firebrick")
    graphics::abline(v = length(x$selected), lty = 3, col = "grey40")
    graphics::legend("bottom", c("RSq", "GRSq (1 - GCV/GCV null)", "selected"),
                     lty = c(1, 2, 3), pch = c(20, 1, NA),
                     col = c("black", "firebrick", "grey40"), bty = "n")
    return(invisible(x))
  }
  vars <- which(colSums(abs(x$dirs)) > 0)
  single <- rowSums(x$dirs != 0) == 1
  vars <- vars[vapply(vars, function(j) any(single & x$dirs[, j] != 0), logical(1))]
  if (!length(vars)) return(invisible(x))
  nc <- ceiling(sqrt(length(vars)))
  graphics::par(mfrow = c(ceiling(length(vars) / nc), nc), mar = c(4, 4, 1.5, 1))
  cf <- coef(x)
  for (j in vars) {
    knots <- x$cuts[x$dirs[, j] != 0, j]
    grid <- seq(x$xrange[1L, j], x$xrange[2L, j], length.out = 200)
    rows <- which(single & x$dirs[, j] != 0)
    xx <- matrix(0, length(grid), length(x$xnames))
    xx[, j] <- grid
    f <- mars_basis(xx, x$dirs[rows, , drop = FALSE], x$cuts[rows, , drop = FALSE]) %*% cf[rows]
    graphics::plot(grid, f, type = "l", xlab = x$xnames[j], ylab = "contribution to the fit",
                   main = "MARS additive term", cex.main = 0.9, ...)
    graphics::rug(knots)
  }
  invisible(x)
}
