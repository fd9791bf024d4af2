"""Plumbing shared by the proof scripts: where the LaTeX goes and how it is laid out.

Only presentation lives here. The mathematics of each statement, and every check of
it, is in its own script. The scripts check with plain ``assert`` statements, so they
refuse to run under ``python -O`` (which would strip the checks).

Output folder, first match wins: ``--out DIR`` on the command line, the environment
variable ``GDMAPS_PROOFS_OUT``, then ``proofs/out/`` next to this file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import sympy as sp

if not __debug__:  # pragma: no cover - only under python -O
    sys.exit("the proof scripts check every step with assert: run them without -O")

HERE = Path(__file__).resolve().parent

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb,amsthm}
\newtheorem{proposition}{Proposition}
\newtheorem{lemma}[proposition]{Lemma}
\theoremstyle{remark}
\newtheorem{remark}[proposition]{Remark}
\setcounter{MaxMatrixCols}{20}
\allowdisplaybreaks
"""

REFERENCES = r"""\begin{thebibliography}{9}
\bibitem{CG24} A.~Cr\u{a}ciun and D.~Ghoshdastidar.
  \emph{On the Convergence of Gradient Descent for Large Learning Rates}.
  arXiv:2402.13108, 2024.
\bibitem{CG25} A.~Cr\u{a}ciun and D.~Ghoshdastidar.
  \emph{Non-Singularity of the Gradient Descent map for Neural Networks with
  Piecewise Analytic Activations}. arXiv:2510.24466, 2025 (NeurIPS 2025).
\end{thebibliography}
"""


def output_dir(argv=None) -> Path:
    """The folder for the .tex files (created): ``--out``, ``$GDMAPS_PROOFS_OUT``, proofs/out."""
    parser = argparse.ArgumentParser(description="Verify the statement and write its LaTeX proof.")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the .tex file (default: $GDMAPS_PROOFS_OUT or proofs/out)")
    args = parser.parse_args(argv)
    out = args.out or (Path(os.environ["GDMAPS_PROOFS_OUT"]) if os.environ.get("GDMAPS_PROOFS_OUT")
                       else HERE / "out")
    out.mkdir(parents=True, exist_ok=True)
    return out


def tex(obj) -> str:
    """LaTeX of a SymPy object (matrices with brackets)."""
    return sp.latex(obj, mat_delim="[", mat_str="matrix")


class Document:
    """A short LaTeX proof, written in order: paragraphs and displayed formulas.

    ``verified(...)`` records a one-line plain-text summary of a checked step; the script
    prints the summary lines at the end and the document lists them in a closing remark.
    """

    def __init__(self, name: str, title: str, headline: str):
        self.name, self.title, self.headline = name, title, headline
        self.parts: list[str] = []
        self.summary: list[str] = []
        self.references: list[str] = []  # extra \bibitem entries, after the shared ones

    def text(self, latex: str) -> None:
        self.parts.append(latex.strip() + "\n")

    def display(self, *lines: str) -> None:
        """One displayed formula; several lines are aligned at ``&``."""
        if len(lines) == 1:
            self.parts.append("\\[\n" + lines[0] + "\n\\]\n")
        else:
            self.parts.append("\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n")

    def verified(self, line: str) -> None:
        self.summary.append(line)

    def cite(self, bibitem: str) -> None:
        """Add a ``\\bibitem`` of this document only to the shared bibliography."""
        self.references.append(bibitem.strip() + "\n")

    def write(self, out: Path) -> Path:
        name = _escape(self.name)
        checks = "\n".join(f"  \\item \\texttt{{{_escape(s)}}}" for s in self.summary)
        doc = "".join([
            PREAMBLE,
            "\\title{", self.title, "}\n",
            "\\author{gdmaps \\texttt{proofs/", name, ".py}}\n\\date{}\n",
            "\\begin{document}\n\\sloppy\n\\maketitle\n",
            "\n".join(self.parts),
            "\n\\begin{remark}[Machine check]\nEvery identity, spectrum and value displayed above"
            " was recomputed by the script \\texttt{proofs/", name, ".py} in exact arithmetic"
            " (SymPy); each step is an assertion that stops the script on failure. Steps checked:\n",
            "\\begin{flushleft}\\small\n\\begin{itemize}\n", checks,
            "\n\\end{itemize}\n\\end{flushleft}\n\\end{remark}\n\n",
            REFERENCES.replace("\\end{thebibliography}", "".join(self.references) + "\\end{thebibliography}"),
            "\\end{document}\n",
        ])
        path = out / f"{self.name}.tex"
        path.write_text(doc, encoding="utf-8")
        return path

    def report(self, path: Path, seconds: float) -> None:
        print(f"{self.name}: {self.headline}")
        for line in self.summary:
            print(f"  ok  {line}")
        print(f"  all {len(self.summary)} steps verified in {seconds:.1f} s; LaTeX written to {path}")


def _escape(s: str) -> str:
    """Plain text (a summary line) made safe for LaTeX."""
    table = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
             "#": r"\#", "_": r"\_", "%": r"\%", "^": r"\^{}", "~": r"\~{}"}
    return "".join(table.get(ch, ch) for ch in s)
