"""The baseline for `make bench`: a bare Flask endpoint returning a constant, served the same way."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def constant():
    return "ok"
