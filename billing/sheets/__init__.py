"""Fee sheets (收费明细表): on screen and as PDF, .xlsx and .csv."""
