# ESL 8.7-8.9: bagging, stacking (and simple model averaging) and bumping,
# for any package fit (refitted from its call) or learner(). The refits go
# through the package's resampling core (bootstrap_samples(), run_replicates()
# with future support), so every plan gives the same numbers.

# Shared pieces -------------------------------------------------------------------

# The learner and data of a model-averaging call: a learner() with x and y, or a
# package fit refitted from its call (x and y optionally replacing its data).
# `threads` (for package fits) replaces the call's `threads` when the fitter
# takes one.
averaging_task <- function(fit, x, y, env, threads = NULL, arg = "fit") {
  if (inherits(fit, "statlearn_learner")) {
    if (!is.null(threads)) {
      abort_input("threads", "NULL for a learner() (give threads to the learner's own fit function)",
                  describe(threads), class = "statlearn_error_unsupported")
    }
    d <- check_learner_data(x, y)
    return(list(learner = fit, x = d$x, y = d$y, n = d$n, classification = d$classification))
  }
  if (!inherits(fit, "statlearn_model")) {
    abort_input(arg, "a learner() or a statlearn fit", describe(fit), class = "statlearn_error_type")
  }
  if (!is.null(threads) && !is.null(fit$call)) {
    base <- sub("\\.(formula|default)$", "", deparse(fit$call[[1L]], width.cutoff = 500L)[1L])
    meth <- get0(paste0(base, ".default"), envir = asNamespace("statlearn"), mode = "function")
    if (!is.null(meth) && "threads" %in% names(formals(meth))) {
      fit$call$threads <- resolve_threads(threads)
    }
  }
  # A formula fit is refitted by its formula on rows of its data frame, so that
  # the ensemble predicts new data frames.
  task <- fit_as_learner(fit, env, x, y, design_refit = FALSE)
  d <- check_learner_data(task$x, task$y)
  list(learner = task$learner, x = d$x, y = d$y, n = d$n, classification = d$classification)
}

# Run `expr` with R's RNG seeded by `seed` (a resolved number), restoring the
# user's RNG state after.
with_seed <- function(seed, expr) {
  old <- save_rng()
  on.exit(restore_rng(old))
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  expr
}

# The default probability predictor: predict(model, newx, type = "prob").
default_prob <- function(model, newx) stats::predict(model, newx, type = "prob")

check_prob_fun <- function(prob) {
  if (is.null(prob)) return(default_prob)
  if (!is.function(prob)) {
    abort_input("prob", "NULL or a function(model, newx) returning class probabilities", describe(prob),
                class = "statlearn_error_type")
  }
  prob
}

# One member's predictions on newx: class labels (a factor with `levels`),
# class probabilities (an n x K matrix, columns in `levels` order) or numbers.
member_predict <- function(lrn, prob, model, newx, kind, levels = NULL) {
  m <- NROW(newx)
  if (kind == "prob") {
    p <- prob(model, newx)
    if (is.data.frame(p)) p <- as.matrix(p)
    if (is.null(dim(p)) && length(levels) == 2L && length(p) == m) p <- cbind(1 - p, p)
    if (!is.matrix(p) || nrow(p) != m) {
      stop(sprintf("the probability predictor returned %s for %d rows; it must return an n x K matrix",
                   describe(p), m))
    }
    if (!is.null(colnames(p)) && all(levels %in% colnames(p))) {
      p <- p[, levels, drop = FALSE]
    } else if (ncol(p) != length(levels)) {
      stop(sprintf("the probability predictor returned %d columns for %d classes", ncol(p), length(levels)))
    }
    storage.mode(p) <- "double"
    dimnames(p) <- list(NULL, levels)
    return(p)
  }
  pred <- lrn$predict(model, newx)
  if (is.matrix(pred) && ncol(pred) == 1L) pred <- drop(pred)
  if (!is.null(dim(pred)) || length(pred) != m) {
    stop(sprintf("predict() returned %s for %d rows; it must return one prediction per row",
                 describe(pred), m))
  }
  if (kind == "class") factor(as.character(pred), levels = levels) else as.double(pred)
}

# Aggregate member predictions (a list): class votes or mean probabilities as
# an n x K matrix of proportions, or the mean of numbers.
aggregate_members <- function(preds, kind, levels = NULL) {
  if (kind == "class") {
    votes <- matrix(0, length(preds[[1L]]), length(levels), dimnames = list(NULL, levels))
    for (p in preds) {
      idx <- cbind(seq_along(p), as.integer(p))
      ok <- !is.na(idx[, 2L])
      votes[idx[ok, , drop = FALSE]] <- votes[idx[ok, , drop = FALSE]] + 1
    }
    return(votes / length(preds))
  }
  if (kind == "prob") return(Reduce(`+`, preds) / length(preds))
  Reduce(`+`, preds) / length(preds)
}

# Class labels of a matrix of proportions: the largest, the first on ties.
majority_class <- function(P, levels) class_factor(max.col(P, ties.method = "first"), levels)

learner_name <- function(fit, expr) {
  if (inherits(fit, "statlearn_learner")) fit$method
  else sub("\\.(formula|default)$", "", deparse(fit$call[[1L]], width.cutoff = 500L)[1L])
}

# Bagging ------------------------------------------------------------------------

#' Bagging: bootstrap aggregation of any learner
#'
#' Fits a learner (or a package fit, refitted from its call) to `B` bootstrap
#' samples of the training data and averages the fits (ESL 8.7): for a
#' numeric response the mean of the B predictions (eq. 8.51); for classes
#' either the *consensus* vote (the class most fits predict; `aggregate =
#' "vote"`) or the average of the fits' class probabilities (`aggregate =
#' "probability"`), whose largest entry gives the class. The book notes that
#' averaging probabilities gives bagged estimates of the class probabilities
#' with lower variance, especially for small B (Figure 8.10).
#'
#' The bootstrap samples are drawn up front with R's random number generator
#' seeded by `seed`; the refits run through the package's replicate runner
#' (a plain loop, or `future.apply` when a `future::plan()` is set), each
#' with its own random stream, so the result does not depend on the plan.
#' With `oob = TRUE` each observation is predicted by the fits whose sample
#' leaves it out, and their aggregate gives the out-of-bag error (ESL 15.3.1).
#'
#' @param fit A [learner()], or a package fit (refitted from its call on the
#'   rows of each bootstrap sample).
#' @param x,y The training data (for a learner; for a package fit optional
#'   replacements of its training data, as in [cross_validate()]).
#' @param B Number of bootstrap samples (fits).
#' @param aggregate For classes: `"vote"` (consensus) or `"probability"`
#'   (average the class probabilities); ignored (the mean) for a numeric
#'   response. `NULL` means `"vote"`.
#' @param oob Compute out-of-bag predictions and error?
#' @param samples Optional bootstrap samples (a bootstrap [resampling_plan()]
#'   or a list of vectors of row numbers); overrides `B`.
#' @param prob For `aggregate = "probability"` with a learner: a
#'   `function(model, newx)` returning the n x K matrix of class
#'   probabilities; `NULL` uses `predict(model, newx, type = "prob")`.
#' @param threads For a package fit whose fitter takes `threads`: the threads
#'   of each refit (`NULL` keeps the fit's). Must be `NULL` for a learner.
#' @inheritParams statlearn-params
#' @return An object of class `c("statlearn_bagging", "statlearn_ensemble")`:
#'   `models` (the B fitted models), `learner`, `samples` (the bootstrap plan;
#'   `samples$train[[b]]` are the rows of fit b), `aggregate`, `levels` (for
#'   classes), `B`, `n`, `seed`, and with `oob = TRUE` `oob_prediction`
#'   (classes or numbers, `NA` for an observation in every sample),
#'   `oob_prob` (classes), `oob_count`, `oob_error` (misclassification
#'   rate or mean squared error) and `oob_path` (the out-of-bag error of the
#'   first b fits, b = 1..B, over the observations out of bag at least once
#'   among them; `plot()` draws it).
#' @references Hastie, Tibshirani and Friedman (2009), section 8.7.
#'   Breiman (1996), Bagging predictors, Machine Learning 24, 123-140.
#' @family chapter 8
#' @seealso [stacking()], [bumping()], [bootstrap()].
#' @export
#' @examples
#' fit <- linear_discriminant(y ~ x.1 + x.2, data = vowel_train, threads = 1)
#' bag <- bagging(fit, B = 10, seed = 1)
#' bag
#' head(predict(bag, vowel_test, type = "prob")[, 1:4])
#' mean(predict(bag, vowel_test) != vowel_test$y)
#' # regression: the mean of bagged least-squares fits equals (nearly) the fit
#' lsq <- learner(function(x, y) linear_regression(x, y), name = "least squares")
#' x <- as.matrix(prostate[, 1:8])
#' bagging(lsq, x, prostate$lpsa, B = 20, seed = 1)
bagging <- function(fit, ...) UseMethod("bagging")

#' @export
bagging.default <- function(fit, ...) {
  abort_input("fit", "a learner() or a statlearn fit", describe(fit), class = "statlearn_error_type")
}

#' @rdname bagging
#' @export
bagging.statlearn_model <- function(fit, x = NULL, y = NULL, B = 100, aggregate = NULL, oob = TRUE,
                                    seed = NULL, samples = NULL, threads = NULL, ...) {
  check_dots(..., fun = "bagging")
  task <- averaging_task(fit, x, y, parent.frame(), threads)
  fit_bagging(task, B, aggregate, oob, seed, samples, default_prob)
}

#' @rdname bagging
#' @export
bagging.statlearn_learner <- function(fit, x, y, B = 100, aggregate = NULL, oob = TRUE, seed = NULL,
                                      samples = NULL, prob = NULL, threads = NULL, ...) {
  check_dots(..., fun = "bagging")
  task <- averaging_task(fit, if (missing(x)) NULL else x, if (missing(y)) NULL else y,
                         parent.frame(), threads)
  fit_bagging(task, B, aggregate, oob, seed, samples, check_prob_fun(prob))
}

fit_bagging <- function(task, B, aggregate, oob, seed, samples, prob) {
  oob <- check_flag(oob, "oob")
  classification <- task$classification
  aggregate <- if (!classification) "mean"
               else check_choice(aggregate %||% "vote", c("vote", "probability"), "aggregate")
  kind <- switch(aggregate, vote = "class", probability = "prob", mean = "response")
  seed <- resolve_seed(seed)
  n <- task$n
  drawn <- with_seed(seed, {
    plan <- bootstrap_samples(samples, B, n)
    list(plan = plan, streams = replicate_streams(plan$B))
  })
  plan <- drawn$plan
  lrn <- task$learner
  X <- task$x
  Y <- task$y
  train <- plan$train
  models <- run_replicates(plan$B, function(i) lrn$fit(rows_of(X, train[[i]]), Y[train[[i]]]),
                           plan$labels, drawn$streams)
  levels <- if (classification) levels(Y)
  out <- list(models = models, learner = lrn, prob = if (kind == "prob") prob, samples = plan,
              aggregate = aggregate, kind = kind, levels = levels, classification = classification,
              B = plan$B, n = n, seed = seed, method = lrn$method)
  if (oob) {
    sums <- if (classification) matrix(0, n, length(levels), dimnames = list(NULL, levels)) else numeric(n)
    count <- integer(n)
    oob_path <- rep(NA_real_, plan$B)
    for (b in seq_len(plan$B)) {
      t <- plan$test[[b]]
      if (!length(t)) {
        if (b > 1L) oob_path[b] <- oob_path[b - 1L]
        next
      }
      p <- tryCatch(member_predict(lrn, prob, models[[b]], rows_of(X, t), kind, levels), error = function(e) {
        abort(sprintf("Predicting the out-of-bag rows of %s failed: %s", plan$labels[b], conditionMessage(e)),
              class = c("statlearn_error_replicate", "statlearn_error_input"), replicate = b)
      })
      if (kind == "class") {
        k <- as.integer(p)
        idx <- cbind(t, k)[!is.na(k), , drop = FALSE]
        sums[idx] <- sums[idx] + 1
      } else if (kind == "prob") {
        sums[t, ] <- sums[t, ] + p
      } else {
        sums[t] <- sums[t] + p
      }
      count[t] <- count[t] + 1L
      # the out-of-bag error of the first b fits
      h <- which(count > 0L)
      pb <- if (classification) {
        class_factor(max.col(sums[h, , drop = FALSE] / count[h], ties.method = "first"), levels)
      } else {
        sums[h] / count[h]
      }
      oob_path[b] <- mean(resample_loss(Y[h], pb, classification))
    }
    has <- count > 0L
    if (classification) {
      P <- sums / pmax(count, 1L)
      P[!has, ] <- NA
      pred <- factor(rep(NA_character_, n), levels = levels)
      pred[has] <- majority_class(P[has, , drop = FALSE], levels)
      out$oob_prob <- P
    } else {
      pred <- ifelse(has, sums / pmax(count, 1L), NA_real_)
    }
    out$oob_path <- oob_path
    out$oob_prediction <- pred
    out$oob_count <- count
    out$oob_error <- if (any(has)) mean(resample_loss(Y[has], pred[has], classification)) else NA_real_
  }
  structure(out, class = c("statlearn_bagging", "statlearn_ensemble"))
}

#' @export
print.statlearn_bagging <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  what <- switch(x$aggregate, vote = "consensus vote", probability = "averaged class probabilities",
                 mean = "mean of the fits")
  cat(sprintf("Bagging of %s: %d bootstrap fits to %d observations (%s)\n", x$method, x$B, x$n, what))
  if (!is.null(x$oob_error)) {
    cat(sprintf("Out-of-bag %s: %s (%d observations out of bag at least once)\n",
                if (x$classification) "misclassification rate" else "mean squared error",
                format(x$oob_error, digits = digits), sum(x$oob_count > 0L)))
  }
  invisible(x)
}

#' @rdname bagging
#' @param ... Unused by the fitters and `predict()`; for `plot()`, graphical parameters.
#' @export
plot.statlearn_bagging <- function(x, ...) {
  if (is.null(x$oob_path)) {
    abort("The bagging fit has no out-of-bag errors; fit it with `oob = TRUE`.",
          class = c("statlearn_error_missing", "statlearn_error_input"))
  }
  graphics::plot(seq_along(x$oob_path), x$oob_path, type = "l", xlab = "Number of bootstrap fits",
                 ylab = if (x$classification) "Out-of-bag misclassification rate" else "Out-of-bag mean squared error",
                 main = sprintf("Bagging of %s", x$method), ...)
  invisible(x)
}

#' @rdname bagging
#' @param object A `bagging()` fit.
#' @param newdata New inputs, in the form the learner's predict takes (a
#'   matrix, or a data frame for a formula fit).
#' @param type `"class"` or `"prob"` for classes (the vote proportions for
#'   `aggregate = "vote"`, the mean probabilities for `"probability"`);
#'   `"response"` for a numeric response.
#' @param models Which fits to aggregate (indices into `object$models`);
#'   `NULL` uses all of them. `models = 1:b` gives the bagged prediction of
#'   the first b bootstrap samples.
#' @export
predict.statlearn_bagging <- function(object, newdata, type = NULL, models = NULL, ...) {
  check_dots(..., fun = "predict")
  if (missing(newdata) || is.null(newdata)) {
    abort_input("newdata", "the inputs to predict (bagging keeps no training data)", "nothing",
                class = "statlearn_error_missing")
  }
  type <- check_choice(type %||% if (object$classification) "class" else "response",
                       if (object$classification) c("class", "prob") else "response", "type")
  models <- ensemble_members(models, length(object$models))
  preds <- lapply(object$models[models], function(m) {
    member_predict(object$learner, object$prob, m, newdata, object$kind, object$levels)
  })
  agg <- aggregate_members(preds, object$kind, object$levels)
  if (!object$classification) return(agg)
  if (type == "prob") agg else majority_class(agg, object$levels)
}

ensemble_members <- function(models, B) {
  if (is.null(models)) return(seq_len(B))
  if (!is.numeric(models) || length(models) == 0L || anyNA(models) || any(models < 1 | models > B) ||
      any(models != round(models))) {
    abort_input("models", sprintf("indices of fits in 1..%d", B), describe(models),
                class = "statlearn_error_range")
  }
  as.integer(models)
}

# Stacking and model averaging ------------------------------------------------------

#' Non-negative least squares (Lawson and Hanson)
#'
#' Solves `min ||y - X w||^2` subject to `w >= 0` by the active-set algorithm
#' of Lawson and Hanson (1974, chapter 23): variables move from the zero set
#' to the positive set one at a time (the one with the largest gradient of
#' the residual), each time the unconstrained least-squares solution on the
#' positive set is taken as far as feasibility allows.
#'
#' @param x A numeric matrix (n x p).
#' @param y A numeric vector of length n.
#' @param tol Tolerance on the gradient for optimality; by default
#'   `10 * .Machine$double.eps * norm(x, "1") * max(dim(x))`.
#' @param max_iter Maximum number of outer iterations.
#' @return A list with `coefficients` (p, non-negative), `residuals`,
#'   `deviance` (the residual sum of squares), `passive` (the indices of the
#'   positive coefficients) and `iterations`.
#' @references Lawson and Hanson (1974), *Solving Least Squares Problems*,
#'   Prentice-Hall, chapter 23. Hastie, Tibshirani and Friedman (2009),
#'   section 8.8.
#' @family chapter 8
#' @export
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(40), 10, 4)
#' y <- drop(x %*% c(1, 0, 2, -1)) + rnorm(10, sd = 0.1)
#' nnls(x, y)$coefficients
nnls <- function(x, y, tol = NULL, max_iter = 3L * ncol(x)) {
  if (!is.numeric(x) || !is.matrix(x) || anyNA(x) || any(!is.finite(x))) {
    abort_input("x", "a finite numeric matrix", describe(x), class = "statlearn_error_type")
  }
  if (!is.numeric(y) || length(y) != nrow(x) || any(!is.finite(y))) {
    abort_input("y", sprintf("a finite numeric vector of length %d", nrow(x)), describe(y),
                class = "statlearn_error_length")
  }
  max_iter <- check_count(max_iter, "max_iter", lower = 1)
  p <- ncol(x)
  if (is.null(tol)) tol <- 10 * .Machine$double.eps * max(norm(x, "1"), 1) * max(dim(x))
  w <- numeric(p)
  passive <- logical(p)
  ls_on <- function(P) {
    z <- numeric(p)
    z[P] <- qr.coef(qr(x[, P, drop = FALSE]), y)
    z[is.na(z)] <- 0
    z
  }
  iter <- 0L
  repeat {
    grad <- drop(crossprod(x, y - x %*% w))
    if (all(passive) || max(grad[!passive]) <= tol || iter >= max_iter) break
    iter <- iter + 1L
    cand <- which(!passive)
    passive[cand[which.max(grad[cand])]] <- TRUE
    repeat {
      z <- ls_on(passive)
      if (all(z[passive] > 0)) break
      bad <- passive & z <= 0
      alpha <- min(w[bad] / (w[bad] - z[bad]))
      w <- w + alpha * (z - w)
      passive <- passive & w > tol
      w[!passive] <- 0
    }
    w <- z
  }
  r <- y - drop(x %*% w)
  list(coefficients = stats::setNames(w, colnames(x)), residuals = r, deviance = sum(r^2),
       passive = which(passive), iterations = iter)
}

#' Stacking and model averaging of several learners
#'
#' Combines M learners (or package fits) by a weighted sum of their
#' predictions (ESL 8.8). Stacked generalisation (eq. 8.59) chooses the
#' weights by least squares on the *cross-validated* predictions
#' `f_m^{-i}(x_i)` (each observation predicted by the fit to the folds without
#' it), so that complex models are not favoured for their training fit:
#' `weights = "nonnegative"` constrains them to be non-negative (Breiman's
#' stacked regressions, solved by [nnls()]), `"normalized"` rescales those to
#' sum to one, `"least_squares"` is eq. 8.59 without constraints, and
#' `"equal"` is simple model averaging (1/M each). The final combination uses
#' each learner fitted to all the data.
#'
#' For classes, the members' class probabilities are stacked: the weights
#' minimise the squared error between the 0/1 class indicators and the
#' weighted sum of probabilities over all classes, and the combined
#' probabilities give the class. The folds come from [resampling_plan()]
#' (stratified for classes) and the M x K refits run through the package's
#' replicate runner.
#'
#' @param fits A named list of [learner()]s or package fits (refitted from
#'   their calls; all on the same `x` and `y`).
#' @param x,y The training data (needed for learners; for package fits they
#'   replace the first fit's data).
#' @param folds Number of folds, or a K-fold [resampling_plan()].
#' @param weights `"nonnegative"`, `"normalized"`, `"least_squares"` or
#'   `"equal"` (see Description).
#' @param prob For classes with learners: a `function(model, newx)` returning
#'   class probabilities; `NULL` uses `predict(model, newx, type = "prob")`.
#' @inheritParams statlearn-params
#' @return An object of class `c("statlearn_stacking", "statlearn_ensemble")`:
#'   `weights` (named), `cv_predictions` (n x M, or n x K x M for classes),
#'   `cv_error` (each member's cross-validated error), `stacked_cv_error`
#'   (the error of the weighted cross-validated predictions; optimistic as
#'   it reuses them to choose the weights), `models` (the fits to all the
#'   data), `learners`, `plan`, `levels`.
#' @references Hastie, Tibshirani and Friedman (2009), section 8.8.
#'   Wolpert (1992), Stacked generalization, Neural Networks 5, 241-259.
#'   Breiman (1996), Stacked regressions, Machine Learning 24, 49-64.
#' @family chapter 8
#' @seealso [bagging()], [bumping()], [nnls()].
#' @export
#' @examples
#' x <- as.matrix(prostate[, 1:8])
#' fits <- list(
#'   least_squares = learner(function(x, y) linear_regression(x, y)),
#'   ridge = learner(function(x, y) ridge_regression(x, y, lambda = 20)),
#'   two_inputs = learner(function(x, y) linear_regression(x[, 1:2], y),
#'                        function(m, newx) predict(m, newx[, 1:2])))
#' st <- stacking(fits, x, prostate$lpsa, folds = 5, seed = 1)
#' st
#' head(predict(st, x))
stacking <- function(fits, x = NULL, y = NULL, folds = 10,
                     weights = c("nonnegative", "normalized", "least_squares", "equal"),
                     prob = NULL, seed = NULL, ...) {
  check_dots(..., fun = "stacking")
  weights <- check_choice(weights, c("nonnegative", "normalized", "least_squares", "equal"), "weights")
  if (!is.list(fits) || inherits(fits, c("statlearn_learner", "statlearn_model")) || length(fits) < 2L) {
    abort_input("fits", "a list of at least two learner()s or statlearn fits", describe(fits),
                class = "statlearn_error_type")
  }
  M <- length(fits)
  nm <- names(fits)
  if (is.null(nm)) nm <- rep("", M)
  env <- parent.frame()
  tasks <- vector("list", M)
  for (m in seq_len(M)) {
    if (!inherits(fits[[m]], c("statlearn_learner", "statlearn_model"))) {
      abort_input(sprintf("fits[[%d]]", m), "a learner() or a statlearn fit", describe(fits[[m]]),
                  class = "statlearn_error_type")
    }
    tasks[[m]] <- averaging_task(fits[[m]], x, y, env, arg = sprintf("fits[[%d]]", m))
    if (is.null(x)) {
      x <- tasks[[m]]$x
      y <- tasks[[m]]$y
    }
    if (!nzchar(nm[m])) nm[m] <- tasks[[m]]$learner$method
  }
  nm <- make.unique(nm)
  X <- tasks[[1L]]$x
  Y <- tasks[[1L]]$y
  n <- tasks[[1L]]$n
  classification <- tasks[[1L]]$classification
  for (m in seq_len(M)) {
    if (!identical(tasks[[m]]$y, Y)) {
      abort_input(sprintf("fits[[%d]]", m), "a fit to the same response as the other members",
                  "a different response", class = "statlearn_error_conflict")
    }
  }
  learners <- lapply(tasks, `[[`, "learner")
  names(learners) <- nm
  prob <- check_prob_fun(prob)
  levels <- if (classification) levels(Y)
  kind <- if (classification) "prob" else "response"
  seed <- resolve_seed(seed)
  drawn <- with_seed(seed, {
    plan <- as_plan(folds, NULL, n, Y, classification)
    if (plan$method == "bootstrap") {
      abort_input("folds", "a number of folds or a cross-validation plan", "a bootstrap plan",
                  class = "statlearn_error_unsupported")
    }
    list(plan = plan, streams = replicate_streams(plan$splits * M + M))
  })
  plan <- drawn$plan
  S <- plan$splits
  train <- plan$train
  test <- plan$test
  jobs <- expand.grid(split = seq_len(S), member = seq_len(M))
  labels <- c(sprintf("%s of %s", plan$labels[jobs$split], nm[jobs$member]),
              sprintf("the fit of %s to all the data", nm))
  res <- run_replicates(S * M + M, function(i) {
    if (i > S * M) {
      m <- i - S * M
      return(learners[[m]]$fit(X, Y))
    }
    s <- jobs$split[i]
    m <- jobs$member[i]
    model <- learners[[m]]$fit(rows_of(X, train[[s]]), Y[train[[s]]])
    member_predict(learners[[m]], prob, model, rows_of(X, test[[s]]), kind, levels)
  }, labels, drawn$streams)
  K <- if (classification) length(levels) else 1L
  cvp <- array(NA_real_, c(n, K, M), dimnames = list(NULL, levels, nm))
  for (i in seq_len(S * M)) {
    cvp[test[[jobs$split[i]]], , jobs$member[i]] <- res[[i]]
  }
  if (plan$method != "kfold" && anyNA(cvp)) {
    abort_input("folds", "a plan whose test parts cover every observation (K-fold or leave-one-out)",
                plan$method, class = "statlearn_error_unsupported")
  }
  target <- if (classification) as.double(outer(as.integer(Y), seq_len(K), `==`)) else as.double(Y)
  F <- matrix(cvp, n * K, M, dimnames = list(NULL, nm))
  w <- switch(weights,
    nonnegative = nnls(F, target)$coefficients,
    normalized = {
      v <- nnls(F, target)$coefficients
      if (sum(v) > 0) v / sum(v) else rep(1 / M, M)
    },
    least_squares = {
      v <- qr.coef(qr(F), target)
      v[is.na(v)] <- 0
      v
    },
    equal = rep(1 / M, M))
  names(w) <- nm
  member_error <- function(P) {
    if (classification) mean(as.integer(majority_class(P, levels)) != as.integer(Y))
    else mean((Y - P)^2)
  }
  cv_error <- vapply(seq_len(M), function(m) member_error(matrix(cvp[, , m], n, K)), 0)
  names(cv_error) <- nm
  stacked <- matrix(F %*% w, n, K)
  out <- list(weights = w, weights_method = weights, cv_predictions = if (classification) cvp else cvp[, 1L, ],
              cv_error = cv_error, stacked_cv_error = member_error(stacked),
              models = res[S * M + seq_len(M)], learners = learners, prob = prob, plan = plan,
              levels = levels, classification = classification, kind = kind, n = n, seed = seed)
  names(out$models) <- nm
  structure(out, class = c("statlearn_stacking", "statlearn_ensemble"))
}

#' @export
print.statlearn_stacking <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  what <- switch(x$weights_method, nonnegative = "non-negative stacking weights",
                 normalized = "non-negative stacking weights summing to one",
                 least_squares = "least-squares stacking weights", equal = "equal weights (model averaging)")
  cat(sprintf("Stacking of %d models on %d observations (%s; %s)\n", length(x$weights), x$n, what,
              plan_title(x$plan)))
  tab <- data.frame(weight = x$weights, cv_error = x$cv_error)
  names(tab)[2L] <- if (x$classification) "cv misclassification" else "cv mse"
  print(format(tab, digits = digits))
  cat(sprintf("Weighted cross-validated predictions: %s %s\n",
              if (x$classification) "misclassification" else "mse", format(x$stacked_cv_error, digits = digits)))
  invisible(x)
}

#' @export
coef.statlearn_stacking <- function(object, ...) object$weights

#' @rdname stacking
#' @param object A `stacking()` fit.
#' @param newdata New inputs, in the form the members' predict takes.
#' @param type For classes `"class"` or `"prob"`; `"response"` for numbers.
#' @export
predict.statlearn_stacking <- function(object, newdata, type = NULL, ...) {
  check_dots(..., fun = "predict")
  if (missing(newdata) || is.null(newdata)) {
    abort_input("newdata", "the inputs to predict", "nothing", class = "statlearn_error_missing")
  }
  type <- check_choice(type %||% if (object$classification) "class" else "response",
                       if (object$classification) c("class", "prob") else "response", "type")
  total <- 0
  for (m in seq_along(object$models)) {
    if (object$weights[m] == 0) next
    p <- member_predict(object$learners[[m]], object$prob, object$models[[m]], newdata, object$kind,
                        object$levels)
    total <- total + object$weights[[m]] * p
  }
  if (!object$classification) {
    if (length(total) == 1L) total <- rep(total, NROW(newdata))
    return(as.double(total))
  }
  if (length(total) == 1L) total <- matrix(0, NROW(newdata), length(object$levels))
  if (type == "prob") return(total)
  majority_class(total, object$levels)
}

# Bumping ------------------------------------------------------------------------------

#' Bumping: the best of bootstrap refits
#'
#' Fits a learner (or a package fit, from its call) to `B` bootstrap samples
#' and to the original data, and keeps the one fit with the smallest error on
#' the *original* training data (ESL 8.9, eq. 8.60): the misclassification
#' rate for classes, the mean squared error for numbers. Perturbing the data
#' lets a greedy fitter (a tree) escape a poor local solution; the original
#' sample is among the candidates, so the chosen fit is never worse on the
#' training data than the ordinary one. Ties go to the earliest candidate
#' (the original data first).
#'
#' @inheritParams bagging
#' @param B Number of bootstrap samples (the candidates are these and the
#'   original data).
#' @return An object of class `c("statlearn_bumping", "statlearn_ensemble")`:
#'   `model` (the chosen fit), `chosen` (0 for the original data, else the
#'   index of the bootstrap sample), `training_errors` (B + 1, the original
#'   first), `models` (all B + 1 candidates), `learner`, `samples`, `seed`.
#' @references Hastie, Tibshirani and Friedman (2009), section 8.9.
#'   Tibshirani and Knight (1999), Model search by bootstrap "bumping", JCGS
#'   8, 671-686.
#' @family chapter 8
#' @seealso [bagging()], [stacking()].
#' @export
#' @examples
#' fit <- linear_discriminant(y ~ x.1 + x.2, data = vowel_train, threads = 1)
#' bump <- bumping(fit, B = 10, seed = 1)
#' bump
#' mean(predict(bump, vowel_test) != vowel_test$y)
bumping <- function(fit, ...) UseMethod("bumping")

#' @export
bumping.default <- function(fit, ...) {
  abort_input("fit", "a learner() or a statlearn fit", describe(fit), class = "statlearn_error_type")
}

#' @rdname bumping
#' @export
bumping.statlearn_model <- function(fit, x = NULL, y = NULL, B = 20, seed = NULL, samples = NULL,
                                    threads = NULL, ...) {
  check_dots(..., fun = "bumping")
  fit_bumping(averaging_task(fit, x, y, parent.frame(), threads), B, seed, samples)
}

#' @rdname bumping
#' @export
bumping.statlearn_learner <- function(fit, x, y, B = 20, seed = NULL, samples = NULL, threads = NULL, ...) {
  check_dots(..., fun = "bumping")
  task <- averaging_task(fit, if (missing(x)) NULL else x, if (missing(y)) NULL else y, parent.frame(),
                         threads)
  fit_bumping(task, B, seed, samples)
}

fit_bumping <- function(task, B, seed, samples) {
  seed <- resolve_seed(seed)
  n <- task$n
  drawn <- with_seed(seed, {
    plan <- bootstrap_samples(samples, B, n)
    list(plan = plan, streams = replicate_streams(plan$B + 1L))
  })
  plan <- drawn$plan
  lrn <- task$learner
  X <- task$x
  Y <- task$y
  rows <- c(list(seq_len(n)), plan$train)
  kind <- if (task$classification) "class" else "response"
  levels <- if (task$classification) levels(Y)
  res <- run_replicates(plan$B + 1L, function(i) {
    model <- lrn$fit(rows_of(X, rows[[i]]), Y[rows[[i]]])
    pred <- member_predict(lrn, NULL, model, X, kind, levels)
    list(model = model, error = mean(resample_loss(Y, pred, task$classification)))
  }, c("the original data", plan$labels), drawn$streams)
  errors <- vapply(res, `[[`, 0, "error")
  best <- which.min(errors)
  structure(list(model = res[[best]]$model, chosen = best - 1L, training_errors = errors,
                 models = lapply(res, `[[`, "model"), learner = lrn, samples = plan, B = plan$B, n = n,
                 classification = task$classification, levels = levels, seed = seed, method = lrn$method),
            class = c("statlearn_bumping", "statlearn_ensemble"))
}

#' @export
print.statlearn_bumping <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  loss <- if (x$classification) "misclassification rate" else "mean squared error"
  cat(sprintf("Bumping of %s: %d bootstrap fits and the fit to the original %d observations\n",
              x$method, x$B, x$n))
  cat(sprintf("Chosen: %s, training %s %s (the original fit's: %s)\n",
              if (x$chosen == 0L) "the fit to the original data" else sprintf("bootstrap sample %d", x$chosen),
              loss, format(x$training_errors[x$chosen + 1L], digits = digits),
              format(x$training_errors[1L], digits = digits)))
  invisible(x)
}

#' @rdname bumping
#' @param object A `bumping()` fit.
#' @param newdata New inputs.
#' @param ... For `predict()`: passed to the chosen model's `predict()`
#'   (e.g. `type = "prob"`); with none, the learner's own prediction.
#' @export
predict.statlearn_bumping <- function(object, newdata, ...) {
  if (missing(newdata) || is.null(newdata)) {
    abort_input("newdata", "the inputs to predict", "nothing", class = "statlearn_error_missing")
  }
  if (...length() > 0L) return(stats::predict(object$model, newdata, ...))
  object$learner$predict(object$model, newdata)
}
