"""Locust user for bench/choice_load.py: one guardian, already logged in on
their phone, opens their child's club page and submits a ranking once.

Reads the guardians from the CSV named by ``CHOICE_LOAD_ROWS`` (session key,
student id, club ids separated by ``;``), one row per user spawned.
"""

from __future__ import annotations

import csv
import itertools
import os

from locust import HttpUser, constant, task

with open(os.environ["CHOICE_LOAD_ROWS"], newline="") as fh:
    ROWS = list(csv.reader(fh))
NEXT = itertools.count()
ACCEPTED = open(os.environ["CHOICE_LOAD_ACCEPTED"], "a", buffering=1)  # noqa: SIM115


class Guardian(HttpUser):
    # One submission per guardian, then idle until the run ends.
    wait_time = constant(3600)

    def on_start(self):
        i = next(NEXT)
        self.row = ROWS[i] if i < len(ROWS) else None
        if self.row:
            self.client.cookies.set("sessionid", self.row[0])

    @task
    def rank_clubs(self):
        if not self.row:
            return
        session, student, clubs = self.row
        url = f"/scheduling/clubs/choose/{student}/"
        with self.client.get(url, name="GET choose page", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"GET {r.status_code}")
                return
        token = self.client.cookies.get("csrftoken")
        data = {"csrfmiddlewaretoken": token}
        for rank, club in enumerate(clubs.split(";"), start=1):
            data[f"rank{rank}"] = club
        with self.client.post(
            url,
            data=data,
            name="POST choices",
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.host + url},
        ) as r:
            if r.status_code != 302:
                r.failure(f"POST {r.status_code}")
            else:
                ACCEPTED.write(f"{student}\n")
        self.row = None
