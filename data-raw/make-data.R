# Build the data sets in data/ from the raw ESL files.
#
# Run from the package root:  Rscript data-raw/make-data.R
# The raw files are described in /work/shared/data/esl/README.md; set the
# environment variable STATLEARN_ESL_DIR to read them from somewhere else.
# Values are stored exactly as read: nothing is rounded or rescaled. file()
# reads the .gz files directly. Takes about a minute; data/ ends up near 6 MB,
# most of it phoneme (3.4 MB) and zip_train (1.4 MB), whose values are close to
# incompressible even as scaled integers.

raw_dir <- Sys.getenv("STATLEARN_ESL_DIR", "/work/shared/data/esl")
stopifnot(dir.exists(raw_dir), dir.exists("data"), file.exists("DESCRIPTION"))
raw <- function(...) file.path(raw_dir, ...)

save_data <- function(name, object) {
  env <- new.env()
  assign(name, object, envir = env)
  save(list = name, envir = env, file = file.path("data", paste0(name, ".rda")),
       compress = "xz", version = 2)
  invisible(object)
}

# Compact row names 1..n instead of the names the files carry.
reset_rows <- function(df) {
  rownames(df) <- NULL
  df
}

# ---- prostate (ESL 3.2.1) ------------------------------------------------
prostate <- read.table(raw("prostate.data"), header = TRUE, sep = "\t", row.names = 1)
prostate <- reset_rows(prostate)
stopifnot(is.logical(prostate$train), sum(prostate$train) == 67L,
          abs(prostate$lweight[32] - 3.804438) < 1e-6)
save_data("prostate", prostate)

# ---- SAheart (ESL 4.4.2) -------------------------------------------------
SAheart <- read.csv(raw("SAheart.data"), row.names = 1)
SAheart <- reset_rows(SAheart)
SAheart$famhist <- factor(SAheart$famhist, levels = c("Absent", "Present"))
SAheart$chd <- as.integer(SAheart$chd)
stopifnot(dim(SAheart) == c(462L, 10L), !anyNA(SAheart), sum(SAheart$chd) == 160L)
save_data("SAheart", SAheart)

# ---- vowel (ESL 4.3) -----------------------------------------------------
read_vowel <- function(file) {
  df <- reset_rows(read.csv(raw(file), row.names = 1))
  df$y <- factor(df$y, levels = 1:11)
  stopifnot(!anyNA(df))
  df
}
save_data("vowel_train", read_vowel("vowel.train"))
save_data("vowel_test", read_vowel("vowel.test"))

# ---- zip (ESL 11.7) ------------------------------------------------------
read_zip <- function(file) {
  m <- scan(raw(file), what = double(), quiet = TRUE)
  m <- matrix(m, ncol = 257L, byrow = TRUE)
  df <- data.frame(digit = factor(m[, 1], levels = 0:9),
                   as.data.frame(m[, -1]))
  names(df) <- c("digit", paste0("p", 1:256))
  stopifnot(!anyNA(df), all(abs(m[, -1]) <= 1))
  df
}
save_data("zip_train", read_zip("zip.train.gz"))
save_data("zip_test", read_zip("zip.test.gz"))

# ---- spam (ESL 9.1, 10.8) ------------------------------------------------
# Attribute names from the UCI Machine Learning Repository's spambase.names
# (info/spam.info.txt describes the three kinds of attribute but does not list
# them); the six char_freq_ names spell out the character.
spam_words <- c(
  "make", "address", "all", "3d", "our", "over", "remove", "internet", "order",
  "mail", "receive", "will", "people", "report", "addresses", "free",
  "business", "email", "you", "credit", "your", "font", "000", "money", "hp",
  "hpl", "george", "650", "lab", "labs", "telnet", "857", "data", "415", "85",
  "technology", "1999", "parts", "pm", "direct", "cs", "meeting", "original",
  "project", "re", "edu", "table", "conference")
spam_chars <- c("semicolon", "parenthesis", "bracket", "exclamation", "dollar", "hash")
spam_names <- c(paste0("word_freq_", spam_words), paste0("char_freq_", spam_chars),
                paste0("capital_run_length_", c("average", "longest", "total")))
stopifnot(length(spam_words) == 48L, length(spam_names) == 57L,
          identical(make.names(spam_names, unique = TRUE), spam_names))
spam <- read.table(raw("spam.data"), header = FALSE, col.names = c(spam_names, "spam"))
spam$spam <- factor(spam$spam, levels = 0:1, labels = c("email", "spam"))
spam_test <- scan(raw("spam.traintest"), what = integer(), quiet = TRUE)
stopifnot(length(spam_test) == nrow(spam), all(spam_test %in% 0:1))
spam$test <- spam_test == 1L
stopifnot(dim(spam) == c(4601L, 59L), !anyNA(spam),
          sum(spam$spam == "spam") == 1813L, sum(spam$test) == 1536L)
save_data("spam", spam)

# ---- mixture (ESL 2.3) ---------------------------------------------------
mix_env <- new.env()
load(raw("ESL.mixture.rda"), envir = mix_env)
mixture <- mix_env$ESL.mixture
stopifnot(all(mixture$y %in% 0:1))
mixture$y <- as.integer(mixture$y)
mixture <- mixture[c("x", "y", "xnew", "prob", "marginal", "px1", "px2", "means")]
stopifnot(abs(sum(mixture$marginal * pmin(mixture$prob, 1 - mixture$prob)) - 0.210) < 0.001)
save_data("mixture", mixture)

# ---- bone (ESL 5.4) ------------------------------------------------------
bone <- read.table(raw("bone.data"), header = TRUE, sep = "\t", strip.white = TRUE)
bone$gender <- factor(bone$gender, levels = c("female", "male"))
stopifnot(dim(bone) == c(485L, 4L), !anyNA(bone))
save_data("bone", bone)

# ---- phoneme (ESL 5.2.3) -------------------------------------------------
phoneme <- read.csv(raw("phoneme.data.gz"), row.names = 1)
phoneme <- reset_rows(phoneme)
phoneme$g <- factor(phoneme$g, levels = c("aa", "ao", "dcl", "iy", "sh"))
stopifnot(dim(phoneme) == c(4509L, 258L), !anyNA(phoneme))
save_data("phoneme", phoneme)

# ---- ozone (ESL 6) -------------------------------------------------------
ozone <- read.table(raw("ozone.data"), header = TRUE, sep = "\t")
stopifnot(dim(ozone) == c(111L, 4L), !anyNA(ozone))
save_data("ozone", ozone)

# ---- LAozone (ESL 9.1) ---------------------------------------------------
LAozone <- read.csv(raw("LAozone.data"))
stopifnot(dim(LAozone) == c(330L, 10L), !anyNA(LAozone))
save_data("LAozone", LAozone)

# ---- galaxy (ESL 6) ------------------------------------------------------
galaxy <- reset_rows(read.csv(raw("galaxy.data"), row.names = 1))
stopifnot(dim(galaxy) == c(323L, 5L), !anyNA(galaxy))
save_data("galaxy", galaxy)

# ---- marketing (ESL 14.2) ------------------------------------------------
marketing <- read.table(raw("marketing.data"), header = FALSE, col.names = c(
  "Income", "Sex", "Marital", "Age", "Edu", "Occupation", "Lived", "Dual_Income",
  "Household", "Householdu18", "Status", "Home_Type", "Ethnic", "Language"))
stopifnot(dim(marketing) == c(8993L, 14L), sum(is.na(marketing)) == 2694L,
          !anyNA(marketing$Income))
save_data("marketing", marketing)

# ---- waveform (ESL 12.7) -------------------------------------------------
read_waveform <- function(file) {
  df <- reset_rows(read.table(raw(file), header = TRUE, sep = "\t", row.names = 1))
  df$y <- factor(df$y, levels = 1:3)
  stopifnot(ncol(df) == 22L, !anyNA(df))
  df
}
save_data("waveform_train", read_waveform("waveform.train"))
save_data("waveform_test", read_waveform("waveform.test"))

# ---- countries (ESL 14.3) ------------------------------------------------
country_codes <- c("BEL", "BRA", "CHI", "CUB", "EGY", "FRA", "IND", "ISR", "USA",
                   "USS", "YUG", "ZAI")
countries <- as.matrix(read.table(raw("countries.data"), header = FALSE))
dimnames(countries) <- list(country_codes, country_codes)
stopifnot(dim(countries) == c(12L, 12L), isSymmetric(countries), all(diag(countries) == 0))
save_data("countries", countries)

# ---- nci (ESL 1, 14.3) ---------------------------------------------------
nci <- as.matrix(read.csv(raw("nci.data.csv.gz"), row.names = 1))
nci_labels <- trimws(scan(raw("nci.label"), what = "", sep = "\n", quiet = TRUE))
stopifnot(dim(nci) == c(6830L, 64L), length(nci_labels) == 64L,
          identical(colnames(nci), paste0("s", 1:64)),
          identical(rownames(nci), paste0("g", 1:6830)), !anyNA(nci))
colnames(nci) <- nci_labels
save_data("nci", nci)

# ---- compression ---------------------------------------------------------
tools::resaveRdaFiles("data", compress = "auto", version = 2)
sizes <- file.size(list.files("data", full.names = TRUE))
message(sprintf("data/: %d files, %.2f MB", length(sizes), sum(sizes) / 2^20))
