#' k-nearest-neighbour classification and regression
#'
#' Predicts from the \eqn{k} training points closest to \eqn{x} in Euclidean
#' distance (ESL 2.3.2 and 13.3): by a majority vote of their classes, or by
#' the mean of their responses when `y` is numeric,
#' \eqn{\hat Y(x) = \frac{1}{k}\sum_{x_i \in N_k(x)} y_i} (ESL eq. 2.8).
#' `k` may be a vector: one search for the largest `k` serves them all, and
#' `predict()` returns the whole path of `k`.
#'
#' The search is exact. Distances between blocks of queries and training
#' points come from the cross-product trick on a vectorised single-precision
#' matrix product, parallel over blocks of queries; each query's leading
#' candidates are then re-ranked by their exact double-precision distances,
#' and a query whose candidates cannot be certified (a point left out might
#' be as close as the \eqn{k}-th) is searched again point by point. The
#' neighbours are therefore exactly those of the plain distances, and the same
#' for any number of threads.
#'
#' Ties are broken deterministically. With `ties = "nearest"`, neighbours at
#' equal distance are taken in the order of the training rows, so exactly
#' \eqn{k} vote; with `ties = "all"`, every point at the \eqn{k}-th distance
#' votes, as in [class::knn()] (which also counts points within a relative
#' 1e-4 of the \eqn{k}-th distance, depending on the order of the rows). A tied vote goes to the tied class with the
#' nearest member (class::knn breaks it at random, so the two agree wherever
#' no vote is tied). `vote = "distance"` weights each neighbour by the inverse
#' of its distance (neighbours at distance zero, if any, decide alone).
#' `standardize = TRUE` scales every input to unit standard deviation
#' (training values) first; the book's examples use the raw inputs.
#'
#' The fit keeps the training data (a nearest-neighbour rule has no other
#' parameters), so `saveRDS()` keeps everything `predict()` needs.
#'
#' @param x A numeric matrix or data frame of inputs, or a formula.
#' @param y Class labels (a factor, character or logical vector: a
#'   classifier) or a numeric response (regression).
#' @param k Number(s) of neighbours: whole numbers between 1 and the number of
#'   training rows.
#' @param vote `"majority"` (each neighbour counts once) or `"distance"`
#'   (weights 1 / distance).
#' @param ties `"nearest"` or `"all"`, see Details.
#' @param standardize Scale the inputs to unit standard deviation?
#' @param metric `"euclidean"`, a [tangent_metric()] (images; ESL 13.3.3) or a
#'   [dann_metric()] (classification; ESL 13.4). The fit stores it and
#'   `predict()` searches with it.
#' @inheritParams statlearn-params
#' @param ... Unused.
#' @return An object of class `c("statlearn_nearest_neighbors",
#'   "statlearn_classifier", "statlearn_model")` (without
#'   `"statlearn_classifier"` for regression) holding the training inputs
#'   `x` (scaled when `standardize`), `y`, `k`, `levels`, the settings, and for
#'   formula fits what `predict()` needs.
#' @references Hastie, Tibshirani and Friedman (2009), sections 2.3.2, 2.5,
#'   13.3; Figures 2.2-2.4, 13.3.
#' @family chapter 13
#' @export
#' @examples
#' train <- data.frame(x1 = mixture$x[, 1], x2 = mixture$x[, 2], y = factor(mixture$y))
#' fit <- nearest_neighbors(y ~ x1 + x2, data = train, k = c(1, 15), threads = 1)
#' # Training error of each k: 0 for 1-NN, as ESL Figure 2.3 notes
#' sapply(predict(fit, train), function(p) mean(p != train$y))
#' head(predict(fit, train, type = "prob", k = 15))
nearest_neighbors <- function(x, ...) UseMethod("nearest_neighbors")

#' @rdname nearest_neighbors
#' @export
nearest_neighbors.default <- function(x, y, k = 1, vote = c("majority", "distance"),
                                      ties = c("nearest", "all"), standardize = FALSE,
                                      threads = NULL, metric = "euclidean", ...) {
  check_dots(..., fun = "nearest_neighbors")
  x <- check_x(x, "x")
  fit <- fit_nearest_neighbors(x, y, k, vote, ties, standardize, threads, metric)
  fit$call <- match.call()
  fit
}

#' @rdname nearest_neighbors
#' @export
nearest_neighbors.formula <- function(formula, data, subset, na.action, k = 1,
                                      vote = c("majority", "distance"), ties = c("nearest", "all"),
                                      standardize = FALSE, threads = NULL, metric = "euclidean",
                                      ...) {
  check_dots(..., fun = "nearest_neighbors")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_nearest_neighbors(formula_x(des), des$y, k, vote, ties, standardize, threads, metric)
  add_formula_info(fit, des, call)
}

fit_nearest_neighbors <- function(x, y, k, vote, ties, standardize, threads, metric = NULL) {
  n <- nrow(x)
  if (n == 0L) abort_input("x", "at least one row", "none", class = "statlearn_error_empty")
  vote <- check_choice(vote, c("majority", "distance"), "vote")
  ties <- check_choice(ties, c("nearest", "all"), "ties")
  standardize <- check_flag(standardize, "standardize")
  k <- check_neighbour_counts(k, n)
  threads <- resolve_threads(threads)
  classification <- !is.numeric(y) || is.factor(y)
  if (classification) {
    y <- check_class_y(y, n)
  } else {
    y <- check_y(y, n)
  }
  x <- as.matrix(x)
  storage.mode(x) <- "double"
  xnames <- column_names(x)
  metric <- check_neighbour_metric(metric, x, classification, standardize)
  center <- scale <- NULL
  if (standardize) {
    center <- colMeans(x)
    scale <- sqrt(colSums(sweep(x, 2L, center)^2) / max(n - 1L, 1L))
    if (any(scale == 0)) {
      abort_input("x", "columns that vary (standardize = TRUE divides by their standard deviation)",
                  sprintf("constant column(s) %s", paste(xnames[scale == 0], collapse = ", ")),
                  class = "statlearn_error_constant")
    }
    x <- sweep(sweep(x, 2L, center), 2L, scale, "/")
  }
  dimnames(x) <- list(NULL, xnames)
  structure(list(
    x = x, y = if (classification) as.integer(y) else y,
    levels = if (classification) levels(y), counts = if (classification) c(table(y)),
    k = k, vote = vote, ties = ties, standardize = standardize, center = center, scale = scale,
    xnames = xnames, nobs = n, threads = threads, metric = metric,
    method = sprintf("%s-nearest neighbours", paste(k, collapse = ", ")), call = NULL
  ), class = c("statlearn_nearest_neighbors", if (classification) "statlearn_classifier",
               "statlearn_model"))
}

check_neighbour_counts <- function(k, n, arg = "k") {
  if (!is.numeric(k) || !length(k) || anyNA(k) || any(!is.finite(k)) || any(k != round(k))) {
    abort_input(arg, "whole numbers of neighbours", describe(k), class = "statlearn_error_type")
  }
  if (any(k < 1 | k > n)) {
    bad <- k[k < 1 | k > n][1L]
    abort_input(arg, sprintf("between 1 and %d (the number of training rows)", n), format(bad),
                class = "statlearn_error_range")
  }
  sort(unique(as.integer(k)))
}

#' @rdname nearest_neighbors
#' @param object A `nearest_neighbors()` fit.
#' @param newdata New inputs: a data frame for formula fits, else a matrix with
#'   the training columns. Missing or `NULL`: the training inputs (each point
#'   is then its own nearest neighbour).
#' @param type `"class"` (a factor with the training levels), `"prob"` (the
#'   share of the vote of each class) or, for regression, `"response"`.
#' @details With one `k`, `predict()` returns a factor (`"class"`), an
#'   \eqn{m \times K} matrix (`"prob"`) or a vector (`"response"`); with
#'   several, a data frame of factors with one column per `k`, an
#'   \eqn{m \times K \times} `length(k)` array, or an \eqn{m \times}
#'   `length(k)` matrix.
#' @export
predict.statlearn_nearest_neighbors <- function(object, newdata = NULL, type = NULL, k = object$k,
                                                threads = NULL, ...) {
  check_dots(..., fun = "predict")
  classification <- !is.null(object$levels)
  type <- check_choice(type %||% if (classification) "class" else "response",
                       if (classification) c("class", "prob") else "response", "type")
  k <- check_neighbour_counts(k, object$nobs)
  threads <- resolve_threads(threads %||% object$threads)
  q <- if (is.null(newdata)) object$x else neighbour_queries(object, newdata)
  nb <- neighbour_search(object, q, max(k), threads)
  out <- lapply(k, function(kk) neighbour_vote(object, nb, kk, type))
  names(out) <- paste0("k=", k)
  rn <- rownames(q)
  if (length(k) == 1L) {
    res <- out[[1L]]
    if (is.matrix(res)) rownames(res) <- rn else if (!is.null(rn)) names(res) <- rn
    return(res)
  }
  switch(type,
         class = structure(as.data.frame(out, optional = TRUE), row.names = rn %||% seq_len(nrow(q))),
         prob = array(unlist(out), c(nrow(q), length(object$levels), length(k)),
                      dimnames = list(rn, object$levels, names(out))),
         response = matrix(unlist(out), nrow(q), length(k), dimnames = list(rn, names(out))))
}

#' @export
fitted.statlearn_nearest_neighbors <- function(object, ...) predict(object, NULL, ...)

#' @export
print.statlearn_nearest_neighbors <- function(x, ...) {
  what <- if (is.null(x$levels)) "regression" else sprintf("classification, %d classes", length(x$levels))
  cat(sprintf("k-nearest neighbours (%s): n = %d, p = %d, k = %s\n", what, x$nobs, length(x$xnames),
              paste(x$k, collapse = ", ")))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat(sprintf("Votes: %s; ties: %s; inputs %s\n", x$vote, x$ties,
              if (x$standardize) "standardised" else "as given"))
  if (!is.null(x$metric)) print(x$metric)
  invisible(x)
}

# New inputs on the scale of the stored training inputs.
neighbour_queries <- function(fit, newdata) {
  q <- new_design(fit, newdata)
  q <- as.matrix(q)
  storage.mode(q) <- "double"
  check_finite_values(q, "newdata")
  if (fit$standardize) q <- sweep(sweep(q, 2L, fit$center), 2L, fit$scale, "/")
  q
}

# The K nearest training points of each query (1-based indices, squared
# distances). With ties = "all", enough further columns that every point tied
# with the K-th is among them.
neighbour_search <- function(fit, q, K, threads) {
  if (!is.null(fit$metric)) return(metric_search(fit, q, K, threads))
  n <- fit$nobs
  width <- if (fit$ties == "all") min(n, K + 8L) else K
  repeat {
    res <- cpp_knn_search(fit$x, q, width, threads, FALSE)
    if (fit$ties != "all" || width == n) return(res)
    # Complete when the last column is beyond the K-th distance's tie group.
    if (all(res$distance[, width] > tie_limit(res$distance[, K]))) return(res)
    width <- min(n, 2L * width)
  }
}

tie_limit <- function(d2) d2

neighbour_vote <- function(fit, nb, k, type) {
  m <- nrow(nb$index)
  cols <- seq_len(k)
  if (fit$ties == "all") {
    # Every point within the k-th distance's tie group votes.
    limit <- tie_limit(nb$distance[, k])
    cols <- seq_len(max(k, max(rowSums(nb$distance <= limit))))
  }
  idx <- nb$index[, cols, drop = FALSE]
  d2 <- nb$distance[, cols, drop = FALSE]
  weight <- if (fit$vote == "distance") {
    zero <- d2 == 0
    has_zero <- rowSums(zero) > 0
    w <- 1 / sqrt(d2)
    w[has_zero, ] <- 0
    w[zero] <- 1  # points at distance zero decide alone
    w
  } else matrix(1, m, length(cols))
  if (fit$ties == "all") {
    weight[d2 > tie_limit(nb$distance[, k])] <- 0
  }
  if (is.null(fit$levels)) {
    yy <- matrix(fit$y[idx], m)
    return(rowSums(weight * yy) / rowSums(weight))
  }
  L <- length(fit$levels)
  cls <- matrix(fit$y[idx], m)
  votes <- matrix(0, m, L, dimnames = list(NULL, fit$levels))
  # The rank of each class's nearest voting member breaks tied votes.
  first <- matrix(Inf, m, L)
  for (l in seq_len(L)) {
    hit <- cls == l & weight > 0
    votes[, l] <- rowSums(weight * hit)
    any_hit <- rowSums(hit) > 0
    first[any_hit, l] <- max.col(hit[any_hit, , drop = FALSE], ties.method = "first")
  }
  if (type == "prob") return(votes / rowSums(votes))
  top <- votes >= apply(votes, 1L, max) * (1 - 1e-12)
  first[!top] <- Inf
  class_factor(max.col(-first, ties.method = "first"), fit$levels)
}

#' @rdname nearest_neighbors
#' @param fit A `nearest_neighbors()` fit.
#' @param folds,foldid,measure,weights As for [cross_validate()]:
#'   `measure` is `"class"` (misclassification rate) for classifiers and
#'   `"mse"` or `"mae"` for regression; `weights` must be `NULL`. `x` and `y`
#'   given to `cross_validate()` replace the training data.
#' @details `cross_validate()` of a fit chooses among its `k` (give several,
#'   for example `k = 1:30`): every fold is searched once for the largest
#'   `k`, and the one-standard-error rule prefers the larger `k` (the smaller
#'   effective number of parameters \eqn{N/k}, ESL 2.9). Folds are stratified
#'   by class; inputs are standardised within each training part when the fit
#'   standardises.
#' @export
cross_validate.statlearn_nearest_neighbors <- function(fit, folds = 10, foldid = NULL,
                                                       measure = NULL, x = NULL, y = NULL,
                                                       weights = NULL, threads = NULL, ...) {
  check_dots(..., fun = "cross_validate")
  if (!is.null(weights)) {
    abort_input("weights", "NULL (nearest-neighbour votes are not weighted by observation)",
                describe(weights), class = "statlearn_error_unsupported")
  }
  classification <- !is.null(fit$levels)
  measures <- if (classification) "class" else c("mse", "mae")
  measure <- if (is.null(measure)) measures[1L] else check_choice(measure, measures, "measure")
  threads <- resolve_threads(threads %||% fit$threads)
  if (is.null(x) && is.null(y)) {
    X <- fit$x
    if (fit$standardize) X <- sweep(sweep(X, 2L, fit$scale, "*"), 2L, fit$center, "+")
    Y <- if (classification) class_factor(fit$y, fit$levels) else fit$y
  } else {
    if (is.null(x) || is.null(y)) {
      abort_input(if (is.null(x)) "x" else "y", "given together with the other (x and y)",
                  "only one of them", class = "statlearn_error_missing")
    }
    X <- if (is.data.frame(x) && !is.null(fit$terms)) new_design(fit, x) else check_x(x, "x")
    X <- as.matrix(X)
    Y <- y
  }
  n <- nrow(X)
  fo <- check_foldid(foldid, folds, n, strata = if (classification) Y)
  foldid <- fo$foldid
  folds <- fo$folds
  ks <- fit$k
  loss <- matrix(NA_real_, n, length(ks))
  for (f in seq_len(folds)) {
    test <- foldid == f
    part <- fit_nearest_neighbors(X[!test, , drop = FALSE], Y[!test], ks[ks <= sum(!test)],
                                  fit$vote, fit$ties, fit$standardize, threads, fit$metric)
    if (length(part$k) < length(ks)) {
      abort_input("k", sprintf("at most %d, the size of the smallest training part", sum(!test)),
                  format(max(ks)), class = "statlearn_error_range")
    }
    q <- X[test, , drop = FALSE]
    if (fit$standardize) q <- sweep(sweep(q, 2L, part$center), 2L, part$scale, "/")
    nb <- neighbour_search(part, q, max(ks), threads)
    for (g in seq_along(ks)) {
      if (classification) {
        pred <- neighbour_vote(part, nb, ks[g], "class")
        loss[test, g] <- as.numeric(as.character(pred) != as.character(Y[test]))
      } else {
        pred <- neighbour_vote(part, nb, ks[g], "response")
        loss[test, g] <- if (measure == "mse") (Y[test] - pred)^2 else abs(Y[test] - pred)
      }
    }
  }
  fold_err <- apply(loss, 2L, function(l) as.vector(tapply(l, foldid, mean)))
  fold_err <- matrix(fold_err, nrow = folds)
  fold_n <- as.vector(table(factor(foldid, levels = seq_len(folds))))
  cvm <- colSums(fold_err * fold_n) / n
  cvsd <- sqrt(colSums(sweep(fold_err, 2L, cvm)^2 * fold_n) / n / max(folds - 1L, 1L))
  complexity <- n / ks
  sel <- one_se_selection(cvm, cvsd, complexity)
  fit$tuning <- ks
  structure(list(
    fit = fit, measure = measure, cvm = cvm, cvsd = cvsd, cvup = cvm + cvsd, cvlo = cvm - cvsd,
    fold_errors = fold_err, tuning = ks, tuning_name = "k", complexity = complexity,
    complexity_name = "Effective degrees of freedom N/k", index_min = sel$min,
    index_1se = sel$one_se, tuning_min = ks[sel$min], tuning_1se = ks[sel$one_se],
    foldid = foldid, folds = folds
  ), class = "statlearn_cv")
}

#' @export
plot.statlearn_nearest_neighbors <- function(x, ...) {
  if (!is.null(x$levels)) return(NextMethod())
  # Regression: the fit against its one input, or fitted against observed.
  k <- x$k[1L]
  extra <- list(...)
  if (length(x$xnames) == 1L) {
    grid <- matrix(seq(min(x$x), max(x$x), length.out = 400L), ncol = 1L)
    fit <- neighbour_vote(x, neighbour_search(x, grid, k, x$threads), k, "response")
    xs <- if (x$standardize) grid * x$scale + x$center else grid
    xo <- if (x$standardize) x$x * x$scale + x$center else x$x
    args <- list(x = xo[, 1L], y = x$y, pch = 1, cex = 0.6, col = "grey40", xlab = x$xnames,
                 ylab = "y", main = sprintf("%d-nearest-neighbour regression", k))
    args[names(extra)] <- extra
    do.call(graphics::plot, args)
    graphics::lines(xs[, 1L], fit, type = "s", col = "firebrick", lwd = 1.5)
  } else {
    fit <- predict(x, k = k)
    args <- list(x = fit, y = x$y, pch = 1, cex = 0.6, xlab = sprintf("Fitted (k = %d)", k),
                 ylab = "Observed", main = sprintf("%d-nearest-neighbour regression", k))
    args[names(extra)] <- extra
    do.call(graphics::plot, args)
    graphics::abline(0, 1, lty = 3, col = "grey50")
  }
  invisible(x)
}
