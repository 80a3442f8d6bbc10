# ESL chapter 5: basis expansions. B-spline and natural cubic spline bases
# (5.2 and the chapter's appendix), usable inside the formulas of every fitter.

#' B-spline basis
#'
#' The basis of piecewise polynomials of degree `degree` with continuous
#' derivatives up to order `degree - 1` at the interior `knots` (ESL 5.2 and
#' the appendix to chapter 5), in the numerically stable B-spline form,
#' computed by the Cox-de Boor recursion. The arguments mean what they mean
#' for [splines::bs()], and the basis is the same; `derivative` gives the
#' derivatives of the basis functions instead (ESL's appendix, and the
#' roughness penalties of 5.4).
#'
#' Used inside a formula (`lasso(y ~ bspline_basis(x, df = 5) + z, data)`),
#' the knots found on the training data are kept: `predict()` on new data
#' evaluates the same basis there (through [stats::makepredictcall()], as
#' for [splines::bs()]).
#'
#' @param x A numeric vector (NA gives a row of NA).
#' @param df Degrees of freedom: the number of columns. Without `knots`,
#'   `df - degree - intercept` interior knots are placed at equally spaced
#'   quantiles of the `x` inside the boundary knots. At least
#'   `degree + intercept`.
#' @param knots The interior knots (inside the boundary knots), or `NULL`.
#' @param degree The degree of the piecewise polynomials, at least 1 (3:
#'   cubic splines).
#' @param intercept Whether the basis includes the function that makes it
#'   span the constants (with it the columns sum to 1); `FALSE` drops the
#'   first B-spline, as a model with its own intercept needs.
#' @param boundary_knots The two boundary knots (by default the range of the
#'   non-missing `x`). Beyond them each function is continued by its
#'   polynomial piece of the boundary interval (as [splines::bs()] does).
#' @param derivative The order of derivative to evaluate (0: the basis
#'   itself), from 0 to `degree`.
#' @return A matrix with one row per element of `x` and `df` columns (or
#'   `length(knots) + degree + intercept`), of class
#'   `statlearn_bspline_basis`, with attributes `degree`, `knots`,
#'   `boundary_knots`, `intercept` and `derivative`. `predict(basis, newx)`
#'   evaluates the same basis at `newx`.
#' @references Hastie, Tibshirani and Friedman (2009), section 5.2 and the
#'   appendix to chapter 5. de Boor (1978), *A Practical Guide to Splines*,
#'   Springer.
#' @family chapter 5
#' @seealso [natural_spline_basis()]
#' @examples
#' x <- seq(0, 1, length.out = 101)
#' B <- bspline_basis(x, df = 6)
#' matplot(x, B, type = "l", lty = 1, main = "Cubic B-splines, 3 interior knots")
#' # in a formula: the knots come from the training data
#' fit <- linear_regression(dist ~ bspline_basis(speed, df = 5), data = cars)
#' predict(fit, data.frame(speed = c(5, 15, 25)))
#' @export
bspline_basis <- function(x, df = NULL, knots = NULL, degree = 3, intercept = FALSE,
                          boundary_knots = NULL, derivative = 0) {
  degree <- check_count(degree, "degree", lower = 1, upper = 50)
  intercept <- check_flag(intercept, "intercept")
  derivative <- check_count(derivative, "derivative", lower = 0, upper = degree)
  order <- degree + 1L
  s <- spline_setup(x, df, knots, boundary_knots, inner = function(df) df - degree - intercept,
                    least = degree + intercept)
  all_knots <- sort(c(rep(s$boundary, order), s$knots))
  basis <- cpp_bspline_basis_matrix(s$x, all_knots, order, derivative, if (intercept) 0L else 1L)
  spline_result(basis, s, "statlearn_bspline_basis",
                list(degree = degree, knots = s$knots, boundary_knots = s$boundary,
                     intercept = intercept, derivative = derivative))
}

#' Natural cubic spline basis
#'
#' The basis of natural cubic splines with the given interior knots (ESL
#' 5.2.1): cubic between the knots, linear beyond the boundary knots (so the
#' second and third derivatives vanish there), which spends two fewer
#' degrees of freedom than a cubic spline on the same knots and tames its
#' erratic ends. Computed as the cubic B-splines projected onto the
#' functions whose second derivative is zero at both boundary knots, in the
#' same way as [splines::ns()], which it equals; the arguments mean the same.
#' Inside a formula the knots of the training data are kept for `predict()`.
#'
#' @inheritParams bspline_basis
#' @param df Degrees of freedom: the number of columns. Without `knots`,
#'   `df - 1 - intercept` interior knots are placed at equally spaced
#'   quantiles of `x`. At least `1 + intercept`.
#' @param intercept Whether the basis spans the constants; `FALSE` (for a
#'   model with its own intercept) drops one function, as [splines::ns()].
#' @param boundary_knots The two boundary knots (by default the range of the
#'   non-missing `x`); beyond them the functions are linear.
#' @param derivative The order of derivative to evaluate, 0 to 3.
#' @return A matrix with one row per element of `x` and `df` columns (or
#'   `length(knots) + 1 + intercept`), of class
#'   `statlearn_natural_spline_basis`, with attributes `knots`,
#'   `boundary_knots`, `intercept` and `derivative`.
#' @references Hastie, Tibshirani and Friedman (2009), section 5.2.1.
#' @family chapter 5
#' @seealso [bspline_basis()]
#' @examples
#' x <- seq(-0.2, 1.2, length.out = 141)
#' N <- natural_spline_basis(x, df = 4, boundary_knots = c(0, 1))
#' matplot(x, N, type = "l", lty = 1, main = "Natural cubic splines (linear beyond 0 and 1)")
#' fit <- logistic_regression(chd ~ natural_spline_basis(sbp, df = 4) + age, data = SAheart)
#' head(predict(fit, SAheart[1:3, ], type = "prob"))
#' @export
natural_spline_basis <- function(x, df = NULL, knots = NULL, intercept = FALSE,
                                 boundary_knots = NULL, derivative = 0) {
  intercept <- check_flag(intercept, "intercept")
  derivative <- check_count(derivative, "derivative", lower = 0, upper = 3)
  s <- spline_setup(x, df, knots, boundary_knots, inner = function(df) df - 1L - intercept,
                    least = 1L + intercept)
  bk <- s$boundary
  all_knots <- sort(c(rep(bk, 4L), s$knots))
  # The null space of the second derivatives at the two boundary knots: the
  # B-splines (linear beyond the boundary knots) times the last columns of Q
  # in the QR decomposition of those derivatives' transpose.
  const <- cpp_bspline_basis(bk, all_knots, 4L, 2L)
  if (!intercept) const <- const[, -1L, drop = FALSE]
  null_space <- qr.Q(qr(t(const)), complete = TRUE)[, -(1:2), drop = FALSE]
  projected <- cpp_natural_spline_matrix(s$x, all_knots, derivative, bk[1L], bk[2L],
                                         if (intercept) 0L else 1L, null_space)
  spline_result(projected, s, "statlearn_natural_spline_basis",
                list(knots = s$knots, boundary_knots = bk, intercept = intercept,
                     derivative = derivative))
}

# Checked x, boundary knots and interior knots (given, or at quantiles of x
# for df) shared by the two bases. `inner(df)` is the number of interior
# knots for df; `least` the smallest df.
spline_setup <- function(x, df, knots, boundary_knots, inner, least) {
  if (!is.numeric(x) || !is.null(dim(x)) && length(dim(x)) > 1L && min(dim(x)) > 1L) {
    abort_input("x", "a numeric vector", describe(x), class = "statlearn_error_type")
  }
  nx <- names(x)
  x <- as.double(x)
  if (any(is.infinite(x))) {
    abort_input("x", "finite values (NA allowed)", sprintf("%d infinite value(s)", sum(is.infinite(x))),
                class = "statlearn_error_nonfinite")
  }
  if (is.null(boundary_knots)) {
    if (all(is.na(x))) {
      abort_input("x", "at least one non-missing value (or `boundary_knots`)", "none",
                  class = "statlearn_error_empty")
    }
    boundary <- range(x, na.rm = TRUE)
  } else {
    if (!is.numeric(boundary_knots) || length(boundary_knots) != 2L || anyNA(boundary_knots) ||
        any(is.infinite(boundary_knots))) {
      abort_input("boundary_knots", "two finite numbers", describe(boundary_knots),
                  class = "statlearn_error_type")
    }
    boundary <- sort(as.double(boundary_knots))
  }
  if (!is.null(knots)) {
    if (!is.numeric(knots) || anyNA(knots) || any(is.infinite(knots))) {
      abort_input("knots", "finite numbers (the interior knots)", describe(knots),
                  class = "statlearn_error_type")
    }
    knots <- sort(as.double(knots))
    if (length(knots) && (knots[1L] < boundary[1L] || knots[length(knots)] > boundary[2L])) {
      abort_input("knots", sprintf("interior knots within the boundary knots [%g, %g]", boundary[1L],
                                   boundary[2L]),
                  sprintf("knots from %g to %g", knots[1L], knots[length(knots)]),
                  class = "statlearn_error_range")
    }
  } else if (!is.null(df)) {
    df <- check_count(df, "df", lower = least, upper = 1e5)
    k <- inner(df)
    knots <- if (k > 0L) {
      # the quantiles (type 7, as stats::quantile) of the x inside the boundary knots
      q <- cpp_quantiles_within(x, boundary[1L], boundary[2L], seq.int(0, 1, length.out = k + 2L)[-c(1L, k + 2L)])
      if (q$count == 0) {
        abort_input("x", "values inside the boundary knots to place the knots at", "none",
                    class = "statlearn_error_empty")
      }
      q$quantiles
    } else {
      numeric(0)
    }
  } else {
    knots <- numeric(0)
  }
  if (!(boundary[1L] < boundary[2L])) {
    abort_input(if (is.null(boundary_knots)) "x" else "boundary_knots",
                "two distinct boundary knots (x must not be constant)",
                sprintf("both at %g", boundary[1L]), class = "statlearn_error_constant")
  }
  list(x = x, names = nx, knots = knots, boundary = boundary)
}

spline_result <- function(basis, s, cls, attrs) {
  dimnames(basis) <- list(s$names, seq_len(ncol(basis)))
  attributes(basis) <- c(attributes(basis), attrs)
  class(basis) <- c(cls, "statlearn_basis", "matrix", "array")
  basis
}

#' @rdname bspline_basis
#' @param object A basis made by `bspline_basis()` or `natural_spline_basis()`.
#' @param newx Points at which to evaluate the same basis (same knots).
#' @param ... Unused.
#' @export
predict.statlearn_bspline_basis <- function(object, newx, ...) {
  check_dots(..., fun = "predict")
  if (missing(newx)) return(object)
  a <- attributes(object)
  bspline_basis(newx, knots = a$knots, degree = a$degree, intercept = a$intercept,
                boundary_knots = a$boundary_knots, derivative = a$derivative)
}

#' @rdname natural_spline_basis
#' @param object A basis made by `natural_spline_basis()`.
#' @param newx Points at which to evaluate the same basis (same knots).
#' @param ... Unused.
#' @export
predict.statlearn_natural_spline_basis <- function(object, newx, ...) {
  check_dots(..., fun = "predict")
  if (missing(newx)) return(object)
  a <- attributes(object)
  natural_spline_basis(newx, knots = a$knots, intercept = a$intercept,
                       boundary_knots = a$boundary_knots, derivative = a$derivative)
}

# In a model frame: the call that rebuilds the same basis for new data.
basis_predict_call <- function(var, call, fun, keep) {
  if (is.call(call) && (identical(call[[1L]], as.name(fun)) ||
                        identical(tryCatch(eval(call[[1L]], parent.frame(2L)), error = function(e) NULL),
                                  get(fun, envir = asNamespace("statlearn"))))) {
    a <- attributes(var)[keep]
    call <- call[1L:2L]
    call[names(a)] <- a
  }
  call
}

#' @importFrom stats makepredictcall
#' @export
makepredictcall.statlearn_bspline_basis <- function(var, call) {
  basis_predict_call(var, call, "bspline_basis",
                     c("knots", "degree", "intercept", "boundary_knots", "derivative"))
}

#' @export
makepredictcall.statlearn_natural_spline_basis <- function(var, call) {
  basis_predict_call(var, call, "natural_spline_basis",
                     c("knots", "intercept", "boundary_knots", "derivative"))
}

#' @export
print.statlearn_basis <- function(x, ...) {
  a <- attributes(x)
  kind <- if (inherits(x, "statlearn_bspline_basis")) sprintf("B-spline basis of degree %d", a$degree)
          else "natural cubic spline basis"
  cat(sprintf("%s: %d x %d, %d interior knot(s)%s, boundary knots %s%s%s\n", kind, nrow(x), ncol(x),
              length(a$knots),
              if (length(a$knots)) sprintf(" (%s)", paste(format(signif(a$knots, 4)), collapse = ", ")) else "",
              paste(format(signif(a$boundary_knots, 4)), collapse = " and "),
              if (a$intercept) ", with intercept" else "",
              if (a$derivative > 0L) sprintf("; derivative of order %d", a$derivative) else ""))
  m <- unclass(x)
  attributes(m) <- attributes(m)[c("dim", "dimnames")]
  print(utils::head(m, 6L), ...)
  if (nrow(x) > 6L) cat(sprintf("... %d more rows\n", nrow(x) - 6L))
  invisible(x)
}
