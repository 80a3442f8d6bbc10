library(testthat)
library(statlearn)

test_check("statlearn")
