"""The baseline's two tables: rows to list, seats to take."""

from django.db import models


class Row(models.Model):
    name = models.CharField(max_length=50)
    status = models.CharField(max_length=20)
    note = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Seat(models.Model):
    capacity = models.IntegerField()

    def __str__(self):
        return f"seat {self.pk}"


class Taken(models.Model):
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE)
    user_id = models.IntegerField()
    rank = models.IntegerField()

    def __str__(self):
        return f"{self.user_id} → {self.seat_id}"
