# Builds the pkgdown site of statlearn (reference grouped by book chapter as
# _pkgdown.yml says, every vignette as an article, NEWS, README as home page)
# from this source tree against the statlearn already installed in R's library
# path: the package is not reinstalled and nothing is compiled.
#
#   Rscript tools/site.R                     # build into _site/
#   Rscript tools/site.R --check             # build, then run tools/check-site.R
#   Rscript tools/site.R --dest DIR          # build into DIR instead
#   Rscript tools/site.R --no-examples       # do not run the help-page examples
#   Rscript tools/site.R --check-only        # only check an already built site
#   Rscript tools/site.R --check --no-browser   # check without Chromium
#
# The check (tools/check-site.R) writes screenshots and the list of external
# links to the destination's name plus "-check" (_site-check/ by default).
#
# Needs pkgdown (CRAN, or Debian's r-cran-pkgdown) and pandoc; the check needs
# Chromium (Debian's chromium). Point R at the library that holds statlearn,
# e.g. R_LIBS=/path/to/lib Rscript tools/site.R --check.
#
# pkgdown writes temporary files beside the vignettes and knits them with the
# vignettes directory as working directory, so the site is built from a copy
# of the source files it needs, made in a temporary directory; the source tree
# is only read. _site/ is in .Rbuildignore and .gitignore.
local({
  args <- commandArgs(TRUE)
  flags <- c("--check", "--check-only", "--no-examples", "--no-browser")
  dest_at <- which(args == "--dest")
  dest <- NULL
  if (length(dest_at)) {
    if (dest_at[1] == length(args)) stop("--dest needs a directory", call. = FALSE)
    dest <- args[dest_at[1] + 1]
    args <- args[-c(dest_at[1], dest_at[1] + 1)]
  }
  unknown <- setdiff(args, flags)
  if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)

  script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))[1]
  root <- normalizePath(file.path(dirname(script), ".."))
  desc <- file.path(root, "DESCRIPTION")
  if (!file.exists(desc) || read.dcf(desc, "Package")[1, 1] != "statlearn") {
    stop("run this script from the statlearn source tree", call. = FALSE)
  }
  if (is.null(dest)) dest <- file.path(root, "_site")
  dir.create(dest, recursive = TRUE, showWarnings = FALSE)
  dest <- normalizePath(dest)
  stamp <- function(t0) sprintf("%.0f s", (proc.time() - t0)[["elapsed"]])

  if (!"--check-only" %in% args) {
    for (p in c("pkgdown", "rmarkdown", "knitr")) {
      if (!requireNamespace(p, quietly = TRUE)) {
        stop("the site needs the R package '", p, "': install.packages(\"", p,
             "\") or, on Debian, apt-get install r-cran-", p, call. = FALSE)
      }
    }
    if (!rmarkdown::pandoc_available()) stop("the site needs pandoc", call. = FALSE)
    installed <- tryCatch(find.package("statlearn"), error = function(e) {
      stop("statlearn is not installed in R's library path (", paste(.libPaths(), collapse = ", "),
           "): install it first (Rscript tools/install.R) or set R_LIBS", call. = FALSE)
    })
    ver_src <- read.dcf(desc, "Version")[1, 1]
    ver_inst <- read.dcf(file.path(installed, "DESCRIPTION"), "Version")[1, 1]
    message("Building the site against the installed statlearn ", ver_inst, " at ", installed)
    if (ver_src != ver_inst) {
      warning("the installed statlearn is ", ver_inst, " but the source tree is ", ver_src,
              ": help pages come from the source, examples and vignettes run the installed code",
              call. = FALSE, immediate. = TRUE)
    }
    ns <- readLines(file.path(root, "NAMESPACE"))
    exports <- sub("^export\\((.*)\\)$", "\\1", grep("^export\\(", ns, value = TRUE))
    stale <- setdiff(exports, getNamespaceExports(asNamespace("statlearn")))
    if (length(stale)) {
      warning("the installed statlearn does not export ", paste(stale, collapse = ", "),
              ": install the current source first, or their examples will fail",
              call. = FALSE, immediate. = TRUE)
    }
    if (!nzchar(Sys.getenv("STATLEARN_THREADS"))) Sys.setenv(STATLEARN_THREADS = "2")
    # Without this pkgdown asks CRAN and Bioconductor whether the package is
    # published there (for a sidebar link), and stops when it cannot reach them.
    # The build must not depend on the network.
    options(pkgdown.internet = FALSE)

    # A copy of what pkgdown reads. Examples and vignettes take the package and
    # its data (inst/extdata included) from the installed copy.
    src <- file.path(tempfile("statlearn-site-"), "statlearn")
    dir.create(src, recursive = TRUE)
    on.exit(unlink(dirname(src), recursive = TRUE), add = TRUE)
    parts <- c("DESCRIPTION", "NAMESPACE", "_pkgdown.yml", "README.md", "NEWS.md", "LICENSE",
               "man", "vignettes", "pkgdown", "inst/CITATION")
    parts <- parts[file.exists(file.path(root, parts))]
    for (p in parts) {
      dir.create(dirname(file.path(src, p)), recursive = TRUE, showWarnings = FALSE)
      if (dir.exists(file.path(root, p))) {
        file.copy(file.path(root, p), dirname(file.path(src, p)), recursive = TRUE)
      } else {
        file.copy(file.path(root, p), file.path(src, p))
      }
    }
    junk <- list.files(file.path(src, "vignettes"), pattern = "\\.(html|R)$|_files$|_cache$",
                       full.names = TRUE, include.dirs = TRUE)
    unlink(junk, recursive = TRUE)

    t0 <- proc.time()
    # Start from an empty destination so that no file of an older build can
    # hide a broken link; pkgdown only deletes what it wrote itself.
    old <- list.files(dest, all.files = TRUE, no.. = TRUE, full.names = TRUE)
    if (length(old) && !file.exists(file.path(dest, "pkgdown.yml"))) {
      stop("'", dest, "' holds files but no pkgdown site (no pkgdown.yml): not emptying it; ",
           "choose another --dest", call. = FALSE)
    }
    unlink(old, recursive = TRUE)
    # pkgdown 2.0.7 writes each article's "Source:" link relative to the
    # working directory, so build from inside the copy.
    owd <- setwd(src)
    on.exit(setwd(owd), add = TRUE, after = FALSE)
    pkgdown::build_site(".", examples = !"--no-examples" %in% args, lazy = FALSE,
                        devel = FALSE, new_process = FALSE, install = FALSE, preview = FALSE,
                        override = list(destination = dest))
    message("Site built in ", stamp(t0), ": ", file.path(dest, "index.html"))
  }

  if (any(c("--check", "--check-only") %in% args)) {
    t0 <- proc.time()
    check <- new.env()
    sys.source(file.path(root, "tools", "check-site.R"), envir = check)
    ok <- check$check_site(dest, shots = paste0(dest, "-check"), root = root,
                           browser = !"--no-browser" %in% args)
    message("Site checked in ", stamp(t0))
    if (!ok) quit(save = "no", status = 1)
  }
})
