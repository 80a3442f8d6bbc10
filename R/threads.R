#' Number of threads statlearn uses
#'
#' Every parallel function in statlearn takes `threads`. When it is `NULL`
#' the number is taken, in this order, from `getOption("statlearn.threads")`,
#' the environment variable `STATLEARN_THREADS`, and RcppParallel's default;
#' it is always capped at the number of cores. Results do not depend on the
#' number of threads: they are bit-identical for 1 and for many.
#'
#' @param threads `NULL` or a positive whole number.
#' @return The number of threads as an integer.
#' @export
#' @examples
#' statlearn_threads()
#' statlearn_threads(1)
statlearn_threads <- function(threads = NULL) {
  resolve_threads(threads)
}

resolve_threads <- function(threads = NULL) {
  cores <- max(1L, RcppParallel::defaultNumThreads())
  if (!is.null(threads)) {
    return(min(check_count(threads, "threads"), cores))
  }
  opt <- getOption("statlearn.threads")
  if (!is.null(opt)) {
    return(min(check_count(opt, 'getOption("statlearn.threads")'), cores))
  }
  env <- Sys.getenv("STATLEARN_THREADS", "")
  if (nzchar(env)) {
    val <- suppressWarnings(as.numeric(env))
    return(min(check_count(val, "STATLEARN_THREADS"), cores))
  }
  cores
}
