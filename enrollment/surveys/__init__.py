"""调查摸底 (seed 一.5 (1)): the term's survey, answers and figures."""
