"""Operations endpoints (health check for load balancers and monitors)."""
