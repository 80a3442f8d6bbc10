# One resampling core (ESL chapter 7): the splits of K-fold, repeated K-fold,
# leave-one-out and Monte Carlo cross-validation and of the bootstrap, drawn
# with R's random number generator on the main process; user learners given as
# fit/predict functions; the replicate runner, which dispatches through
# future.apply when the user has set a future plan; cross-validation of a
# learner over a tuning grid; and the bootstrap estimates of prediction error
# (ESL 7.11).

# Splits ---------------------------------------------------------------------

# K random fold numbers for n observations (the draws check_foldid() has
# always made, so existing cross-validations keep their folds). With `strata`
# the observations are ordered by stratum (randomly within one) and dealt to
# the folds in turn: every class is spread over the folds as evenly as it can
# be and the fold sizes differ by at most one.
draw_fold_ids <- function(n, folds, strata = NULL) {
  if (is.null(strata)) return(sample(rep(seq_len(folds), length.out = n)))
  ord <- order(as.integer(factor(strata)), stats::runif(n))
  id <- integer(n)
  id[ord] <- rep_len(sample.int(folds), n)
  id
}

#' Resampling plans: cross-validation folds, Monte Carlo splits and bootstrap samples
#'
#' Draws the training and test parts of a resampling scheme once, with R's
#' random number generator (so `set.seed()` reproduces them), and returns them
#' so that they can be inspected, reused by [cross_validate()] and
#' [bootstrap_error()], or handed to another package. This is the one place
#' where statlearn draws folds: the cross-validation of the path methods,
#' nearest neighbours and regularized discriminant analysis deal their folds
#' with the same code.
#'
#' * `"kfold"`: K folds of (nearly) equal size; each is the test part once
#'   (ESL 7.10.1).
#' * `"repeated_kfold"`: `repeats` independent K-fold partitions.
#' * `"loo"`: leave-one-out, K = n (no randomness).
#' * `"monte_carlo"`: `repeats` random splits, each holding out a fraction
#'   `test_fraction` of the observations.
#' * `"bootstrap"`: `B` samples of size n drawn with replacement; the test part
#'   of a sample is the observations it does not contain (ESL 7.11).
#'
#' For a classification response (a factor, character or logical `y`) the
#' K-fold, repeated K-fold and Monte Carlo splits are stratified by class by
#' default: each class is dealt over the folds as evenly as it can be (and a
#' Monte Carlo test part holds the same fraction of each class). Bootstrap
#' samples are not stratified unless `strata` is given.
#'
#' @param y The number of observations n, or the response (a vector or factor
#'   of length n; a factor, character or logical one stratifies by default).
#' @param method The scheme: `"kfold"`, `"repeated_kfold"`, `"loo"`,
#'   `"monte_carlo"` or `"bootstrap"`.
#' @param folds Number of folds K (at least 2, at most n).
#' @param repeats Number of repetitions of K-fold, or of Monte Carlo splits.
#' @param B Number of bootstrap samples.
#' @param test_fraction Fraction of the observations held out by a Monte Carlo
#'   split, in (0, 1).
#' @param strata `NULL` (stratify by `y` when it holds classes), `FALSE` (do
#'   not stratify), `TRUE` (stratify by `y`), or a vector of length n whose
#'   values are the strata.
#' @return An object of class `statlearn_resampling`: a list with `method`,
#'   `n`, `splits` (the number of training/test splits), `train` and `test`
#'   (lists of row indices, one per split; a bootstrap training part repeats
#'   rows), `labels` (how each split is named in messages, e.g. `"fold 3"` or
#'   `"repeat 2, fold 3"`), `foldid` (for the K-fold schemes an n x repeats
#'   matrix of fold numbers, else `NULL`), and `folds`, `repeats`, `B`,
#'   `test_fraction`, `stratified`.
#' @references Hastie, Tibshirani and Friedman (2009), sections 7.10 and 7.11.
#' @family chapter 7
#' @seealso [cross_validate()], [bootstrap_error()], [learner()].
#' @export
#' @examples
#' set.seed(1)
#' plan <- resampling_plan(vowel_train$y, "kfold", folds = 5)
#' plan
#' table(plan$foldid[, 1], vowel_train$y)[, 1:4]  # each class spread over the folds
#' boot <- resampling_plan(100, "bootstrap", B = 3)
#' lengths(boot$test)  # about 100 * 0.368 out-of-bag observations each
resampling_plan <- function(y, method = c("kfold", "repeated_kfold", "loo", "monte_carlo", "bootstrap"),
                            folds = 10, repeats = 1, B = 200, test_fraction = 0.2, strata = NULL) {
  method <- check_choice(method, c("kfold", "repeated_kfold", "loo", "monte_carlo", "bootstrap"), "method")
  if (is.numeric(y) && length(y) == 1L && is.null(dim(y))) {
    n <- check_count(y, "y", lower = 2)
    y <- NULL
  } else {
    if (!is.null(dim(y)) || !(is.atomic(y) || is.factor(y)) || length(y) < 2L) {
      abort_input("y", "the number of observations, or a response vector of length at least 2",
                  describe(y), class = "statlearn_error_type")
    }
    n <- length(y)
  }
  classes <- !is.null(y) && (is.factor(y) || is.character(y) || is.logical(y))
  if (is.null(strata)) {
    strata <- if (classes && method != "bootstrap") y
  } else if (isTRUE(strata)) {
    if (is.null(y)) abort_input("strata", "a vector of strata when `y` is a number", "TRUE",
                                class = "statlearn_error_missing")
    strata <- y
  } else if (isFALSE(strata)) {
    strata <- NULL
  } else if (length(strata) != n || anyNA(strata) || !is.null(dim(strata))) {
    abort_input("strata", sprintf("NULL, TRUE, FALSE or a vector of %d strata without NA", n),
                describe(strata), class = "statlearn_error_length")
  }
  out <- list(method = method, n = n, folds = NULL, repeats = NULL, B = NULL,
              test_fraction = NULL, stratified = !is.null(strata), foldid = NULL)
  idx <- seq_len(n)
  if (method %in% c("kfold", "repeated_kfold", "loo")) {
    if (method == "loo") {
      folds <- n
      repeats <- 1L
      foldid <- matrix(idx, n, 1L)
      out$stratified <- FALSE
    } else {
      folds <- check_count(folds, "folds", lower = 2, upper = n)
      repeats <- if (method == "kfold") 1L else check_count(repeats, "repeats", lower = 1, upper = 1e6)
      foldid <- vapply(seq_len(repeats), function(r) draw_fold_ids(n, folds, strata), integer(n))
      foldid <- matrix(foldid, n, repeats)
    }
    grid <- expand.grid(fold = seq_len(folds), rep = seq_len(repeats))
    out$test <- lapply(seq_len(nrow(grid)), function(s) which(foldid[, grid$rep[s]] == grid$fold[s]))
    out$train <- lapply(seq_len(nrow(grid)), function(s) which(foldid[, grid$rep[s]] != grid$fold[s]))
    out$labels <- if (repeats == 1L) sprintf("fold %d", grid$fold)
                  else sprintf("repeat %d, fold %d", grid$rep, grid$fold)
    out$foldid <- foldid
    out$folds <- folds
    out$repeats <- repeats
  } else if (method == "monte_carlo") {
    repeats <- check_count(repeats, "repeats", lower = 1, upper = 1e6)
    test_fraction <- check_number(test_fraction, "test_fraction", lower = 0, upper = 1,
                                  lower_open = TRUE, upper_open = TRUE)
    groups <- if (is.null(strata)) list(idx) else unname(split(idx, factor(strata)))
    out$test <- lapply(seq_len(repeats), function(r) {
      sort(unlist(lapply(groups, function(g) {
        m <- min(max(round(test_fraction * length(g)), if (length(groups) == 1L) 1L else 0L),
                 length(g) - 1L)
        g[sample.int(length(g), m)]
      })))
    })
    if (any(lengths(out$test) == 0L)) {
      abort_input("test_fraction", "large enough to hold out at least one observation", format(test_fraction),
                  class = "statlearn_error_range")
    }
    out$train <- lapply(out$test, function(t) idx[-t])
    out$labels <- sprintf("split %d", seq_len(repeats))
    out$repeats <- repeats
    out$test_fraction <- test_fraction
  } else {
    B <- check_count(B, "B", lower = 1, upper = 1e7)
    groups <- if (is.null(strata)) list(idx) else unname(split(idx, factor(strata)))
    out$train <- lapply(seq_len(B), function(b) {
      if (length(groups) == 1L) sample.int(n, n, replace = TRUE)
      else sort(unlist(lapply(groups, function(g) g[sample.int(length(g), length(g), replace = TRUE)])))
    })
    out$test <- lapply(out$train, function(t) idx[-unique(t)])
    out$labels <- sprintf("bootstrap sample %d", seq_len(B))
    out$B <- B
  }
  out$splits <- length(out$train)
  structure(out, class = "statlearn_resampling")
}

#' @export
print.statlearn_resampling <- function(x, ...) {
  what <- switch(x$method,
    kfold = sprintf("%d-fold cross-validation", x$folds),
    repeated_kfold = sprintf("%d x repeated %d-fold cross-validation", x$repeats, x$folds),
    loo = "leave-one-out cross-validation",
    monte_carlo = sprintf("%d Monte Carlo splits holding out %g%%", x$repeats, 100 * x$test_fraction),
    bootstrap = sprintf("%d bootstrap samples", x$B))
  cat(sprintf("Resampling plan: %s of %d observations%s\n", what, x$n,
              if (x$stratified) " (stratified)" else ""))
  sz <- lengths(x$test)
  cat(sprintf("%d splits; test parts of %s observations\n", x$splits,
              if (min(sz) == max(sz)) format(min(sz)) else sprintf("%d to %d", min(sz), max(sz))))
  invisible(x)
}

# A plan given by the user (checked against n), or one drawn from `folds`/`foldid`.
as_plan <- function(folds, foldid, n, y, strata_default) {
  if (inherits(folds, "statlearn_resampling")) {
    if (folds$n != n) {
      abort_input("folds", sprintf("a resampling plan of %d observations", n),
                  sprintf("a plan of %d", folds$n), class = "statlearn_error_length")
    }
    return(folds)
  }
  if (!is.null(foldid)) {
    fo <- check_foldid(foldid, folds, n)
    plan <- list(method = "kfold", n = n, folds = fo$folds, repeats = 1L, stratified = FALSE,
                 foldid = matrix(fo$foldid, n, 1L))
    plan$test <- lapply(seq_len(fo$folds), function(k) which(fo$foldid == k))
    plan$train <- lapply(seq_len(fo$folds), function(k) which(fo$foldid != k))
    plan$labels <- sprintf("fold %d", seq_len(fo$folds))
    plan$splits <- fo$folds
    return(structure(plan, class = "statlearn_resampling"))
  }
  folds <- check_count(folds, "folds", lower = 2, upper = n)
  resampling_plan(if (strata_default) y else n, "kfold", folds = folds)
}

# Learners ---------------------------------------------------------------------

#' A learner given as fit and predict functions, for resampling
#'
#' Wraps any fitting procedure so that [cross_validate()] and
#' [bootstrap_error()] can refit it on resampled data. `fit` is called as
#' `fit(x, y, ...)` with the rows of a training part (and, when a tuning grid
#' is given, the grid's values as named arguments); `predict` is called as
#' `predict(model, newx)` with the rows of the test part and must return one
#' prediction per row: class labels (a factor or character vector) for
#' classification, numbers for regression.
#'
#' A statlearn fitter is wrapped by giving the function:
#' `learner(logistic_regression)` fits `logistic_regression(x, y, ...)` and
#' predicts with the fit's own `predict()` method (classes for classifiers).
#' `x` may be a matrix or a data frame (rows are taken with `x[i, , drop =
#' FALSE]`).
#'
#' @param fit A function `function(x, y, ...)` returning a model.
#' @param predict A function `function(model, newx)` returning predictions;
#'   `NULL` uses `stats::predict(model, newx)`.
#' @param name A short name for printing; by default the expression given as
#'   `fit`.
#' @return An object of class `statlearn_learner`: a list with `fit`,
#'   `predict` and `method` (the name).
#' @details Randomness inside a learner (random starts, subsampling) is
#'   reproducible and independent of how the replicates are executed: each
#'   replicate runs with its own L'Ecuyer-CMRG stream, derived up front from
#'   one draw of R's random number generator.
#' @references Hastie, Tibshirani and Friedman (2009), sections 7.10 and 7.11.
#' @family chapter 7
#' @seealso [cross_validate()], [bootstrap_error()], [resampling_plan()].
#' @export
#' @examples
#' # a package fitter: its predict() gives the classes
#' lda_learner <- learner(linear_discriminant)
#' lda_learner
#' # any function pair: nearest class mean in the first two inputs
#' centroid <- learner(
#'   fit = function(x, y) rowsum(x[, 1:2], y) / as.vector(table(y)),
#'   predict = function(model, newx) {
#'     d <- apply(model, 1L, function(m) colSums((t(newx[, 1:2]) - m)^2))
#'     factor(rownames(model)[max.col(-d)], levels = rownames(model))
#'   },
#'   name = "nearest centroid")
#' x <- as.matrix(vowel_train[, -1])
#' set.seed(1)
#' cross_validate(centroid, x, vowel_train$y, folds = 5)
learner <- function(fit, predict = NULL, name = NULL) {
  if (!is.function(fit)) {
    abort_input("fit", "a function(x, y, ...) returning a model", describe(fit),
                class = "statlearn_error_type")
  }
  if (is.null(predict)) {
    predict <- function(model, newx) stats::predict(model, newx)
  } else if (!is.function(predict)) {
    abort_input("predict", "a function(model, newx) returning predictions, or NULL", describe(predict),
                class = "statlearn_error_type")
  }
  if (is.null(name)) name <- paste(deparse(substitute(fit), width.cutoff = 60L)[1L], collapse = "")
  name <- check_string(name, "name")
  structure(list(fit = fit, predict = predict, method = name), class = "statlearn_learner")
}

#' @export
print.statlearn_learner <- function(x, ...) {
  cat(sprintf("Learner: %s (refitted by resampling; see ?learner)\n", x$method))
  invisible(x)
}

# A package fit as a learner and its data: the fitter of the fit's call with
# the call's other arguments (evaluated once), refitted on x/y rows (default
# method) or on rows of the data frame (formula method). With `x` and `y`
# given, they replace the training data. Returns list(learner, x, y).
# `design_refit = TRUE` lets the classifiers whose formula method fits the
# design matrix be refitted on its rows (resampling predicts those same rows);
# FALSE keeps formula refits, for models that must predict new data frames.
fit_as_learner <- function(fit, env, x = NULL, y = NULL, design_refit = TRUE) {
  task <- fit_as_learner_data(fit, env, x, y, design_refit)
  # A classifier fitted to a numeric 0/1 (or coded) response predicts
  # classes: resample it as classification, with the fit's classes.
  if (inherits(fit, "statlearn_classifier") && !is.null(fit$levels) && !is.factor(task$y) &&
      !is.character(task$y) && !is.logical(task$y)) {
    task$y <- factor(task$y, levels = fit$levels)
  }
  task
}

fit_as_learner_data <- function(fit, env, x = NULL, y = NULL, design_refit = TRUE) {
  call <- fit$call
  if (is.null(call)) {
    abort("The fit has no call to refit it from; resample a learner() instead.",
          class = c("statlearn_error_missing", "statlearn_error_input"))
  }
  # (match.call() in a method names the method, e.g. linear_discriminant.formula)
  fn <- tryCatch(eval(call[[1L]], env), error = function(e) {
    if (is.name(call[[1L]])) get0(as.character(call[[1L]]), envir = asNamespace("statlearn"))
  })
  if (!is.function(fn)) {
    abort(sprintf("The fitter of the fit's call (%s) cannot be found; resample a learner() instead.",
                  deparse(call[[1L]])[1L]), class = c("statlearn_error_missing", "statlearn_error_input"))
  }
  name <- sub("\\.(formula|default)$", "", deparse(call[[1L]], width.cutoff = 500L)[1L])
  args <- as.list(call)[-1L]
  nms <- names(args)
  if (is.null(nms) || any(!nzchar(nms))) {
    abort("The fit's call has unnamed arguments; resample a learner() instead.",
          class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
  bad <- intersect(nms, c("subset", "weights", "na.action", "offset"))
  if (length(bad)) {
    abort(sprintf("Resampling refits without `%s` (it is not resampled with the rows); fit without it, or resample a learner() on the rows you want.",
                  bad[1L]), class = c("statlearn_error_unsupported", "statlearn_error_input"))
  }
  formula_fit <- "formula" %in% nms
  rest <- lapply(args[setdiff(nms, c("formula", "data", "x", "y"))], eval, envir = env)
  get_data <- function(e) if (formula_fit) eval(args$data, e) else list(eval(args$x, e), eval(args$y, e))
  if (formula_fit) {
    formula <- eval(args$formula, env)
    data <- if (!is.null(x)) x else tryCatch(get_data(env), error = function(e) {
      abort(sprintf("Could not find the fit's data again (%s); pass `x` (a data frame).", conditionMessage(e)),
            class = c("statlearn_error_missing", "statlearn_error_input"))
    })
    if (!is.data.frame(data)) {
      abort_input("x", "a data frame holding the variables of the fit's formula", describe(data),
                  class = "statlearn_error_type")
    }
    mf <- stats::model.frame(formula, data, na.action = stats::na.pass)
    if (anyNA(mf)) {
      abort("The fit's data hold missing values; remove those rows before resampling.",
            class = c("statlearn_error_nonfinite", "statlearn_error_input"))
    }
    response <- stats::model.response(mf)
    # The classifiers whose formula method fits formula_x() of the design by
    # the matrix code of their default method: build the design once and
    # refit the default method on its rows (the same fits, without a model
    # frame per replicate).
    base <- sub("\\.formula$", "", deparse(call[[1L]])[1L])
    matrix_ok <- c("linear_discriminant", "quadratic_discriminant", "regularized_discriminant",
                   "indicator_regression")
    if (design_refit && base %in% matrix_ok && !is.null(fit$terms)) {
      des <- formula_design(stats::model.frame(formula, data), fit$contrasts)
      return(list(learner = make_xy_learner(get(paste0(base, ".default"), envir = asNamespace("statlearn")),
                                            rest, name),
                  x = formula_x(des), y = des$y))
    }
    lrn <- make_formula_learner(fn, formula, rest, name)
    return(list(learner = lrn, x = data, y = response))
  }
  if (is.null(x) != is.null(y)) {
    abort_input(if (is.null(x)) "x" else "y", "given together with the other (x and y)",
                "only one of them", class = "statlearn_error_missing")
  }
  if (is.null(x)) {
    xy <- tryCatch(get_data(env), error = function(e) {
      abort(sprintf("Could not find the fit's data again (%s); pass `x` and `y`.", conditionMessage(e)),
            class = c("statlearn_error_missing", "statlearn_error_input"))
    })
    x <- xy[[1L]]
    y <- xy[[2L]]
  }
  list(learner = make_xy_learner(fn, rest, name), x = x, y = y)
}

# (Closures made in small frames, so that a future ships only what they use.)
make_formula_learner <- function(fn, formula, rest, name) {
  structure(list(fit = function(x, y, ...) do.call(fn, c(list(formula, data = x), rest, list(...))),
                 predict = function(model, newx) stats::predict(model, newx),
                 method = name), class = "statlearn_learner")
}

make_xy_learner <- function(fn, rest, name) {
  structure(list(fit = function(x, y, ...) do.call(fn, c(list(x, y), rest, list(...))),
                 predict = function(model, newx) stats::predict(model, newx),
                 method = name), class = "statlearn_learner")
}

# x and y of a learner's resampling, checked.
check_learner_data <- function(x, y) {
  if (is.null(x) || is.null(y)) {
    abort_input(if (is.null(x)) "x" else "y", "the training data (x and y) for a learner", "NULL",
                class = "statlearn_error_missing")
  }
  if (is.null(dim(x)) || length(dim(x)) != 2L) {
    abort_input("x", "a matrix or data frame (rows are observations)", describe(x), class = "statlearn_error_type")
  }
  n <- nrow(x)
  if (n < 2L) abort_input("x", "at least two rows", describe(x), class = "statlearn_error_empty")
  if (is.matrix(y) && ncol(y) == 1L) y <- drop(y)
  if (!is.null(dim(y)) || !(is.atomic(y) || is.factor(y))) {
    abort_input("y", "a response vector or factor", describe(y), class = "statlearn_error_type")
  }
  if (length(y) != n) {
    abort_input("y", sprintf("of length %d (the number of rows of x)", n), sprintf("length %d", length(y)),
                class = "statlearn_error_length")
  }
  if (anyNA(y)) abort_input("y", "a response without NA", sprintf("%d NA", sum(is.na(y))),
                            class = "statlearn_error_nonfinite")
  classification <- is.factor(y) || is.character(y) || is.logical(y)
  if (!classification && !is.numeric(y)) {
    abort_input("y", "a factor of classes or a numeric response", describe(y), class = "statlearn_error_type")
  }
  if (classification) y <- check_class_y(y, n)
  list(x = x, y = y, n = n, classification = classification)
}

# Loss of each prediction: misclassification (0/1) or squared error.
resample_loss <- function(y, pred, classification) {
  if (classification) as.numeric(as.character(pred) != as.character(y)) else (y - as.numeric(pred))^2
}

rows_of <- function(x, i) x[i, , drop = FALSE]

# The bootstrap plan of n observations: B new samples, or the given ones (a
# bootstrap resampling_plan() or a list of vectors of row numbers).
bootstrap_samples <- function(samples, B, n) {
  if (is.null(samples)) {
    B <- check_count(B, "B", lower = 2, upper = 1e7)
    return(resampling_plan(n, "bootstrap", B = B))
  }
  if (inherits(samples, "statlearn_resampling")) {
    if (samples$method != "bootstrap" || samples$n != n) {
      abort_input("samples", sprintf("a bootstrap plan of %d observations", n),
                  sprintf("a %s plan of %d", samples$method, samples$n), class = "statlearn_error_range")
    }
    return(samples)
  }
  ok <- is.list(samples) && length(samples) >= 2L &&
    all(vapply(samples, function(s) is.numeric(s) && length(s) > 0L && !anyNA(s) &&
                 all(s >= 1 & s <= n & s == round(s)), logical(1)))
  if (!ok) {
    abort_input("samples", sprintf("a bootstrap resampling_plan() or a list of at least 2 vectors of row numbers in 1..%d", n),
                describe(samples), class = "statlearn_error_type")
  }
  train <- lapply(samples, as.integer)
  structure(list(method = "bootstrap", n = n, B = length(train), train = train,
                 test = lapply(train, function(t) seq_len(n)[-unique(t)]),
                 labels = sprintf("bootstrap sample %d", seq_along(train)),
                 splits = length(train), stratified = FALSE),
            class = "statlearn_resampling")
}

# The replicate runner -----------------------------------------------------------

# One L'Ecuyer-CMRG stream (a .Random.seed) per replicate, derived from one
# integer drawn with R's RNG; R's RNG kind and state are restored after.
replicate_streams <- function(count) {
  seed <- sample.int(.Machine$integer.max, 1L)
  old <- save_rng()
  on.exit(restore_rng(old))
  set.seed(seed, kind = "L'Ecuyer-CMRG")
  s <- get(".Random.seed", envir = globalenv())
  out <- vector("list", count)
  for (i in seq_len(count)) {
    out[[i]] <- s
    s <- parallel::nextRNGStream(s)
  }
  out
}

save_rng <- function() list(kind = RNGkind(), seed = get0(".Random.seed", envir = globalenv(), inherits = FALSE))

restore_rng <- function(old) {
  suppressWarnings(RNGkind(old$kind[1L], old$kind[2L], old$kind[3L]))
  if (is.null(old$seed)) {
    if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) rm(".Random.seed", envir = globalenv())
  } else {
    assign(".Random.seed", old$seed, envir = globalenv())
  }
}

# Should replicates go through future.apply? Only when it is installed and
# the user has set a plan other than sequential.
# (A plan was set only if future is loaded: nothing is loaded otherwise.)
use_future <- function() {
  isNamespaceLoaded("future") && !inherits(future::plan(), "sequential") &&
    requireNamespace("future.apply", quietly = TRUE)
}

# Run FUN(i) for the replicates i = 1..count, each under its own random stream
# and with its errors caught; returns the list of results, or raises
# statlearn_error_replicate naming the first replicate that failed. Through
# future.apply the replicates go in chunks (by default one per worker;
# option statlearn.future_chunk_size sets a size), else in a plain lapply.
run_replicates <- function(count, FUN, labels, streams = replicate_streams(count)) {
  # Progress through progressr when the user has loaded it (handlers() or with_progress()).
  progress <- if (isNamespaceLoaded("progressr")) progressr::progressor(steps = count)
  one <- function(i) {
    old <- save_rng()
    on.exit(restore_rng(old))
    assign(".Random.seed", streams[[i]], envir = globalenv())
    out <- tryCatch(FUN(i), error = function(e) {
      structure(list(message = conditionMessage(e)), class = "statlearn_replicate_failure")
    })
    if (!is.null(progress)) progress()
    out
  }
  if (use_future()) {
    args <- list(X = seq_len(count), FUN = one, future.seed = streams)
    chunk <- getOption("statlearn.future_chunk_size")
    if (is.null(chunk)) args$future.scheduling <- 1 else args$future.chunk.size <- chunk
    res <- do.call(future.apply::future_lapply, args)
  } else {
    res <- lapply(seq_len(count), one)
  }
  failed <- vapply(res, inherits, logical(1), what = "statlearn_replicate_failure")
  if (any(failed)) {
    i <- which(failed)[1L]
    abort(sprintf("The learner failed in %s (replicate %d of %d%s): %s", labels[i], i, count,
                  if (sum(failed) > 1L) sprintf("; %d replicates failed", sum(failed)) else "",
                  res[[i]]$message),
          class = c("statlearn_error_replicate", "statlearn_error_input"),
          replicate = i, label = labels[i], learner_message = res[[i]]$message)
  }
  res
}

# Fit on rows `train` (with tuning arguments `tune`) and predict rows `test`.
fit_predict <- function(lrn, x, y, train, test, tune = list()) {
  model <- do.call(lrn$fit, c(list(rows_of(x, train), y[train]), tune))
  pred <- lrn$predict(model, rows_of(x, test))
  if (!is.null(dim(pred)) && !(length(dim(pred)) == 2L && ncol(pred) == 1L)) {
    stop(sprintf("predict() returned a %s; it must return one prediction per row (classes or numbers)",
                 describe(pred)))
  }
  pred <- if (is.factor(pred)) pred else drop(pred)
  if (length(pred) != length(test)) {
    stop(sprintf("predict() returned %d predictions for %d rows", length(pred), length(test)))
  }
  if (!is.factor(pred) && !is.character(pred) && !is.numeric(pred) && !is.logical(pred)) {
    stop(sprintf("predict() returned a %s; it must return classes or numbers", describe(pred)))
  }
  pred
}

# Cross-validation of a learner -----------------------------------------------------

#' @rdname cross_validate_learner
#' @export
cross_validate.statlearn_learner <- function(fit, folds = 10, foldid = NULL, measure = NULL,
                                             x = NULL, y = NULL, weights = NULL, threads = NULL, ...,
                                             grid = NULL, complexity = NULL) {
  # cross_validate(learner, x, y, ...): the generic's positional order is
  # (folds, foldid, measure, x, y), a learner's is (x, y, folds, foldid, measure).
  pos <- learner_positional(sys.call())
  if (!is.null(pos)) {
    vals <- mget(pos$generic, envir = environment())
    defaults <- list(folds = 10, foldid = NULL, measure = NULL, x = NULL, y = NULL, weights = NULL,
                     threads = NULL)
    for (a in pos$generic) assign(a, defaults[[a]])
    for (k in seq_along(vals)) if (!is.null(vals[[k]])) assign(pos$learner[k], vals[[k]])
  }
  check_dots(..., fun = "cross_validate")
  if (!is.null(weights)) {
    abort_input("weights", "NULL (a learner's folds are not weighted)", describe(weights),
                class = "statlearn_error_unsupported")
  }
  d <- check_learner_data(x, y)
  measures <- if (d$classification) "class" else "mse"
  measure <- if (is.null(measure)) measures else check_choice(measure, measures, "measure")
  plan <- as_plan(folds, foldid, d$n, d$y, d$classification)
  if (plan$method == "bootstrap") {
    abort_input("folds", "a number of folds or a cross-validation plan (use bootstrap_error() for the bootstrap)",
                "a bootstrap plan", class = "statlearn_error_unsupported")
  }
  if (d$classification) {
    for (s in seq_len(plan$splits)) {
      if (length(unique(d$y[plan$train[[s]]])) < nlevels(d$y)) {
        missing <- setdiff(levels(d$y), as.character(unique(d$y[plan$train[[s]]])))
        abort(sprintf("The training part of %s holds no observation of class %s; use fewer folds or stratified folds.",
                      plan$labels[s], paste0("'", missing, "'", collapse = ", ")),
              class = c("statlearn_error_cv_fold", "statlearn_error_input"))
      }
    }
  }
  g <- check_grid(grid, complexity)
  G <- nrow(g$grid)
  S <- plan$splits
  tasks <- expand.grid(split = seq_len(S), point = seq_len(G))
  labels <- if (G == 1L) plan$labels else sprintf("%s at grid point %d", plan$labels[tasks$split], tasks$point)
  lrn <- fit
  X <- d$x
  Y <- d$y
  tuning <- lapply(seq_len(G), function(j) as.list(g$grid[j, , drop = FALSE]))
  train <- plan$train
  test <- plan$test
  res <- run_replicates(nrow(tasks), function(i) {
    s <- tasks$split[i]
    fit_predict(lrn, X, Y, train[[s]], test[[s]], tuning[[tasks$point[i]]])
  }, labels)
  split_err <- matrix(NA_real_, S, G)
  for (i in seq_len(nrow(tasks))) {
    s <- tasks$split[i]
    split_err[s, tasks$point[i]] <- mean(resample_loss(Y[test[[s]]], res[[i]], d$classification))
  }
  size <- lengths(test)
  cvm <- colSums(split_err * size) / sum(size)
  cvsd <- sqrt(colSums(sweep(split_err, 2L, cvm)^2 * size) / sum(size) / max(S - 1L, 1L))
  sel <- one_se_selection(cvm, cvsd, g$complexity)
  one_col <- ncol(g$grid) == 1L && G > 1L
  tuning_values <- if (one_col) g$grid[[1L]] else seq_len(G)
  structure(list(
    fit = lrn, measure = measure, cvm = cvm, cvsd = cvsd, cvup = cvm + cvsd, cvlo = cvm - cvsd,
    fold_errors = split_err, tuning = tuning_values,
    tuning_name = if (one_col) names(g$grid) else "grid_row",
    complexity = g$complexity, complexity_name = g$complexity_name,
    index_min = sel$min, index_1se = sel$one_se,
    tuning_min = tuning_values[sel$min], tuning_1se = tuning_values[sel$one_se],
    grid = g$grid, grid_min = g$grid[sel$min, , drop = FALSE], grid_1se = g$grid[sel$one_se, , drop = FALSE],
    foldid = if (!is.null(plan$foldid)) plan$foldid[, 1L], folds = S, plan = plan
  ), class = c("statlearn_cv_learner", "statlearn_cv"))
}

# Which formals positional arguments of a cross_validate() call filled (in the
# generic's order) and which they mean for a learner; NULL when the same.
learner_positional <- function(call) {
  nm <- names(call)
  given <- if (is.null(nm)) rep("", length(call) - 1L) else nm[-1L]
  named <- given[nzchar(given)]
  order_generic <- setdiff(c("folds", "foldid", "measure", "x", "y", "weights", "threads"), named)
  order_learner <- setdiff(c("x", "y", "folds", "foldid", "measure", "weights", "threads"), named)
  k <- min(sum(!nzchar(given)) - !("fit" %in% named), length(order_generic))
  if (k <= 0L || identical(order_generic[seq_len(k)], order_learner[seq_len(k)])) return(NULL)
  list(generic = order_generic[seq_len(k)], learner = order_learner[seq_len(k)])
}

# The tuning grid (a data frame, one row per point; NULL is one point without
# arguments) and the complexity the one-standard-error rule orders it by.
check_grid <- function(grid, complexity) {
  if (is.null(grid)) {
    return(list(grid = data.frame(row.names = 1L), complexity = 1, complexity_name = "Grid point"))
  }
  if (!is.data.frame(grid) || nrow(grid) == 0L || ncol(grid) == 0L || is.null(names(grid)) ||
      any(!nzchar(names(grid)))) {
    abort_input("grid", "a data frame with named columns (the learner's tuning arguments) and at least one row",
                describe(grid), class = "statlearn_error_type")
  }
  if (is.null(complexity)) {
    return(list(grid = grid, complexity = seq_len(nrow(grid)), complexity_name = "Grid row (simplest first)"))
  }
  if (is.character(complexity) && length(complexity) == 1L) {
    col <- check_choice(complexity, names(grid), "complexity")
    cx <- grid[[col]]
    if (!is.numeric(cx)) abort_input("complexity", "a numeric column of `grid`", describe(cx),
                                     class = "statlearn_error_type")
    return(list(grid = grid, complexity = as.double(cx), complexity_name = col))
  }
  if (!is.numeric(complexity) || length(complexity) != nrow(grid) || anyNA(complexity)) {
    abort_input("complexity", sprintf("a column name of `grid` or %d numbers (larger = more complex)", nrow(grid)),
                describe(complexity), class = "statlearn_error_length")
  }
  list(grid = grid, complexity = as.double(complexity), complexity_name = "Complexity")
}

#' Cross-validation of any learner or fit, over a tuning grid
#'
#' Estimates prediction error by refitting a [learner()] (or a package fit
#' without a cross-validation method of its own) on the training part of
#' every split of a resampling plan and scoring its predictions on the test
#' part (ESL 7.10). With a tuning grid, each row of `grid` is a set of
#' arguments given to the learner's fit, and the minimum rule and the
#' one-standard-error rule choose among them (the simplest model within one
#' standard error of the minimum; simplicity is `complexity`, by default the
#' grid's row order, simplest first).
#'
#' `cross_validate(learner, x, y)` works positionally; the folds are then
#' named (`folds = 5`). The loss is the misclassification rate for a class
#' response (factor, character or logical `y`) and the squared error for a
#' numeric one. The folds are stratified by class by default; `folds` may also
#' be a [resampling_plan()] (repeated K-fold, leave-one-out, Monte Carlo).
#' Replicates (one per split and grid point) run through
#' `future.apply::future_lapply()` when a `future::plan()` other than
#' sequential is set, in chunks (option `statlearn.future_chunk_size`, by
#' default one chunk per worker), with the same results under any plan.
#'
#' @param fit A [learner()], or a package fit (refitted from its call).
#' @param folds Number of folds, or a [resampling_plan()].
#' @param foldid Optional fold numbers, one per observation (overrides `folds`).
#' @param measure `"class"` (classification) or `"mse"` (regression); `NULL`
#'   picks by `y`.
#' @param x,y The data: a matrix or data frame `x` and a response `y`. For a
#'   package fit they replace the fit's training data (for a formula fit `x`
#'   is a data frame and `y` is not needed).
#' @param weights,threads Unused for learners (must be `NULL`).
#' @param ... Unused.
#' @param grid A data frame of tuning values, one row per point; its columns
#'   are passed by name to the learner's fit.
#' @param complexity How complex each grid point is, for the
#'   one-standard-error rule: a column name of `grid` or a numeric vector
#'   (larger = more complex); `NULL` takes the row order (simplest first).
#' @return An object of class `c("statlearn_cv_learner", "statlearn_cv")`,
#'   printed, summarised and plotted as other cross-validations, with
#'   `cvm`, `cvsd`, `index_min`, `index_1se`, `grid`, `grid_min`,
#'   `grid_1se`, `fold_errors` (splits x grid points) and the `plan`.
#' @references Hastie, Tibshirani and Friedman (2009), section 7.10.
#' @family chapter 7
#' @seealso [bootstrap_error()], [resampling_plan()].
#' @examples
#' x <- as.matrix(vowel_train[, -1])
#' set.seed(1)
#' lda1 <- learner(function(x, y) linear_discriminant(x, y, threads = 1), name = "LDA")
#' cv <- cross_validate(lda1, x, vowel_train$y, folds = 5)
#' cv
#' # a tuning grid: the dimension of reduced-rank LDA (ESL 4.3.3)
#' rr <- learner(fit = function(x, y, dimension) list(fit = linear_discriminant(x, y, threads = 1),
#'                                                     dimension = dimension),
#'               predict = function(model, newx) predict(model$fit, newx, dimension = model$dimension),
#'               name = "reduced-rank LDA")
#' set.seed(1)
#' cv <- cross_validate(rr, x, vowel_train$y, folds = 5, grid = data.frame(dimension = 1:6),
#'                      complexity = "dimension")
#' cv
#' summary(cv)
#' @name cross_validate_learner
NULL

#' @rdname cross_validate_learner
#' @export
cross_validate.statlearn_model <- function(fit, folds = 10, foldid = NULL, measure = NULL,
                                           x = NULL, y = NULL, weights = NULL, threads = NULL, ...) {
  check_dots(..., fun = "cross_validate")
  if (!is.null(weights)) {
    abort_input("weights", "NULL (refits of a fit are not weighted)", describe(weights),
                class = "statlearn_error_unsupported")
  }
  task <- fit_as_learner(fit, parent.frame(), x, y)
  cross_validate.statlearn_learner(task$learner, folds = folds, foldid = foldid, measure = measure,
                                   x = task$x, y = task$y)
}

#' @export
print.statlearn_cv_learner <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s of %s (%s)\n", plan_title(x$plan), x$fit$method, measure_label(x$measure)))
  if (nrow(x$grid) <= 1L) {
    cat(sprintf("error %s (se %s)\n", format(x$cvm[1L], digits = digits), format(x$cvsd[1L], digits = digits)))
    return(invisible(x))
  }
  tab <- data.frame(rule = c("min", "1se"), x$grid[c(x$index_min, x$index_1se), , drop = FALSE],
                    error = x$cvm[c(x$index_min, x$index_1se)], se = x$cvsd[c(x$index_min, x$index_1se)],
                    check.names = FALSE)
  print(format(tab, digits = digits), row.names = FALSE)
  invisible(x)
}

#' @export
summary.statlearn_cv_learner <- function(object, ...) {
  out <- summary.statlearn_cv(object, ...)
  if (object$complexity_name %in% names(object$grid) && cv_shows_complexity(object)) {
    out$table <- out$table[, -2L, drop = FALSE]
  }
  if (ncol(object$grid) > 0L && !(ncol(object$grid) == 1L && object$tuning_name == names(object$grid))) {
    out$table <- cbind(object$grid, out$table[, -1L, drop = FALSE])
  }
  out$method <- object$fit$method
  out
}

#' @export
coef.statlearn_cv_learner <- function(object, ...) {
  abort("A learner's cross-validation keeps no model; refit the learner at `grid_min` or `grid_1se`.",
        class = c("statlearn_error_unsupported", "statlearn_error_input"))
}

#' @export
predict.statlearn_cv_learner <- function(object, ...) {
  abort("A learner's cross-validation keeps no model; refit the learner at `grid_min` or `grid_1se`.",
        class = c("statlearn_error_unsupported", "statlearn_error_input"))
}

plan_title <- function(plan) {
  switch(plan$method,
    kfold = sprintf("%d-fold cross-validation", plan$folds),
    repeated_kfold = sprintf("%d x repeated %d-fold cross-validation", plan$repeats, plan$folds),
    loo = "Leave-one-out cross-validation",
    monte_carlo = sprintf("Monte Carlo cross-validation (%d splits)", plan$repeats),
    bootstrap = sprintf("Bootstrap (%d samples)", plan$B))
}

# Bootstrap estimates of prediction error ------------------------------------------

#' Bootstrap estimates of prediction error: leave-one-out, .632 and .632+
#'
#' Refits a learner (or a package fit, from its call) on `B` bootstrap samples
#' and estimates its prediction error as in ESL section 7.11:
#'
#' * the leave-one-out bootstrap `Err^(1)` (eq. 7.56): for each observation,
#'   the average loss of the fits whose sample does not contain it, averaged
#'   over the observations (those in every sample are left out);
#' * the .632 estimator (7.57): `0.368 * err + 0.632 * Err^(1)`, with `err`
#'   the training error of the fit to all the data;
#' * the .632+ estimator (7.58-7.60): with the no-information error rate
#'   `gamma` (the loss when inputs and responses are independent: for
#'   classes `sum_k p_k (1 - q_k)`, p the observed and q the predicted class
#'   proportions; for squared error the mean over all pairs `(y_i - f(x_j))^2`)
#'   and the relative overfitting rate `R = (Err^(1) - err) / (gamma - err)`
#'   (set to 0 unless `Err^(1) > err` and `gamma > err`, with `Err^(1)`
#'   capped at `gamma`), `w = 0.632 / (1 - 0.368 R)` and
#'   `Err = (1 - w) err + w Err^(1)`.
#'
#' The loss is misclassification for a class response and squared error for
#' a numeric one. The bootstrap samples are drawn up front with R's random
#' number generator (`set.seed()` reproduces them; `samples` supplies them);
#' replicates run through `future.apply` when a `future::plan()` is set, with
#' the same results under any plan.
#'
#' @param fit A [learner()], or a package fit (refitted from its call, as
#'   [cross_validate()] does).
#' @param x,y The data (for a learner; for a package fit, optional
#'   replacements of its training data).
#' @param B Number of bootstrap samples.
#' @param estimator The estimate reported as `estimate`: `".632+"`, `".632"`
#'   or `"loo"` (all three are computed).
#' @param samples Optional bootstrap samples: a [resampling_plan()] with
#'   `method = "bootstrap"`, or a list of B vectors of row indices (each a
#'   training sample); overrides `B`.
#' @param ... Unused.
#' @return An object of class `statlearn_bootstrap_error`, a list with
#'   `estimate`, `estimator`, `estimates` (named: `loo`, `.632`, `.632+`),
#'   `training_error`, `no_information` (gamma), `overfitting_rate` (R), `B`,
#'   `loss`, `observation_errors` (each observation's leave-one-out bootstrap
#'   error) and the `plan`.
#' @references Hastie, Tibshirani and Friedman (2009), section 7.11.
#'   Efron and Tibshirani (1997), Improvements on cross-validation: the .632+
#'   bootstrap method, JASA 92, 548-560.
#' @family chapter 7
#' @seealso [cross_validate()], [resampling_plan()], [learner()].
#' @export
#' @examples
#' fit <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
#' set.seed(1)
#' be <- bootstrap_error(fit, B = 20)
#' be
#' be$estimates
bootstrap_error <- function(fit, ...) UseMethod("bootstrap_error")

#' @export
bootstrap_error.default <- function(fit, ...) {
  abort_input("fit", "a learner() or a statlearn fit", describe(fit), class = "statlearn_error_type")
}

#' @rdname bootstrap_error
#' @export
bootstrap_error.statlearn_model <- function(fit, x = NULL, y = NULL, B = 200,
                                            estimator = c(".632+", ".632", "loo"), samples = NULL, ...) {
  check_dots(..., fun = "bootstrap_error")
  task <- fit_as_learner(fit, parent.frame(), x, y)
  bootstrap_error.statlearn_learner(task$learner, task$x, task$y, B = B, estimator = estimator,
                                    samples = samples)
}

#' @rdname bootstrap_error
#' @export
bootstrap_error.statlearn_learner <- function(fit, x, y, B = 200, estimator = c(".632+", ".632", "loo"),
                                              samples = NULL, ...) {
  check_dots(..., fun = "bootstrap_error")
  estimator <- check_choice(estimator, c(".632+", ".632", "loo"), "estimator")
  d <- check_learner_data(if (missing(x)) NULL else x, if (missing(y)) NULL else y)
  n <- d$n
  plan <- bootstrap_samples(samples, B, n)
  B <- plan$B
  lrn <- fit
  X <- d$x
  Y <- d$y
  train <- plan$train
  test <- plan$test
  labels <- c(plan$labels, "the fit to all the data")
  res <- run_replicates(B + 1L, function(i) {
    if (i > B) fit_predict(lrn, X, Y, seq_len(n), seq_len(n))
    else if (length(test[[i]]) == 0L) NULL
    else fit_predict(lrn, X, Y, train[[i]], test[[i]])
  }, labels)
  # Each observation's average loss over the samples that leave it out.
  loss_sum <- numeric(n)
  count <- integer(n)
  for (b in seq_len(B)) {
    t <- test[[b]]
    if (!length(t)) next
    loss_sum[t] <- loss_sum[t] + resample_loss(Y[t], res[[b]], d$classification)
    count[t] <- count[t] + 1L
  }
  obs_err <- ifelse(count > 0L, loss_sum / pmax(count, 1L), NA_real_)
  if (all(is.na(obs_err))) {
    abort_input("B", "large enough that some bootstrap sample leaves an observation out", format(B),
                class = "statlearn_error_range")
  }
  err1 <- mean(obs_err, na.rm = TRUE)
  full <- res[[B + 1L]]
  err_bar <- mean(resample_loss(Y, full, d$classification))
  gamma <- if (d$classification) {
    p <- table(factor(as.character(Y), levels = levels(Y))) / n
    q <- table(factor(as.character(full), levels = levels(Y))) / n
    sum(p * (1 - q))
  } else {
    f <- as.numeric(full)
    mean(Y^2) - 2 * mean(Y) * mean(f) + mean(f^2)  # mean over i, j of (y_i - f_j)^2
  }
  err1_capped <- min(err1, gamma)
  R <- if (err1 > err_bar && gamma > err_bar) (err1_capped - err_bar) / (gamma - err_bar) else 0
  w <- 0.632 / (1 - 0.368 * R)
  estimates <- c(loo = err1, ".632" = 0.368 * err_bar + 0.632 * err1,
                 ".632+" = (1 - w) * err_bar + w * err1_capped)
  structure(list(estimate = unname(estimates[estimator]), estimator = estimator, estimates = estimates,
                 training_error = err_bar, no_information = gamma, overfitting_rate = R, B = B,
                 loss = if (d$classification) "misclassification" else "squared error",
                 observation_errors = obs_err, method = lrn$method, plan = plan),
            class = "statlearn_bootstrap_error")
}

#' @export
print.statlearn_bootstrap_error <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("Bootstrap estimate of prediction error of %s (%s loss, B = %d)\n", x$method, x$loss, x$B))
  tab <- data.frame(estimator = c("training error", "leave-one-out bootstrap", ".632", ".632+"),
                    error = c(x$training_error, x$estimates[["loo"]], x$estimates[[".632"]],
                              x$estimates[[".632+"]]))
  print(format(tab, digits = digits), row.names = FALSE)
  cat(sprintf("No-information error rate %s; relative overfitting rate %s\n",
              format(x$no_information, digits = digits), format(x$overfitting_rate, digits = digits)))
  invisible(x)
}
