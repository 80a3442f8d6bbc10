#' statlearn: methods of The Elements of Statistical Learning
#'
#' Fast, tested implementations of the methods of Hastie, Tibshirani and
#' Friedman (2009), *The Elements of Statistical Learning*, with a parallel C++
#' backend and the book's data sets. Start with `vignette("esl-03-linear-regression")`.
#'
#' @section Threads:
#' Every function that runs in parallel takes `threads`; see [statlearn_threads()].
#'
#' @references Hastie, T., Tibshirani, R. and Friedman, J. (2009).
#'   *The Elements of Statistical Learning*, 2nd edition. Springer.
#' @keywords internal
#' @useDynLib statlearn, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom RcppParallel RcppParallelLibs
#' @importFrom stats anova coef confint deviance fitted logLik nobs predict residuals vcov
#' @importFrom Matrix crossprod
"_PACKAGE"
