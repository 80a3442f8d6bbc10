# Shared pieces of the package's base-graphics plots: curve labels that never
# overprint, axis names in the book's words, thinned error bars, class colours.

# The book's names for a path's axes.
axis_title <- function(xvar, log_lambda = FALSE) {
  switch(xvar,
         lambda = if (log_lambda) expression(log(lambda)) else expression(lambda),
         s = "Shrinkage factor s",
         df = "Degrees of freedom",
         norm = "L1 norm",
         l1_norm = "L1 norm",
         arc_length = "L1 arc length",
         size = "Subset size k",
         ncomp = "Number of directions",
         step = "Step",
         xvar)
}

# Vertical positions for labels at `y` that keep at least `gap` between
# neighbours and stay inside [lo, hi]: push apart upwards, then downwards from
# the top, then centre each run of pushed labels on the curves it names.
spread_labels <- function(y, gap, lo = -Inf, hi = Inf) {
  n <- length(y)
  if (n < 2L) return(pmin(pmax(y, lo), hi))
  ord <- order(y)
  z <- pmin(pmax(y[ord], lo), hi)
  # If the labels cannot fit between lo and hi, shrink the gap so they do.
  if (is.finite(hi - lo) && (n - 1) * gap > hi - lo) gap <- (hi - lo) / (n - 1)
  for (pass in 1:3) {
    for (i in 2:n) z[i] <- max(z[i], z[i - 1L] + gap)
    if (z[n] > hi) {
      z[n] <- hi
      for (i in (n - 1L):1) z[i] <- min(z[i], z[i + 1L] - gap)
    }
    if (z[1L] < lo) {
      z[1L] <- lo
      for (i in 2:n) z[i] <- max(z[i], z[i - 1L] + gap)
    }
  }
  out <- numeric(n)
  out[ord] <- z
  out
}

# Labels at one end of a set of curves, in the margin that plot_curves() left
# free: spread apart, with a short leader line when a label had to move.
label_curve_ends <- function(x_end, y_end, labels, col, side = c("right", "left"), cex = 0.7) {
  side <- match.arg(side)
  usr <- graphics::par("usr")
  gap <- 1.15 * graphics::strheight("Mg", cex = cex)
  ylab <- spread_labels(y_end, gap, usr[3L] + gap / 2, usr[4L] - gap / 2)
  dx <- 0.012 * diff(usr[1:2])
  xl <- if (side == "right") x_end + dx else x_end - dx
  moved <- abs(ylab - y_end) > gap / 4
  if (any(moved)) {
    graphics::segments(x_end, y_end[moved], xl, ylab[moved], col = col[moved], lwd = 0.7)
  }
  graphics::text(xl, ylab, labels, col = col, cex = cex, adj = c(if (side == "right") 0 else 1, 0.5))
}

# The x limits that leave room, on one side, for labels of the given width.
limits_with_label_room <- function(xr, labels, side, cex = 0.7) {
  if (!length(labels)) return(xr)
  w <- max(graphics::strwidth(labels, units = "inches", cex = cex)) + 0.15
  pin <- graphics::par("pin")[1L]
  f <- min(0.45, w / pin)
  extra <- diff(xr) * f / (1 - f)
  if (side == "right") c(xr[1L], xr[2L] + extra) else c(xr[1L] - extra, xr[2L])
}

# Which error bars to draw when they would overplot: along x, keep a bar only
# when it is at least 1/max_bars of the range from the last one kept; the
# marked points are always kept.
thin_indices <- function(x, keep = integer(), max_bars = 30L) {
  ord <- order(x)
  gap <- diff(range(x, finite = TRUE)) / max_bars
  kept <- logical(length(x))
  last <- -Inf
  for (i in ord) {
    if (is.finite(x[i]) && x[i] - last >= gap) {
      kept[i] <- TRUE
      last <- x[i]
    }
  }
  kept[keep] <- TRUE
  which(kept)
}

# Text beside a vertical line at x, at the top of the plot, on the side with
# more room.
label_vertical <- function(x, labels, cex = 0.7, col = "grey25") {
  usr <- graphics::par("usr")
  right <- x < usr[1L] + 0.85 * diff(usr[1:2])
  for (i in seq_along(x)) {
    graphics::text(x[i], usr[4L] - 0.03 * diff(usr[3:4]), labels[i], pos = if (right[i]) 4 else 2,
                   offset = 0.25, cex = cex, col = col)
  }
}

# One colour per class, readable on white (the book's palette is similar).
class_colours <- function(k) {
  if (k <= 8L) c("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#999999", "#000000")[seq_len(k)]
  else if (k <= 12L) c("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#B8860B", "#B07AA1",
                       "#FF9DA7", "#9C755F", "#000000", "#17BECF", "#7F3C8D")[seq_len(k)]
  else if (k <= 36L) unname(grDevices::palette.colors(k + 1L, "Polychrome 36")[-2L])  # not the near-white
  else grDevices::hcl.colors(k, "Dark 3")
}

# The corner of the current plot whose quarter-width, third-height box holds
# the fewest points of the curves (x along, Y one column per curve), for a
# legend that hides as little as possible.
emptiest_corner <- function(x, Y) {
  usr <- graphics::par("usr")
  if (graphics::par("xlog")) usr[1:2] <- 10^usr[1:2]
  # Densify each curve so long straight pieces count too.
  xx <- stats::approx(x, n = 200L)$y
  yy <- apply(as.matrix(Y), 2L, function(col) stats::approx(x, col, xout = xx)$y)
  wx <- 0.3 * diff(usr[1:2])
  wy <- 0.35 * diff(usr[3:4])
  count <- c(
    topleft = sum(xx < usr[1L] + wx & yy > usr[4L] - wy, na.rm = TRUE),
    topright = sum(xx > usr[2L] - wx & yy > usr[4L] - wy, na.rm = TRUE),
    bottomleft = sum(xx < usr[1L] + wx & yy < usr[3L] + wy, na.rm = TRUE),
    bottomright = sum(xx > usr[2L] - wx & yy < usr[3L] + wy, na.rm = TRUE)
  )
  names(count)[which.min(count)]
}
