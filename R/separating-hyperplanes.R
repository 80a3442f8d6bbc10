# Separating hyperplanes (ESL section 4.5): Rosenblatt's perceptron and the
# optimal (maximum-margin) separating hyperplane.

# Two-class response as +1 (second level) / -1 (first level).
two_class_y <- function(y, n, arg = "y") {
  y <- check_class_y(y, n, arg)
  if (nlevels(y) != 2L) {
    abort_input(arg, "exactly two classes", sprintf("%d classes (%s)", nlevels(y),
                                                    paste(levels(y), collapse = ", ")),
                class = "statlearn_error_classes")
  }
  y
}

hyperplane_fit <- function(fit, x, y, class) {
  fit$xnames <- column_names(x)
  names(fit$beta) <- fit$xnames
  fit$coefficients <- c(`(Intercept)` = fit$beta0, fit$beta)
  fit$levels <- levels(y)
  fit$y <- y
  fit$nobs <- nrow(x)
  fit$intercept <- TRUE
  structure(fit, class = c(class, "statlearn_hyperplane", "statlearn_classifier", "statlearn_model"))
}

#' Rosenblatt's perceptron
#'
#' Finds a separating hyperplane \eqn{\{x: \beta_0 + x'\beta = 0\}} for two
#' classes by Rosenblatt's perceptron learning algorithm (ESL section 4.5.1):
#' stochastic gradient descent on the distance of misclassified points to the
#' boundary, eq. 4.44, \eqn{(\beta, \beta_0) \leftarrow (\beta, \beta_0) +
#' \rho y_i (x_i, 1)} for each misclassified point, with \eqn{y_i = \pm 1}
#' (+1 for the second level of the response). Each epoch visits the
#' observations in a new random order. The algorithm stops after the first
#' epoch without a mistake. As the book explains, the solution depends on the
#' starting point (here zero) and the order of visits, and when the classes
#' are not linearly separable it does not converge: after `max_epochs` the fit
#' warns (class `statlearn_warning_convergence`) and keeps the last
#' hyperplane.
#'
#' @inheritParams statlearn-params
#' @param y Two-class labels (a factor, or character, logical or whole numbers).
#' @param learning_rate The step size \eqn{\rho > 0}.
#' @param max_epochs Largest number of passes through the data.
#' @return An object of class `c("statlearn_perceptron",
#'   "statlearn_hyperplane", "statlearn_classifier", "statlearn_model")` with
#'   `coefficients` (`(Intercept)` then the slopes), `beta0`, `beta`,
#'   `epochs`, `mistakes` (misclassified points per epoch), `converged`,
#'   `levels` and `seed`.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., section 4.5.1, equations 4.41-4.44.
#' @family chapter 4
#' @export
#' @examples
#' set.seed(1)
#' x <- rbind(matrix(rnorm(40, -2), 20), matrix(rnorm(40, 2), 20))
#' y <- factor(rep(c("a", "b"), each = 20))
#' fit <- perceptron(x, y, seed = 1)
#' fit
#' table(predict(fit, x), y)
perceptron <- function(x, ...) UseMethod("perceptron")

#' @rdname perceptron
#' @export
perceptron.default <- function(x, y, learning_rate = 1, max_epochs = 100, seed = NULL, ...) {
  check_dots(..., fun = "perceptron")
  fit <- fit_perceptron(check_x(x, "x"), y, learning_rate, max_epochs, seed)
  fit$call <- match.call()
  fit
}

#' @rdname perceptron
#' @export
perceptron.formula <- function(formula, data, subset, na.action, learning_rate = 1,
                               max_epochs = 100, seed = NULL, ...) {
  check_dots(..., fun = "perceptron")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  x <- des$x
  storage.mode(x) <- "double"
  if (ncol(x) == 0L) {
    abort_input("formula", "at least one input", "none", class = "statlearn_error_formula")
  }
  fit <- fit_perceptron(x, des$y, learning_rate, max_epochs, seed)
  add_formula_info(fit, des, call)
}

fit_perceptron <- function(x, y, learning_rate, max_epochs, seed) {
  y <- two_class_y(y, nrow(x))
  rho <- check_number(learning_rate, "learning_rate", 0, Inf, lower_open = TRUE, upper_open = TRUE)
  max_epochs <- check_count(max_epochs, "max_epochs")
  seed <- resolve_seed(seed)
  res <- cpp_perceptron(x, ifelse(as.integer(y) == 2L, 1L, -1L), rho, max_epochs, seed)
  res$learning_rate <- rho
  res$max_epochs <- max_epochs
  res$seed <- seed
  res$method <- "Perceptron"
  if (!res$converged) {
    warn(sprintf(paste0("perceptron() did not converge after %d epochs (`max_epochs`): %d point(s) ",
                        "were still misclassified in the last epoch. The classes may not be linearly ",
                        "separable, in which case the algorithm cycles; increase `max_epochs` if they are."),
                 max_epochs, res$mistakes[length(res$mistakes)]),
         class = "statlearn_warning_convergence")
  }
  hyperplane_fit(res, x, y, "statlearn_perceptron")
}

#' Optimal separating hyperplane
#'
#' The maximum-margin hyperplane separating two classes (ESL section 4.5.2):
#' the solution of \eqn{\min \|\beta\|^2/2} subject to \eqn{y_i(x_i'\beta +
#' \beta_0) \ge 1} (eq. 4.48), so that the margin \eqn{M = 1/\|\beta\|} is
#' largest. The dual (eq. 4.52) is solved in its equivalent nearest-points
#' form: the optimal hyperplane bisects the segment between the closest
#' points of the convex hulls of the two classes. Pairwise (SMO-type) steps
#' with exact line searches run until the optimality gap is below `tol`
#' (relative), and the solution is then polished by an exact solve of the
#' Karush-Kuhn-Tucker equations on the support set. The support points are
#' the observations with positive \eqn{\alpha_i} (eq. 4.50); they lie on the
#' margin, \eqn{y_i(x_i'\beta + \beta_0) = 1}.
#'
#' When the classes are not linearly separable the convex hulls intersect and
#' no such hyperplane exists: the fit stops with an error of class
#' `statlearn_error_not_separable` (for overlapping classes use a support
#' vector classifier with a cost parameter, ESL chapter 12).
#'
#' @inheritParams statlearn-params
#' @param y Two-class labels (a factor, or character, logical or whole numbers).
#' @param tol Relative tolerance of the optimality gap.
#' @param max_iter Largest number of pairwise steps.
#' @return An object of class `c("statlearn_separating_hyperplane",
#'   "statlearn_hyperplane", "statlearn_classifier", "statlearn_model")` with
#'   `coefficients` (`(Intercept)` then the slopes, scaled so that the support
#'   points have \eqn{y f(x) = 1}), `beta0`, `beta`, `alpha` (the dual
#'   variables), `support` (indices of the support points), `margin` (M, the
#'   distance from the hyperplane to the closest points), `levels`.
#' @references Hastie, Tibshirani and Friedman (2009), *The Elements of
#'   Statistical Learning*, 2nd ed., section 4.5.2, equations 4.45-4.53,
#'   Figure 4.16. Bennett, K. P. and Bredensteiner, E. J. (2000). Duality and
#'   geometry in SVM classifiers. *ICML*.
#' @family chapter 4
#' @export
#' @examples
#' set.seed(1)
#' x <- rbind(matrix(rnorm(40, -2), 20), matrix(rnorm(40, 2), 20))
#' y <- factor(rep(c("a", "b"), each = 20))
#' fit <- separating_hyperplane(x, y)
#' fit
#' fit$support
separating_hyperplane <- function(x, ...) UseMethod("separating_hyperplane")

#' @rdname separating_hyperplane
#' @export
separating_hyperplane.default <- function(x, y, tol = 1e-10, max_iter = 1e6, ...) {
  check_dots(..., fun = "separating_hyperplane")
  fit <- fit_separating_hyperplane(check_x(x, "x"), y, tol, max_iter)
  fit$call <- match.call()
  fit
}

#' @rdname separating_hyperplane
#' @export
separating_hyperplane.formula <- function(formula, data, subset, na.action, tol = 1e-10,
                                          max_iter = 1e6, ...) {
  check_dots(..., fun = "separating_hyperplane")
  call <- match.call()
  des <- formula_design(formula_model_frame(call, parent.frame()))
  x <- des$x
  storage.mode(x) <- "double"
  if (ncol(x) == 0L) {
    abort_input("formula", "at least one input", "none", class = "statlearn_error_formula")
  }
  fit <- fit_separating_hyperplane(x, des$y, tol, max_iter)
  add_formula_info(fit, des, call)
}

fit_separating_hyperplane <- function(x, y, tol, max_iter) {
  y <- two_class_y(y, nrow(x))
  tol <- check_number(tol, "tol", 0, 1, lower_open = TRUE, upper_open = TRUE)
  max_iter <- check_count(max_iter, "max_iter")
  yy <- ifelse(as.integer(y) == 2L, 1L, -1L)
  res <- cpp_optimal_hyperplane(x, yy, tol, max_iter)
  if (!res$separable) {
    abort(paste0("The two classes are not linearly separable (their convex hulls intersect), so no ",
                 "separating hyperplane exists. Use a support vector classifier with a finite cost, ",
                 "or logistic_regression()."),
          class = c("statlearn_error_not_separable", "statlearn_error_input"))
  }
  if (!res$converged && !res$polished) {
    # Say whether the hyperplane reached so far separates the training points:
    # it need not, before convergence.
    separates <- all(yy * (drop(x %*% res$beta) + res$beta0) > 0)
    warn(sprintf(paste0("separating_hyperplane() stopped after %d steps (`max_iter`) with a relative ",
                        "optimality gap of %.2g (`tol` = %g); %s. Increase `max_iter`."),
                 res$iterations, res$gap, tol,
                 if (separates) "the hyperplane separates the classes but its margin may not be the largest"
                 else "the hyperplane does not yet separate the classes"),
         class = "statlearn_warning_convergence")
  }
  res$margin <- res$distance / 2
  res$support <- which(res$alpha > 1e-8 * max(res$alpha))
  res$method <- "Optimal separating hyperplane"
  hyperplane_fit(res, x, y, "statlearn_separating_hyperplane")
}

#' @export
coef.statlearn_hyperplane <- function(object, ...) object$coefficients

#' Predictions from a separating hyperplane
#'
#' @param object A [perceptron()] or [separating_hyperplane()] fit.
#' @param newdata New data: a data frame for formula fits, else a matrix with
#'   the training columns. Missing: the training data (formula fits only
#'   through `newdata`).
#' @param type `"class"` (a factor with the training levels: the second level
#'   where \eqn{\beta_0 + x'\beta > 0}) or `"link"` (the value
#'   \eqn{\beta_0 + x'\beta}, proportional to the signed distance to the
#'   hyperplane, eq. 4.40).
#' @param ... Unused.
#' @return A factor or a numeric vector.
#' @family chapter 4
#' @export
predict.statlearn_hyperplane <- function(object, newdata, type = c("class", "link"), ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("class", "link"), "type")
  if (missing(newdata) || is.null(newdata)) {
    abort_input("newdata", "new data (the fit does not store its training inputs)", "none",
                class = "statlearn_error_missing")
  }
  x <- new_design(object, newdata)
  f <- drop(x %*% object$beta) + object$beta0
  names(f) <- rownames(x)
  if (type == "link") return(f)
  stats::setNames(class_factor(ifelse(f > 0, 2L, 1L), object$levels), rownames(x))
}

#' @export
print.statlearn_hyperplane <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s for classes %s (-1) and %s (+1), n = %d\n", x$method, x$levels[1L], x$levels[2L],
              x$nobs))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  cat("\nCoefficients:\n")
  print(x$coefficients, digits = digits)
  if (inherits(x, "statlearn_perceptron")) {
    cat(sprintf("\n%s after %d epoch(s); mistakes in the last epoch: %d\n",
                if (x$converged) "Converged" else "NOT converged", x$epochs,
                x$mistakes[length(x$mistakes)]))
  } else {
    cat(sprintf("\nMargin M = %s; %d support point(s)\n", format(signif(x$margin, digits)),
                length(x$support)))
  }
  invisible(x)
}
