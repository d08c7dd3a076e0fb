"""放弃申请 (seed 一.5 (6)): the family's written opt-out and its wording."""
