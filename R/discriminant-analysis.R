# Gaussian discriminant analysis (ESL 4.3): linear (LDA, with reduced-rank
# canonical variates), quadratic (QDA) and regularized (RDA) discriminant
# analysis. The class moments, the Cholesky factors and the discriminant scores
# for many rows are computed in the core (inst/include/statlearn/classify/discriminant.h).

# ---------------------------------------------------------------------------
# Shared set-up

# The prior: NULL (the weighted class proportions) or K non-negative numbers
# summing to 1, optionally named by class.
check_prior <- function(prior, levels, class_weight) {
  K <- length(levels)
  if (is.null(prior)) return(stats::setNames(class_weight / sum(class_weight), levels))
  if (!is.numeric(prior) || !is.null(dim(prior))) {
    abort_input("prior", sprintf("a numeric vector of %d class probabilities", K), describe(prior),
                class = "statlearn_error_type")
  }
  if (length(prior) != K) {
    abort_input("prior", sprintf("of length %d (one per class: %s)", K, paste(levels, collapse = ", ")),
                sprintf("length %d", length(prior)), class = "statlearn_error_length")
  }
  if (!is.null(names(prior))) {
    if (!setequal(names(prior), levels)) {
      abort_input("prior", sprintf("named by the classes (%s)", paste(levels, collapse = ", ")),
                  sprintf("names %s", paste(names(prior), collapse = ", ")),
                  class = "statlearn_error_range")
    }
    prior <- prior[levels]
  }
  check_finite_values(prior, "prior")
  if (any(prior < 0) || abs(sum(prior) - 1) > 1e-6 || !any(prior > 0)) {
    abort_input("prior", "non-negative probabilities summing to 1",
                sprintf("values summing to %g (minimum %g)", sum(prior), min(prior)),
                class = "statlearn_error_range")
  }
  stats::setNames(as.double(prior) / sum(prior), levels)
}

# Checks shared by the discriminant fitters and the class moments from the core.
da_setup <- function(x, y, weights, prior, threads) {
  threads <- resolve_threads(threads)
  n <- nrow(x)
  y <- check_class_y(y, n)
  w <- check_weights(weights, n)
  lev <- levels(y)
  K <- length(lev)
  mom <- cpp_class_moments(x, as.integer(y), w, K, threads)
  counts <- stats::setNames(mom$count, lev)
  if (any(counts == 0L)) {
    abort(sprintf("Class(es) %s have no observation with a positive weight; drop them from `y` or give them weight.",
                  paste0('"', lev[counts == 0L], '"', collapse = ", ")),
          class = c("statlearn_error_class_size", "statlearn_error_input"))
  }
  list(y = y, w = w, levels = lev, K = K, moments = mom, counts = counts,
       prior = check_prior(prior, lev, mom$weight), prior_given = !is.null(prior),
       threads = threads, xnames = column_names(x), n = n, p = ncol(x))
}

# Divisors of the class covariance matrices: W_k - sum(w^2)/W_k, which is
# n_k - 1 for unit weights (and scale free), so the pooled divisor is n - K.
class_divisors <- function(mom) {
  d <- mom$weight - mom$weight2 / mom$weight
  d[!is.finite(d) | d < 1e-12 * pmax(mom$weight, 1)] <- 0
  d
}

# The x of a formula design, as a checked double matrix.
formula_x <- function(des) {
  x <- des$x
  if (ncol(x) == 0L) {
    abort_input("formula", "at least one predictor", "none", class = "statlearn_error_formula")
  }
  storage.mode(x) <- "double"
  check_finite_values(x, "x")
  x
}

# Training data of a classifier, evaluated again from its call (for fitted(),
# plot() and cross_validate()), or given as x and y.
class_training_data <- function(fit, env = parent.frame(), x = NULL, y = NULL, weights = NULL) {
  if (!is.null(x) || !is.null(y)) {
    if (is.null(x) || is.null(y)) {
      abort_input(if (is.null(x)) "x" else "y", "given together with the other (x and y)",
                  "only one of them", class = "statlearn_error_missing")
    }
    if (is.data.frame(x) && !is.null(fit$terms)) {
      des <- formula_design(stats::model.frame(fit$terms, x), fit$contrasts)
      out <- list(x = formula_x(des), y = des$y, weights = des$weights)
    } else {
      out <- list(x = check_x(x, "x"), y = y, weights = weights)
    }
  } else {
    call <- fit$call
    if (is.null(call)) {
      abort("The fit has no call to rebuild its training data from; pass `x` and `y`.",
            class = c("statlearn_error_missing", "statlearn_error_input"))
    }
    rebuild <- function(env) {
      if (!is.null(fit$terms)) {
        des <- formula_design(formula_model_frame(call, env), fit$contrasts)
        list(x = formula_x(des), y = des$y, weights = des$weights)
      } else {
        list(x = check_x(eval(call$x, env), "x"), y = eval(call$y, env),
             weights = if (is.null(call$weights)) NULL else eval(call$weights, env))
      }
    }
    out <- tryCatch(tryCatch(rebuild(env), error = function(e) rebuild(globalenv())),
                    statlearn_error = function(e) stop(e), error = function(e) {
      abort(sprintf("Could not rebuild the training data from the fit's call (%s); pass `x` and `y`.",
                    conditionMessage(e)), class = c("statlearn_error_missing", "statlearn_error_input"))
    })
    if (nrow(out$x) != fit$nobs || ncol(out$x) != length(fit$xnames)) {
      abort("The data named in the fit's call have changed since fitting; pass `x` and `y`.",
            class = c("statlearn_error_missing", "statlearn_error_input"))
    }
  }
  out$y <- check_class_y(out$y, nrow(out$x))
  out$weights <- check_weights(out$weights, nrow(out$x))
  out
}

# Design for predict(): new data, or the training data when it is missing.
da_newx <- function(object, newdata, env) {
  if (is.null(newdata)) return(class_training_data(object, env)$x)
  x <- new_design(object, newdata)
  if (!is.double(x)) storage.mode(x) <- "double"
  x
}

# Scores (n x K) to the requested output.
da_output <- function(scores, type, levels, threads, rn) {
  if (type == "class") {
    return(class_factor(max.col(scores, ties.method = "first"), levels))
  }
  if (type == "prob") scores <- cpp_posterior(scores, threads)
  dimnames(scores) <- list(rn, levels)
  scores
}

print_prior <- function(x, digits) {
  cat("\nPrior probabilities of the classes:\n")
  print(round(x$prior, digits))
  cat("\nClass sizes:\n")
  print(x$counts)
}

# ---------------------------------------------------------------------------
# Linear discriminant analysis

#' Linear discriminant analysis
#'
#' Classifies by the Gaussian model with a common covariance matrix: class
#' \eqn{k} gets the linear discriminant function
#' \eqn{\delta_k(x) = x^T\Sigma^{-1}\mu_k - \mu_k^T\Sigma^{-1}\mu_k/2 + \log\pi_k}
#' (ESL eq. 4.10), with the class means \eqn{\mu_k}, the pooled within-class
#' covariance \eqn{\Sigma} (divisor \eqn{n - K}, as [MASS::lda()]) and the
#' prior probabilities \eqn{\pi_k}.
#'
#' The fit also holds the canonical (discriminant) variates of ESL section
#' 4.3.3, computed as the book does: the inputs are sphered with the pooled
#' within-class covariance \eqn{W = UDU^T} (\eqn{x^* = D^{-1/2}U^Tx}), and the
#' discriminant directions are the principal components of the sphered class
#' centroids, weighted by the priors. There are \eqn{\min(K-1, p)} of them; each
#' has unit within-class variance, and they are ordered by their between-class
#' variance (`eigenvalues`). Reduced-rank LDA of dimension \eqn{L} classifies
#' to the nearest centroid in the first \eqn{L} canonical coordinates,
#' adjusted by the log priors (ESL Figures 4.10-4.11); in the full dimension it
#' is ordinary LDA.
#'
#' Observation weights are reliability weights: the means are weighted means,
#' the scatter matrices weighted sums, and the covariance divisor of class
#' \eqn{k} is \eqn{W_k - \sum_{i\in k} w_i^2 / W_k} (\eqn{W_k} the class's
#' total weight), which is \eqn{n_k - 1} for unit weights. So the fit does not
#' change when all weights are multiplied by a constant, and 0/1 weights are
#' the same as taking the subset with weight 1. A class of `y` with no
#' observations (an empty factor level) is dropped.
#'
#' @inheritParams statlearn-params
#' @param y The classes: a factor (or a character, logical or integer vector)
#'   of length n.
#' @param prior The prior class probabilities, in the order of the levels of
#'   `y` (or named by class); `NULL` uses the (weighted) class proportions.
#' @param rank The default dimension of reduced-rank LDA used by `predict()`;
#'   `NULL` is the full dimension \eqn{\min(K-1, p)}.
#' @return An object of class `c("statlearn_linear_discriminant",
#'   "statlearn_classifier", "statlearn_model")` with `prior`, `counts`,
#'   `means` (K x p), `covariance` (the pooled within-class covariance),
#'   `scaling` (the discriminant directions, p x min(K-1, p), as the
#'   `scaling` of [MASS::lda()]), `eigenvalues` (between-class variances of the
#'   canonical variates), `center` (the prior-weighted mean of the class
#'   means, the origin of the canonical coordinates), `levels`, `rank` and,
#'   for formula fits, what `predict()` needs. `coef()` gives `scaling`.
#'   `fitted()` gives the fitted classes (or, with `type = "prob"`, the
#'   posterior probabilities) of the training data, found again from the call.
#' @references Hastie, Tibshirani and Friedman (2009), sections 4.3 and
#'   4.3.3, equations 4.8-4.10, Figures 4.4, 4.8, 4.10 and 4.11, Table 4.1.
#' @family chapter 4
#' @export
#' @examples
#' fit <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
#' fit
#' mean(predict(fit, vowel_test) != vowel_test$y)  # ESL Table 4.1: 0.56
#' # reduced-rank LDA in two dimensions (ESL Figure 4.10)
#' mean(predict(fit, vowel_test, dimension = 2) != vowel_test$y)
#' plot(fit)  # ESL Figure 4.4
linear_discriminant <- function(x, ...) UseMethod("linear_discriminant")

#' @rdname linear_discriminant
#' @export
linear_discriminant.default <- function(x, y, prior = NULL, rank = NULL, weights = NULL,
                                        threads = NULL, ...) {
  check_dots(..., fun = "linear_discriminant")
  x <- check_x(x, "x", names = FALSE)
  fit <- fit_linear_discriminant(x, y, weights, prior, rank, threads)
  fit$call <- match.call()
  fit
}

#' @rdname linear_discriminant
#' @export
linear_discriminant.formula <- function(formula, data, subset, weights, na.action, prior = NULL,
                                        rank = NULL, threads = NULL, ...) {
  check_dots(..., fun = "linear_discriminant")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_linear_discriminant(formula_x(des), des$y, des$weights, prior, rank, threads)
  add_formula_info(fit, des, call)
}

fit_linear_discriminant <- function(x, y, weights, prior, rank, threads) {
  s <- da_setup(x, y, weights, prior, threads)
  mom <- s$moments
  d <- sum(class_divisors(mom))
  if (!(d > 0)) {
    abort_input("y", "a class with at least two observations (for the within-class covariance)",
                "one observation in every class", class = "statlearn_error_class_size")
  }
  cov <- mom$pooled / d
  r <- min(s$K - 1L, s$p)
  sc <- cpp_lda_scaling(mom$means, cov, s$prior, r)
  if (!isTRUE(sc$ok)) {
    abort(sprintf(paste0("The pooled within-class covariance of `x` is singular (condition %.2g): some ",
                         "variables are constant within classes or linear combinations of others. ",
                         "Remove them, or use regularized_discriminant() with gamma < 1."), sc$condition),
          class = c("statlearn_error_singular", "statlearn_error_input"))
  }
  rank <- if (is.null(rank)) r else check_count(rank, "rank", lower = 1, upper = r)
  means <- t(mom$means)
  dimnames(means) <- list(s$levels, s$xnames)
  dimnames(cov) <- list(s$xnames, s$xnames)
  scaling <- sc$scaling
  dimnames(scaling) <- list(s$xnames, paste0("LD", seq_len(r)))
  structure(list(
    prior = s$prior, counts = s$counts, means = means, covariance = cov, scaling = scaling,
    eigenvalues = stats::setNames(sc$eigenvalues, colnames(scaling)),
    center = colSums(s$prior * means), levels = s$levels, rank = rank, max_rank = r,
    xnames = s$xnames, nobs = s$n, prior_given = s$prior_given, call = NULL,
    loglik = discriminant_ml_loglik(mom, quadratic = FALSE),
    method = "linear discriminant analysis"
  ), class = c("statlearn_linear_discriminant", "statlearn_classifier", "statlearn_model"))
}

# Coefficients (p x K) and constants (K) of the discriminant functions in
# dimension L: ESL eq. 4.10 in the full dimension; in L < full dimensions
# z_L' mu_kL - ||mu_kL||^2 / 2 + log pi_k, z_L the centred canonical
# coordinates (nearest centroid adjusted by the log priors).
lda_functions <- function(object, L) {
  lp <- log(object$prior)
  M <- t(object$means)
  if (L == object$max_rank) {
    A <- solve_equilibrated(object$covariance, M)
    cst <- -0.5 * colSums(M * A) + lp
  } else {
    V <- object$scaling[, seq_len(L), drop = FALSE]
    Mu <- sweep(object$means, 2L, object$center) %*% V
    A <- V %*% t(Mu)
    cst <- -0.5 * rowSums(Mu^2) - drop(object$center %*% A) + lp
  }
  list(A = unname(A), c = unname(cst))
}

#' Predictions from linear discriminant analysis
#'
#' @param object A [linear_discriminant()] fit.
#' @param newdata New data: a data frame for formula fits, else a matrix with
#'   the training columns. Missing or `NULL`: the training data, found again
#'   from the fit's call.
#' @param type `"class"` (a factor with the training levels), `"prob"` (the
#'   posterior probabilities, n x K), `"link"` (the discriminant functions
#'   \eqn{\delta_k(x)}, n x K: ESL eq. 4.10 in the full dimension, and in a
#'   reduced dimension \eqn{L} the nearest-centroid form
#'   \eqn{z_L^T\mu_{kL} - \|\mu_{kL}\|^2/2 + \log\pi_k}, which differs from
#'   \eqn{-\|z_L - \mu_{kL}\|^2/2 + \log\pi_k} by a term common to all
#'   classes) or `"variates"` (the first `dimension` canonical variates, centred
#'   at `object$center`, as the `x` of [MASS::predict.lda()]).
#' @param dimension The dimension \eqn{L} of reduced-rank LDA (1 to
#'   \eqn{\min(K-1, p)}); the default is the fit's `rank`.
#' @param threads Number of threads; see [statlearn_threads()].
#' @param ... Unused.
#' @return A factor or a matrix, as `type` says.
#' @family chapter 4
#' @export
#' @examples
#' fit <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
#' head(predict(fit, vowel_test, type = "prob"), 3)
#' head(predict(fit, vowel_test, type = "variates", dimension = 2), 3)
predict.statlearn_linear_discriminant <- function(object, newdata = NULL,
                                                  type = c("class", "prob", "link", "variates"),
                                                  dimension = object$rank, threads = NULL, ...) {
  check_dots(..., fun = "predict")
  predict_linear(object, newdata, type, dimension, threads, parent.frame())
}

predict_linear <- function(object, newdata, type, dimension, threads, env) {
  type <- check_choice(type, c("class", "prob", "link", "variates"), "type")
  L <- check_count(dimension, "dimension", lower = 1, upper = object$max_rank)
  threads <- resolve_threads(threads)
  x <- da_newx(object, newdata, env)
  if (type == "variates") {
    V <- object$scaling[, seq_len(L), drop = FALSE]
    out <- cpp_linear_scores(x, unname(V), -drop(object$center %*% V), threads)
    dimnames(out) <- list(rownames(x), colnames(V))
    return(out)
  }
  f <- lda_functions(object, L)
  da_output(cpp_linear_scores(x, f$A, f$c, threads), type, object$levels, threads, rownames(x))
}

#' @export
fitted.statlearn_linear_discriminant <- function(object, type = c("class", "prob"), threads = NULL, ...) {
  check_dots(..., fun = "fitted")
  predict_linear(object, NULL, check_choice(type, c("class", "prob"), "type"), object$rank, threads,
                 parent.frame())
}

#' @export
coef.statlearn_linear_discriminant <- function(object, ...) object$scaling

#' @export
print.statlearn_linear_discriminant <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Linear discriminant analysis: n = %d, p = %d, K = %d classes\n", x$nobs,
              length(x$xnames), length(x$levels)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  print_prior(x, digits)
  cat("\nProportion of trace (between-class variance of the canonical variates):\n")
  print(round(x$eigenvalues / sum(x$eigenvalues), digits))
  if (x$rank < x$max_rank) cat(sprintf("Reduced rank: predictions use %d canonical variates.\n", x$rank))
  invisible(x)
}

#' Plot canonical variates of linear discriminant analysis
#'
#' Plots two canonical (discriminant) variates of the training data, coloured
#' by class, with the class centroids marked by large filled circles (ESL
#' Figures 4.4 and 4.8).
#'
#' @param x A [linear_discriminant()] fit.
#' @param dimensions The two canonical variates to plot.
#' @param newdata,y Data and classes to plot instead of the training data.
#' @param col Colours of the classes (recycled); `NULL` picks a palette whose
#'   colours stay distinct for up to 12 classes.
#' @param legend Where to draw a legend of the classes: `"outside"` (to the
#'   right of the plot, the default when there are more than three classes),
#'   `"none"`, or a position [graphics::legend()] understands (`"topleft"`).
#' @param label_means Write each class's name (or number) in its centroid's
#'   disc?
#' @param main,xlab,ylab Titles.
#' @param ... Passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @family chapter 4
#' @export
#' @examples
#' fit <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
#' plot(fit)
#' plot(fit, dimensions = c(1, 3))
plot.statlearn_linear_discriminant <- function(x, dimensions = c(1L, 2L), newdata = NULL, y = NULL,
                                               col = NULL, legend = NULL, label_means = FALSE,
                                               main = "Linear discriminant analysis",
                                               xlab = NULL, ylab = NULL, ...) {
  label_means <- check_flag(label_means, "label_means")
  K <- length(x$levels)
  legend <- if (is.null(legend)) (if (K > 3L) "outside" else "none") else
    check_choice(legend, c("outside", "none", "topleft", "topright", "bottomleft", "bottomright",
                           "top", "bottom", "left", "right", "center"), "legend")
  if (!is.numeric(dimensions) || length(dimensions) != 2L || anyNA(dimensions) ||
      any(dimensions < 1) || any(dimensions > x$max_rank) || any(dimensions != round(dimensions))) {
    abort_input("dimensions", sprintf("two canonical variates between 1 and %d", x$max_rank),
                describe(dimensions), class = "statlearn_error_range")
  }
  if (is.null(newdata)) {
    td <- class_training_data(x, parent.frame())
    xx <- td$x
    cls <- td$y
  } else {
    xx <- da_newx(x, newdata, parent.frame())
    cls <- if (is.null(y)) predict(x, newdata) else factor(y, levels = x$levels)
  }
  V <- x$scaling[, dimensions, drop = FALSE]
  z <- sweep(xx, 2L, x$center) %*% V
  cz <- sweep(x$means, 2L, x$center) %*% V
  if (is.null(col)) col <- class_colours(K)
  col <- rep_len(col, K)
  if (legend == "outside") {
    # Room on the right for the legend, for this plot only.
    width <- max(graphics::strwidth(x$levels, units = "inches", cex = 0.75)) + 0.45
    mai <- graphics::par("mai")
    old <- graphics::par(mai = c(mai[1:3], max(mai[4L], width + 0.1)))
    on.exit(graphics::par(old), add = TRUE)
  }
  args <- list(x = z[, 1L], y = z[, 2L], col = col[as.integer(cls)], pch = 1, cex = 0.7, main = main,
               xlab = if (is.null(xlab)) sprintf("Coordinate %d for training data", dimensions[1L]) else xlab,
               ylab = if (is.null(ylab)) sprintf("Coordinate %d for training data", dimensions[2L]) else ylab)
  extra <- list(...)
  args[names(extra)] <- extra  # the caller's graphical parameters win
  do.call(graphics::plot, args)
  if (label_means) {
    graphics::points(cz[, 1L], cz[, 2L], pch = 21, bg = "white", col = col, cex = 2.6, lwd = 2)
    graphics::text(cz[, 1L], cz[, 2L], if (max(nchar(x$levels)) <= 2L) x$levels else seq_len(K),
                   cex = 0.7, font = 2)
  } else {
    graphics::points(cz[, 1L], cz[, 2L], pch = 21, bg = col, col = "black", cex = 2.2, lwd = 1.5)
  }
  if (legend == "outside") {
    usr <- graphics::par("usr")
    graphics::legend(usr[2L] + 0.02 * diff(usr[1:2]), usr[4L], legend = x$levels, col = col,
                     pch = 19, bty = "n", cex = 0.75, xpd = TRUE)
  } else if (legend != "none") {
    graphics::legend(legend, legend = x$levels, col = col, pch = 19, bg = "white", cex = 0.75)
  }
  invisible(x)
}

# ---------------------------------------------------------------------------
# Quadratic and regularized discriminant analysis

# Inverse Cholesky factors and log determinants of covariances (p x p x K),
# with a classed error naming the class whose covariance is singular.
da_factors <- function(cov, levels, hint) {
  p <- dim(cov)[1L]
  K <- dim(cov)[3L]
  fac <- cpp_gaussian_factors(cov, p, K)
  if (!all(fac$ok)) {
    abort(sprintf("The covariance matrix of class(es) %s is singular (not positive definite). %s",
                  paste0('"', levels[!fac$ok], '"', collapse = ", "), hint),
          class = c("statlearn_error_singular", "statlearn_error_input"))
  }
  fac
}

check_class_sizes <- function(counts, p, method) {
  small <- counts <= p
  if (any(small)) {
    abort(sprintf(paste0("%s needs more observations than variables (p = %d) in every class; ",
                         "class(es) %s have %s. Use linear_discriminant() or ",
                         "regularized_discriminant() with alpha < 1."),
                  method, p, paste0('"', names(counts)[small], '"', collapse = ", "),
                  paste(counts[small], collapse = ", ")),
          class = c("statlearn_error_class_size", "statlearn_error_input"))
  }
}

#' Quadratic discriminant analysis
#'
#' Classifies by the Gaussian model with a covariance matrix per class: class
#' \eqn{k} gets the quadratic discriminant function
#' \eqn{\delta_k(x) = -\log|\Sigma_k|/2 - (x-\mu_k)^T\Sigma_k^{-1}(x-\mu_k)/2 + \log\pi_k}
#' (ESL eq. 4.12). Each class covariance has divisor \eqn{n_k - 1} (as
#' [MASS::qda()]); the log-determinants and the quadratic forms come from
#' Cholesky factors. Every class needs more observations than variables
#' (\eqn{n_k > p}); otherwise a `statlearn_error_class_size` error names the
#' classes. Weights are reliability weights, as in [linear_discriminant()].
#'
#' @inheritParams linear_discriminant
#' @return An object of class `c("statlearn_quadratic_discriminant",
#'   "statlearn_classifier", "statlearn_model")` with `prior`, `counts`,
#'   `means` (K x p), `covariances` (p x p x K), `scaling` (p x p x K: the
#'   inverse Cholesky factors \eqn{R_k^{-1}} with \eqn{\Sigma_k = R_k^TR_k},
#'   so that \eqn{(x-\mu_k)^TR_k^{-1}} has identity covariance, as the
#'   `scaling` of [MASS::qda()]), `logdet` (\eqn{\log|\Sigma_k|}) and
#'   `levels`. `predict()` gives `type = "class"`, `"prob"` or `"link"` (the
#'   \eqn{\delta_k}); `fitted()` the fitted classes or probabilities.
#' @references Hastie, Tibshirani and Friedman (2009), section 4.3, equation
#'   4.12, Figure 4.6, Table 4.1.
#' @family chapter 4
#' @export
#' @examples
#' fit <- quadratic_discriminant(y ~ ., data = vowel_train, threads = 1)
#' mean(predict(fit, vowel_test) != vowel_test$y)  # ESL Table 4.1: 0.53
quadratic_discriminant <- function(x, ...) UseMethod("quadratic_discriminant")

#' @rdname quadratic_discriminant
#' @export
quadratic_discriminant.default <- function(x, y, prior = NULL, weights = NULL, threads = NULL, ...) {
  check_dots(..., fun = "quadratic_discriminant")
  x <- check_x(x, "x", names = FALSE)
  fit <- fit_quadratic_discriminant(x, y, weights, prior, threads)
  fit$call <- match.call()
  fit
}

#' @rdname quadratic_discriminant
#' @export
quadratic_discriminant.formula <- function(formula, data, subset, weights, na.action, prior = NULL,
                                           threads = NULL, ...) {
  check_dots(..., fun = "quadratic_discriminant")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_quadratic_discriminant(formula_x(des), des$y, des$weights, prior, threads)
  add_formula_info(fit, des, call)
}

fit_quadratic_discriminant <- function(x, y, weights, prior, threads) {
  s <- da_setup(x, y, weights, prior, threads)
  check_class_sizes(s$counts, s$p, "Quadratic discriminant analysis")
  cov <- rda_covariances(s$moments, alpha = 1, gamma = 1)
  new_quadratic_fit(s, cov, "quadratic discriminant analysis", "statlearn_quadratic_discriminant",
                    "Some variables are (nearly) collinear within the class; remove them or use regularized_discriminant().")
}

new_quadratic_fit <- function(s, cov, method, class, hint) {
  fac <- da_factors(cov, s$levels, hint)
  nm <- list(s$xnames, s$xnames, s$levels)
  dimnames(cov) <- nm
  rinv <- fac$rinv
  dimnames(rinv) <- nm
  means <- t(s$moments$means)
  dimnames(means) <- list(s$levels, s$xnames)
  structure(list(
    prior = s$prior, counts = s$counts, means = means, covariances = cov, scaling = rinv,
    logdet = stats::setNames(fac$logdet, s$levels), levels = s$levels, xnames = s$xnames,
    nobs = s$n, prior_given = s$prior_given, call = NULL, method = method,
    loglik = if (class == "statlearn_quadratic_discriminant") discriminant_ml_loglik(s$moments, quadratic = TRUE)
  ), class = c(class, "statlearn_classifier", "statlearn_model"))
}

# The class covariances of RDA (ESL eqs. 4.13-4.14):
#   Sigma_k(alpha, gamma) = alpha Sigma_k + (1 - alpha) [gamma Sigma + (1 - gamma) sigma^2 I],
# Sigma the pooled covariance and sigma^2 = tr(Sigma) / p. A class with one
# observation has Sigma_k = 0 (only usable with alpha < 1). Returns p x p x K.
rda_covariances <- function(mom, alpha, gamma) {
  p <- nrow(mom$means)
  K <- ncol(mom$means)
  d <- class_divisors(mom)
  sc <- array(mom$scatter, c(p, p, K))
  out <- array(0, c(p, p, K))
  if (alpha < 1) {
    pooled <- mom$pooled / sum(d)
    shrunk <- gamma * pooled
    if (gamma < 1) diag(shrunk) <- diag(shrunk) + (1 - gamma) * mean(diag(pooled))
  }
  for (k in seq_len(K)) {
    sk <- if (d[k] > 0) sc[, , k] / d[k] else matrix(0, p, p)
    out[, , k] <- if (alpha < 1) alpha * sk + (1 - alpha) * shrunk else sk
  }
  out
}

predict_quadratic <- function(object, newdata, type, threads, env) {
  type <- check_choice(type, c("class", "prob", "link"), "type")
  threads <- resolve_threads(threads)
  x <- da_newx(object, newdata, env)
  cst <- unname(log(object$prior) - 0.5 * object$logdet)
  S <- cpp_quadratic_scores(x, unname(t(object$means)), as.vector(object$scaling), cst,
                            integer(length(cst)), threads)
  da_output(S, type, object$levels, threads, rownames(x))
}

#' @rdname quadratic_discriminant
#' @param object A fit.
#' @param newdata New data: a data frame for formula fits, else a matrix with
#'   the training columns. Missing or `NULL`: the training data, found again
#'   from the fit's call.
#' @param type `"class"`, `"prob"` (posterior probabilities) or `"link"`
#'   (the discriminant functions \eqn{\delta_k(x)} of ESL eq. 4.12).
#' @export
predict.statlearn_quadratic_discriminant <- function(object, newdata = NULL,
                                                     type = c("class", "prob", "link"),
                                                     threads = NULL, ...) {
  check_dots(..., fun = "predict")
  predict_quadratic(object, newdata, type, threads, parent.frame())
}

#' @export
fitted.statlearn_quadratic_discriminant <- function(object, type = c("class", "prob"), threads = NULL, ...) {
  check_dots(..., fun = "fitted")
  predict_quadratic(object, NULL, check_choice(type, c("class", "prob"), "type"), threads, parent.frame())
}

#' @export
print.statlearn_quadratic_discriminant <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Quadratic discriminant analysis: n = %d, p = %d, K = %d classes\n", x$nobs,
              length(x$xnames), length(x$levels)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  print_prior(x, digits)
  invisible(x)
}

#' Regularized discriminant analysis
#'
#' Friedman's compromise between linear and quadratic discriminant analysis
#' (ESL section 4.3.1). The class covariances are shrunk towards the pooled
#' covariance \eqn{\hat\Sigma}, which is itself shrunk towards a scalar
#' covariance:
#' \deqn{\hat\Sigma_k(\alpha,\gamma) = \alpha\hat\Sigma_k + (1-\alpha)\hat\Sigma(\gamma),\qquad
#'       \hat\Sigma(\gamma) = \gamma\hat\Sigma + (1-\gamma)\hat\sigma^2 I}
#' (ESL eqs. 4.13 and 4.14, the second applied inside the first), with
#' \eqn{\hat\sigma^2 = \mathrm{tr}(\hat\Sigma)/p}. Classification is then by
#' the quadratic discriminant functions of ESL eq. 4.12 with these
#' covariances. `alpha = 1` is [quadratic_discriminant()]; `alpha = 0` with
#' `gamma = 1` is [linear_discriminant()]. With `alpha < 1` a class may have
#' fewer observations than variables. Choose `alpha` (and `gamma`) by
#' [cross_validate()] (see [cross_validate.statlearn_regularized_discriminant()],
#' ESL Figure 4.7).
#'
#' @inheritParams linear_discriminant
#' @param alpha The weight of the class covariance, in \[0, 1\].
#' @param gamma The weight of the pooled covariance against the scalar
#'   covariance \eqn{\hat\sigma^2 I}, in \[0, 1\].
#' @return An object of class `c("statlearn_regularized_discriminant",
#'   "statlearn_classifier", "statlearn_model")` with the components of a
#'   [quadratic_discriminant()] fit (the covariances being the regularized
#'   ones) plus `alpha` and `gamma`.
#' @references Hastie, Tibshirani and Friedman (2009), section 4.3.1,
#'   equations 4.13-4.14, Figure 4.7. Friedman, J. H. (1989). Regularized
#'   discriminant analysis. *Journal of the American Statistical Association*
#'   84, 165-175.
#' @family chapter 4
#' @export
#' @examples
#' fit <- regularized_discriminant(y ~ ., data = vowel_train, alpha = 0.9, threads = 1)
#' mean(predict(fit, vowel_test) != vowel_test$y)
regularized_discriminant <- function(x, ...) UseMethod("regularized_discriminant")

#' @rdname regularized_discriminant
#' @export
regularized_discriminant.default <- function(x, y, alpha, gamma = 1, prior = NULL, weights = NULL,
                                             threads = NULL, ...) {
  check_dots(..., fun = "regularized_discriminant")
  x <- check_x(x, "x", names = FALSE)
  fit <- fit_regularized_discriminant(x, y, weights, alpha, gamma, prior, threads)
  fit$call <- match.call()
  fit
}

#' @rdname regularized_discriminant
#' @export
regularized_discriminant.formula <- function(formula, data, subset, weights, na.action, alpha,
                                             gamma = 1, prior = NULL, threads = NULL, ...) {
  check_dots(..., fun = "regularized_discriminant")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_regularized_discriminant(formula_x(des), des$y, des$weights, alpha, gamma, prior, threads)
  add_formula_info(fit, des, call)
}

check_rda_tuning <- function(alpha, gamma) {
  if (missing(alpha)) {
    abort_input("alpha", "a number in [0, 1] (1 is QDA, 0 with gamma = 1 is LDA)", "nothing",
                class = "statlearn_error_missing")
  }
  list(alpha = check_number(alpha, "alpha", 0, 1), gamma = check_number(gamma, "gamma", 0, 1))
}

fit_regularized_discriminant <- function(x, y, weights, alpha, gamma, prior, threads) {
  tun <- check_rda_tuning(alpha, gamma)
  s <- da_setup(x, y, weights, prior, threads)
  if (tun$alpha == 1) {
    check_class_sizes(s$counts, s$p, "Regularized discriminant analysis with alpha = 1")
  } else if (!(sum(class_divisors(s$moments)) > 0)) {
    abort_input("y", "a class with at least two observations (for the pooled covariance)",
                "one observation in every class", class = "statlearn_error_class_size")
  }
  cov <- rda_covariances(s$moments, tun$alpha, tun$gamma)
  fit <- new_quadratic_fit(s, cov, "regularized discriminant analysis",
                           "statlearn_regularized_discriminant",
                           "Use a smaller `alpha` or `gamma`.")
  fit$alpha <- tun$alpha
  fit$gamma <- tun$gamma
  fit
}

#' @rdname regularized_discriminant
#' @param object A fit.
#' @param newdata New data: a data frame for formula fits, else a matrix with
#'   the training columns. Missing or `NULL`: the training data.
#' @param type `"class"`, `"prob"` or `"link"`.
#' @export
predict.statlearn_regularized_discriminant <- function(object, newdata = NULL,
                                                       type = c("class", "prob", "link"),
                                                       threads = NULL, ...) {
  check_dots(..., fun = "predict")
  predict_quadratic(object, newdata, type, threads, parent.frame())
}

#' @export
fitted.statlearn_regularized_discriminant <- function(object, type = c("class", "prob"), threads = NULL, ...) {
  check_dots(..., fun = "fitted")
  predict_quadratic(object, NULL, check_choice(type, c("class", "prob"), "type"), threads, parent.frame())
}

#' @export
print.statlearn_regularized_discriminant <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Regularized discriminant analysis (alpha = %s, gamma = %s): n = %d, p = %d, K = %d classes\n",
              format(x$alpha), format(x$gamma), x$nobs, length(x$xnames), length(x$levels)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  print_prior(x, digits)
  invisible(x)
}

#' Cross-validation of regularized discriminant analysis
#'
#' K-fold cross-validated misclassification error of
#' [regularized_discriminant()] over a grid of `alpha` and `gamma` values (ESL
#' Figure 4.7). The class moments of each training fold are computed once and
#' reused for every grid point. The folds are drawn with R's random number
#' generator, so `set.seed()` reproduces them.
#'
#' @param fit A [regularized_discriminant()] fit; its data are found again
#'   from its call unless `x` and `y` are given. Its prior is used when it was
#'   given; otherwise each training fold's class proportions.
#' @param folds Number of folds K.
#' @param foldid Optional fold numbers, one per observation (overrides `folds`).
#' @param measure The loss: `"misclassification"` (the weighted error rate).
#' @param x,y,weights The training data, if they cannot be found again from the
#'   fit's call.
#' @param threads Number of threads; see [statlearn_threads()].
#' @param alpha,gamma The grids of values to try (every combination is
#'   evaluated).
#' @param ... Unused.
#' @return An object of class `statlearn_cv_discriminant` with `grid` (a data
#'   frame of `alpha`, `gamma`, the cross-validated misclassification `error`
#'   and its standard error `se`), `alpha_min` and `gamma_min` (the best pair),
#'   `fold_errors`, `foldid` and `fit`. Grid points whose covariance is
#'   singular in some fold get `NA`. It has `print()` and `plot()` methods
#'   (error against `alpha`, one line per `gamma`, as ESL Figure 4.7).
#' @references Hastie, Tibshirani and Friedman (2009), section 4.3.1 and
#'   Figure 4.7; section 7.10.
#' @family chapter 4
#' @rdname cross_validate_discriminant
#' @export
#' @examples
#' fit <- regularized_discriminant(y ~ ., data = vowel_train, alpha = 0.5, threads = 1)
#' set.seed(1)
#' cv <- cross_validate(fit, folds = 5, alpha = seq(0, 1, 0.25), threads = 1)
#' cv
#' plot(cv)
cross_validate.statlearn_regularized_discriminant <- function(fit, folds = 10, foldid = NULL,
                                                              measure = "misclassification",
                                                              x = NULL, y = NULL, weights = NULL,
                                                              threads = NULL,
                                                              alpha = seq(0, 1, 0.1), gamma = 1, ...) {
  check_dots(..., fun = "cross_validate")
  check_choice(measure, "misclassification", "measure")
  threads <- resolve_threads(threads)
  grid_check <- function(v, arg) {
    if (!is.numeric(v) || length(v) == 0L || anyNA(v) || any(v < 0 | v > 1)) {
      abort_input(arg, "a non-empty vector of numbers in [0, 1]", describe(v),
                  class = "statlearn_error_range")
    }
    sort(unique(as.double(v)))
  }
  grid <- expand.grid(alpha = grid_check(alpha, "alpha"), gamma = grid_check(gamma, "gamma"))
  td <- class_training_data(fit, parent.frame(), x = x, y = y, weights = weights)
  n <- nrow(td$x)
  cls <- match(as.character(td$y), fit$levels)
  if (anyNA(cls)) {
    abort_input("y", sprintf("the classes of the fit (%s)", paste(fit$levels, collapse = ", ")),
                "other classes", class = "statlearn_error_level")
  }
  fo <- check_foldid(foldid, folds, n, strata = cls)
  foldid <- fo$foldid
  folds <- fo$folds
  K <- length(fit$levels)
  w <- td$weights
  fold_err <- matrix(NA_real_, folds, nrow(grid))
  fold_w <- numeric(folds)
  for (f in seq_len(folds)) {
    test <- foldid == f
    xtr <- td$x[!test, , drop = FALSE]
    mom <- cpp_class_moments(xtr, cls[!test], w[!test], K, threads)
    present <- mom$count > 0L
    prior <- if (fit$prior_given) fit$prior else mom$weight / sum(mom$weight)
    xte <- td$x[test, , drop = FALSE]
    fold_w[f] <- sum(w[test])
    for (g in seq_len(nrow(grid))) {
      a <- grid$alpha[g]
      if (a == 1 && any(mom$count[present] <= ncol(xtr))) next
      cov <- rda_covariances(mom, a, grid$gamma[g])
      fac <- cpp_gaussian_factors(cov, ncol(xtr), K)
      if (!all(fac$ok[present])) next
      cst <- log(prior) - 0.5 * fac$logdet
      cst[!present] <- 0
      means <- mom$means
      means[, !present] <- 0
      S <- cpp_quadratic_scores(xte, means, fac$rinv, cst, as.integer(!present), threads)
      pred <- max.col(S, ties.method = "first")
      fold_err[f, g] <- sum(w[test] * (pred != cls[test])) / fold_w[f]
    }
  }
  cvm <- colSums(fold_err * fold_w) / sum(fold_w)
  cvsd <- sqrt(colSums(sweep(fold_err, 2L, cvm)^2 * fold_w) / sum(fold_w) / (folds - 1L))
  grid$error <- cvm
  grid$se <- cvsd
  best <- if (all(is.na(cvm))) NA_integer_ else which.min(cvm)
  structure(list(
    grid = grid, fold_errors = fold_err, alpha_min = grid$alpha[best], gamma_min = grid$gamma[best],
    index_min = best, foldid = foldid, folds = folds, fit = fit, measure = "misclassification"
  ), class = "statlearn_cv_discriminant")
}

#' @export
print.statlearn_cv_discriminant <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%d-fold cross-validation of %s (misclassification error)\n", x$folds, x$fit$method))
  print(format(x$grid, digits = digits), row.names = FALSE)
  if (!is.na(x$index_min)) {
    cat(sprintf("Minimum: alpha = %s, gamma = %s (error %s)\n", format(x$alpha_min),
                format(x$gamma_min), format(x$grid$error[x$index_min], digits = digits)))
  }
  invisible(x)
}

#' @export
plot.statlearn_cv_discriminant <- function(x, main = "Regularized discriminant analysis", ...) {
  g <- x$grid
  gam <- unique(g$gamma)
  yl <- range(c(g$error - g$se, g$error + g$se), finite = TRUE)
  cols <- grDevices::hcl.colors(max(2L, length(gam)), "Dark 3")
  args <- list(x = NA, xlim = range(g$alpha), ylim = yl, xlab = expression(alpha),
               ylab = "Misclassification rate (CV)", main = main)
  extra <- list(...)
  args[names(extra)] <- extra  # the caller's graphical parameters win
  do.call(graphics::plot, args)
  for (i in seq_along(gam)) {
    s <- g[g$gamma == gam[i], ]
    graphics::lines(s$alpha, s$error, type = "b", pch = 19, cex = 0.7, col = cols[i])
    graphics::arrows(s$alpha, s$error - s$se, s$alpha, s$error + s$se, angle = 90, code = 3,
                     length = 0.02, col = cols[i])
  }
  if (length(gam) > 1L) {
    graphics::legend("topright", legend = paste("gamma =", format(gam)), col = cols[seq_along(gam)],
                     lty = 1, pch = 19, bty = "n")
  }
  invisible(x)
}
