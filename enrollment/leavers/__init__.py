"""Students who leave the school mid-year (转学/离校): membership, applications, billing."""
