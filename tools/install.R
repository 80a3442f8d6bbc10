# Installs statlearn from this source tree, with what it needs from CRAN
# (Imports and LinkingTo, built from CRAN sources into your first writable
# library), then runs its main demo, ESL Table 3.3 with the book's values
# beside ours. Uses the CRAN mirror R is configured with.
#
#   Rscript tools/install.R               # the package and the demo
#   Rscript tools/install.R --vignettes   # also build and install the chapter
#                                         # vignettes (needs pandoc; installs
#                                         # knitr and rmarkdown from CRAN)
local({
  args <- commandArgs(TRUE)
  unknown <- setdiff(args, "--vignettes")
  if (length(unknown)) stop("unknown argument(s): ", paste(unknown, collapse = " "), call. = FALSE)
  vignettes <- "--vignettes" %in% args

  script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))[1]
  source(file.path(dirname(script), "cran.R"), local = TRUE)
  root <- statlearn_root()
  lib <- writable_library()

  needs <- description_needs(root, c("Depends", "Imports", "LinkingTo"))
  if (vignettes) needs <- rbind(needs, description_needs(root, "VignetteBuilder"),
                                data.frame(package = "rmarkdown", version = NA))
  missing <- install_missing(needs, lib)
  if (length(missing)) {
    stop("could not install ", paste(missing, collapse = ", "),
         " from CRAN; see the messages above", call. = FALSE)
  }

  source_to_install <- root
  if (vignettes) {
    if (!rmarkdown::pandoc_available("1.12.3")) {
      stop("building the vignettes needs pandoc (>= 1.12.3) on the PATH; install it ",
           "(for example 'apt-get install pandoc') or drop --vignettes", call. = FALSE)
    }
    build_dir <- tempfile("statlearn-build")
    dir.create(build_dir)
    old <- setwd(build_dir)
    status <- r_cmd("build", "--no-manual", "--no-resave-data", shQuote(root))
    setwd(old)
    if (status != 0) stop("R CMD build failed; see the messages above", call. = FALSE)
    source_to_install <- list.files(build_dir, "^statlearn_.*\\.tar\\.gz$", full.names = TRUE)[1]
  }
  if (r_cmd("INSTALL", "--preclean", paste0("--library=", shQuote(lib)),
            shQuote(source_to_install)) != 0) {
    stop("R CMD INSTALL failed; see the messages above", call. = FALSE)
  }
  message("statlearn ", utils::packageVersion("statlearn", lib.loc = lib),
          " is installed in ", lib)
  if (vignettes) print(utils::vignette(package = "statlearn", lib.loc = lib))

  demo("esl-table-3-3", package = "statlearn", lib.loc = lib, ask = FALSE, echo = FALSE)
})
