# Designs for the formula interface, and rebuilding them for new data.

# Evaluate a model frame from a .formula method's call, lm-style. `call` is the
# matched call of the .formula method and `env` the caller's frame.
formula_model_frame <- function(call, env) {
  mf <- call
  m <- match(c("formula", "data", "subset", "weights", "na.action"), names(mf), 0L)
  mf <- mf[c(1L, m)]
  mf$drop.unused.levels <- TRUE
  mf[[1L]] <- quote(stats::model.frame)
  mf <- tryCatch(eval(mf, env), error = function(e) {
    abort(sprintf("Could not build the model frame from `formula` and `data`: %s",
                  conditionMessage(e)), class = c("statlearn_error_formula", "statlearn_error_input"))
  })
  mf
}

# From a model frame: the numeric design (no intercept column), the response,
# the weights and what predict() needs to rebuild the design.
formula_design <- function(mf, contrasts = NULL) {
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
  x <- stats::model.matrix(tt, mf, contrasts.arg = contrasts)
  # na.action drops NA rows; Inf (and NaN kept by na.pass) must not reach a fit.
  check_finite_values(x, "data")
  check_magnitude(x, "data")
  assign <- attr(x, "assign")
  intercept <- attr(tt, "intercept") == 1L
  if (intercept) {
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
  tt <- stats::delete.response(fit$terms)
  mf <- tryCatch(
    stats::model.frame(tt, newdata, na.action = stats::na.pass, xlev = fit$xlevels),
    error = function(e) abort(sprintf("`%s` does not fit the model's formula: %s", arg,
                                      conditionMessage(e)),
                              class = c("statlearn_error_formula", "statlearn_error_input"))
  )
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
