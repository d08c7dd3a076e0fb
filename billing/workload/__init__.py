"""Teachers' after-school periods and their subsidy (课时数计入工作量)."""
