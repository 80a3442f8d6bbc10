#' Parameters shared by statlearn functions
#'
#' @param threads Number of threads for the parallel parts; `NULL` resolves it
#'   as [statlearn_threads()] describes. Results are identical for any value.
#' @param weights Optional non-negative observation weights, one per row.
#' @param seed `NULL` (draw one from R's random number generator, so that
#'   [set.seed()] reproduces the result) or a whole number from 0 to 2147483647.
#' @param formula A model formula, such as `lpsa ~ .`.
#' @param data A data frame holding the variables of `formula`.
#' @param subset Optional expression selecting the rows of `data` to use.
#' @param na.action How to handle missing values, as in [stats::lm()]; the
#'   default comes from `getOption("na.action")`.
#' @param x A numeric matrix of predictors (n rows, p columns), or a data frame
#'   of numeric columns.
#' @param y A numeric response of length n.
#' @param standardize Scale the predictors to unit variance before fitting?
#'   Coefficients are always returned on the original scale.
#' @param intercept Fit an intercept?
#' @param object,fit A fitted statlearn model.
#' @param newdata For models fitted by formula, a data frame; otherwise a matrix
#'   with the training columns.
#' @param verbose Print progress?
#' @param ... Further arguments passed to or from other methods.
#' @name statlearn-params
#' @keywords internal
NULL
