"""Production settings."""
import os

from .base import *  # noqa: F401,F403

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "change-me-in-the-environment")

ALLOWED_HOSTS = ["blog.example.com", "www.blog.example.com"]

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
