"""家长申请 (seed 一.5 (2)): the family's application, its status moves, the
family's pages, withdrawal and termination."""
