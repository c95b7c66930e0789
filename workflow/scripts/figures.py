"""Rule figures: every figure of the data, framing and polarization chapters (analysis.figures), in one job."""

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import describe, figures, io
from analysis.lexicons import lexicon_stamp, load_lexicon

log = io.setup_logging(snakemake.log[0], "figures")
inp, params = snakemake.input, snakemake.params


def stem(figure_id):
    return snakemake.output[f"{figure_id}_png"].removesuffix(".png")


def stamp(paths):
    return lexicon_stamp(load_lexicon(p, check_terms=False) for p in paths)


def example_thread():
    """The comments of the thread the reply-tree figure draws: chosen from the thread table, read alone."""
    sizes = pd.read_csv(inp.threads, usecols=["thread_id", "n_comments"], dtype={"thread_id": str}, keep_default_na=False)
    thread_id = describe.pick_example_thread(sizes.set_index("thread_id")["n_comments"], requested=params.example_thread)
    columns = ["thread_id", "comment_id", "parent_id", "depth", "position", "author_id", "record"]
    parts = []
    for path in inp.comments:  # the thread_id column of each shard first; the other columns only where the thread is
        shard = pq.ParquetFile(path)
        rows = pc.equal(shard.read(columns=["thread_id"])["thread_id"], thread_id)
        if pc.any(rows).as_py():
            parts.append(shard.read(columns=columns).filter(rows).to_pandas())
    return pd.concat(parts, ignore_index=True)


# slowest first: they are handed to the processes in this order
tasks = {
    "frame_transitions": lambda: figures.frame_transitions(stem("frame_transitions"), transitions=pd.read_csv(inp.transitions),
                                                           uptake=pd.read_csv(inp.uptake)),
    "reply_network": lambda: figures.reply_network(stem("reply_network"), edges=io.read_csv(inp.edges),
                                                   incivility=io.read_csv(inp.incivility), network=io.read_csv(inp.network),
                                                   dictionaries=stamp(inp.reply_network_dictionaries), seed=params.seed),
    "partisanship": lambda: figures.partisanship(stem("partisanship"), part=io.read_csv(inp.partisanship),
                                                 terms=io.read_csv(inp.terms), dictionaries=stamp(inp.partisanship_dictionaries)),
    "reply_tree": lambda: figures.reply_tree(stem("reply_tree"), thread=example_thread(), max_comments=params.max_comments),
    "keyness": lambda: figures.keyness(stem("keyness"), table=io.read_csv(inp.keyness)),
    "frame_rates": lambda: figures.frame_rates(stem("frame_rates"), rates=io.read_csv(inp.rates)),
    "framing_index": lambda: figures.framing_index(stem("framing_index"), index=pd.read_csv(inp.index)),
    "comments_per_depth": lambda: figures.comments_per_depth(stem("comments_per_depth"), depth=pd.read_csv(inp.depth)),
}
done = figures.draw(tasks, processes=snakemake.threads)
for figure_id, line in done.items():
    log.info("%s: %s", figure_id, line)
