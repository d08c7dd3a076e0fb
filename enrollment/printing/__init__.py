"""Printed documents: agreement PDFs one by one or by class and grade (in the
background when large), and the blank paper forms."""
