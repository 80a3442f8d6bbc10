# Build data/pride_prejudice.rda: the first chapters of Jane Austen's "Pride
# and Prejudice" (1813), one row per paragraph, for the character-level
# language model of issue 16 (vignette dl-10-sequence-modeling).
#
# Run from the package root:  Rscript data-raw/austen.R
# The text comes from the CRAN package janeaustenr (Julia Silge), which holds
# the Project Gutenberg edition (eBook #1342); install it into a library of
# its own, e.g. install.packages("janeaustenr", lib = "/tmp/extralib"), and
# point R_LIBS there. The novel is in the public domain. The text is stored
# as janeaustenr has it (Project Gutenberg's plain-text conventions:
# _underscores_ for italics, straight quotes), except that the lines of a
# paragraph are joined with single spaces. Chapters 1 to 18 make about 180 kB
# of text, under 60 kB in the xz-compressed .rda.

stopifnot(dir.exists("data"), file.exists("DESCRIPTION"))
chapters <- 18L

lines <- janeaustenr::prideprejudice
heads <- grep("^Chapter [0-9]+$", lines)
stopifnot(length(heads) == 61L)
chapter <- cumsum(seq_along(lines) %in% heads)
keep <- chapter >= 1L & chapter <= chapters & !seq_along(lines) %in% heads
lines <- trimws(lines[keep])
chapter <- chapter[keep]

# Paragraphs: runs of non-empty lines.
para <- cumsum(lines == "")
nonempty <- lines != ""
text <- tapply(lines[nonempty], para[nonempty], paste, collapse = " ")
pchap <- tapply(chapter[nonempty], para[nonempty], `[`, 1L)
pride_prejudice <- data.frame(chapter = as.integer(pchap), text = unname(as.character(text)),
                              stringsAsFactors = FALSE)
rownames(pride_prejudice) <- NULL
stopifnot(!anyNA(pride_prejudice$text), all(nzchar(pride_prejudice$text)),
          identical(sort(unique(pride_prejudice$chapter)), seq_len(chapters)))

save(pride_prejudice, file = file.path("data", "pride_prejudice.rda"), compress = "xz",
     version = 2)
cat(sprintf("%d paragraphs, %d characters (%d distinct), %d bytes on disk\n", nrow(pride_prejudice),
            sum(nchar(pride_prejudice$text)), length(unique(unlist(strsplit(pride_prejudice$text, "")))),
            file.size(file.path("data", "pride_prejudice.rda"))))
