from tests.listings.conftest import business, institute, moderator, publish  # noqa: F401  (shared fixtures)
