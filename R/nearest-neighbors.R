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
#' parameters), so `saveRDS()` keeps everything `predict()` needs; after
#' editing or condensing, only the points kept (their row numbers are in
#' `kept`).
#'
#' @param x A numeric matrix or data frame of inputs, or a formula.
#' @param y Class labels (a factor, character or logical vector: a
#'   classifier) or a numeric response (regression).
#' @param k Number(s) of neighbours: whole numbers between 1 and the number of
#'   training rows. They are sorted increasingly and duplicates dropped: the
#'   fit's `k` and the columns of `predict()` (named `"k=1"`, `"k=15"`, ...)
#'   follow that order.
#' @param vote `"majority"` (each neighbour counts once) or `"distance"`
#'   (weights 1 / distance).
#' @param ties `"nearest"` or `"all"`, see Details.
#' @param standardize Scale the inputs to unit standard deviation?
#' @param edit Editing of the training set before it is stored (ESL 13.5), for
#'   classification: `"none"`, `"wilson"` (drop every point that the majority
#'   of its 3 nearest other points misclassifies) or `"multiedit"`
#'   (Devijver and Kittler's multi-edit: split the points at random into three
#'   parts, classify each by 1-NN from the next, drop the misclassified ones;
#'   repeat until five rounds in a row drop nothing; random, so `set.seed()`
#'   reproduces it). Editing removes points on the wrong side of the Bayes
#'   boundary, so that 1-NN of the edited set approaches the Bayes rule.
#' @param condense Condense the (edited) training set (Hart, 1968)? Keeps a
#'   subset that classifies every training point correctly by 1-NN: starting
#'   from the first point, pass through the data adding each point the subset
#'   misclassifies, until a pass adds none. It keeps mostly points near the
#'   class boundaries, and 1-NN predictions from it cost less.
#' @param search `"auto"`, `"tree"` or `"brute"`: the exact search used. A
#'   k-d tree (median splits on the widest coordinate, leaves of at most 12
#'   points, a node skipped when its bounding box is farther than the current
#'   \eqn{k}-th neighbour) is fastest for few inputs; the blocked search
#'   below for many. `"auto"` takes the tree for at most 6 inputs. Both give
#'   exactly the same neighbours, in the same order.
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
#'   13.3, 13.5; Figures 2.2-2.4, 13.3. Hart (1968), The condensed nearest
#'   neighbor rule, *IEEE Transactions on Information Theory* 14, 515-516.
#'   Wilson (1972), Asymptotic properties of nearest neighbor rules using
#'   edited data, *IEEE Transactions on Systems, Man, and Cybernetics* 2,
#'   408-421. Devijver and Kittler (1982), *Pattern Recognition: A Statistical
#'   Approach*, Prentice-Hall.
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
                                      edit = c("none", "wilson", "multiedit"), condense = FALSE,
                                      search = c("auto", "tree", "brute"), metric = "euclidean",
                                      threads = NULL, ...) {
  check_dots(..., fun = "nearest_neighbors")
  x <- check_x(x, "x")
  fit <- fit_nearest_neighbors(x, y, k, vote, ties, standardize, threads, metric, edit = edit,
                               condense = condense, search = search)
  fit$call <- match.call()
  fit
}

#' @rdname nearest_neighbors
#' @export
nearest_neighbors.formula <- function(formula, data, subset, na.action, k = 1,
                                      vote = c("majority", "distance"), ties = c("nearest", "all"),
                                      standardize = FALSE, edit = c("none", "wilson", "multiedit"),
                                      condense = FALSE, search = c("auto", "tree", "brute"),
                                      metric = "euclidean", threads = NULL, ...) {
  check_dots(..., fun = "nearest_neighbors")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  fit <- fit_nearest_neighbors(formula_x(des), des$y, k, vote, ties, standardize, threads, metric,
                               edit = edit, condense = condense, search = search)
  add_formula_info(fit, des, call)
}

fit_nearest_neighbors <- function(x, y, k, vote, ties, standardize, threads, metric = NULL,
                                  edit = "none", condense = FALSE, search = "auto") {
  n <- nrow(x)
  if (n == 0L) abort_input("x", "at least one row", "none", class = "statlearn_error_empty")
  vote <- check_choice(vote, c("majority", "distance"), "vote")
  ties <- check_choice(ties, c("nearest", "all"), "ties")
  standardize <- check_flag(standardize, "standardize")
  edit <- check_choice(edit, c("none", "wilson", "multiedit"), "edit")
  condense <- check_flag(condense, "condense")
  search <- check_choice(search, c("auto", "tree", "brute"), "search")
  k <- check_neighbour_counts(k, n)
  threads <- resolve_threads(threads)
  classification <- !is.numeric(y) || is.factor(y)
  if (classification) {
    y <- check_class_y(y, n)
  } else {
    y <- check_y(y, n)
    if (edit != "none" || condense) {
      abort_input(if (condense) "condense" else "edit",
                  "editing and condensing only for classification (a factor y)",
                  "a numeric response", class = "statlearn_error_unsupported")
    }
  }
  x <- as.matrix(x)
  storage.mode(x) <- "double"
  xnames <- column_names(x)
  metric <- check_neighbour_metric(metric, x, classification, standardize)
  if (!is.null(metric) && (edit != "none" || condense)) {
    abort_input(if (condense) "condense" else "edit",
                "editing and condensing with the Euclidean metric only",
                sprintf("a %s", class(metric)[1L]), class = "statlearn_error_unsupported")
  }
  center <- scale <- NULL
  if (standardize) {
    st <- standardize_columns(x, xnames)
    x <- st$x
    center <- st$center
    scale <- st$scale
  }
  dimnames(x) <- list(NULL, xnames)
  kept <- seq_len(n)
  if (edit != "none" || condense) {
    kept <- reduce_prototypes(x, y, edit, condense, threads, search)
    if (max(k) > length(kept)) {
      abort_input("k", sprintf("at most %d, the number of training points left after %s",
                               length(kept), paste(c(if (edit != "none") "editing",
                                                     if (condense) "condensing"), collapse = " and ")),
                  format(max(k)), class = "statlearn_error_range")
    }
    x <- x[kept, , drop = FALSE]
    y <- y[kept]
  }
  structure(list(
    x = x, y = if (classification) as.integer(y) else y,
    levels = if (classification) levels(y), counts = if (classification) c(table(y)),
    k = k, vote = vote, ties = ties, standardize = standardize, center = center, scale = scale,
    edit = edit, condense = condense, kept = if (length(kept) < n) kept, search = search,
    xnames = xnames, nobs = length(kept), nobs_given = n, threads = threads, metric = metric,
    method = neighbour_method_label(k, metric), call = NULL
  ), class = c("statlearn_nearest_neighbors", if (classification) "statlearn_classifier",
               "statlearn_model"))
}

neighbour_method_label <- function(k, metric = NULL) {
  label <- if (length(k) == 1L) {
    sprintf("%d-nearest neighbours", k)
  } else if (length(k) <= 4L) {
    sprintf("k-nearest neighbours, k = %s", paste(k, collapse = ", "))
  } else {
    sprintf("k-nearest neighbours, k = %d to %d (%d values)", min(k), max(k), length(k))
  }
  if (inherits(metric, "statlearn_tangent_metric")) label <- paste(label, "(tangent distance)")
  if (inherits(metric, "statlearn_dann_metric")) label <- paste("DANN", label)
  label
}

# Editing (ESL 13.5): Wilson's rule drops every point that its k = 3 nearest
# other points misclassify; Devijver and Kittler's multi-edit repeatedly
# splits the data at random into three parts, classifies each part by 1-NN
# from the next and drops the misclassified points, until five rounds in a
# row drop nothing. Condensing (Hart, 1968) then keeps a subset that still
# classifies every training point correctly by 1-NN: starting from the first
# point, it passes through the data adding every point the subset
# misclassifies, until a pass adds none. Returns the kept row numbers.
reduce_prototypes <- function(x, y, edit, condense, threads, search) {
  n <- nrow(x)
  cls <- as.integer(y)
  kept <- seq_len(n)
  method <- neighbour_search_code(search, ncol(x))
  nearest_class <- function(train, query, K) {
    nb <- cpp_knn_search(x[train, , drop = FALSE], x[query, , drop = FALSE], K, threads, method)
    matrix(cls[train][nb$index], length(query))
  }
  if (edit == "wilson" && n > 3L) {
    # The 4 nearest include the point itself (first, at distance zero, unless
    # duplicated): vote among the other three.
    nb <- cpp_knn_search(x, x, 4L, threads, method)
    own <- nb$index == seq_len(n)
    others <- t(vapply(seq_len(n), function(i) {
      idx <- nb$index[i, !own[i, ]]
      idx[seq_len(3L)]
    }, integer(3L)))
    votes <- matrix(cls[others], n)
    major <- apply(votes, 1L, function(v) {
      t <- tabulate(v, nbins = max(cls))
      w <- which(t == max(t))
      if (length(w) == 1L) w else v[v %in% w][1L]  # a tie goes to the nearest tied class
    })
    kept <- which(major == cls)
  } else if (edit == "multiedit") {
    quiet <- 0L
    while (quiet < 5L && length(kept) >= 6L) {
      part <- sample(rep_len(1:3, length(kept)))
      drop <- logical(length(kept))
      for (v in 1:3) {
        query <- which(part == v)
        train <- which(part == v %% 3L + 1L)
        if (!length(query) || !length(train)) next
        drop[query] <- nearest_class(kept[train], kept[query], 1L)[, 1L] != cls[kept[query]]
      }
      if (any(drop)) {
        kept <- kept[!drop]
        quiet <- 0L
      } else {
        quiet <- quiet + 1L
      }
    }
  }
  if (!length(kept) || length(unique(cls[kept])) < 2L) {
    abort_input("edit", "editing that leaves points of at least two classes",
                sprintf("%d point(s) left", length(kept)), class = "statlearn_error_range")
  }
  if (condense) kept <- kept[condense_points(x[kept, , drop = FALSE], cls[kept])]
  kept
}

# Hart's condensing: the store's nearest member (squared distance, first on
# ties) for every point, updated as points join the store.
condense_points <- function(x, cls) {
  n <- nrow(x)
  xt <- t(x)
  in_store <- logical(n)
  in_store[1L] <- TRUE
  best <- colSums((xt - xt[, 1L])^2)
  label <- rep(cls[1L], n)
  repeat {
    added <- FALSE
    i <- 0L
    repeat {
      # (A point in the store that is still misclassified duplicates a stored
      # point of another class; adding it again would change nothing.)
      wrong <- which(label != cls & !in_store)
      wrong <- wrong[wrong > i]
      if (!length(wrong)) break
      i <- wrong[1L]
      in_store[i] <- TRUE
      added <- TRUE
      d <- colSums((xt - xt[, i])^2)
      closer <- d < best
      best[closer] <- d[closer]
      label[closer] <- cls[i]
    }
    if (!added) break
  }
  which(in_store)
}

# Which search: the k-d tree for inputs of low dimension, the blocked
# brute-force search otherwise (codes of cpp_knn_search).
neighbour_search_code <- function(search, p) {
  switch(search, tree = 2L, brute = 0L, auto = if (p <= 6L) 2L else 0L)
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
  out <- neighbour_path_votes(object, nb, k, type)
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
    res <- cpp_knn_search(fit$x, q, width, threads,
                          neighbour_search_code(fit$search %||% "auto", ncol(fit$x)))
    if (fit$ties != "all" || width == n) return(res)
    # Complete when the last column is beyond the K-th distance's tie group.
    if (all(res$distance[, width] > tie_limit(res$distance[, K]))) return(res)
    width <- min(n, 2L * width)
  }
}

tie_limit <- function(d2) d2

# The votes for every k of a path in one pass along the neighbour columns
# (running sums), for ties = "nearest"; the same rule as neighbour_vote().
neighbour_path_votes <- function(fit, nb, ks, type) {
  if (fit$ties == "all") return(lapply(ks, function(kk) neighbour_vote(fit, nb, kk, type)))
  m <- nrow(nb$index)
  K <- max(ks)
  d2 <- nb$distance[, seq_len(K), drop = FALSE]
  weight <- if (fit$vote == "distance") {
    # Points at distance zero come first and, if any, decide alone.
    has_zero <- d2[, 1L] == 0
    w <- 1 / sqrt(d2)
    w[has_zero, ] <- as.numeric(d2[has_zero, , drop = FALSE] == 0)
    w
  } else NULL
  out <- vector("list", length(ks))
  rows <- seq_len(m)
  if (is.null(fit$levels)) {
    acc <- numeric(m)
    total <- numeric(m)
    for (j in seq_len(K)) {
      yj <- fit$y[nb$index[, j]]
      if (is.null(weight)) {
        acc <- acc + yj
        total <- total + 1
      } else {
        acc <- acc + weight[, j] * yj
        total <- total + weight[, j]
      }
      hit <- which(ks == j)
      if (length(hit)) out[[hit]] <- acc / total
    }
    return(out)
  }
  L <- length(fit$levels)
  votes <- matrix(0, m, L, dimnames = list(NULL, fit$levels))
  first <- matrix(Inf, m, L)  # column of each class's nearest voting member
  for (j in seq_len(K)) {
    cell <- cbind(rows, fit$y[nb$index[, j]])
    wj <- if (is.null(weight)) rep(1, m) else weight[, j]
    votes[cell] <- votes[cell] + wj
    fresh <- wj > 0 & is.infinite(first[cell])
    first[cell[fresh, , drop = FALSE]] <- j
    hit <- which(ks == j)
    if (!length(hit)) next
    out[[hit]] <- if (type == "prob") {
      votes / rowSums(votes)
    } else {
      most <- votes[, 1L]
      for (l in seq_len(L)[-1L]) most <- pmax(most, votes[, l])
      top <- votes >= most * (1 - 1e-12)
      f <- first
      f[!top] <- Inf
      class_factor(max.col(-f, ties.method = "first"), fit$levels)
    }
  }
  out
}

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
  if (is.null(x) && is.null(y) && !is.null(fit$kept)) {
    abort_input("x", "the training data given again as `x` and `y` (an edited or condensed fit keeps only the points it kept)",
                "nothing", class = "statlearn_error_missing")
  }
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
                                  fit$vote, fit$ties, fit$standardize, threads, fit$metric,
                                  edit = fit$edit %||% "none", condense = isTRUE(fit$condense),
                                  search = fit$search %||% "auto")
    if (length(part$k) < length(ks)) {
      abort_input("k", sprintf("at most %d, the size of the smallest training part", sum(!test)),
                  format(max(ks)), class = "statlearn_error_range")
    }
    q <- X[test, , drop = FALSE]
    if (fit$standardize) q <- sweep(sweep(q, 2L, part$center), 2L, part$scale, "/")
    nb <- neighbour_search(part, q, max(ks), threads)
    preds <- neighbour_path_votes(part, nb, ks, if (classification) "class" else "response")
    for (g in seq_along(ks)) {
      pred <- preds[[g]]
      if (classification) {
        loss[test, g] <- as.numeric(as.character(pred) != as.character(Y[test]))
      } else {
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

#' @rdname nearest_neighbors
#' @details `plot()` draws a classifier's decision regions (see
#'   [plot.statlearn_classifier()], whose arguments it passes on) and, for
#'   regression, the fit against its one input (or fitted against observed
#'   values), for one `k` (by default the smallest of the fit's).
#' @export
plot.statlearn_nearest_neighbors <- function(x, k = x$k[1L], ...) {
  if (length(k) != 1L) {
    abort_input("k", "one number of neighbours to draw", describe(k), class = "statlearn_error_length")
  }
  k <- check_neighbour_counts(k, x$nobs)
  given <- x
  x$k <- k
  x$method <- neighbour_method_label(k, x$metric)
  if (!is.null(x$levels)) {
    plot.statlearn_classifier(x, ...)
    return(invisible(given))
  }
  # Regression: the fit against its one input, or fitted against observed.
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
  invisible(given)
}
