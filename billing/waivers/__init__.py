"""Waivers of a student's fee: 免收 from approved enrollment requests, partial
ones where the county allows."""
