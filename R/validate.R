# Input checks, in one place. Every fitter validates here before C++ runs, so
# the core may assume well-formed input. Errors are classed conditions:
# c(<specific>, "statlearn_error_input", "statlearn_error", "error", "condition").

#' Signal a statlearn error
#'
#' Raises an error condition of class `statlearn_error` and the given
#' subclasses, with `call. = FALSE` semantics.
#' @param message The message (already formatted).
#' @param class Specific subclasses, most specific first.
#' @param ... Extra fields stored in the condition (for example `arg`).
#' @noRd
abort <- function(message, class = character(), ...) {
  cond <- structure(
    class = c(class, "statlearn_error", "error", "condition"),
    list(message = message, call = NULL, ...)
  )
  stop(cond)
}

# Input error naming the argument, what was expected and what was given.
abort_input <- function(arg, expected, given, class = character()) {
  abort(
    sprintf("`%s` must be %s; got %s.", arg, expected, given),
    class = c(class, "statlearn_error_input"),
    arg = arg
  )
}

warn <- function(message, class = character()) {
  cond <- structure(
    class = c(class, "statlearn_warning", "warning", "condition"),
    list(message = message, call = NULL)
  )
  warning(cond)
}

# A short description of what a value is, for error messages.
describe <- function(x) {
  if (is.null(x)) return("NULL")
  cls <- class(x)[1L]
  if (is.matrix(x) || is.data.frame(x) || inherits(x, "Matrix")) {
    return(sprintf("a %s %d x %d", cls, NROW(x), NCOL(x)))
  }
  if (length(x) == 1L && is.atomic(x)) {
    return(sprintf("%s %s", cls, format(x)))
  }
  sprintf("a %s of length %d", cls, length(x))
}

check_finite_values <- function(v, arg) {
  # Cheap test first (no n x p temporary); locate the problem only if there is one.
  if (length(v) == 0L || (!anyNA(v) && is.finite(min(v)) && is.finite(max(v)))) return(invisible())
  bad <- !is.finite(v)
  if (any(bad)) {
    k <- which(bad)[1L]
    what <- if (is.nan(v[k])) "NaN" else if (is.na(v[k])) "NA" else "Inf"
    abort_input(arg, "finite numbers (no NA, NaN or Inf)",
                sprintf("%d non-finite value(s), the first (%s) at position %d", sum(bad), what, k),
                class = "statlearn_error_nonfinite")
  }
}

# x: a numeric matrix (or a data frame of numeric columns, or a dgCMatrix when
# sparse_ok). Returns a double matrix (or the dgCMatrix) with column names;
# with names = FALSE a matrix without column names is returned as it is (no
# copy of a large x) and the caller takes its names from column_names().
check_x <- function(x, arg = "x", sparse_ok = FALSE, names = TRUE) {
  if (inherits(x, "sparseMatrix")) {
    if (!sparse_ok) {
      x <- as.matrix(x)
    } else {
      x <- methods::as(methods::as(x, "CsparseMatrix"), "generalMatrix")
      if (!methods::is(x, "dgCMatrix")) x <- methods::as(x, "dMatrix")
      if (nrow(x) == 0L || ncol(x) == 0L) {
        abort_input(arg, "a matrix with at least one row and one column", describe(x),
                    class = "statlearn_error_empty")
      }
      check_finite_values(x@x, arg)
      check_magnitude(x, arg)
      if (is.null(colnames(x))) colnames(x) <- paste0("V", seq_len(ncol(x)))
      return(x)
    }
  }
  if (is.data.frame(x)) {
    ok <- vapply(x, function(col) is.numeric(col) || is.logical(col), logical(1))
    if (!all(ok)) {
      abort_input(arg, "numeric columns (use the formula interface for factors)",
                  sprintf("non-numeric column(s) %s", paste0("'", names(x)[!ok], "'", collapse = ", ")),
                  class = "statlearn_error_type")
    }
    x <- as.matrix(x)
  }
  if (is.vector(x) && is.numeric(x)) x <- matrix(x, ncol = 1L)
  if (!is.matrix(x) || !(is.numeric(x) || is.logical(x))) {
    abort_input(arg, "a numeric matrix", describe(x), class = "statlearn_error_type")
  }
  if (nrow(x) == 0L || ncol(x) == 0L) {
    abort_input(arg, "a matrix with at least one row and one column", describe(x),
                class = "statlearn_error_empty")
  }
  if (!is.double(x)) storage.mode(x) <- "double"
  check_matrix_values(x, arg)
  if (names && is.null(colnames(x))) colnames(x) <- column_names(x)
  x
}

# Column names of x, or V1..Vp when it has none.
column_names <- function(x) {
  nm <- colnames(x)
  if (is.null(nm)) sprintf("V%d", seq_len(ncol(x))) else nm
}

# y: a numeric response of length n. Returns a double vector.
check_y <- function(y, n, arg = "y") {
  if (is.matrix(y) && ncol(y) == 1L) y <- drop(y)
  if (is.factor(y) || !(is.numeric(y) || is.logical(y)) || !is.null(dim(y))) {
    abort_input(arg, "a numeric vector", describe(y), class = "statlearn_error_type")
  }
  if (length(y) != n) {
    abort_input(arg, sprintf("of length %d (the number of rows of x)", n),
                sprintf("length %d", length(y)), class = "statlearn_error_length")
  }
  y <- as.double(y)
  check_finite_values(y, arg)
  check_magnitude(y, arg)
  y
}

# weights: NULL (all ones) or non-negative finite numbers of length n with a
# positive sum. Returns a double vector of length n.
check_weights <- function(weights, n, arg = "weights") {
  if (is.null(weights)) return(rep(1, n))
  if (!is.numeric(weights) || !is.null(dim(weights))) {
    abort_input(arg, "a numeric vector", describe(weights), class = "statlearn_error_type")
  }
  if (length(weights) != n) {
    abort_input(arg, sprintf("of length %d (one per observation)", n),
                sprintf("length %d", length(weights)), class = "statlearn_error_length")
  }
  check_finite_values(weights, arg)
  if (any(weights < 0)) {
    abort_input(arg, "non-negative", sprintf("a minimum of %g", min(weights)),
                class = "statlearn_error_range")
  }
  if (sum(weights) <= 0) {
    abort_input(arg, "weights with a positive sum", "all zero", class = "statlearn_error_range")
  }
  as.double(weights)
}

# A single number in a range. `lower`/`upper` are inclusive unless the
# matching `*_open` flag is TRUE.
check_number <- function(v, arg, lower = -Inf, upper = Inf, lower_open = FALSE,
                         upper_open = FALSE, integer = FALSE) {
  if (!is.numeric(v) || length(v) != 1L || is.na(v)) {
    abort_input(arg, if (integer) "a single whole number" else "a single number",
                describe(v), class = "statlearn_error_type")
  }
  if (integer && (!is.finite(v) || v != round(v))) {
    abort_input(arg, "a single whole number", describe(v), class = "statlearn_error_type")
  }
  # Whole numbers become R integers: beyond .Machine$integer.max they would be NA.
  if (integer && abs(v) > .Machine$integer.max) {
    abort_input(arg, sprintf("a whole number of at most %d in size", .Machine$integer.max),
                format(v), class = "statlearn_error_range")
  }
  too_low <- if (lower_open) v <= lower else v < lower
  too_high <- if (upper_open) v >= upper else v > upper
  if (too_low || too_high) {
    interval <- sprintf("%s%s, %s%s", if (lower_open) "(" else "[", format(lower),
                        format(upper), if (upper_open) ")" else "]")
    abort_input(arg, sprintf("in %s", interval), format(v), class = "statlearn_error_range")
  }
  if (integer) as.integer(v) else as.double(v)
}

check_count <- function(v, arg, lower = 1, upper = Inf) {
  check_number(v, arg, lower = lower, upper = upper, integer = TRUE)
}

# A dropout rate: a single number in [0, 1).
check_rate <- function(v, arg) {
  check_number(v, arg, lower = 0, upper = 1, upper_open = TRUE)
}

check_flag <- function(v, arg) {
  if (!is.logical(v) || length(v) != 1L || is.na(v)) {
    abort_input(arg, "TRUE or FALSE", describe(v), class = "statlearn_error_type")
  }
  v
}

# A user-supplied tuning sequence (lambda and friends): finite, >= 0; returned
# sorted in decreasing order.
check_penalty_sequence <- function(lambda, arg = "lambda") {
  if (!is.numeric(lambda) || length(lambda) == 0L) {
    abort_input(arg, "a non-empty numeric vector", describe(lambda), class = "statlearn_error_type")
  }
  check_finite_values(lambda, arg)
  if (any(lambda < 0)) {
    abort_input(arg, "non-negative values", sprintf("a minimum of %g", min(lambda)),
                class = "statlearn_error_range")
  }
  sort(as.double(lambda), decreasing = TRUE)
}

check_choice <- function(v, choices, arg) {
  if (!is.character(v) || length(v) < 1L || is.na(v[1L])) {
    abort_input(arg, sprintf("one of %s", paste0('"', choices, '"', collapse = ", ")),
                describe(v), class = "statlearn_error_type")
  }
  v <- v[1L]
  hit <- pmatch(v, choices)
  if (is.na(hit)) {
    abort_input(arg, sprintf("one of %s", paste0('"', choices, '"', collapse = ", ")),
                sprintf('"%s"', v), class = "statlearn_error_range")
  }
  choices[hit]
}

# new data for predict(): same columns as the training x.
check_newx <- function(newx, fit, arg = "newx", sparse_ok = FALSE) {
  newx <- check_x(newx, arg, sparse_ok = sparse_ok)
  p <- length(fit$xnames)
  if (ncol(newx) != p) {
    abort_input(arg, sprintf("a matrix with %d columns (as in the training data)", p),
                sprintf("%d columns", ncol(newx)), class = "statlearn_error_dimension")
  }
  # Columns are matched by name when newx has exactly the training names in
  # another order (x[, 4:1] must not silently predict from the wrong inputs),
  # else by position; either way they carry the training names afterwards.
  nm <- colnames(newx)
  if (!is.null(fit$xnames) && !identical(nm, fit$xnames) && !anyDuplicated(nm) &&
      setequal(nm, fit$xnames)) {
    newx <- newx[, fit$xnames, drop = FALSE]
  }
  # (only when they differ: renaming a shared matrix makes R copy it later)
  if (!is.null(fit$xnames) && !identical(colnames(newx), fit$xnames)) colnames(newx) <- fit$xnames
  newx
}

# y for classification: a factor (or character/logical/integer vector) of
# length n with at least `min_classes` classes present. Returns a factor with
# unused levels dropped; the levels are the classes predictions will use.
check_class_y <- function(y, n, arg = "y", min_classes = 2L) {
  if (is.matrix(y) && ncol(y) == 1L) y <- drop(y)
  if (!is.null(dim(y)) || !(is.factor(y) || is.character(y) || is.logical(y) ||
                           (is.numeric(y) && all(y[!is.na(y)] == round(y[!is.na(y)]))))) {
    abort_input(arg, "a factor of class labels (or character, logical or whole numbers)",
                describe(y), class = "statlearn_error_type")
  }
  if (length(y) != n) {
    abort_input(arg, sprintf("of length %d (the number of rows of x)", n),
                sprintf("length %d", length(y)), class = "statlearn_error_length")
  }
  if (anyNA(y)) {
    abort_input(arg, "class labels without NA", sprintf("%d NA label(s)", sum(is.na(y))),
                class = "statlearn_error_nonfinite")
  }
  y <- droplevels(as.factor(y))
  if (nlevels(y) < min_classes) {
    abort_input(arg, sprintf("at least %d classes", min_classes),
                sprintf("%d class (%s)", nlevels(y), paste(levels(y), collapse = ", ")),
                class = "statlearn_error_classes")
  }
  y
}

# Class labels as a factor with the training levels, from class indices 1..K.
class_factor <- function(index, levels) factor(levels[index], levels = levels)

# Numbers and strings for tuning arguments (neural networks and others). ------

# One or two whole numbers >= lower (height then width); returns integer(2).
check_pair <- function(v, arg, lower = 1L) {
  if (!is.numeric(v) || !(length(v) %in% 1:2) || anyNA(v) || !all(is.finite(v)) ||
      any(v != round(v))) {
    abort_input(arg, "one or two whole numbers (height, width)", describe(v),
                class = "statlearn_error_type")
  }
  if (any(v < lower) || any(v > .Machine$integer.max)) {
    abort_input(arg, sprintf("between %d and %d", lower, .Machine$integer.max),
                paste(format(v), collapse = " x "), class = "statlearn_error_range")
  }
  as.integer(rep_len(v, 2L))
}

# A positive finite number (learning rates, eps).
check_positive <- function(v, arg) {
  v <- check_number(v, arg, lower = 0, lower_open = TRUE)
  if (!is.finite(v)) abort_input(arg, "a finite positive number", format(v), class = "statlearn_error_range")
  v
}

# A number in [0, 1) (momentum, betas, rho).
check_unit_open <- function(v, arg) check_number(v, arg, lower = 0, upper = 1, upper_open = TRUE)

# A non-negative finite number (weight decay, min_delta, accumulator).
check_nonnegative <- function(v, arg) {
  v <- check_number(v, arg, lower = 0)
  if (!is.finite(v)) abort_input(arg, "a finite non-negative number", format(v), class = "statlearn_error_range")
  v
}

# A single non-empty string.
check_string <- function(v, arg) {
  if (!is.character(v) || length(v) != 1L || is.na(v) || !nzchar(v)) {
    abort_input(arg, "a single non-empty string", describe(v), class = "statlearn_error_type")
  }
  v
}

# The seed of a random computation: NULL draws one whole number with R's RNG
# (so set.seed() reproduces the result); returned as a double for the glue.
resolve_seed <- function(seed) {
  if (is.null(seed)) return(as.double(sample.int(.Machine$integer.max, 1L)))
  check_number(seed, "seed", lower = 0, integer = TRUE) * 1
}

# Fold numbers for cross-validation: random folds of n observations, or the
# user's foldid renumbered 1..K. Returns list(foldid, folds). With `strata`
# (the classes of a classification fit), the folds are stratified: the
# observations are ordered by class (randomly within a class) and dealt to the
# folds in turn, so each class is spread over the folds as evenly as it can be
# and the fold sizes still differ by at most one.
check_foldid <- function(foldid, folds, n, strata = NULL) {
  if (is.null(foldid)) {
    folds <- check_count(folds, "folds", lower = 2, upper = n)
    # drawn by the resampling core (R/resampling.R)
    return(list(foldid = draw_fold_ids(n, folds, strata), folds = folds))
  }
  if (!is.numeric(foldid) || length(foldid) != n || anyNA(foldid)) {
    abort_input("foldid", sprintf("%d fold numbers, one per observation", n), describe(foldid),
                class = "statlearn_error_length")
  }
  foldid <- as.integer(factor(foldid))
  folds <- max(foldid)
  if (folds < 2L) abort_input("foldid", "at least two distinct folds", "one", class = "statlearn_error_range")
  list(foldid = foldid, folds = folds)
}


# Every training part of a classification CV (all folds but one) must hold
# every class, or the fit of that part has nothing to learn a class from (a
# binomial one would put an infinite intercept).
check_fold_classes <- function(foldid, classes) {
  classes <- factor(classes)
  for (k in sort(unique(foldid))) {
    seen <- unique(classes[foldid != k])
    if (length(seen) < nlevels(classes)) {
      missing <- setdiff(levels(classes), as.character(seen))
      counts <- table(classes)[missing]
      fix <- if (any(counts < 2L)) {
        sprintf("class %s has a single observation; cross-validation needs at least two of every class",
                paste0("'", names(counts)[counts < 2L], "'", collapse = ", "))
      } else {
        "give `foldid` that leaves every class in each training part, or let the folds be drawn (they are stratified)"
      }
      abort(sprintf("Fold %d cannot be fitted: without it the training data hold no observation of class %s; %s.",
                    k, paste0("'", missing, "'", collapse = ", "), fix),
            class = c("statlearn_error_cv_fold", "statlearn_error_input"))
    }
  }
  invisible(TRUE)
}

# The `parm` of confint(): coefficient names or positions among `names`.
check_parm <- function(parm, names) {
  ok <- if (is.character(parm)) parm %in% names
        else if (is.numeric(parm)) !is.na(parm) & parm >= 1 & parm <= length(names) & parm == round(parm)
        else FALSE
  if (length(parm) == 0L || !all(ok)) {
    abort_input("parm", sprintf("coefficient names or positions among %s",
                                paste0("'", names, "'", collapse = ", ")),
                if (length(parm) == 0L) "none" else format(parm[!ok][1L]),
                class = "statlearn_error_range")
  }
  parm
}

# Finite values of a safe magnitude in a dense double matrix (or a list of
# double columns), in one pass over it (a design of 1e5 x 100 is checked in a
# few milliseconds).
check_matrix_values <- function(x, arg) {
  colmax <- cpp_column_max_abs(x)
  if (!all(is.finite(colmax))) check_finite_values(unlist(x, use.names = FALSE), arg)  # names the first NA or Inf
  check_magnitude(x, arg, colmax = colmax)
}

# Largest |value| of each column of a matrix (dense or dgCMatrix), or of a vector.
max_abs_by_column <- function(v) {
  if (methods::is(v, "dgCMatrix")) {
    cm <- numeric(ncol(v))
    if (length(v@x)) {
      col <- rep.int(seq_len(ncol(v)), diff(v@p))
      cm[sort(unique(col))] <- vapply(split(abs(v@x), col), max, numeric(1))
    }
    cm
  } else if (is.matrix(v)) {
    if (!is.double(v)) storage.mode(v) <- "double"
    cpp_column_max_abs(v)
  } else {
    max(abs(range(v)))
  }
}

# Values whose squares and cross products stay representable in double
# precision: a fit that sums x^2 overflows beyond about 1e154 and underflows
# below about 1e-154, and would then be silently wrong. Checked per column
# (a column of zeros is fine); `v` is a matrix, a dgCMatrix or a vector.
check_magnitude <- function(v, arg, limit = 1e152, colmax = max_abs_by_column(v)) {
  big <- colmax > limit
  small <- colmax > 0 & colmax < 1 / limit
  if (any(big | small)) {
    j <- which(big | small)[1L]
    abort_input(arg, sprintf("values of magnitude between %g and %g (rescale them; standardisation handles any units in that range)",
                             1 / limit, limit),
                sprintf("%s largest |value| %g", if (is.matrix(v) || is.list(v) || methods::is(v, "dgCMatrix"))
                  sprintf("column %d with", j) else "a", colmax[j]),
                class = "statlearn_error_range")
  }
  invisible(v)
}

# `...` of a method that takes no further arguments (it is there because the
# generic has it). R would drop a misspelt or foreign argument silently, so
# that lasso(x, y, alpha = 2) fitted a lasso and coef(fit, lamda = 0.1)
# returned the whole path; name such arguments instead. `allowed` lists the
# names a formula method passes on to its fitter.
check_dots <- function(..., fun, allowed = character()) {
  n <- ...length()
  if (n == 0L) return(invisible())
  nms <- ...names()
  if (is.null(nms)) nms <- rep("", n)
  nms[is.na(nms)] <- ""
  bad <- nms == "" | !(nms %in% allowed)
  if (!any(bad)) return(invisible())
  shown <- ifelse(nms[bad] == "", sprintf("an unnamed argument (position %d in `...`)", which(bad)),
                  sprintf("`%s`", nms[bad]))
  abort(sprintf("%s() has no argument %s; see ?%s for the arguments it takes.",
                fun, paste(shown, collapse = ", "), fun),
        class = c("statlearn_error_argument", "statlearn_error_input"), arg = "...")
}

# A regression response with something to explain: at least two rows of
# positive weight, and a response that varies among them (a constant y gives
# RSS 0 and undefined Cp, BIC and F statistics).
check_response_varies <- function(y, w, arg = "y") {
  yw <- y[w > 0]
  if (length(yw) < 2L) {
    abort_input("weights", "at least two rows of positive weight", sprintf("%d", length(yw)),
                class = "statlearn_error_empty")
  }
  if (max(yw) - min(yw) <= 1e-14 * max(abs(yw))) {
    abort_input(arg, "a response that varies", "a constant response", class = "statlearn_error_constant")
  }
  invisible(y)
}

# Inputs scaled to mean 0 and standard deviation 1 (divisor n - 1) for the
# methods with `standardize = TRUE`; a constant column is a classed error.
# Returns the scaled matrix with its `center` and `scale`.
standardize_columns <- function(x, xnames = colnames(x), arg = "x") {
  n <- nrow(x)
  center <- colMeans(x)
  scale <- sqrt(colSums(sweep(x, 2L, center)^2) / max(n - 1L, 1L))
  if (any(scale == 0)) {
    abort_input(arg, "columns that vary (standardize = TRUE divides by their standard deviation)",
                sprintf("constant column(s) %s", paste(xnames[scale == 0], collapse = ", ")),
                class = "statlearn_error_constant")
  }
  list(x = sweep(sweep(x, 2L, center), 2L, scale, "/"), center = center, scale = scale)
}
