# ESL 9.3: PRIM, the patient rule induction method (bump hunting; Friedman
# and Fisher 1999). Boxes are peeled from the data one face at a time, pasted
# back, chosen along their peeling trajectory by cross-validation, and their
# observations removed before the next box is found. Plain vectorised R: each
# peel is a few column sums over the box's observations.

#' PRIM: bump hunting by patient rule induction
#'
#' Finds boxes (products of intervals for numeric inputs and level sets for
#' factors) in which the mean of the response is large (or small), by the
#' patient rule induction method of ESL section 9.3 (Algorithm 9.3):
#'
#' 1. *Peeling*. Starting from a box around all the remaining data, each step
#'    considers removing, for each numeric input, the observations below its
#'    lower `peel_alpha` quantile or above its upper one (quantiles of the
#'    observations in the box, `stats::quantile(type = 8)`; the box keeps
#'    `x >= q` or `x <= q`), and for each factor the observations of one of
#'    its levels; the peel whose remaining box has the largest mean is taken
#'    (ties: the larger remaining box, then the first input, its lower face
#'    first). Peeling stops
#'    when the best peel would leave fewer than `min_support` observations.
#' 2. *Choice along the trajectory*. The boxes of the peeling sequence (box
#'    mean against support, ESL Figure 9.8) are scored by K-fold
#'    cross-validation: each fold's peeling trajectory on the other folds is
#'    evaluated on the held-out fold at the same support (the fold's box whose
#'    support fraction is nearest), giving the cross-validated box mean and
#'    its standard error (of the pooled held-out responses in the boxes).
#'    `cv_rule = "one_se"` chooses the largest box whose cross-validated mean
#'    is within one standard error of the largest, `"max"` the box with the
#'    largest (the largest box on ties): boxes inside a bump have the same
#'    expected mean, and the maximum alone tends to pick small boxes whose
#'    mean is high by chance. With `folds = NULL` the last (smallest) box is
#'    chosen.
#' 3. *Pasting*. The chosen box is expanded along any face while the mean
#'    increases: for a numeric input by the `paste_alpha` fraction (at least
#'    one) of the box's count of the nearest outside observations, for a
#'    factor by one removed level.
#' 4. The observations in the box are removed and steps 1-3 repeated on the
#'    rest, up to `max_boxes` boxes. A box is kept only if its mean exceeds
#'    the mean of the data it was found in (and reaches `threshold` when one
#'    is given); the search stops at the first that does not.
#'
#' The `prim` package's `prim.box()` peels numeric inputs the same way (the
#' same quantiles and faces), so without pasting its first box is this one
#' when the box means have no ties; it breaks ties by box volume, pastes by a
#' fraction of each input's range, has no cross-validated choice (it peels to
#' `mass.min`) and takes no factors.
#'
#' `direction = "min"` hunts for small means (PRIM on `-y`). A two-class
#' response (factor or logical) is coded 1 for its second level (`TRUE`), so
#' box means are proportions of that class.
#'
#' @param x A data frame (numeric and factor columns) or a numeric matrix.
#' @param y A numeric response, or a two-class factor or logical one.
#' @param peel_alpha Fraction of a box's observations peeled in one step
#'   (ESL uses 0.05 or 0.10).
#' @param paste_alpha Fraction of a box's count added by one pasting step;
#'   0 turns pasting off.
#' @param min_support Smallest box: a count (>= 1), or a fraction of n
#'   (< 1). By default 10 observations.
#' @param max_boxes Largest number of boxes.
#' @param threshold `NULL`, or the smallest box mean (largest for
#'   `direction = "min"`) for a box to be kept.
#' @param direction `"max"` (bumps) or `"min"` (dips).
#' @param folds Number of cross-validation folds for the choice along the
#'   peeling trajectory; `NULL` takes the last box.
#' @param cv_rule `"one_se"` or `"max"`: how the cross-validated means choose
#'   the box (see Description).
#' @inheritParams statlearn-params
#' @return An object of class `c("statlearn_prim", "statlearn_model")`:
#'   `boxes` (a list; each with `lower`, `upper` (numeric inputs, `-Inf`/`Inf`
#'   for faces not peeled), `levels` (factors), `mean`, `support` (count),
#'   `fraction` (of n), `trajectory` (a data frame of the peeling sequence:
#'   `step`, `support`, `mean`, `cv_mean`, `cv_se`, `variable`, `face`), `path` (the
#'   box at each step), `chosen` (the step chosen), `pasted` (the number of
#'   pasting steps)), `rest_mean` (mean of the observations in no box),
#'   `box` (each training observation's box, 0 for none), and the settings.
#' @references Hastie, Tibshirani and Friedman (2009), section 9.3.
#'   Friedman and Fisher (1999), Bump hunting in high-dimensional data,
#'   Statistics and Computing 9, 123-143.
#' @family chapter 9
#' @export
#' @examples
#' set.seed(1)
#' x <- data.frame(x1 = runif(200), x2 = runif(200))
#' y <- as.numeric(x$x1 > 0.5 & x$x1 < 0.8 & x$x2 > 0.4 & x$x2 < 0.6)
#' fit <- prim(x, y, max_boxes = 1, seed = 1)
#' fit
#' table(predict(fit, x), y)
prim <- function(x, ...) UseMethod("prim")

#' @rdname prim
#' @export
prim.default <- function(x, y, peel_alpha = 0.1, paste_alpha = 0.01, min_support = 10, max_boxes = 5,
                         threshold = NULL, direction = c("max", "min"), folds = 5, cv_rule = c("one_se", "max"),
                         seed = NULL, ...) {
  check_dots(..., fun = "prim")
  fit <- fit_prim(x, y, peel_alpha, paste_alpha, min_support, max_boxes, threshold, direction, folds, seed,
                  cv_rule)
  fit$call <- match.call()
  fit
}

#' @rdname prim
#' @export
prim.formula <- function(formula, data, subset, weights, na.action, peel_alpha = 0.1, paste_alpha = 0.01,
                         min_support = 10, max_boxes = 5, threshold = NULL, direction = c("max", "min"),
                         folds = 5, cv_rule = c("one_se", "max"), seed = NULL, ...) {
  check_dots(..., fun = "prim")
  call <- match.call()
  if (!missing(weights)) {
    abort_input("weights", "absent (PRIM's box means are unweighted)", "weights",
                class = "statlearn_error_unsupported")
  }
  mf <- formula_model_frame(call, parent.frame())
  tt <- attr(mf, "terms")
  y <- stats::model.response(mf)
  if (is.null(y)) abort_input("formula", "a response on its left-hand side", "none", class = "statlearn_error_formula")
  x <- as.data.frame(mf[-1L], optional = TRUE)
  fit <- fit_prim(x, y, peel_alpha, paste_alpha, min_support, max_boxes, threshold, direction, folds, seed,
                  cv_rule)
  fit$terms <- tt
  fit$xlevels <- stats::.getXlevels(tt, mf)
  fit$call <- call
  fit
}

# Inputs as a numeric matrix and a matrix of factor codes.
prim_inputs <- function(x, arg = "x") {
  if (is.matrix(x)) x <- as.data.frame(x)
  if (!is.data.frame(x) || ncol(x) == 0L) {
    abort_input(arg, "a data frame or matrix with at least one column", describe(x), class = "statlearn_error_type")
  }
  if (is.null(names(x)) || any(!nzchar(names(x)))) names(x) <- paste0("x", seq_len(ncol(x)))
  for (v in names(x)) {
    if (is.character(x[[v]]) || is.logical(x[[v]])) x[[v]] <- factor(x[[v]])
    if (!(is.numeric(x[[v]]) || is.factor(x[[v]])) || !is.null(dim(x[[v]]))) {
      abort_input(arg, "numeric or factor columns", sprintf("column `%s`: %s", v, describe(x[[v]])),
                  class = "statlearn_error_type")
    }
  }
  x
}

prim_matrices <- function(x, num, fac, levels = NULL) {
  n <- nrow(x)
  XN <- matrix(0, n, length(num), dimnames = list(NULL, num))
  for (v in num) XN[, v] <- as.double(x[[v]])
  XF <- matrix(0L, n, length(fac), dimnames = list(NULL, fac))
  for (v in fac) {
    lev <- if (is.null(levels)) levels(x[[v]]) else levels[[v]]
    XF[, v] <- match(as.character(x[[v]]), lev)
  }
  list(XN = XN, XF = XF)
}

fit_prim <- function(x, y, peel_alpha, paste_alpha, min_support, max_boxes, threshold, direction, folds, seed,
                     cv_rule = "one_se") {
  cv_rule <- check_choice(cv_rule, c("one_se", "max"), "cv_rule")
  x <- prim_inputs(x)
  n <- nrow(x)
  if (n < 2L) abort_input("x", "at least two rows", describe(x), class = "statlearn_error_empty")
  if (is.matrix(y) && ncol(y) == 1L) y <- drop(y)
  positive <- NULL
  if (is.factor(y) || is.logical(y) || is.character(y)) {
    f <- as.factor(y)
    if (nlevels(droplevels(f)) != 2L) {
      abort_input("y", "a numeric response or a two-class factor", sprintf("%d classes", nlevels(droplevels(f))),
                  class = "statlearn_error_classes")
    }
    f <- droplevels(f)
    positive <- levels(f)[2L]
    y <- as.double(f == positive)
  }
  if (!is.numeric(y) || !is.null(dim(y))) abort_input("y", "a numeric vector", describe(y), class = "statlearn_error_type")
  if (length(y) != n) abort_input("y", sprintf("of length %d (the number of rows of x)", n),
                                  sprintf("length %d", length(y)), class = "statlearn_error_length")
  if (anyNA(y) || any(!is.finite(y))) abort_input("y", "finite values", "NA or infinite values",
                                                   class = "statlearn_error_nonfinite")
  y <- as.double(y)
  peel_alpha <- check_number(peel_alpha, "peel_alpha", lower = 0, upper = 0.5, lower_open = TRUE, upper_open = TRUE)
  paste_alpha <- check_number(paste_alpha, "paste_alpha", lower = 0, upper = 0.5, upper_open = TRUE)
  min_support <- check_number(min_support, "min_support", lower = 0, lower_open = TRUE)
  min_count <- if (min_support < 1) max(1, ceiling(min_support * n)) else {
    if (min_support != round(min_support)) {
      abort_input("min_support", "a whole count (>= 1) or a fraction in (0, 1)", format(min_support),
                  class = "statlearn_error_range")
    }
    min_support
  }
  if (min_count > n) abort_input("min_support", sprintf("at most n = %d observations", n), format(min_support),
                                 class = "statlearn_error_range")
  max_boxes <- check_count(max_boxes, "max_boxes", lower = 1)
  direction <- check_choice(direction, c("max", "min"), "direction")
  sgn <- if (direction == "max") 1 else -1
  if (!is.null(threshold)) threshold <- check_number(threshold, "threshold")
  if (!is.null(folds)) folds <- check_count(folds, "folds", lower = 2, upper = n)
  seed <- resolve_seed(seed)
  num <- names(x)[vapply(x, is.numeric, TRUE)]
  fac <- names(x)[vapply(x, is.factor, TRUE)]
  for (v in num) {
    if (any(!is.finite(x[[v]]))) abort_input("x", "finite numeric values", sprintf("NA or infinite values in `%s`", v),
                                             class = "statlearn_error_nonfinite")
  }
  for (v in fac) {
    if (anyNA(x[[v]])) abort_input("x", "factors without NA", sprintf("NA in `%s`", v), class = "statlearn_error_nonfinite")
  }
  levels <- lapply(stats::setNames(fac, fac), function(v) levels(x[[v]]))
  mats <- prim_matrices(x, num, fac, levels)
  XN <- mats$XN
  XF <- mats$XF
  z <- sgn * y
  remaining <- seq_len(n)
  boxes <- list()
  box_of <- integer(n)
  with_seed(seed, {
    for (b in seq_len(max_boxes)) {
      if (length(remaining) < max(2, min_count)) break
      rows <- remaining
      traj <- prim_peel(XN[rows, , drop = FALSE], XF[rows, , drop = FALSE], z[rows], peel_alpha, min_count, levels)
      chosen <- length(traj$path)
      cv_mean <- rep(NA_real_, chosen)
      cv_se <- rep(NA_real_, chosen)
      if (!is.null(folds) && length(rows) >= 2L * folds) {
        foldid <- draw_fold_ids(length(rows), folds)
        cv <- prim_cv(XN[rows, , drop = FALSE], XF[rows, , drop = FALSE], z[rows], traj, foldid,
                      peel_alpha, min_count, levels)
        cv_mean <- cv$mean
        cv_se <- cv$se
        top <- which.max(cv_mean)
        cut <- cv_mean[top] - if (cv_rule == "one_se" && is.finite(cv$se[top])) cv$se[top] else 0
        chosen <- which(cv_mean >= cut - 1e-12 * max(1, abs(cut)))[1L]
      }
      box <- traj$path[[chosen]]
      inside <- prim_in_box(box, XN[rows, , drop = FALSE], XF[rows, , drop = FALSE])
      pasted <- 0L
      if (paste_alpha > 0) {
        pst <- prim_paste(box, inside, XN[rows, , drop = FALSE], XF[rows, , drop = FALSE], z[rows], paste_alpha,
                          levels)
        box <- pst$box
        inside <- pst$inside
        pasted <- pst$steps
      }
      m <- mean(z[rows][inside])
      keep <- m > mean(z[rows]) + 1e-12 * max(1, abs(m)) && sum(inside) < length(rows) &&
        (is.null(threshold) || sgn * m >= sgn * threshold)
      if (!keep) break
      trajectory <- data.frame(step = seq_along(traj$path) - 1L, support = traj$support,
                               mean = sgn * traj$mean, cv_mean = sgn * cv_mean, cv_se = cv_se,
                               variable = traj$variable, face = traj$face, stringsAsFactors = FALSE)
      members <- rows[inside]
      box_of[members] <- length(boxes) + 1L
      boxes[[length(boxes) + 1L]] <- c(box, list(mean = sgn * m, support = length(members),
                                               fraction = length(members) / n, trajectory = trajectory,
                                               path = traj$path, chosen = chosen - 1L, pasted = pasted,
                                               available = length(rows)))
      remaining <- setdiff(remaining, members)
    }
  })
  rest <- box_of == 0L
  structure(list(boxes = boxes, rest_mean = if (any(rest)) mean(y[rest]) else NA_real_,
                 rest_support = sum(rest), box = box_of, n = n, mean = mean(y), numeric_inputs = num,
                 factor_inputs = fac, inputs = names(x), levels = levels, positive = positive,
                 peel_alpha = peel_alpha, paste_alpha = paste_alpha, min_support = min_count,
                 max_boxes = max_boxes, threshold = threshold, direction = direction, folds = folds,
                 cv_rule = cv_rule, seed = seed),
            class = c("statlearn_prim", "statlearn_model"))
}

prim_full_box <- function(XN, levels) {
  list(lower = stats::setNames(rep(-Inf, ncol(XN)), colnames(XN)),
       upper = stats::setNames(rep(Inf, ncol(XN)), colnames(XN)),
       levels = levels)
}

prim_in_box <- function(box, XN, XF) {
  inside <- rep(TRUE, max(nrow(XN), nrow(XF)))
  for (j in seq_len(ncol(XN))) {
    if (is.finite(box$lower[j])) inside <- inside & XN[, j] >= box$lower[j]
    if (is.finite(box$upper[j])) inside <- inside & XN[, j] <= box$upper[j]
  }
  for (j in seq_len(ncol(XF))) {
    v <- colnames(XF)[j]
    allowed <- match(box$levels[[v]], box$all_levels[[v]])
    inside <- inside & XF[, j] %in% allowed
  }
  inside
}

# The peeling sequence on data (XN, XF, z): boxes, supports, means and the
# face peeled at each step (step 0 is the whole data).
prim_peel <- function(XN, XF, z, alpha, min_count, levels) {
  box <- prim_full_box(XN, levels)
  box$all_levels <- levels
  inside <- rep(TRUE, length(z))
  path <- list(box)
  support <- length(z)
  means <- mean(z)
  variable <- NA_character_
  face <- NA_character_
  repeat {
    idx <- which(inside)
    m <- length(idx)
    if (m < 2L) break
    zb <- z[idx]
    cand_mean <- numeric(0)
    cand_count <- numeric(0)
    cand <- list()
    if (ncol(XN)) {
      Xb <- XN[idx, , drop = FALSE]
      q <- column_quantiles8(Xb, c(alpha, 1 - alpha))
      qlo <- q[1L, ]
      qhi <- q[2L, ]
      klo <- Xb >= rep(qlo, each = m)
      khi <- Xb <= rep(qhi, each = m)
      clo <- colSums(klo)
      chi <- colSums(khi)
      cand_mean <- c(colSums(klo * zb) / clo, colSums(khi * zb) / chi)
      cand_count <- c(clo, chi)
      cand <- c(lapply(seq_len(ncol(XN)), function(j) list(type = "lower", j = j, value = qlo[j])),
                lapply(seq_len(ncol(XN)), function(j) list(type = "upper", j = j, value = qhi[j])))
      # candidates in input order, lower face before upper (ties go to the first)
      ord <- as.vector(rbind(seq_len(ncol(XN)), ncol(XN) + seq_len(ncol(XN))))
      cand_mean <- cand_mean[ord]
      cand_count <- cand_count[ord]
      cand <- cand[ord]
    }
    for (j in seq_len(ncol(XF))) {
      v <- colnames(XF)[j]
      codes <- XF[idx, j]
      present <- sort(unique(codes))
      if (length(present) < 2L) next
      s <- rowsum(zb, codes, reorder = TRUE)[, 1L]
      cnt <- tabulate(codes, nbins = length(levels[[v]]))[present]
      cand_mean <- c(cand_mean, (sum(zb) - s) / (m - cnt))
      cand_count <- c(cand_count, m - cnt)
      cand <- c(cand, lapply(present, function(l) list(type = "level", j = j, value = l)))
    }
    ok <- cand_count < m & cand_count > 0
    if (!any(ok)) break
    cand_mean[!ok] <- -Inf
    best <- max(cand_mean)
    tied <- which(cand_mean >= best - 1e-12 * max(1, abs(best)) & ok)
    k <- tied[which.max(cand_count[tied])]
    if (cand_count[k] < min_count) break
    cd <- cand[[k]]
    if (cd$type == "lower") {
      box$lower[cd$j] <- cd$value
      inside[idx] <- XN[idx, cd$j] >= cd$value
      variable <- c(variable, colnames(XN)[cd$j])
    } else if (cd$type == "upper") {
      box$upper[cd$j] <- cd$value
      inside[idx] <- XN[idx, cd$j] <= cd$value
      variable <- c(variable, colnames(XN)[cd$j])
    } else {
      v <- colnames(XF)[cd$j]
      box$levels[[v]] <- setdiff(box$levels[[v]], levels[[v]][cd$value])
      inside[idx] <- XF[idx, cd$j] != cd$value
      variable <- c(variable, v)
    }
    face <- c(face, if (cd$type == "level") sprintf("level %s", levels[[colnames(XF)[cd$j]]][cd$value]) else cd$type)
    path[[length(path) + 1L]] <- box
    support <- c(support, sum(inside))
    means <- c(means, mean(z[inside]))
  }
  list(path = path, support = support, mean = means, variable = variable, face = face)
}

# Type-8 quantiles (Hyndman and Fan; the arithmetic of stats::quantile(type =
# 8), so the same numbers) of every column of X at probabilities `probs`: a
# probs x columns matrix, from one sort of all the columns at once.
column_quantiles8 <- function(X, probs) {
  n <- nrow(X)
  p <- ncol(X)
  S <- matrix(X[order(col(X), X, method = "radix")], n, p)
  fuzz <- 4 * .Machine$double.eps
  out <- matrix(0, length(probs), p)
  for (k in seq_along(probs)) {
    nppm <- 1 / 3 + probs[k] * (n + 1 - 1 / 3 - 1 / 3)
    j <- floor(nppm + fuzz)
    h <- nppm - j
    if (abs(h) < fuzz) h <- 0
    lo <- S[max(1L, min(n, j)), ]
    hi <- S[max(1L, min(n, j + 1L)), ]
    qs <- if (h == 1) hi else lo
    other <- 0 < h & h < 1 & lo != hi
    qs[other] <- ((1 - h) * lo + h * hi)[other]
    out[k, ] <- qs
  }
  out
}

# Cross-validated mean of each box of the trajectory: for each fold, the
# peeling of the other folds, its box at the nearest support fraction
# evaluated on the held-out fold.
prim_cv <- function(XN, XF, z, traj, foldid, alpha, min_count, levels) {
  n <- length(z)
  frac <- traj$support / n
  K <- max(foldid)
  sums <- numeric(length(frac))
  sumsq <- numeric(length(frac))
  counts <- numeric(length(frac))
  for (k in seq_len(K)) {
    tr <- foldid != k
    te <- !tr
    ft <- prim_peel(XN[tr, , drop = FALSE], XF[tr, , drop = FALSE], z[tr], alpha,
                    max(1, round(min_count * sum(tr) / n)), levels)
    ffrac <- ft$support / sum(tr)
    for (t in seq_along(frac)) {
      s <- which.min(abs(ffrac - frac[t]))
      inb <- prim_in_box(ft$path[[s]], XN[te, , drop = FALSE], XF[te, , drop = FALSE])
      sums[t] <- sums[t] + sum(z[te][inb])
      sumsq[t] <- sumsq[t] + sum(z[te][inb]^2)
      counts[t] <- counts[t] + sum(inb)
    }
  }
  m <- ifelse(counts > 0, sums / pmax(counts, 1), NA_real_)
  v <- ifelse(counts > 1, (sumsq - counts * m^2) / pmax(counts - 1, 1), NA_real_)
  list(mean = m, se = sqrt(pmax(v, 0) / pmax(counts, 1)))
}

# Pasting: widen a face of the box while the mean increases.
prim_paste <- function(box, inside, XN, XF, z, alpha, levels) {
  steps <- 0L
  repeat {
    m <- sum(inside)
    cur <- mean(z[inside])
    best <- list(mean = cur, count = m)
    k_add <- max(1L, ceiling(alpha * m))
    for (j in seq_len(ncol(XN))) {
      others <- box
      others$lower[j] <- -Inf
      others$upper[j] <- Inf
      slab <- prim_in_box(others, XN, XF)
      for (fc in c("lower", "upper")) {
        out <- which(slab & !inside & (if (fc == "lower") XN[, j] < box$lower[j] else XN[, j] > box$upper[j]))
        if (!length(out)) next
        v <- XN[out, j]
        edge <- if (fc == "lower") sort(v, decreasing = TRUE)[min(k_add, length(v))] else sort(v)[min(k_add, length(v))]
        add <- out[if (fc == "lower") v >= edge else v <= edge]
        newin <- inside
        newin[add] <- TRUE
        mm <- mean(z[newin])
        if (mm > best$mean + 1e-12 * max(1, abs(mm))) {
          nb <- box
          if (fc == "lower") nb$lower[j] <- edge else nb$upper[j] <- edge
          best <- list(mean = mm, count = sum(newin), box = nb, inside = newin)
        }
      }
    }
    for (j in seq_len(ncol(XF))) {
      v <- colnames(XF)[j]
      gone <- setdiff(levels[[v]], box$levels[[v]])
      for (l in gone) {
        nb <- box
        nb$levels[[v]] <- levels[[v]][levels[[v]] %in% c(box$levels[[v]], l)]
        newin <- prim_in_box(nb, XN, XF)
        if (sum(newin) == m) next
        mm <- mean(z[newin])
        if (mm > best$mean + 1e-12 * max(1, abs(mm))) best <- list(mean = mm, count = sum(newin), box = nb, inside = newin)
      }
    }
    if (is.null(best$box)) break
    box <- best$box
    inside <- best$inside
    steps <- steps + 1L
  }
  list(box = box, inside = inside, steps = steps)
}

# Rules of a box as text.
prim_rules <- function(box, digits = 4L) {
  r <- character(0)
  for (v in names(box$lower)) {
    lo <- box$lower[[v]]
    hi <- box$upper[[v]]
    if (is.finite(lo) && is.finite(hi)) r <- c(r, sprintf("%s <= %s <= %s", format(lo, digits = digits), v,
                                                         format(hi, digits = digits)))
    else if (is.finite(lo)) r <- c(r, sprintf("%s >= %s", v, format(lo, digits = digits)))
    else if (is.finite(hi)) r <- c(r, sprintf("%s <= %s", v, format(hi, digits = digits)))
  }
  for (v in names(box$levels)) {
    if (length(box$levels[[v]]) < length(box$all_levels[[v]])) {
      r <- c(r, sprintf("%s in {%s}", v, paste(box$levels[[v]], collapse = ", ")))
    }
  }
  if (!length(r)) "(all remaining data)" else paste(r, collapse = " & ")
}

#' @export
print.statlearn_prim <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("PRIM (%s): %d box%s from %d observations; overall mean %s\n",
              if (x$direction == "max") "bumps" else "dips", length(x$boxes),
              if (length(x$boxes) == 1L) "" else "es", x$n, format(x$mean, digits = digits)))
  for (b in seq_along(x$boxes)) {
    bx <- x$boxes[[b]]
    cat(sprintf("Box %d: mean %s, support %d (%s)\n  %s\n", b, format(bx$mean, digits = digits), bx$support,
                format(bx$fraction, digits = digits), prim_rules(bx, digits)))
  }
  cat(sprintf("Outside the boxes: mean %s, support %d\n", format(x$rest_mean, digits = digits), x$rest_support))
  invisible(x)
}

#' @rdname prim
#' @param object A `prim()` fit.
#' @export
summary.statlearn_prim <- function(object, ...) {
  tab <- data.frame(box = c(as.character(seq_along(object$boxes)), "rest"),
                    mean = c(vapply(object$boxes, `[[`, 0, "mean"), object$rest_mean),
                    support = c(vapply(object$boxes, `[[`, 0, "support"), object$rest_support),
                    steps = c(vapply(object$boxes, `[[`, 0, "chosen"), NA),
                    pasted = c(vapply(object$boxes, `[[`, 0, "pasted"), NA),
                    rule = c(vapply(object$boxes, prim_rules, ""), "(none of the boxes)"),
                    stringsAsFactors = FALSE)
  tab$fraction <- tab$support / object$n
  structure(list(table = tab[, c("box", "mean", "support", "fraction", "steps", "pasted", "rule")],
                 n = object$n, direction = object$direction), class = "summary.statlearn_prim")
}

#' @export
print.summary.statlearn_prim <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("PRIM boxes (%s) on %d observations; steps = peels kept, pasted = pasting steps\n",
              if (x$direction == "max") "bumps" else "dips", x$n))
  print(format(x$table, digits = digits), row.names = FALSE, right = FALSE)
  invisible(x)
}

#' @rdname prim
#' @param newdata New inputs (a data frame or matrix with the training
#'   columns; a data frame for a formula fit).
#' @param type `"box"` (the number of the first box holding each
#'   observation, 0 for none) or `"mean"` (that box's mean, the mean outside
#'   the boxes for none).
#' @export
predict.statlearn_prim <- function(object, newdata, type = c("box", "mean"), ...) {
  check_dots(..., fun = "predict")
  type <- check_choice(type, c("box", "mean"), "type")
  if (missing(newdata) || is.null(newdata)) {
    abort_input("newdata", "the inputs to predict", "nothing", class = "statlearn_error_missing")
  }
  if (!is.null(object$terms)) {
    mf <- stats::model.frame(stats::delete.response(object$terms), as.data.frame(newdata),
                             na.action = stats::na.pass, xlev = object$xlevels)
    newdata <- as.data.frame(mf, optional = TRUE)
  }
  newdata <- prim_inputs(newdata, "newdata")
  miss <- setdiff(object$inputs, names(newdata))
  if (length(miss)) {
    abort_input("newdata", sprintf("the training columns (%s)", paste(object$inputs, collapse = ", ")),
                sprintf("no column %s", paste0("`", miss, "`", collapse = ", ")), class = "statlearn_error_missing")
  }
  for (v in object$factor_inputs) {
    unseen <- setdiff(unique(as.character(newdata[[v]])), object$levels[[v]])
    if (length(unseen)) {
      abort_input("newdata", sprintf("factor `%s` with the training levels", v),
                  sprintf("unseen level(s) %s", paste0('"', unseen, '"', collapse = ", ")),
                  class = "statlearn_error_level")
    }
  }
  mats <- prim_matrices(newdata, object$numeric_inputs, object$factor_inputs, object$levels)
  out <- integer(nrow(newdata))
  for (b in rev(seq_along(object$boxes))) {
    out[prim_in_box(object$boxes[[b]], mats$XN, mats$XF)] <- b
  }
  if (type == "box") return(out)
  means <- c(vapply(object$boxes, `[[`, 0, "mean"), object$rest_mean)
  means[ifelse(out == 0L, length(means), out)]
}

#' @rdname prim
#' @param box Which box's peeling trajectory to plot.
#' @export
plot.statlearn_prim <- function(x, box = 1, ...) {
  box <- check_count(box, "box", lower = 1, upper = max(1, length(x$boxes)))
  if (!length(x$boxes)) abort("The PRIM fit has no box to plot.", class = c("statlearn_error_empty", "statlearn_error_input"))
  bx <- x$boxes[[box]]
  tr <- bx$trajectory
  rng <- range(c(tr$mean, tr$cv_mean), na.rm = TRUE)
  graphics::plot(tr$support, tr$mean, type = "b", pch = 19, cex = 0.6, xlab = "Number of observations in box",
                 ylab = "Box mean", ylim = rng, main = sprintf("PRIM peeling trajectory, box %d", box), ...)
  if (any(!is.na(tr$cv_mean))) graphics::lines(tr$support, tr$cv_mean, type = "b", lty = 2, pch = 1, cex = 0.6)
  graphics::abline(v = tr$support[bx$chosen + 1L], col = "grey50", lty = 3)
  graphics::legend("topright", legend = c("training mean", if (any(!is.na(tr$cv_mean))) "cross-validated mean",
                                          "chosen box"),
                   lty = c(1, if (any(!is.na(tr$cv_mean))) 2, 3), pch = c(19, if (any(!is.na(tr$cv_mean))) 1, NA),
                   col = c("black", if (any(!is.na(tr$cv_mean))) "black", "grey50"), bty = "n")
  invisible(x)
}
