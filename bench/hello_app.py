"""A bare Flask app served the same way as the marketplace, for the baseline in http_baseline.py."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return {"hello": "world"}


@app.get("/healthz")
def health():
    return {"status": "ok"}
