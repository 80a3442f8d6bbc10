# summary() for the classifiers of ESL chapter 4 that have no summary of their
# own: the training confusion matrix and error rate, and what each method
# estimated (priors, means, discriminant directions, covariance determinants,
# coefficients, margins). logistic_regression() has its own, with Table 4.2.

#' Summaries of classification fits
#'
#' `summary()` of a discriminant analysis, indicator regression, perceptron or
#' separating-hyperplane fit gives the training confusion matrix and error
#' rate (the apparent error, an optimistic estimate: see [cross_validate()]
#' for an honest one), and what the method estimated: class priors, counts and
#' means; for LDA the proportion of the between-class variance that each
#' discriminant direction explains and the directions themselves (ESL 4.3.3);
#' for QDA and RDA the log-determinant of each class covariance; the
#' coefficients of indicator regression and of hyperplanes, and the margin of
#' the optimal separating hyperplane (ESL 4.5.2).
#'
#' The confusion matrix needs the training data, which are rebuilt from the
#' fit's call; when they cannot be, it is left out.
#'
#' @param object A classification fit.
#' @param ... Unused.
#' @return An object of class `summary.statlearn_classifier`, printed in a
#'   readable layout, with `confusion`, `error`, `estimates` (a named list of
#'   tables) and the fit's `method`, `call`, `nobs` and `levels`.
#' @family chapter 4
#' @export
#' @examples
#' summary(linear_discriminant(Species ~ ., data = iris))
#' summary(quadratic_discriminant(Species ~ ., data = iris))
summary.statlearn_classifier <- function(object, ...) {
  check_dots(..., fun = "summary")
  td <- tryCatch(training_data(object, parent.frame(), raw_response = TRUE),
                 error = function(e) NULL)
  confusion <- error <- NULL
  levels <- classifier_levels(object)
  bare <- single_classifier(object)  # one k of a nearest-neighbour path, named in the heading
  if (!is.null(td)) {
    pred <- factor(as.character(stats::predict(bare, td$x, type = "class")), levels = levels)
    obs <- factor(as.character(td$y), levels = levels)
    w <- td$weights %||% rep(1, length(obs))
    ok <- !is.na(obs) & w > 0
    confusion <- table(observed = obs[ok], predicted = pred[ok])
    error <- sum(w[ok] * (obs[ok] != pred[ok])) / sum(w[ok])
  }
  structure(list(method = bare$method, call = object$call, nobs = object$nobs, levels = levels,
                 confusion = confusion, error = error, estimates = classifier_estimates(object)),
            class = "summary.statlearn_classifier")
}

classifier_estimates <- function(fit) UseMethod("classifier_estimates")

classifier_estimates.default <- function(fit) {
  out <- list()
  if (!is.null(fit$prior)) {
    out[["Prior probabilities and training counts"]] <- data.frame(prior = fit$prior,
                                                                 count = fit$counts)
  }
  if (!is.null(fit$means)) out[["Class means"]] <- fit$means
  out
}

classifier_estimates.statlearn_linear_discriminant <- function(fit) {
  out <- classifier_estimates.default(fit)
  ev <- fit$eigenvalues
  if (length(ev)) {
    out[["Discriminant directions: between-class variance explained"]] <-
      rbind(`proportion` = ev / sum(ev), `cumulative` = cumsum(ev) / sum(ev))
    out[["Discriminant directions (coefficients of the canonical variates)"]] <- fit$scaling
  }
  out
}

classifier_estimates.statlearn_quadratic_discriminant <- function(fit) {
  out <- classifier_estimates.default(fit)
  out[["Log-determinant of each class covariance"]] <- rbind(`log det` = fit$logdet)
  out
}

classifier_estimates.statlearn_regularized_discriminant <- function(fit) {
  out <- list(`Regularisation (ESL 4.3.1)` = rbind(value = c(alpha = fit$alpha, gamma = fit$gamma)))
  c(out, classifier_estimates.statlearn_quadratic_discriminant(fit))
}

classifier_estimates.statlearn_indicator_regression <- function(fit) {
  list(`Coefficients (one column per class indicator)` = fit$coefficients)
}

classifier_estimates.statlearn_hyperplane <- function(fit) {
  out <- list(`Hyperplane coefficients` = rbind(coefficient = fit$coefficients))
  info <- c(
    if (!is.null(fit$margin)) c(margin = fit$margin),
    if (!is.null(fit$support)) c(`support points` = length(fit$support)),
    if (!is.null(fit$epochs)) c(epochs = fit$epochs),
    if (!is.null(fit$mistakes)) c(`mistakes in the last epoch` = utils::tail(fit$mistakes, 1L)),
    if (!is.null(fit$converged)) c(converged = if (fit$converged) "yes" else "no")
  )
  if (length(info)) out[["Fit"]] <- data.frame(as.list(info), check.names = FALSE, row.names = "")
  out
}

#' @export
print.summary.statlearn_classifier <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s: n = %d, %d classes\n", x$method, x$nobs, length(x$levels)))
  if (!is.null(x$call)) cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  for (nm in names(x$estimates)) {
    cat("\n", nm, ":\n", sep = "")
    e <- x$estimates[[nm]]
    if (is.data.frame(e)) print(format(e, digits = digits)) else print(signif(e, digits))
  }
  if (!is.null(x$confusion)) {
    cat("\nTraining confusion matrix (rows observed, columns predicted):\n")
    print(x$confusion)
    cat(sprintf("Training error rate: %s (apparent error; cross_validate() gives an honest estimate)\n",
                format(signif(x$error, digits))))
  }
  invisible(x)
}
