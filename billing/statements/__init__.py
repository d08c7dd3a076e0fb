"""Fee statements: the fee arithmetic, generating statements, reading them."""
