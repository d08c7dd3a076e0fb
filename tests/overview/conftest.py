from tests.scheduling.conftest import enroll, term  # noqa: F401
