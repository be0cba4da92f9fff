"""Find the passages of the input that speak to a question, whatever the input's size.

`PassageIndex` holds every passage of an episode's documents with two retrievers
(BM25 on stems, dense e5 embeddings) and ranks by fusing them; it is saved in the
episode folder (`index/`) and reused while the passages are the same. The fact bank
draws its statements from `PassageIndex.representative`, `causerie ask` from
`PassageIndex.search`.
"""

from .index import Hit, PassageIndex, open_index

__all__ = ["Hit", "PassageIndex", "open_index"]
