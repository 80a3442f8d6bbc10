# Issue 12: k-means, n = 2e5, p = 20, k = 10, statlearn::k_means() against
# stats::kmeans() (Hartigan-Wong, R's default) from the same starting centres,
# same data, same process. Run from the package root after installing:
# Rscript bench/esl-13-kmeans.R
library(statlearn)
options(warn = -1)  # slow random starts make both sides warn (see RESULTS.md); the table gives the WSS
stopifnot(requireNamespace("bench"))
set.seed(2026)
n <- 2e5; p <- 20; k <- 10
means <- matrix(rnorm(k * p, sd = 2), k)
x <- means[sample(k, n, TRUE), ] + matrix(rnorm(n * p), n)
threads <- statlearn_threads()
# Three starts of k random points (as stats::kmeans draws them) and two
# k-means++ starts (Arthur and Vassilvitskii, written out here so that both
# sides get the very same centres).
plus_plus <- function(x, k) {
  centres <- x[sample(nrow(x), 1), , drop = FALSE]
  d2 <- colSums((t(x) - centres[1, ])^2)
  while (nrow(centres) < k) {
    i <- sample(nrow(x), 1, prob = d2)
    centres <- rbind(centres, x[i, ])
    d2 <- pmin(d2, colSums((t(x) - x[i, ])^2))
  }
  centres
}
starts <- c(lapply(1:3, function(s) x[sample(n, k), ]), lapply(1:2, function(s) plus_plus(x, k)))
start_kind <- c(rep("random points", 3), rep("k-means++", 2))
rows <- list()
for (s in seq_along(starts)) {
  st <- starts[[s]]
  res <- bench::mark(
    hamerly = k_means(x, st, algorithm = "hamerly", threads = threads),
    hartigan_wong = k_means(x, st, algorithm = "hartigan_wong", threads = threads),
    lloyd = k_means(x, st, algorithm = "lloyd", threads = threads),
    stats_hw = stats::kmeans(x, st, iter.max = 100),
    stats_lloyd = stats::kmeans(x, st, iter.max = 100, algorithm = "Lloyd"),
    iterations = 3, check = FALSE, filter_gc = FALSE
  )
  wss <- c(k_means(x, st, algorithm = "hamerly", threads = threads)$tot_withinss,
           k_means(x, st, algorithm = "hartigan_wong", threads = threads)$tot_withinss,
           k_means(x, st, algorithm = "lloyd", threads = threads)$tot_withinss,
           stats::kmeans(x, st, iter.max = 100)$tot.withinss,
           stats::kmeans(x, st, iter.max = 100, algorithm = "Lloyd")$tot.withinss)
  rows[[s]] <- data.frame(start = s, kind = start_kind[s], method = as.character(res$expression),
                          median_s = as.numeric(res$median), wss = wss)
}
tab <- do.call(rbind, rows)
tab$ratio_to_hw <- tab$median_s / tab$median_s[tab$method == "stats_hw"][tab$start]
tab$wss_rel_hw <- tab$wss / tab$wss[tab$method == "stats_hw"][tab$start] - 1
print(tab, digits = 4, row.names = FALSE)
cat(sprintf("threads = %d; target: k_means at most 0.3 x stats::kmeans (Hartigan-Wong) at equal or lower WSS\n",
            threads))
