# Helpers shared by tools/install.R and tools/run-tests.R: find the source tree,
# check that R has a CRAN mirror, pick a writable library, and install what is
# missing from CRAN sources. Sourced, never installed with the package.

statlearn_root <- function() {
  args <- commandArgs(FALSE)
  file <- sub("^--file=", "", grep("^--file=", args, value = TRUE))
  root <- if (length(file)) normalizePath(file.path(dirname(file[1]), "..")) else getwd()
  desc <- file.path(root, "DESCRIPTION")
  if (!file.exists(desc) || read.dcf(desc, "Package")[1, 1] != "statlearn") {
    stop("run this script from the statlearn source tree (no statlearn DESCRIPTION found in '",
         root, "')", call. = FALSE)
  }
  root
}

# The mirror R is configured with; stops with what to do when there is none.
check_cran_mirror <- function() {
  repos <- getOption("repos")
  cran <- if (is.null(repos) || !"CRAN" %in% names(repos)) "" else repos[["CRAN"]]
  if (!nzchar(cran) || cran == "@CRAN@") {
    stop("R has no CRAN mirror set (getOption(\"repos\")[\"CRAN\"] is '", cran, "').\n",
         "Choose one with chooseCRANmirror(), or put\n",
         "  options(repos = c(CRAN = \"<the URL of a CRAN mirror>\"))\n",
         "in your ~/.Rprofile, then run this command again.", call. = FALSE)
  }
  invisible(cran)
}

# The first library R would install into, or the user library when that one is
# not writable (created, as install.packages() offers to do interactively).
writable_library <- function() {
  lib <- .libPaths()[1]
  if (file.access(lib, 2) == 0) return(lib)
  user <- path.expand(strsplit(Sys.getenv("R_LIBS_USER"), .Platform$path.sep)[[1]][1])
  if (!nzchar(user)) stop("no writable R library: set R_LIBS_USER", call. = FALSE)
  if (!dir.exists(user)) {
    message("Creating the personal library '", user, "'")
    dir.create(user, recursive = TRUE, showWarnings = FALSE)
  }
  if (file.access(user, 2) != 0) stop("the library '", user, "' is not writable", call. = FALSE)
  .libPaths(c(user, .libPaths()))
  user
}

# Package names and minimum versions of DESCRIPTION fields, base packages dropped.
description_needs <- function(root, fields) {
  dcf <- read.dcf(file.path(root, "DESCRIPTION"), fields)
  entries <- trimws(unlist(strsplit(na.omit(as.vector(dcf)), ",")))
  entries <- entries[nzchar(entries)]
  pkg <- trimws(sub("\\(.*$", "", entries))
  ver <- ifelse(grepl(">=", entries), trimws(sub(".*>=\\s*([^)]+)\\).*", "\\1", entries)), NA)
  base <- c("R", rownames(installed.packages(priority = "base")))
  keep <- !pkg %in% base & !duplicated(pkg)
  data.frame(package = pkg[keep], version = ver[keep], stringsAsFactors = FALSE)
}

# TRUE for each package that is installed (in .libPaths()) at the version needed.
is_satisfied <- function(needs) {
  vapply(seq_len(nrow(needs)), function(i) {
    have <- suppressWarnings(tryCatch(utils::packageVersion(needs$package[i]),
                                      error = function(e) NULL))
    !is.null(have) && (is.na(needs$version[i]) || have >= needs$version[i])
  }, logical(1))
}

# Installs from CRAN sources what `needs` lacks; returns the names still missing.
install_missing <- function(needs, lib) {
  todo <- needs$package[!is_satisfied(needs)]
  if (length(todo)) {
    check_cran_mirror()
    message("Installing from CRAN: ", paste(todo, collapse = ", "))
    # fs (a dependency of testthat) needs libuv; without the system library it
    # builds its bundled copy.
    if (!nzchar(Sys.getenv("USE_BUNDLED_LIBUV"))) Sys.setenv(USE_BUNDLED_LIBUV = "true")
    ncpus <- getOption("Ncpus", max(1L, min(2L, parallel::detectCores(), na.rm = TRUE)))
    utils::install.packages(todo, lib = lib, Ncpus = ncpus)
  }
  needs$package[!is_satisfied(needs)]
}

r_cmd <- function(...) {
  system2(file.path(R.home("bin"), "R"), c("CMD", ...))
}
