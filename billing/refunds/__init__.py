"""Refund batches at term end: gather, approve, export, mark paid."""
