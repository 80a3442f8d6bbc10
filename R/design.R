# Designs for the formula interface, and rebuilding them for new data.

# Evaluate a model frame from a .formula method's call, lm-style. `call` is the
# matched call of the .formula method and `env` the caller's frame.
formula_model_frame <- function(call, env) {
  mf <- call
  m <- match(c("formula", "data", "subset", "weights", "na.action"), names(mf), 0L)
  mf <- mf[c(1L, m)]
  mf$drop.unused.levels <- TRUE
  mf[[1L]] <- quote(stats::model.frame)
  mf <- tryCatch({
    mf$na.action <- fast_na_omit(if (is.null(mf$na.action)) getOption("na.action") else eval(mf$na.action, env))
    eval(mf, env)
  }, error = function(e) {
    abort(sprintf("Could not build the model frame from `formula` and `data`: %s",
                  conditionMessage(e)), class = c("statlearn_error_formula", "statlearn_error_input"))
  })
  mf
}

# stats::na.omit copies the whole frame even when nothing is missing (a
# quarter of a formula fit's time at n = 1e5); skip the copy then. Any other
# na.action is used as given.
fast_na_omit <- function(na_action) {
  if (is.character(na_action) && length(na_action) == 1L) {
    na_action <- get0(na_action, envir = asNamespace("stats"), mode = "function", ifnotfound = na_action)
  }
  if (!identical(na_action, stats::na.omit)) return(na_action)
  function(object, ...) {
    if (!anyNA(object, recursive = TRUE)) return(object)
    stats::na.omit(object, ...)
  }
}

# From a model frame: the numeric design (no intercept column), the response,
# the weights and what predict() needs to rebuild the design.
#
# With `columns = TRUE`, a design whose every term is one double variable of
# the frame (y ~ ., y ~ a + b) is returned as the list of those columns,
# uncopied (attributes nrow and row_names), for fitters that take column
# pointers: building the n x p matrix costs more than a least-squares fit.
formula_design <- function(mf, contrasts = NULL, columns = FALSE) {
  tt <- attr(mf, "terms")
  if (nrow(mf) == 0L) {
    abort_input("data", "at least one complete row", "none after removing missing values",
                class = "statlearn_error_empty")
  }
  y <- stats::model.response(mf, "any")
  if (is.null(y)) {
    abort_input("formula", "a response on its left-hand side", "none",
                class = "statlearn_error_formula")
  }
  intercept <- attr(tt, "intercept") == 1L
  classes <- attr(tt, "dataClasses")
  if (attr(tt, "response") > 0L) classes <- classes[-1L]
  numeric_only <- all(classes == "numeric" | startsWith(classes, "nmatrix"))
  labels <- attr(tt, "term.labels")
  if (columns && numeric_only && length(labels) > 0L && is.null(stats::model.offset(mf)) &&
      all(labels %in% names(mf)) &&
      all(vapply(labels, function(v) is.double(mf[[v]]) && is.null(dim(mf[[v]])), logical(1)))) {
    x <- lapply(labels, function(v) mf[[v]])
    names(x) <- labels
    attr(x, "nrow") <- nrow(mf)
    attr(x, "row_names") <- row.names(mf)
    check_matrix_values(x, "data")
    return(list(
      x = x, y = y, weights = stats::model.weights(mf), offset = NULL, intercept = intercept,
      terms = tt, xlevels = stats::.getXlevels(tt, mf), contrasts = NULL,
      assign = seq_along(labels), na.action = attr(mf, "na.action")
    ))
  }
  if (intercept && numeric_only) {
    # No factor codings depend on the intercept: build the design without its
    # column rather than copy the whole matrix to drop it.
    t0 <- tt
    attr(t0, "intercept") <- 0L
    x <- stats::model.matrix(t0, mf)
  } else {
    x <- stats::model.matrix(tt, mf, contrasts.arg = contrasts)
  }
  # na.action drops NA rows; Inf (and NaN kept by na.pass) must not reach a fit.
  check_matrix_values(x, "data")
  assign <- attr(x, "assign")
  if (intercept && !numeric_only) {
    keep <- colnames(x) != "(Intercept)"
    x <- x[, keep, drop = FALSE]
    assign <- assign[keep]
  }
  list(
    x = x, y = y, weights = stats::model.weights(mf), offset = stats::model.offset(mf),
    intercept = intercept,
    terms = tt, xlevels = stats::.getXlevels(tt, mf), contrasts = attr(x, "contrasts"),
    assign = assign, na.action = attr(mf, "na.action")
  )
}

# Store what predict(newdata = ) needs in a fit made by formula.
add_formula_info <- function(fit, des, call) {
  fit$terms <- des$terms
  fit$xlevels <- des$xlevels
  fit$contrasts <- des$contrasts
  fit$na.action <- des$na.action
  fit$call <- call
  fit
}

# Design matrix for new data, for fits made by formula or by matrix.
new_design <- function(fit, newdata, arg = "newdata", sparse_ok = FALSE) {
  if (is.null(fit$terms)) return(check_newx(newdata, fit, arg, sparse_ok = sparse_ok))
  if (!is.data.frame(newdata) && !is.list(newdata)) {
    abort_input(arg, "a data frame (the model was fitted by formula)", describe(newdata),
                class = "statlearn_error_type")
  }
  newdata <- as.data.frame(newdata)
  for (v in names(fit$xlevels)) {
    if (!v %in% names(newdata)) next
    seen <- fit$xlevels[[v]]
    given <- unique(as.character(newdata[[v]]))
    unseen <- setdiff(given[!is.na(given)], seen)
    if (length(unseen)) {
      abort_input(arg, sprintf("factor `%s` with the training levels (%s)", v,
                               paste(seen, collapse = ", ")),
                  sprintf("unseen level(s) %s", paste0('"', unseen, '"', collapse = ", ")),
                  class = "statlearn_error_level")
    }
  }
  if (nrow(newdata) == 0L) {
    abort_input(arg, "at least one row", "a data frame with none", class = "statlearn_error_empty")
  }
  tt <- stats::delete.response(fit$terms)
  mf <- tryCatch({
    mf <- stats::model.frame(tt, newdata, na.action = stats::na.pass, xlev = fit$xlevels)
    # a variable of another type than in training (character for numeric,
    # say) would give a design of the wrong shape
    classes <- attr(fit$terms, "dataClasses")
    if (!is.null(classes)) stats::.checkMFClasses(classes, mf)
    mf
  }, error = function(e) abort(sprintf("`%s` does not fit the model's formula: %s", arg,
                                       conditionMessage(e)),
                               class = c("statlearn_error_formula", "statlearn_error_input")))
  x <- stats::model.matrix(tt, mf, contrasts.arg = fit$contrasts)
  if (attr(tt, "intercept") == 1L) x <- x[, colnames(x) != "(Intercept)", drop = FALSE]
  check_finite_values(x, arg)
  x
}

# Solve S a = b for a symmetric positive (semi)definite S whose variables may
# be in very different units: equilibrate by the diagonal first, so that a
# covariance of columns in units 1e-8 and 1e8 is not "computationally
# singular" (its condition number is then that of the correlation matrix).
solve_equilibrated <- function(S, b) {
  d <- sqrt(diag(S))
  d[!(d > 0)] <- 1
  b <- as.matrix(b)
  solve(S / tcrossprod(d), b / d) / d
}
