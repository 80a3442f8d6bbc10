# The simulated settings of ESL section 7.3.1 shared by the chapter-7 scripts
# (sourced by data-raw/esl-07-bias-variance.R and data-raw/esl-07-selection.R):
# N = 80 observations, 20 inputs uniform on [0, 1]^20, no noise. k-NN:
# Y = 1 if X1 > 1/2, else 0. Linear model: Y = 1 if X1 + ... + X10 > 5, else 0.
N <- 80
p <- 20
truth <- list(knn = function(x) as.numeric(x[, 1] > 0.5),
              linear = function(x) as.numeric(rowSums(x[, 1:10]) > 5))
# Each method's path of predictions at x0: k = 1, ..., 50 neighbours, or the
# best subsets of size 1, ..., 20 (least squares on the 0/1 response).
path_predict <- list(
  knn = function(x, y, x0) predict(nearest_neighbors(x, y, k = 1:50), x0),
  linear = function(x, y, x0) predict(best_subset(x, y), x0, size = 1:20)
)
