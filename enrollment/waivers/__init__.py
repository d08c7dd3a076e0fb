"""Fee waivers for families in hardship (seed 一.7: 对家庭困难子女免收)."""
