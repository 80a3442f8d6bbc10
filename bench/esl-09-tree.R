# ESL 9.2: classification tree on the spam training set (3065 x 57), grown to
# cp = 1e-4 without cross-validation: statlearn::decision_tree() vs
# rpart::rpart() (the same tree; see tests/testthat/test-decision-trees.R).
# Run: Rscript bench/esl-09-tree.R
library(statlearn)
library(rpart)
train <- spam[!spam$test, setdiff(names(spam), "test")]
x <- train[setdiff(names(train), "spam")]
y <- train$spam
res <- bench::mark(
  statlearn_1 = decision_tree(x, y, cp = 1e-4, xval = 0, threads = 1)$cptable,
  statlearn_2 = decision_tree(x, y, cp = 1e-4, xval = 0, threads = 2)$cptable,
  rpart = unname(rpart(spam ~ ., train, cp = 1e-4, xval = 0)$cptable),
  statlearn_formula_1 = decision_tree(spam ~ ., train, cp = 1e-4, xval = 0, threads = 1)$cptable,
  statlearn_formula_2 = decision_tree(spam ~ ., train, cp = 1e-4, xval = 0, threads = 2)$cptable,
  check = function(a, b) isTRUE(all.equal(unname(a), unname(b), tolerance = 1e-10)),
  min_iterations = 20, filter_gc = FALSE
)
print(res[, c("expression", "min", "median", "mem_alloc")])
med <- as.numeric(res$median)
cat(sprintf("time ratio statlearn/rpart: 1 thread %.2f, 2 threads %.2f (x/y); formula %.2f, %.2f\n",
            med[1] / med[3], med[2] / med[3], med[4] / med[3], med[5] / med[3]))
# with 10-fold cross-validation (folds run in parallel)
set.seed(1)
fid <- sample(rep(1:10, length.out = nrow(train)))
cv <- bench::mark(
  statlearn_2 = decision_tree(x, y, cp = 1e-3, xval = fid, threads = 2)$cptable,
  rpart = unname(rpart(spam ~ ., train, cp = 1e-3, xval = fid)$cptable),
  check = function(a, b) isTRUE(all.equal(unname(a), unname(b), tolerance = 1e-10)),
  min_iterations = 3, filter_gc = FALSE
)
print(cv[, c("expression", "min", "median", "mem_alloc")])
cat(sprintf("10-fold CV time ratio statlearn(2 threads)/rpart: %.2f\n",
            as.numeric(cv$median[1]) / as.numeric(cv$median[2])))
