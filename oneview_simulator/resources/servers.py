"""Server hardware and server profiles (being written)."""

from flask import Blueprint

blueprint = Blueprint("servers", __name__)
