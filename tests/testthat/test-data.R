# The shipped ESL data sets: shapes, types and the facts the book relies on.

test_that("prostate has the book's 67/30 split and the corrected lweight", {
  expect_s3_class(prostate, "data.frame")
  expect_identical(dim(prostate), c(97L, 10L))
  expect_named(prostate, c("lcavol", "lweight", "age", "lbph", "svi", "lcp",
                           "gleason", "pgg45", "lpsa", "train"))
  expect_true(all(vapply(prostate[1:9], is.numeric, logical(1))))
  expect_type(prostate$train, "logical")
  expect_identical(sum(prostate$train), 67L)
  expect_identical(sum(!prostate$train), 30L)
  expect_identical(rownames(prostate), as.character(1:97))
  expect_equal(prostate$lweight[32], 3.804438, tolerance = 1e-6, info = "corrected obs 32")
  expect_false(anyNA(prostate))
})

test_that("SAheart has 160 cases and a two-level famhist", {
  expect_identical(dim(SAheart), c(462L, 10L))
  expect_identical(levels(SAheart$famhist), c("Absent", "Present"))
  expect_type(SAheart$chd, "integer")
  expect_setequal(unique(SAheart$chd), 0:1)
  expect_identical(sum(SAheart$chd), 160L)
  expect_false(anyNA(SAheart))
})

test_that("vowel has 11 classes, 48 per class in training and 42 in test", {
  expect_identical(dim(vowel_train), c(528L, 11L))
  expect_identical(dim(vowel_test), c(462L, 11L))
  expect_identical(names(vowel_train), c("y", paste0("x.", 1:10)))
  expect_identical(names(vowel_test), names(vowel_train))
  expect_identical(levels(vowel_train$y), as.character(1:11))
  expect_identical(levels(vowel_test$y), as.character(1:11))
  expect_true(all(table(vowel_train$y) == 48L))
  expect_true(all(table(vowel_test$y) == 42L))
  expect_true(all(vapply(vowel_train[-1], is.double, logical(1))))
  expect_false(anyNA(vowel_train))
  expect_false(anyNA(vowel_test))
})

test_that("zip has the documented sizes, class counts and pixel range", {
  expect_identical(dim(zip_train), c(7291L, 257L))
  expect_identical(dim(zip_test), c(2007L, 257L))
  expect_identical(names(zip_train), c("digit", paste0("p", 1:256)))
  expect_identical(names(zip_test), names(zip_train))
  expect_identical(levels(zip_train$digit), as.character(0:9))
  expect_identical(levels(zip_test$digit), as.character(0:9))
  expect_identical(as.vector(table(zip_train$digit)),
                   c(1194L, 1005L, 731L, 658L, 652L, 556L, 664L, 645L, 542L, 644L))
  expect_identical(as.vector(table(zip_test$digit)),
                   c(359L, 264L, 198L, 166L, 200L, 160L, 170L, 147L, 166L, 177L))
  for (d in list(zip_train, zip_test)) {
    px <- as.matrix(d[-1])
    expect_type(px, "double")
    expect_false(anyNA(px))
    expect_identical(range(px), c(-1, 1))
  }
})

test_that("spam has 1813 spam messages and 1536 test rows", {
  expect_identical(dim(spam), c(4601L, 59L))
  expect_identical(names(spam)[c(1, 48, 49, 54, 57, 58, 59)],
                   c("word_freq_make", "word_freq_conference", "char_freq_semicolon",
                     "char_freq_hash", "capital_run_length_total", "spam", "test"))
  expect_identical(make.names(names(spam), unique = TRUE), names(spam))
  expect_true(all(vapply(spam[1:57], is.numeric, logical(1))))
  expect_identical(levels(spam$spam), c("email", "spam"))
  expect_identical(sum(spam$spam == "spam"), 1813L)
  expect_type(spam$test, "logical")
  expect_identical(sum(spam$test), 1536L)
  expect_false(anyNA(spam))
  # Two attribute means from the UCI documentation pin the column order.
  expect_equal(mean(spam$word_freq_you), 1.6621, tolerance = 1e-4)
  expect_equal(mean(spam$capital_run_length_total), 283.29, tolerance = 1e-4)
})

test_that("mixture holds the ESL components and a Bayes error of 0.210", {
  expect_type(mixture, "list")
  expect_named(mixture, c("x", "y", "xnew", "prob", "marginal", "px1", "px2", "means"))
  expect_identical(dim(mixture$x), c(200L, 2L))
  expect_type(mixture$y, "integer")
  expect_identical(mixture$y, rep(0:1, each = 100))
  expect_identical(dim(mixture$xnew), c(6831L, 2L))
  expect_length(mixture$prob, 6831L)
  expect_length(mixture$marginal, 6831L)
  expect_length(mixture$px1, 69L)
  expect_length(mixture$px2, 99L)
  expect_identical(dim(mixture$means), c(20L, 2L))
  expect_equal(sum(mixture$marginal), 1, tolerance = 1e-10)
  lattice <- as.matrix(expand.grid(mixture$px1, mixture$px2))
  expect_equal(as.vector(mixture$xnew), as.vector(lattice), tolerance = 1e-12)
  bayes <- sum(mixture$marginal * pmin(mixture$prob, 1 - mixture$prob))
  expect_equal(bayes, 0.210, tolerance = 0.001 / 0.210, info = "Bayes error")
  expect_lt(abs(bayes - 0.210), 0.001)
})

test_that("bone, ozone, LAozone and galaxy have their documented shapes", {
  expect_identical(dim(bone), c(485L, 4L))
  expect_named(bone, c("idnum", "age", "gender", "spnbmd"))
  expect_identical(levels(bone$gender), c("female", "male"))
  expect_identical(length(unique(bone$idnum)), 261L)
  expect_false(anyNA(bone))

  expect_identical(dim(ozone), c(111L, 4L))
  expect_named(ozone, c("ozone", "radiation", "temperature", "wind"))
  expect_false(anyNA(ozone))

  expect_identical(dim(LAozone), c(330L, 10L))
  expect_named(LAozone, c("ozone", "vh", "wind", "humidity", "temp", "ibh", "dpg",
                          "ibt", "vis", "doy"))
  expect_false(anyNA(LAozone))

  expect_identical(dim(galaxy), c(323L, 5L))
  expect_named(galaxy, c("east.west", "north.south", "angle", "radial.position", "velocity"))
  expect_length(unique(galaxy$angle), 7L)
  expect_false(anyNA(galaxy))
})

test_that("phoneme has 256 features, five phonemes and a speaker id", {
  expect_identical(dim(phoneme), c(4509L, 258L))
  expect_identical(names(phoneme), c(paste0("x.", 1:256), "g", "speaker"))
  expect_identical(levels(phoneme$g), c("aa", "ao", "dcl", "iy", "sh"))
  expect_identical(as.vector(table(phoneme$g)), c(695L, 1022L, 757L, 1163L, 872L))
  expect_type(phoneme$speaker, "character")
  expect_true(all(vapply(phoneme[1:256], is.double, logical(1))))
  expect_false(anyNA(phoneme))
})

test_that("marketing keeps its 2694 missing values", {
  expect_identical(dim(marketing), c(8993L, 14L))
  expect_named(marketing, c("Income", "Sex", "Marital", "Age", "Edu", "Occupation",
                            "Lived", "Dual_Income", "Household", "Householdu18",
                            "Status", "Home_Type", "Ethnic", "Language"))
  expect_identical(sum(is.na(marketing)), 2694L)
  expect_false(anyNA(marketing$Income))
  expect_identical(sort(unique(marketing$Income)), 1:9)
})

test_that("waveform has three classes and 21 inputs", {
  expect_identical(dim(waveform_train), c(300L, 22L))
  expect_identical(dim(waveform_test), c(500L, 22L))
  expect_identical(names(waveform_train), c("y", paste0("x.", 1:21)))
  expect_identical(names(waveform_test), names(waveform_train))
  expect_identical(levels(waveform_train$y), c("1", "2", "3"))
  expect_identical(levels(waveform_test$y), c("1", "2", "3"))
  expect_false(anyNA(waveform_train))
  expect_false(anyNA(waveform_test))
})

test_that("countries is a labelled symmetric dissimilarity matrix", {
  codes <- c("BEL", "BRA", "CHI", "CUB", "EGY", "FRA", "IND", "ISR", "USA", "USS",
             "YUG", "ZAI")
  expect_true(is.matrix(countries))
  expect_type(countries, "double")
  expect_identical(dimnames(countries), list(codes, codes))
  expect_true(isSymmetric(countries))
  expect_true(all(diag(countries) == 0))
  expect_true(all(countries[upper.tri(countries)] > 0))
})

test_that("nci is a 6830 x 64 matrix labelled by cell-line type", {
  expect_true(is.matrix(nci))
  expect_type(nci, "double")
  expect_identical(dim(nci), c(6830L, 64L))
  expect_identical(rownames(nci), paste0("g", 1:6830))
  expect_identical(colnames(nci)[c(1, 4, 5, 21, 35, 64)],
                   c("CNS", "RENAL", "BREAST", "UNKNOWN", "K562B-repro", "MELANOMA"))
  expect_false(any(grepl("^\\s|\\s$", colnames(nci))))
  expect_length(unique(colnames(nci)), 14L)
  expect_false(anyNA(nci))
})
