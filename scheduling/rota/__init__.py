"""Rota: dated basic sessions, their supervisors and staff unavailability."""
