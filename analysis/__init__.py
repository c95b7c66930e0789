"""threadscope: discourse analysis of online comment threads.

The ``analysis`` package holds every computation of the workflow; Snakemake
rules call it through thin scripts in ``workflow/scripts``. Functions here are
pure (DataFrames in, new objects out) unless their module says otherwise
(``analysis.io`` reads and writes files).
"""

__version__ = "0.1.0"
