# ESL 5.9: the discrete wavelet transform (Mallat's pyramid algorithm,
# periodic boundary) and wavelet shrinkage (Donoho and Johnstone).

# The filters the core knows, with their codes and lengths.
wavelet_names <- c("symmlet8", "haar", "d4", "d8")
wavelet_code <- function(name) c(haar = 0L, d4 = 1L, d8 = 2L, symmlet8 = 3L)[[name]]
wavelet_taps <- function(name) c(haar = 2L, d4 = 4L, d8 = 8L, symmlet8 = 8L)[[name]]
# The coarsest level j0 a filter of L taps reaches (its last step filters 2^(j0 + 1) >= L values).
wavelet_min_level <- function(name) max(0L, as.integer(ceiling(log2(wavelet_taps(name)))) - 1L)

# A signal or a matrix of signals (one per column) whose length is a power of
# two. Returns list(x = an N x p double matrix, vector = was y a vector?, J).
check_signal <- function(y, arg = "y") {
  if (is.data.frame(y)) y <- as.matrix(y)
  is_vec <- is.null(dim(y))
  if (!(is.numeric(y) || is.logical(y)) || is.factor(y) || (!is_vec && length(dim(y)) != 2L)) {
    abort_input(arg, "a numeric vector (one signal) or a numeric matrix (one signal per column)",
                describe(y), class = "statlearn_error_type")
  }
  x <- if (is_vec) matrix(as.double(y), ncol = 1L) else y
  n <- nrow(x)
  if (n == 0L || ncol(x) == 0L) {
    abort_input(arg, "a signal with at least two values", describe(y), class = "statlearn_error_empty")
  }
  J <- round(log2(n))
  if (n < 2L || 2^J != n) {
    what <- if (is_vec) "length" else "number of rows"
    near <- if (n < 2L) "the shortest is 2" else
      sprintf("the nearest powers of two are %d and %d", 2^floor(log2(n)), 2^ceiling(log2(n)))
    abort_input(arg, sprintf("a signal whose %s is a power of two (the pyramid algorithm halves it at every level)",
                             what),
                sprintf("%s %d (%s)", what, n, near), class = "statlearn_error_length")
  }
  if (!is.double(x)) storage.mode(x) <- "double"
  check_matrix_values(x, arg)
  list(x = x, vector = is_vec, J = as.integer(J), names = if (is_vec) names(y) else colnames(y))
}

# The wavelet name, and a check that a signal of length 2^J is long enough for
# its filter.
check_wavelet <- function(wavelet, J) {
  wavelet <- check_choice(wavelet, wavelet_names, "wavelet")
  L <- wavelet_taps(wavelet)
  if (2^J < L) {
    abort_input("y", sprintf("a signal of length at least %d for the %d-tap filter \"%s\" (or a shorter filter such as \"haar\")",
                             L, L, wavelet),
                sprintf("length %d", 2^J), class = "statlearn_error_length")
  }
  wavelet
}

# The scaling filter h and wavelet filter g of a wavelet, from the core.
wavelet_filters <- function(name) cpp_wavelet_filter(wavelet_code(name))

# The layout of the coefficients of a transform to level j0 of a signal of
# length 2^J: band labels, level, and each coefficient's position in time
# (1..N): s k + c + 1 for coefficient k of a level with spacing s = N / 2^j,
# where c is the centre of energy (sum u F_u^2) of the level's equivalent
# filter F on the signal after m = J - j steps: F_1 = the filter of the last
# step (h or g), F_m = upsample(F_{m-1}) convolved with h. Since h is
# orthogonal to its even shifts, c(F_m) = 2 c(F_{m-1}) + delta_m where
# delta_m depends only on the autocorrelations of F_{m-1} at lags below L,
# which converge fast; beyond 12 steps the last delta is reused.
wavelet_layout <- function(J, j0, wavelet) {
  N <- 2^J
  steps <- J - j0
  cen <- wavelet_centres(wavelet)
  extend <- function(c12) {
    out <- c12[seq_len(min(steps, 12L))]
    for (m in seq_len(max(0L, steps - 12L)) + 12L) out[m] <- 2 * out[m - 1L] + (c12[12L] - 2 * c12[11L])
    out
  }
  c_scaling <- extend(cen$scaling)
  c_wavelet <- extend(cen$wavelet)
  position <- function(j, centre) {
    s <- N / 2^j
    (s * (seq_len(2^j) - 1) + centre) %% N + 1
  }
  details <- j0:(J - 1L)
  list(
    band = c(rep(sprintf("V%d", j0), 2^j0), rep(sprintf("W%d", details), 2^details)),
    level = c(rep(j0, 2^j0), rep(details, 2^details)),
    position = c(position(j0, c_scaling[steps]),
                 unlist(lapply(details, function(j) position(j, c_wavelet[J - j]))))
  )
}

# c(F_m), m = 1..12, for the scaling and the wavelet filter of a wavelet,
# computed once per session.
wavelet_centre_cache <- new.env(parent = emptyenv())
wavelet_centres <- function(wavelet) {
  if (!is.null(wavelet_centre_cache[[wavelet]])) return(wavelet_centre_cache[[wavelet]])
  f <- wavelet_filters(wavelet)
  conv <- function(a, b) {  # b is the short filter
    out <- numeric(length(a) + length(b) - 1L)
    for (i in seq_along(b)) out[i - 1L + seq_along(a)] <- out[i - 1L + seq_along(a)] + b[i] * a
    out
  }
  centres <- function(F) {
    out <- numeric(12L)
    for (m in seq_len(12L)) {
      if (m > 1L) {
        up <- numeric(2L * length(F) - 1L)
        up[seq(1L, length(up), by = 2L)] <- F
        F <- conv(up, f$h)
      }
      out[m] <- sum((seq_along(F) - 1) * F^2) / sum(F^2)
    }
    out
  }
  res <- list(scaling = centres(f$h), wavelet = centres(f$g))
  assign(wavelet, res, envir = wavelet_centre_cache)
  res
}

#' Discrete wavelet transform
#'
#' The orthogonal discrete wavelet transform of ESL 5.9, computed by Mallat's
#' pyramid algorithm with periodic boundary. A signal \eqn{y} of length
#' \eqn{N = 2^J} is split by the scaling (low-pass) filter \eqn{h} and the
#' wavelet (high-pass) filter \eqn{g_l = (-1)^l h_{L-1-l}} into
#' \eqn{a_k = \sum_l h_l y_{(2k+l) \bmod N}}{a_k = sum_l h_l y[(2k + l) mod N]}
#' and \eqn{d_k = \sum_l g_l y_{(2k+l) \bmod N}}{d_k = sum_l g_l y[(2k + l) mod N]},
#' \eqn{k = 0, \dots, N/2 - 1}; the same step is applied again to the
#' smooth part \eqn{a}, `levels` times. What is left are the scaling
#' coefficients \eqn{V_{j_0}} (\eqn{2^{j_0}} of them, \eqn{j_0 = J -}
#' `levels`) and the detail coefficients \eqn{W_j} of levels \eqn{j = j_0,
#' \dots, J-1} (\eqn{2^j} at level \eqn{j}; \eqn{W_{J-1}} is the finest). The
#' transform is an orthogonal \eqn{N \times N}{N x N} matrix: it preserves
#' sums of squares, and [inverse_wavelet_transform()] applies its transpose.
#' It costs \eqn{O(N)} operations.
#'
#' The filters: `"haar"` (2 taps), `"d4"` and `"d8"` (Daubechies'
#' extremal-phase filters with 4 and 8 taps, 2 and 4 vanishing moments) and
#' `"symmlet8"` (Daubechies' least-asymmetric filter with 8 taps and 4
#' vanishing moments, the "symmlet" of ESL Figures 5.16-5.18). A wavelet
#' filter with \eqn{p} vanishing moments gives zero detail coefficients for a
#' polynomial of degree below \eqn{p} (except where the filter wraps around
#' the periodic boundary). Each step filters at least as many values as the
#' filter has taps, which bounds `levels`: all \eqn{J} for Haar, \eqn{J - 1}
#' for `"d4"`, \eqn{J - 2} for the 8-tap filters.
#'
#' @param y A numeric vector (one signal) whose length is a power of two, or
#'   a matrix whose columns are signals (transformed in parallel).
#' @param wavelet The filter: `"symmlet8"`, `"haar"`, `"d4"` or `"d8"`.
#' @param levels The number of pyramid steps, from 1 to the largest the
#'   filter allows (the default, `NULL`).
#' @inheritParams statlearn-params
#' @return An object of class `statlearn_wavelet_transform`: `coefficients`,
#'   a vector of length \eqn{N} (a matrix with one column per signal for
#'   matrix `y`) in the order \eqn{V_{j_0}, W_{j_0}, W_{j_0+1}, \dots,
#'   W_{J-1}} (the coefficients of \eqn{W_j} are at positions \eqn{2^j + 1}
#'   to \eqn{2^{j+1}}); beside it, one entry per coefficient, `band` (the
#'   labels `"V4"`, `"W4"`, ...), `level` (\eqn{j}) and `position` (the
#'   sample, 1 to \eqn{N}, at the centre of the coefficient's support, used by
#'   `plot()`); and `wavelet`, `filter` (the scaling filter \eqn{h}), `n`,
#'   `J`, `levels`, `coarsest` (\eqn{j_0}). `split(w$coefficients, w$band)`
#'   gives the coefficients level by level. The coefficients may be changed
#'   and transformed back with [inverse_wavelet_transform()].
#' @references Hastie, Tibshirani and Friedman (2009), section 5.9. Mallat
#'   (1989), A theory for multiresolution signal decomposition: the wavelet
#'   representation, *IEEE Transactions on Pattern Analysis and Machine
#'   Intelligence* 11, 674-693. Daubechies (1992), *Ten Lectures on
#'   Wavelets*, SIAM (the filters: Tables 6.1 and 6.3).
#' @family chapter 5
#' @seealso [wavelet_smooth()]
#' @examples
#' t <- (1:256) / 256
#' y <- sin(4 * pi * t) + (t > 0.5)
#' w <- wavelet_transform(y, "haar", threads = 1)
#' w
#' split(w$coefficients, w$band)$W7[1:4]  # finest level: (y[1] - y[2]) / sqrt(2), ...
#' max(abs(inverse_wavelet_transform(w) - y))
#' sum(w$coefficients^2) - sum(y^2)       # orthogonal
#' plot(wavelet_transform(y, "symmlet8", threads = 1))
#' @export
wavelet_transform <- function(y, wavelet = "symmlet8", levels = NULL, threads = NULL) {
  s <- check_signal(y, "y")
  J <- s$J
  wavelet <- check_wavelet(wavelet, J)
  max_levels <- J - wavelet_min_level(wavelet)
  if (is.null(levels)) {
    levels <- max_levels
  } else {
    levels <- check_count(levels, "levels", lower = 1, upper = J)
    if (levels > max_levels) {
      abort_input("levels", sprintf("at most %d for the %d-tap filter \"%s\" on a signal of length %d (every step must filter at least %d values)",
                                    max_levels, wavelet_taps(wavelet), wavelet, 2^J, wavelet_taps(wavelet)),
                  format(levels), class = "statlearn_error_range")
    }
  }
  threads <- resolve_threads(threads)
  coef <- cpp_wavelet_transform(s$x, wavelet_code(wavelet), levels, FALSE, threads)
  if (s$vector) coef <- drop(coef) else colnames(coef) <- s$names
  j0 <- J - levels
  lay <- wavelet_layout(J, j0, wavelet)
  structure(list(
    coefficients = coef, band = lay$band, level = lay$level, position = lay$position,
    wavelet = wavelet, filter = wavelet_filters(wavelet)$h, n = 2^J, J = J,
    levels = levels, coarsest = j0, names = s$names, call = match.call()
  ), class = "statlearn_wavelet_transform")
}

#' Inverse discrete wavelet transform
#'
#' Rebuilds the signal(s) from the coefficients of a [wavelet_transform()],
#' by running the pyramid algorithm backwards (the transpose of the
#' orthogonal transform). The coefficients may have been changed: setting
#' them all to zero but one gives a basis function, as in ESL Figure 5.16.
#'
#' @param w A `wavelet_transform()` object (its `coefficients` may have been
#'   modified, keeping their length).
#' @inheritParams statlearn-params
#' @return The signal: a vector of length \eqn{N}, or a matrix with one
#'   column per signal when `w` holds several.
#' @references Hastie, Tibshirani and Friedman (2009), section 5.9.
#' @family chapter 5
#' @examples
#' w <- wavelet_transform(rep(0, 512), "symmlet8", threads = 1)
#' w$coefficients[w$band == "W5"][8] <- 1  # one wavelet of level 5
#' plot(inverse_wavelet_transform(w, threads = 1), type = "l", ylab = "psi")
#' @export
inverse_wavelet_transform <- function(w, threads = NULL) {
  if (!inherits(w, "statlearn_wavelet_transform")) {
    abort_input("w", "a wavelet_transform() object", describe(w), class = "statlearn_error_type")
  }
  coef <- w$coefficients
  is_vec <- is.null(dim(coef))
  m <- if (is_vec) matrix(coef, ncol = 1L) else coef
  if (!is.numeric(m) || nrow(m) != w$n) {
    abort_input("w", sprintf("coefficients of length %d (the signal length)", w$n),
                describe(coef), class = "statlearn_error_length")
  }
  if (!is.double(m)) storage.mode(m) <- "double"
  check_finite_values(m, "w$coefficients")
  threads <- resolve_threads(threads)
  out <- cpp_wavelet_transform(m, wavelet_code(w$wavelet), as.integer(w$levels), TRUE, threads)
  if (is_vec) {
    out <- drop(out)
    names(out) <- w$names
  } else {
    colnames(out) <- colnames(coef)
  }
  out
}

#' @export
print.statlearn_wavelet_transform <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  coef <- x$coefficients
  p <- NCOL(coef)
  cat(sprintf("Discrete wavelet transform (%s, %d taps, periodic boundary): %s of length %d, %d levels\n",
              x$wavelet, length(x$filter), if (p == 1L) "1 signal" else sprintf("%d signals", p),
              x$n, x$levels))
  bands <- unique(x$band)
  ss <- vapply(bands, function(b) sum(as.matrix(coef)[x$band == b, 1L]^2), numeric(1))
  tab <- data.frame(coefficients = as.vector(table(x$band)[bands]),
                    sum_of_squares = signif(ss, digits), row.names = bands)
  cat(sprintf("Coefficients by level%s (coarsest first):\n", if (p > 1L) " of the first signal" else ""))
  print(tab)
  invisible(x)
}

# Figure 5.17 of ESL (its lower panels): one row per level (finest at the top), the coefficients
# as vertical spikes at their positions. Detail levels share one scale (set
# by `scale_to`, the largest |coefficient| of the details unless given); the
# scaling coefficients have their own. Returns the scale used.
wavelet_spike_plot <- function(coef, band, position, N, main = "", scale_to = NULL, col = "black",
                               xlab = "Position", ...) {
  bands <- unique(band)
  rows <- rev(bands)  # finest detail level first (top)
  k <- length(rows)
  details <- band != bands[1L]
  if (is.null(scale_to)) scale_to <- max(abs(coef[details]), .Machine$double.xmin)
  vmax <- max(abs(coef[!details]), .Machine$double.xmin)
  graphics::plot(NA, xlim = c(1, N), ylim = c(0.5, k + 0.5), yaxt = "n", xlab = xlab, ylab = "",
                 main = main, yaxs = "i", ...)
  graphics::axis(2, at = k:1, labels = rows, las = 1, tick = FALSE, cex.axis = 0.85)
  for (r in seq_len(k)) {
    b <- rows[r]
    yb <- k + 1 - r
    sel <- band == b
    sc <- if (b == bands[1L]) vmax else scale_to
    graphics::abline(h = yb, col = "grey80")
    graphics::segments(position[sel], yb, position[sel], yb + 0.45 * coef[sel] / sc, col = col, lend = 1)
  }
  invisible(scale_to)
}

#' @rdname wavelet_transform
#' @param x A `wavelet_transform()` object.
#' @param column For `plot()`: which signal to show (for a matrix `y`).
#' @param main For `plot()`: the title.
#' @details `plot()` shows the coefficients level by level, as in ESL Figure
#'   5.17: one row per level, finest at the top, each coefficient a vertical
#'   spike at the centre of its support. All detail levels share one scale;
#'   the scaling coefficients (bottom row) have their own.
#' @export
plot.statlearn_wavelet_transform <- function(x, ..., column = 1, main = NULL) {
  coef <- as.matrix(x$coefficients)
  column <- check_count(column, "column", lower = 1, upper = ncol(coef))
  if (is.null(main)) main <- sprintf("Wavelet coefficients (%s)", x$wavelet)
  wavelet_spike_plot(coef[, column], x$band, x$position, x$n, main = main, ...)
  invisible(x)
}

#' Wavelet smoothing
#'
#' Smooths a signal observed at \eqn{N = 2^J} equally spaced points by
#' shrinking its wavelet coefficients (ESL 5.9.2; Donoho and Johnstone's
#' "wavelet shrinkage"). The signal is transformed, \eqn{\mathbf y^* =
#' \mathbf W^T \mathbf y}{y* = W'y} with [wavelet_transform()]; every detail
#' coefficient of the levels finer than or at the `coarsest` level
#' \eqn{j_0} is shrunk towards zero; the scaling coefficients of level
#' \eqn{j_0} are kept; and the result is transformed back, \eqn{\hat{\mathbf
#' f} = \mathbf W \hat{\boldsymbol\theta}}{f = W theta}. Because
#' \eqn{\mathbf W}{W} is orthogonal, soft thresholding at \eqn{\lambda} is
#' exactly the solution of the lasso-type problem
#' \eqn{\min_{\boldsymbol\theta} \|\mathbf y - \mathbf W\boldsymbol\theta\|^2
#' + 2\lambda\|\boldsymbol\theta\|_1}{min_theta ||y - W theta||^2 + 2 lambda
#' ||theta||_1} (ESL eq. 5.68, with the \eqn{L_1} penalty on the detail
#' coefficients only): each coefficient is moved \eqn{\lambda} towards zero,
#' and set to zero if it is smaller than \eqn{\lambda} in size. Unlike a
#' smoothing spline, which damps all high frequencies everywhere, this keeps
#' the few large coefficients that carry a jump or a burst of oscillation and
#' removes the many small ones that carry mostly noise: the fit adapts its
#' smoothness locally.
#'
#' The noise standard deviation \eqn{\sigma} is estimated (unless given) by
#' the median absolute value of the finest detail coefficients
#' \eqn{W_{J-1}} divided by 0.6745, which the few large coefficients of the
#' signal hardly move. The threshold:
#' \describe{
#'   \item{`"universal"`}{\eqn{\lambda = \sigma\sqrt{2\log N}}{lambda = sigma
#'     sqrt(2 log N)} at every level (ESL eq. 5.69): with \eqn{N} pure-noise
#'     coefficients, the largest is below it with probability tending to one,
#'     so noise is removed but the fit tends to be over-smooth.}
#'   \item{`"sure"`}{level by level, \eqn{\lambda_j = \sigma t_j}, where
#'     \eqn{t_j} minimises over \eqn{[0, \sqrt{2\log n_j}]}{[0, sqrt(2 log
#'     n_j)]} Stein's unbiased estimate of the risk of soft thresholding the
#'     \eqn{n_j = 2^j} standardised coefficients \eqn{x_i = d_i / \sigma}:
#'     \eqn{SURE(t) = n_j - 2\#\{i: |x_i| \le t\} + \sum_i \min(|x_i|,
#'     t)^2}{SURE(t) = n_j - 2 #{i: |x_i| <= t} + sum_i min(|x_i|, t)^2}
#'     (Donoho and Johnstone's SureShrink). The minimum lies at 0 or at one of
#'     the \eqn{|x_i|}; ties go to the smallest threshold.}
#'   \item{`"hybrid"`}{SureShrink's hybrid rule: as `"sure"`, except at a
#'     level whose coefficients look sparse, \eqn{(\sum_i x_i^2 - n_j) / n_j
#'     \le (\log_2 n_j)^{3/2} / \sqrt{n_j}}{(sum x_i^2 - n_j) / n_j <= (log2
#'     n_j)^(3/2) / sqrt(n_j)}, where the level's universal threshold
#'     \eqn{\sigma\sqrt{2\log n_j}}{sigma sqrt(2 log n_j)} is used (SURE is
#'     unreliable when only a few coefficients are non-zero).}
#'   \item{a number}{that \eqn{\lambda} at every level.}
#' }
#' The SURE criterion is that of soft thresholding; with `rule = "hard"` the
#' thresholds it chooses are applied by hard thresholding (keep or kill).
#'
#' @param y A numeric vector (one signal, observed at equally spaced points)
#'   whose length \eqn{N} is a power of two, or a matrix whose columns are
#'   signals (each smoothed on its own, in parallel).
#' @param wavelet The filter: `"symmlet8"`, `"haar"`, `"d4"` or `"d8"` (see
#'   [wavelet_transform()]).
#' @param threshold `"sure"`, `"universal"`, `"hybrid"`, or a non-negative
#'   number (the threshold itself).
#' @param rule `"soft"` (shrink by the threshold) or `"hard"` (keep or set to
#'   zero).
#' @param coarsest The coarsest level \eqn{j_0}: the \eqn{2^{j_0}} scaling
#'   coefficients \eqn{V_{j_0}} are kept, the detail coefficients of levels
#'   \eqn{j_0} to \eqn{J - 1} are thresholded. By default 4 (as ESL Figure
#'   5.17), or \eqn{J - 1} for a shorter signal, and at least the coarsest
#'   level the filter reaches (2 for the 8-tap filters, 1 for `"d4"`).
#' @param sigma The noise standard deviation, or `NULL` to estimate it (for a
#'   matrix `y`, one value for all columns or one per column).
#' @inheritParams statlearn-params
#' @return An object of class `c("statlearn_wavelet_smooth",
#'   "statlearn_model")`: `fitted.values`, `residuals` and the data `y`
#'   (vectors, or matrices for matrix `y`); `coefficients` (the thresholded
#'   coefficients, laid out as in [wavelet_transform()]) and
#'   `raw_coefficients` (before thresholding); `thresholds` (the
#'   \eqn{\lambda_j} used at each detail level, named `"W4"`, ...; a matrix
#'   with one column per signal for matrix `y`); `sigma` and
#'   `sigma_estimated`; `nonzero` (the number of non-zero detail coefficients
#'   left); `threshold`, `rule`, `wavelet`, `coarsest`, `levels`, `n`, `J`,
#'   and `band`, `level`, `position` as in [wavelet_transform()].
#'   `coef(fit)` gives the thresholded coefficients (`type = "raw"` those
#'   before thresholding).
#' @references Hastie, Tibshirani and Friedman (2009), section 5.9. Donoho
#'   and Johnstone (1994), Ideal spatial adaptation by wavelet shrinkage,
#'   *Biometrika* 81, 425-455. Donoho and Johnstone (1995), Adapting to
#'   unknown smoothness via wavelet shrinkage, *Journal of the American
#'   Statistical Association* 90, 1200-1224.
#' @family chapter 5
#' @seealso [wavelet_transform()], [smoothing_spline()]
#' @examples
#' set.seed(1)
#' t <- (1:1024) / 1024
#' truth <- sqrt(t * (1 - t)) * sin(2.1 * pi / (t + 0.05))  # Donoho and Johnstone's "doppler"
#' y <- truth + rnorm(1024, sd = 0.05)
#' fit <- wavelet_smooth(y, threads = 1)
#' fit
#' mean((fitted(fit) - truth)^2)
#' plot(fit)
#' plot(fit, which = "coefficients")
#' @export
wavelet_smooth <- function(y, wavelet = "symmlet8", threshold = c("sure", "universal", "hybrid"),
                           rule = c("soft", "hard"), coarsest = NULL, sigma = NULL, threads = NULL) {
  s <- check_signal(y, "y")
  J <- s$J
  p <- ncol(s$x)
  wavelet <- check_wavelet(wavelet, J)
  if (is.numeric(threshold) && !is.object(threshold)) {
    lambda <- check_nonnegative(threshold, "threshold")
    threshold_name <- "given"
    threshold_code <- 3L
  } else {
    threshold_name <- check_choice(threshold, c("sure", "universal", "hybrid"), "threshold")
    threshold_code <- match(threshold_name, c("universal", "sure", "hybrid")) - 1L
    lambda <- 0
  }
  rule <- check_choice(rule, c("soft", "hard"), "rule")
  jmin <- wavelet_min_level(wavelet)
  if (J - 1L < jmin) {
    abort_input("y", sprintf("a signal of length at least %d for the filter \"%s\"", 2^(jmin + 1L), wavelet),
                sprintf("length %d", 2^J), class = "statlearn_error_length")
  }
  if (is.null(coarsest)) {
    coarsest <- max(jmin, min(4L, J - 1L))
  } else {
    coarsest <- check_count(coarsest, "coarsest", lower = 0, upper = max(J - 1L, 0L))
    if (coarsest < jmin) {
      abort_input("coarsest", sprintf("at least %d for the %d-tap filter \"%s\" (a level needs an approximation at least as long as the filter)",
                                      jmin, wavelet_taps(wavelet), wavelet),
                  format(coarsest), class = "statlearn_error_range")
    }
  }
  if (is.null(sigma)) {
    sig <- rep(NA_real_, p)
  } else {
    if (!is.numeric(sigma) || !(length(sigma) %in% c(1L, p))) {
      abort_input("sigma", if (p == 1L) "a single positive number" else sprintf("one positive number or %d (one per column)", p),
                  describe(sigma), class = "statlearn_error_type")
    }
    check_finite_values(sigma, "sigma")
    if (any(sigma <= 0)) {
      abort_input("sigma", "positive", sprintf("a minimum of %g", min(sigma)), class = "statlearn_error_range")
    }
    sig <- rep_len(as.double(sigma), p)
  }
  threads <- resolve_threads(threads)
  levels <- J - coarsest
  res <- cpp_wavelet_smooth(s$x, wavelet_code(wavelet), levels, threshold_code, lambda,
                            match(rule, c("soft", "hard")) - 1L, sig, threads)
  lay <- wavelet_layout(J, coarsest, wavelet)
  bands <- sprintf("W%d", coarsest:(J - 1L))
  detail <- seq_len(2^J) > 2^coarsest
  nonzero <- as.integer(colSums(res$shrunk[detail, , drop = FALSE] != 0))
  shape <- function(m) {
    if (s$vector) {
      v <- drop(m)
      names(v) <- s$names
      v
    } else {
      colnames(m) <- s$names
      m
    }
  }
  thr <- res$thresholds
  rownames(thr) <- bands
  if (s$vector) thr <- thr[, 1L] else colnames(thr) <- s$names
  coefs <- function(m) if (s$vector) drop(m) else `colnames<-`(m, s$names)
  structure(list(
    fitted.values = shape(res$fitted), residuals = shape(s$x - res$fitted), y = shape(s$x),
    coefficients = coefs(res$shrunk), raw_coefficients = coefs(res$raw), thresholds = thr,
    sigma = res$sigma, sigma_estimated = is.null(sigma), nonzero = if (s$vector) nonzero[[1L]] else nonzero,
    threshold = threshold_name, rule = rule, wavelet = wavelet, filter = wavelet_filters(wavelet)$h,
    coarsest = coarsest, levels = levels, n = 2^J, J = J, band = lay$band, level = lay$level,
    position = lay$position, nobs = 2^J, call = match.call()
  ), class = c("statlearn_wavelet_smooth", "statlearn_model"))
}

#' @export
print.statlearn_wavelet_smooth <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  p <- NCOL(x$y)
  how <- switch(x$threshold, sure = "SURE, level by level", universal = "universal, sigma sqrt(2 log N)",
                hybrid = "SureShrink hybrid, level by level", given = "given")
  cat(sprintf("Wavelet smoothing (%s, %s thresholding, threshold %s): %s of length %d\n", x$wavelet,
              x$rule, how, if (p == 1L) "1 signal" else sprintf("%d signals", p), x$n))
  cat(sprintf("Detail levels W%d-W%d thresholded, V%d kept; sigma %s (%s)\n", x$coarsest, x$J - 1L,
              x$coarsest, paste(format(signif(utils::head(x$sigma, 3L), digits)), collapse = ", "),
              if (x$sigma_estimated) "MAD of the finest details / 0.6745" else "given"))
  ndetail <- x$n - 2^x$coarsest
  cat(sprintf("Non-zero detail coefficients: %s of %d\n",
              paste(utils::head(x$nonzero, 3L), collapse = ", "), ndetail))
  thr <- as.matrix(x$thresholds)[, 1L]
  cat(sprintf("Thresholds%s:\n", if (p > 1L) " (first signal)" else ""))
  print(signif(thr, digits))
  invisible(x)
}

#' @rdname wavelet_smooth
#' @param object A `wavelet_smooth()` fit.
#' @param type For `coef()`: `"thresholded"` or `"raw"` coefficients.
#' @export
coef.statlearn_wavelet_smooth <- function(object, type = c("thresholded", "raw"), ...) {
  check_dots(..., fun = "coef")
  type <- check_choice(type, c("thresholded", "raw"), "type")
  if (type == "raw") object$raw_coefficients else object$coefficients
}

#' @export
fitted.statlearn_wavelet_smooth <- function(object, ...) object$fitted.values

#' @export
residuals.statlearn_wavelet_smooth <- function(object, ...) object$residuals

#' @rdname wavelet_smooth
#' @param x A `wavelet_smooth()` fit.
#' @param which For `plot()`: `"fit"` (the data and the fitted curve) or
#'   `"coefficients"` (the coefficients by level before and after
#'   thresholding, side by side, on one scale, as in ESL Figure 5.17).
#' @param column For `plot()`: which signal to show (for a matrix `y`).
#' @details `plot()` draws the data (grey points) and the fit against the
#'   sample index, or the coefficients before and after thresholding.
#' @export
plot.statlearn_wavelet_smooth <- function(x, which = c("fit", "coefficients"), ..., column = 1) {
  which <- check_choice(which, c("fit", "coefficients"), "which")
  y <- as.matrix(x$y)
  column <- check_count(column, "column", lower = 1, upper = ncol(y))
  if (which == "fit") {
    args <- list(x = seq_len(x$n), y = y[, column], pch = 20, cex = 0.4, col = "grey55", xlab = "Position",
                 ylab = "y", main = sprintf("Wavelet smoothing (%s, %s)", x$wavelet, x$threshold))
    extra <- list(...)
    args[names(extra)] <- extra
    do.call(graphics::plot, args)
    graphics::lines(seq_len(x$n), as.matrix(x$fitted.values)[, column], col = "firebrick", lwd = 1.5)
  } else {
    raw <- as.matrix(x$raw_coefficients)[, column]
    shrunk <- as.matrix(x$coefficients)[, column]
    op <- graphics::par(mfrow = c(1, 2), mar = c(4, 3.5, 2.5, 0.5))
    on.exit(graphics::par(op))
    sc <- wavelet_spike_plot(raw, x$band, x$position, x$n, main = "Data", ...)
    wavelet_spike_plot(shrunk, x$band, x$position, x$n, main = "Thresholded", scale_to = sc, ...)
  }
  invisible(x)
}
