# Random forests (ESL chapter 15): R layer over inst/include/statlearn/trees/forest.h.

#' Random forests
#'
#' Grows a forest of unpruned trees, each on a bootstrap sample of the
#' training data, choosing every split among `mtry` inputs drawn at random
#' (ESL Algorithm 15.1). A factor response gives a classification forest
#' (splits by the Gini index, prediction by majority vote); a numeric
#' response gives a regression forest (splits by squared error, prediction
#' by the average of the trees).
#'
#' Trees are grown in parallel; tree `b` draws its bootstrap sample and its
#' candidate inputs from its own random stream derived from `(seed, b)`, so a
#' forest is the same for any number of threads. Each tree's out-of-bag (OOB)
#' observations give the OOB error as the forest grows (`oob_error`, one value
#' per tree, ESL Section 15.3.1) and the permutation importance (ESL 15.3.2):
#' for every tree, the drop in OOB accuracy (classification) or the rise in
#' OOB mean squared error (regression) when one input's OOB values are
#' permuted, averaged over the trees. The impurity importance is the total
#' decrease in the Gini index (or in the residual sum of squares) by the
#' splits on each input, divided by the number of trees. Splits use the
#' midpoint between adjacent observed values; a node is split only when it
#' holds more than `node_size` (bootstrap) observations, is not pure and is
#' above `max_depth`.
#'
#' Factor inputs (data frames, or the formula method) are turned into ordered
#' codes once, before growing: their levels are sorted by the mean response
#' (regression) or by the share of the first class (classification) in the
#' training data, as ranger's `respect.unordered.factors = "order"` does for
#' two classes; levels not seen in training go last. Logical inputs are coded
#' 0/1. Missing values are not allowed.
#'
#' The forest is stored flat in `fit$forest` as plain vectors (split
#' variable, split value -- the predicted class or mean at a leaf --, left
#' child; `offset` marks each tree's first node), so `saveRDS()` keeps it whole.
#'
#' @inheritParams statlearn-params
#' @param x A numeric matrix or a data frame of numeric, logical or factor
#'   inputs (for the default method); a formula for the formula method.
#' @param y A factor (classification) or a numeric vector (regression).
#' @param trees Number of trees.
#' @param mtry Number of inputs drawn as split candidates at each node;
#'   `NULL` gives `floor(sqrt(p))` for classification and
#'   `max(floor(p / 3), 1)` for regression. `mtry = p` is bagging (ESL 8.7).
#' @param node_size Nodes with at most this many observations are not split;
#'   `NULL` gives 1 (classification) or 5 (regression).
#' @param max_depth `NULL` (no limit) or the largest depth of a tree (the
#'   root has depth 0).
#' @param sample_fraction Size of each tree's sample as a fraction of n;
#'   `NULL` gives 1 with replacement and 0.632 without.
#' @param replace Sample with replacement (the bootstrap)?
#' @param class_weights `NULL` or one positive weight per class (named by
#'   the classes, or in the order of `levels(y)`), multiplying the class
#'   counts in the Gini criterion and in the leaf votes.
#' @param importance `"none"`, `"impurity"` or `"permutation"`.
#' @param proximity `FALSE`, `TRUE` or `"all"` (proximities from all trees),
#'   or `"oob"` (each pair counted in the trees where both are out of bag).
#'   The n x n matrix of the share of trees that put two observations in the
#'   same terminal node (ESL 15.3.3).
#' @param keep_inbag Keep the n x trees matrix of in-bag counts?
#' @return An object of class `statlearn_random_forest`: `forest` (the flat
#'   trees), `type`, `classes`, `oob_error` (after each tree: misclassification
#'   rate or mean squared error of the OOB predictions of the trees so far),
#'   `predicted` (OOB predictions), `votes` (classification: OOB vote counts,
#'   n x K), `oob_count`, `importance` (named vector, or `NULL`),
#'   `proximity`, `inbag`, and the settings.
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009). *The
#'   Elements of Statistical Learning*, 2nd ed., Sections 15.1-15.4 (random
#'   forests, OOB error, variable importance, proximity plots) and 8.7
#'   (bagging). Breiman, L. (2001). Random forests. *Machine Learning* 45, 5-32.
#' @family chapter 15
#' @export
#' @examples
#' train <- spam[!spam$test, 1:58]
#' test <- spam[spam$test, 1:58]
#' fit <- random_forest(spam ~ ., data = train, trees = 50, seed = 1, threads = 2)
#' fit
#' mean(predict(fit, test) != test$spam)
random_forest <- function(x, ...) UseMethod("random_forest")

#' @rdname random_forest
#' @export
random_forest.default <- function(x, y, trees = 500, mtry = NULL, node_size = NULL, max_depth = NULL,
                                  sample_fraction = NULL, replace = TRUE, class_weights = NULL,
                                  importance = c("none", "impurity", "permutation"),
                                  proximity = FALSE, keep_inbag = FALSE, seed = NULL,
                                  threads = NULL, ...) {
  check_dots(..., fun = "random_forest")
  fit <- fit_random_forest(x, y, trees = trees, mtry = mtry, node_size = node_size,
                           max_depth = max_depth, sample_fraction = sample_fraction, replace = replace,
                           class_weights = class_weights, importance = importance,
                           proximity = proximity, keep_inbag = keep_inbag, seed = seed,
                           threads = threads)
  fit$call <- match.call()
  fit
}

#' @rdname random_forest
#' @export
random_forest.formula <- function(x, data = NULL, subset, na.action, ...) {
  formula <- x
  call <- match.call()
  names(call)[names(call) == "x"] <- "formula"
  mf <- formula_model_frame(call, parent.frame())
  tt <- attr(mf, "terms")
  y <- stats::model.response(mf)
  labels <- attr(tt, "term.labels")
  if (length(labels) == 0L) {
    abort_input("formula", "at least one input on the right-hand side", deparse(formula)[1L],
                class = "statlearn_error_formula")
  }
  bad <- labels[!labels %in% names(mf)]
  if (length(bad)) {
    abort_input("formula", "inputs that are variables of `data` (no interactions or transformations)",
                paste(bad, collapse = ", "), class = "statlearn_error_formula")
  }
  xdf <- mf[labels]
  fit <- fit_random_forest(xdf, y, ...)
  fit$call <- match.call()
  fit$terms <- tt
  fit$formula <- formula
  fit
}

# Code the inputs as a double matrix; factor levels are ordered by the response.
forest_encode_fit <- function(x, y) {
  if (is.data.frame(x)) {
    if (ncol(x) == 0L || nrow(x) == 0L) {
      abort_input("x", "at least one row and one column", describe(x), class = "statlearn_error_empty")
    }
    codes <- list()
    cols <- vector("list", ncol(x))
    for (j in seq_along(x)) {
      v <- x[[j]]
      nm <- names(x)[j]
      if (is.character(v)) v <- factor(v)
      if (all(is.na(v))) {
        abort_input("x", "columns with observed values", sprintf("column '%s' all missing", nm),
                    class = "statlearn_error_nonfinite")
      }
      if (is.factor(v)) {
        lev <- levels(v)
        if (anyNA(v)) {
          abort_input("x", "no missing values", sprintf("NA in column '%s'", nm),
                      class = "statlearn_error_nonfinite")
        }
        score <- if (is.factor(y)) tapply(y == levels(y)[1L], v, mean) else tapply(y, v, mean)
        score[is.na(score)] <- Inf
        code <- integer(length(lev))
        code[order(score, seq_along(lev))] <- seq_along(lev)
        names(code) <- lev
        codes[[nm]] <- code
        cols[[j]] <- as.double(code[as.integer(v)])
      } else if (is.numeric(v) || is.logical(v)) {
        cols[[j]] <- as.double(v)
      } else {
        abort_input("x", "numeric, logical or factor columns", sprintf("column '%s' of class %s", nm, class(v)[1L]),
                    class = "statlearn_error_type")
      }
    }
    m <- matrix(unlist(cols, use.names = FALSE), nrow(x), ncol(x), dimnames = list(NULL, names(x)))
    if (is.null(names(x))) colnames(m) <- sprintf("V%d", seq_len(ncol(x)))
  } else {
    codes <- list()
    m <- x
    if (is.matrix(m) && ncol(m) > 0L && nrow(m) > 0L && anyNA(m)) {
      miss <- which(colSums(is.na(m)) == nrow(m))
      if (length(miss)) {
        abort_input("x", "columns with observed values",
                    sprintf("column %d all missing", miss[1L]), class = "statlearn_error_nonfinite")
      }
    }
  }
  m <- check_x(m, "x")
  list(x = m, codes = codes)
}

# The same coding for new data.
forest_encode_new <- function(newdata, fit) {
  p <- length(fit$xnames)
  if (is.data.frame(newdata)) {
    miss <- setdiff(fit$xnames, names(newdata))
    if (length(miss)) {
      abort_input("newdata", "the training inputs", sprintf("no column(s) %s", paste(miss, collapse = ", ")),
                  class = "statlearn_error_dimension")
    }
    newdata <- newdata[fit$xnames]
    for (nm in names(fit$factor_codes)) {
      v <- newdata[[nm]]
      code <- fit$factor_codes[[nm]]
      v <- as.character(v)
      unseen <- setdiff(unique(v[!is.na(v)]), names(code))
      if (length(unseen)) {
        abort_input("newdata", sprintf("levels of '%s' seen in training", nm),
                    sprintf("new level(s) %s", paste0("'", unseen, "'", collapse = ", ")),
                    class = "statlearn_error_levels")
      }
      newdata[[nm]] <- as.double(code[v])
    }
    for (j in seq_along(newdata)) if (is.logical(newdata[[j]])) newdata[[j]] <- as.double(newdata[[j]])
    newdata <- as.matrix(newdata)
  }
  check_newx(newdata, fit, "newdata")
}

fit_random_forest <- function(x, y, trees = 500, mtry = NULL, node_size = NULL, max_depth = NULL,
                              sample_fraction = NULL, replace = TRUE, class_weights = NULL,
                              importance = c("none", "impurity", "permutation"), proximity = FALSE,
                              keep_inbag = FALSE, seed = NULL, threads = NULL) {
  if (is.matrix(y) && ncol(y) == 1L) y <- drop(y)
  classification <- is.factor(y) || is.character(y) || is.logical(y)
  n0 <- NROW(x)
  if (classification) y <- check_class_y(y, n0) else y <- check_y(y, n0)
  enc <- forest_encode_fit(x, y)
  x <- enc$x
  n <- nrow(x)
  p <- ncol(x)
  trees <- check_count(trees, "trees")
  mtry <- if (is.null(mtry)) {
    if (classification) max(1L, floor(sqrt(p))) else max(floor(p / 3), 1L)
  } else check_count(mtry, "mtry", upper = p)
  node_size <- if (is.null(node_size)) if (classification) 1L else 5L else check_count(node_size, "node_size")
  max_depth <- if (is.null(max_depth)) 0L else check_count(max_depth, "max_depth")
  replace <- check_flag(replace, "replace")
  sample_fraction <- if (is.null(sample_fraction)) if (replace) 1 else 0.632 else
    check_number(sample_fraction, "sample_fraction", lower = 0, upper = if (replace) Inf else 1, lower_open = TRUE)
  importance <- check_choice(importance[1L], c("none", "impurity", "permutation"), "importance")
  if (isTRUE(proximity)) proximity <- "all"
  if (isFALSE(proximity)) proximity <- "none"
  proximity <- check_choice(proximity, c("none", "all", "oob"), "proximity")
  if (proximity != "none" && n > 20000) {
    abort_input("proximity", "FALSE for more than 20000 observations (it is an n x n matrix)",
                sprintf('"%s" with n = %d', proximity, n), class = "statlearn_error_range")
  }
  keep_inbag <- check_flag(keep_inbag, "keep_inbag")
  seed <- resolve_seed(seed)
  threads <- resolve_threads(threads)
  K <- if (classification) nlevels(y) else 0L
  cw <- numeric(0)
  if (!is.null(class_weights)) {
    if (!classification) {
      abort_input("class_weights", "NULL for a regression forest", describe(class_weights),
                  class = "statlearn_error_type")
    }
    if (!is.numeric(class_weights) || length(class_weights) != K || anyNA(class_weights) ||
        any(class_weights <= 0) || any(!is.finite(class_weights))) {
      abort_input("class_weights", sprintf("%d positive finite weights, one per class", K),
                  describe(class_weights), class = "statlearn_error_range")
    }
    if (!is.null(names(class_weights))) {
      if (!setequal(names(class_weights), levels(y))) {
        abort_input("class_weights", sprintf("names %s", paste(levels(y), collapse = ", ")),
                    paste(names(class_weights), collapse = ", "), class = "statlearn_error_range")
      }
      class_weights <- class_weights[levels(y)]
    }
    cw <- as.double(class_weights)
  }
  need_inbag <- keep_inbag || proximity == "oob"
  yy <- if (classification) as.integer(y) else y
  r <- cpp_random_forest(x, yy, K, trees, mtry, node_size, max_depth, sample_fraction, replace, cw,
                         importance == "impurity", importance == "permutation", need_inbag, seed, threads)
  xnames <- colnames(x)
  fit <- list(
    forest = list(offset = r$offset, var = r$var, value = r$value, left = r$left),
    type = if (classification) "classification" else "regression",
    classes = if (classification) levels(y) else NULL,
    xnames = xnames, factor_codes = enc$codes,
    trees = trees, mtry = mtry, node_size = node_size, max_depth = if (max_depth == 0L) NULL else max_depth,
    sample_fraction = sample_fraction, replace = replace,
    class_weights = if (length(cw)) stats::setNames(cw, levels(y)) else NULL,
    seed = seed, n = n, y = y, oob_error = r$oob_error, oob_count = r$oob_count,
    which_importance = importance
  )
  if (classification) {
    votes <- matrix(r$oob_votes, n, K, byrow = TRUE, dimnames = list(NULL, levels(y)))
    fit$votes <- votes
    has <- r$oob_count > 0
    pred <- rep(NA_integer_, n)
    pred[has] <- max.col(votes[has, , drop = FALSE], ties.method = "first")
    fit$predicted <- factor(levels(y)[pred], levels = levels(y))
  } else {
    pred <- ifelse(r$oob_count > 0, r$oob_votes / pmax(r$oob_count, 1L), NA_real_)
    fit$predicted <- pred
  }
  fit$importance <- switch(importance,
    none = NULL,
    impurity = stats::setNames(r$importance_impurity, xnames),
    permutation = stats::setNames(r$importance_permutation, xnames))
  inbag <- if (need_inbag) matrix(r$inbag, n, trees) else NULL
  if (proximity != "none") {
    counts <- cpp_random_forest_proximity(r$offset, r$var, r$value, r$left, trees, x,
                                          if (is.null(inbag)) integer(0) else inbag,
                                          proximity == "oob", threads)
    if (proximity == "oob") {
      o <- (inbag == 0) * 1
      den <- tcrossprod(o)
      prox <- ifelse(den > 0, counts / den, 0)
    } else {
      prox <- counts / trees
    }
    diag(prox) <- 1
    fit$proximity <- prox
  }
  fit$which_proximity <- proximity
  if (keep_inbag) fit$inbag <- inbag
  class(fit) <- c("statlearn_random_forest", "statlearn_model")
  fit
}

#' Predict from a random forest
#'
#' @param object A `statlearn_random_forest`.
#' @param newdata New inputs (a data frame for formula fits, else a matrix or
#'   data frame with the training columns). Without it, the out-of-bag
#'   predictions of the training data are returned.
#' @param type `"class"` (classification; the default), `"prob"` (the share
#'   of the trees' votes for each class), `"votes"` (vote counts), or
#'   `"response"` (regression: the average of the trees; classification:
#'   as `"class"`).
#' @param trees Use only the first `trees` trees (default all).
#' @inheritParams statlearn-params
#' @return A factor, a numeric vector, or an n x K matrix.
#' @family chapter 15
#' @export
predict.statlearn_random_forest <- function(object, newdata = NULL, type = NULL, trees = NULL,
                                            threads = NULL, ...) {
  check_dots(..., fun = "predict")
  cls <- object$type == "classification"
  type <- if (is.null(type)) if (cls) "class" else "response" else
    check_choice(type, c("class", "prob", "response", "votes"), "type")
  if (!cls && type != "response") {
    abort_input("type", '"response" for a regression forest', sprintf('"%s"', type), class = "statlearn_error_range")
  }
  ntree <- length(object$forest$offset) - 1L
  k <- if (is.null(trees)) ntree else check_count(trees, "trees", upper = ntree)
  if (is.null(newdata)) {
    if (!is.null(trees) && k != ntree) {
      abort_input("newdata", "new data when `trees` is given (OOB predictions use all trees)", "NULL",
                  class = "statlearn_error_type")
    }
    if (!cls) return(object$predicted)
    return(switch(type, class = , response = object$predicted, votes = object$votes,
                  prob = object$votes / pmax(rowSums(object$votes), 1)))
  }
  if (!is.null(object$terms) && is.data.frame(newdata)) {
    tt <- stats::delete.response(object$terms)
    mf <- tryCatch(stats::model.frame(tt, newdata, na.action = stats::na.pass),
                   error = function(e) abort(sprintf("Could not build the inputs from `newdata`: %s", conditionMessage(e)),
                                             class = c("statlearn_error_formula", "statlearn_error_input")))
    newdata <- mf[object$xnames]
  }
  newx <- forest_encode_new(newdata, object)
  threads <- resolve_threads(threads)
  f <- object$forest
  K <- if (cls) length(object$classes) else 0L
  out <- cpp_random_forest_predict(f$offset, f$var, f$value, f$left, K, k, newx, threads)
  if (!cls) return(out)
  votes <- t(out)
  colnames(votes) <- object$classes
  switch(type,
    votes = votes,
    prob = votes / k,
    class_factor(max.col(votes, ties.method = "first"), object$classes))
}

#' @export
print.statlearn_random_forest <- function(x, ...) {
  cat(sprintf("Random forest (%s): %d trees, mtry = %d, node size %d, %d observations, %d inputs\n",
              x$type, length(x$forest$offset) - 1L, x$mtry, x$node_size, x$n, length(x$xnames)))
  err <- x$oob_error[length(x$oob_error)]
  if (x$type == "classification") {
    cat(sprintf("Out-of-bag error rate: %.2f%%\n", 100 * err))
  } else {
    cat(sprintf("Out-of-bag mean squared error: %.4g (%.1f%% of variance explained)\n", err,
                100 * (1 - err / mean((x$y - mean(x$y))^2))))
  }
  invisible(x)
}

#' @export
summary.statlearn_random_forest <- function(object, ...) {
  out <- list(type = object$type, trees = length(object$forest$offset) - 1L, mtry = object$mtry,
              node_size = object$node_size, oob_error = object$oob_error[length(object$oob_error)],
              nodes = diff(object$forest$offset))
  if (object$type == "classification") {
    ok <- !is.na(object$predicted)
    out$confusion <- table(observed = object$y[ok], predicted = object$predicted[ok])
  }
  if (!is.null(object$importance)) {
    out$importance <- sort(object$importance, decreasing = TRUE)
    out$which_importance <- object$which_importance
  }
  class(out) <- "summary.statlearn_random_forest"
  out
}

#' @export
print.summary.statlearn_random_forest <- function(x, ...) {
  cat(sprintf("Random forest (%s), %d trees, mtry = %d, node size %d\n", x$type, x$trees, x$mtry, x$node_size))
  cat(sprintf("Nodes per tree: median %g (range %d-%d)\n", stats::median(x$nodes), min(x$nodes), max(x$nodes)))
  if (x$type == "classification") {
    cat(sprintf("Out-of-bag error rate: %.2f%%\n\nOut-of-bag confusion matrix:\n", 100 * x$oob_error))
    print(x$confusion)
  } else {
    cat(sprintf("Out-of-bag mean squared error: %.4g\n", x$oob_error))
  }
  if (!is.null(x$importance)) {
    cat(sprintf("\nVariable importance (%s), top %d:\n", x$which_importance, min(10L, length(x$importance))))
    print(utils::head(x$importance, 10L))
  }
  invisible(x)
}

#' Plot the out-of-bag error of a random forest
#'
#' The OOB error (misclassification rate or mean squared error) against the
#' number of trees, as in ESL Figure 15.4.
#' @param x A `statlearn_random_forest`.
#' @param ... Passed to [graphics::plot()].
#' @family chapter 15
#' @export
plot.statlearn_random_forest <- function(x, ...) {
  ylab <- if (x$type == "classification") "OOB misclassification error" else "OOB mean squared error"
  args <- utils::modifyList(list(x = seq_along(x$oob_error), y = x$oob_error, type = "l",
                                 xlab = "Number of trees", ylab = ylab, col = "dodgerblue3"), list(...))
  do.call(graphics::plot, args)
  invisible(x)
}

#' Variable importance of a random forest
#'
#' @param fit A `statlearn_random_forest` fitted with `importance` other than `"none"`.
#' @param sort Sort from most to least important?
#' @return A named numeric vector.
#' @family chapter 15
#' @export
#' @examples
#' fit <- random_forest(spam ~ ., data = spam[!spam$test, 1:58], trees = 30,
#'                      importance = "impurity", seed = 1, threads = 2)
#' head(forest_importance(fit))
forest_importance <- function(fit, sort = TRUE) {
  if (!inherits(fit, "statlearn_random_forest")) {
    abort_input("fit", "a statlearn_random_forest", describe(fit), class = "statlearn_error_type")
  }
  if (is.null(fit$importance)) {
    abort_input("fit", 'a forest fitted with importance = "impurity" or "permutation"',
                'importance = "none"', class = "statlearn_error_type")
  }
  imp <- fit$importance
  if (sort) imp <- imp[order(-imp)]
  imp
}

#' Proximity plot of a random forest
#'
#' Multidimensional scaling ([stats::cmdscale()]) of 1 - proximity, coloured
#' by class, as in ESL Figure 15.6.
#' @param fit A `statlearn_random_forest` fitted with `proximity`.
#' @param col Colours, one per class (classification) or per observation.
#' @param ... Passed to [graphics::plot()].
#' @return The n x 2 coordinates, invisibly.
#' @family chapter 15
#' @export
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(200), 100, 2)
#' y <- factor(x[, 1]^2 + x[, 2]^2 > 1.4)
#' fit <- random_forest(x, y, trees = 100, proximity = TRUE, seed = 1, threads = 2)
#' proximity_plot(fit)
proximity_plot <- function(fit, col = NULL, ...) {
  if (!inherits(fit, "statlearn_random_forest") || is.null(fit$proximity)) {
    abort_input("fit", "a statlearn_random_forest fitted with proximity = TRUE or \"oob\"",
                describe(fit), class = "statlearn_error_type")
  }
  xy <- stats::cmdscale(1 - fit$proximity, k = 2)
  cls <- fit$type == "classification"
  if (is.null(col)) col <- if (cls) c("dodgerblue3", "darkorange", "forestgreen", "firebrick2", "purple")
  pcol <- if (cls) col[as.integer(fit$y)] else col
  args <- utils::modifyList(list(x = xy[, 1], y = xy[, 2], col = pcol, pch = 19, cex = 0.7,
                                 xlab = "Dimension 1", ylab = "Dimension 2",
                                 main = "Random forest proximity plot"), list(...))
  do.call(graphics::plot, args)
  if (cls) graphics::legend("topright", legend = fit$classes, col = col[seq_along(fit$classes)], pch = 19, bty = "n")
  invisible(xy)
}
